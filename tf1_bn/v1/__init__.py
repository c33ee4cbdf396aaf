"""TensorFlow 1.x as one module: `import tf1_bn.v1 as tf`, then write TF1 code unchanged.

    import tf1_bn.v1 as tf
    x = tf.placeholder(tf.float32, [None, 784])
    is_training = tf.placeholder(tf.bool)
    h = tf.layers.dense(x, 128, use_bias=False)
    h = tf.nn.relu(tf.layers.batch_normalization(h, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)

**Importing this module switches TensorFlow to TF1 behaviour**: graph mode
(`tf.compat.v1.disable_eager_execution()`), TF1 tensor shapes (`x.get_shape()[1].value`) and TF1
control flow, see `tf1_bn.compat.behaviour`: that is the opt-in, as TF1 scripts assume graphs, Sessions and Dimensions.
Importing plain `tf1_bn` changes nothing.

What `tf.<name>` is (the rows `tensorflow.<name>` of the name table, `tf1_bn.compat.names`, first):
- `tf.layers`: TF1's layers restored (`tf1_bn.v1.layers`: dense, conv1d, conv2d, conv2d_transpose,
  separable_conv2d, max/average_pooling1d/2d, dropout, flatten, batch_normalization and their classes);
- `tf.contrib`: `tf1_bn.contrib` (layers.batch_norm, fully_connected, conv2d, …, slim with utils,
  model_analyzer and losses, framework with arg_scope and the variable queries, losses);
- `tf.examples.tutorials.mnist.input_data`: `tf1_bn.mnist.input_data` (offline, embedded fallback);
- `tf.compat.v1`: this module again (so `tf.compat.v1.layers` is the restored one); `tf.compat.v2`: TF 2;
- `tf.nn`: `tf.compat.v1.nn`, with `moments` accepting NumPy arrays of axes as early TF 1.x did;
- `tf.__version__`: TensorFlow's REAL version string (e.g. "2.21.0"), not a fake "1.15": scripts that
  branch on the version should see what actually runs;
- everything else: `tf.compat.v1.<name>` (placeholder, Session, train, nn, GraphKeys, …), and for a
  TF 2 submodule already loaded (e.g. `tf.python`) that module.
A name none of these has raises MissingAPIError (an AttributeError and a NotImplementedError) naming
it, e.g. "tf.contrib.rnn is not provided by tf1_bn's TF1 facade"; `tf1-bn run` reports it in one line.
"""

from __future__ import annotations

import sys
from typing import Any

import tensorflow as _tf

from tf1_bn.compat import names as _names
from tf1_bn.compat.keras_gate import gated as _gated
from tf1_bn.errors import MissingAPIError

from tf1_bn.compat import behaviour as _behaviour  # noqa: E402

_v1 = _tf.compat.v1
_behaviour.switch_to_tf1()  # graph mode, TF1 shapes and control flow, for good (as in TF1)

# tf.compat, tf.nn, tf.layers, tf.contrib, tf.examples: the table's rows below `tensorflow`.
_OWN = _names.children("tensorflow")
for _attribute, _module in _OWN.items():
    globals()[_attribute] = _names.load(_module)

__version__: str = _tf.__version__


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(f"module 'tf1_bn.v1' has no attribute {name!r}")
    try:
        return _gated(getattr(_v1, name), f"tf.{name}")
    except MissingAPIError:
        raise
    except AttributeError as error:
        if "Keras 3" in str(error):
            raise MissingAPIError(f"tf.{name}") from None
    loaded = sys.modules.get(f"tensorflow.{name}")
    if loaded is not None:
        return loaded
    raise MissingAPIError(f"tf.{name}")


def __dir__() -> list[str]:
    return sorted(set(dir(_v1)) | set(_OWN) | {n for n in globals() if not n.startswith("_")} | {"__version__"})
