"""`tensorflow.examples.tutorials` in the TF1 facade."""

from tf1_bn.v1.examples.tutorials import mnist

__all__ = ["mnist"]
