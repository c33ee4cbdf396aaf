"""Move a TF1 batch-norm model to Keras 3, and prove the port computes the same thing.

    model = tf1_bn.migrate.convert(sess, "x", "logits", training="is_training")   # any supported TF1 graph
    tf1_bn.migrate.assert_parity(sess, model, {"x": batch}, training=False)
    tf1_bn.migrate.assert_training_step_parity(sess, model, {"x": batch, "labels": y}, loss, 0.01)

and the article's NeuralNetwork, as before:

    model = tf1_bn.migrate.to_keras(network, sess)              # same kernels, γ/β, moving statistics
    model = tf1_bn.migrate.from_checkpoint("model.ckpt", tf.nn.relu)   # from NeuralNetwork.train(save_model=…)
    tf1_bn.migrate.assert_parity(network, sess, model, x)                       # inference logits
    tf1_bn.migrate.assert_parity(network, sess, model, x, training=True)        # batch-statistics logits
    tf1_bn.migrate.assert_training_step_parity(network, sess, model, x, y, 0.01)  # one SGD step

Modules: `converter` (convert: the engine) with `op_table` (TF op → handlers) and the handlers
(`handlers_bn`, `handlers_linear`, `handlers_misc`, reading the graph through `graph_reading`),
`graph_parity` (parity of any converted model), `keras_model` (to_keras, Keras 3 inside a TF1 graph: `eager()`), `checkpoint` (describe,
restore, from_checkpoint), `parity` (the assertions), `snapshot` (read/write variables without new
ops). `tf1_bn.migrate.testing` turns these into a pytest fixture.

The moving-average momentum, three conventions (Ioffe & Szegedy 2015 leave the estimator open; the
paper's Algorithm 2 averages instead, see `tf1_bn.article.population`):

    framework                      update of the moving statistic                     default   the article's 0.99
    TF1 tf.layers / tf.nn EMA      moving ← moving − (moving − batch)·(1 − momentum)  0.99      0.99
    Keras 3 BatchNormalization     moving ← momentum·moving + (1 − momentum)·batch    0.99      0.99
    PyTorch nn.BatchNorm1d         running ← (1 − momentum)·running + momentum·batch  0.1       momentum=0.01

TF1 and Keras are the same rule (momentum carries over unchanged); PyTorch's momentum is 1 − it, and
PyTorch keeps the m/(m−1)-corrected batch variance where TF1 (non-fused) and Keras keep the biased
one. ε is 1e-3 in TF1 and Keras, 1e-5 in PyTorch. `assert_training_step_parity` names a momentum
that looks like the PyTorch convention.

The submodules load on first use of a name below; nothing here imports pytest.
"""

from __future__ import annotations

from tf1_bn._lazy import lazy_names

_LAZY = {
    "to_keras": "keras_model", "eager": "keras_model", "pair_layers": "keras_model",
    "from_checkpoint": "checkpoint", "restore": "checkpoint", "describe_checkpoint": "checkpoint",
    "CheckpointNetwork": "checkpoint",
    "convert": "converter", "Conversion": "converter",
    "assert_parity": "parity", "assert_training_step_parity": "parity", "ParityReport": "parity", "Difference": "parity",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_names(__name__, _LAZY)
