"""`tensorflow.examples.tutorials.mnist`: `input_data` is `tf1_bn.mnist.input_data` (the same module).

    from tensorflow.examples.tutorials.mnist import input_data      # under `tf1-bn run` or install()
    from tf1_bn.v1.examples.tutorials.mnist import input_data       # directly
    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)

Offline, read_data_sets falls back to the embedded 10,000-digit subset with a warning (see
`tf1_bn.mnist.input_data`). The module is also registered under this package's name, so
`import tf1_bn.v1.examples.tutorials.mnist.input_data` works too.
"""

import sys

from tf1_bn.mnist import input_data

sys.modules.setdefault(f"{__name__}.input_data", input_data)

__all__ = ["input_data"]
