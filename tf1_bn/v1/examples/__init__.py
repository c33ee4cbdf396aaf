"""`tensorflow.examples` in the TF1 facade: only `tutorials.mnist.input_data`, the one TF1 scripts import."""

from tf1_bn.v1.examples import tutorials

__all__ = ["tutorials"]
