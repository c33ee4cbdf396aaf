"""Seed 003's hand-written BN layer — tf.nn.moments + ExponentialMovingAverage(decay=0.5) + tf.cond —
checked against the seed's NumPy forward and backward passes (kept in `tf1_bn.reference`).

The layer, as the seed wrote it:
    training (train_phase=True):   y = γ·(x − μ_B)/√(σ²_B + ε) + β, and the EMA takes one step:
                                   shadow ← shadow − (shadow − batch)·(1 − 0.5)     (starts at 0)
    inference (train_phase=False): y = γ·(x − shadow_μ)/√(shadow_σ² + ε) + β

and the backward pass the seed derives (reference.backward), with x̂ = (x − μ_B)/√(σ²_B + ε):
    dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(σ²_B + ε)·(dy − dβ/m − x̂·dγ/m)  (training)

The script feeds a few batches, compares TensorFlow's output and tf.gradients with the NumPy
equations at every step, follows the EMA shadows against the closed form, and checks inference.
It exits with status 1 if any difference exceeds the tolerance.

Run:
    tf1-bn run demos/moments_ema.py
    tf1-bn run demos/moments_ema.py --batch 32 --features 10 --steps 5 --shift 100
"""

import argparse

import numpy as np
import tensorflow as tf

from tf1_bn import reference  # seed 003's NumPy equations: forward, backward, moments

parser = argparse.ArgumentParser(description="Seed 003's batch_norm_layer against its NumPy forward/backward.")
parser.add_argument("--batch", type=int, default=8)
parser.add_argument("--features", type=int, default=5)
parser.add_argument("--steps", type=int, default=3, help="training batches fed through the layer (default 3)")
parser.add_argument("--shift", type=float, default=3.0, help="mean of the inputs (try 100: no cancellation)")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
EPSILON, DECAY, TOLERANCE = 1e-3, 0.5, 1e-4


def batch_norm_layer(x, train_phase, scope_bn):
    with tf.variable_scope(scope_bn):
        # Scale and shift, learned like any weight.
        beta = tf.Variable(tf.constant(0.0, shape=[x.shape[-1]]), name="beta", trainable=True)
        gamma = tf.Variable(tf.constant(1.0, shape=[x.shape[-1]]), name="gamma", trainable=True)
        # Mean and variance of this batch, over every axis but the features. (TF 2.21's own
        # tf.nn.moments refuses a NumPy array of axes; the TF1 facade accepts it, as early TF 1.x did.)
        axises = np.arange(len(x.shape) - 1)
        batch_mean, batch_var = tf.nn.moments(x, axises, name="moments")
        # Moving averages with a short memory (decay 0.5).
        ema = tf.train.ExponentialMovingAverage(decay=DECAY)

        def mean_var_with_update():
            ema_apply_op = ema.apply([batch_mean, batch_var])
            with tf.control_dependencies([ema_apply_op]):
                return tf.identity(batch_mean), tf.identity(batch_var)

        # Training: batch statistics (and update the EMA). Testing: the EMA's averages.
        mean, var = tf.cond(train_phase, mean_var_with_update,
                            lambda: (ema.average(batch_mean), ema.average(batch_var)))
        normed = tf.nn.batch_normalization(x, mean, var, beta, gamma, EPSILON)
    return normed


x = tf.placeholder(tf.float32, [None, args.features])
train_phase = tf.placeholder(tf.bool)
y = batch_norm_layer(x, train_phase, "bn")
dy = tf.placeholder(tf.float32, [None, args.features])  # the upstream gradient, dL/dy
variables = {v.op.name: v for v in tf.global_variables()}
gamma, beta = variables["bn/gamma"], variables["bn/beta"]
dx, dgamma, dbeta = tf.gradients(y, [x, gamma, beta], grad_ys=dy)
shadow_mean, shadow_var = [v for v in tf.global_variables() if "ExponentialMovingAverage" in v.op.name]

rng = np.random.RandomState(args.seed)
worst = 0.0


def compare(label, tf_values, np_values):
    global worst
    error = max(float(np.max(np.abs(a - b) / (1.0 + np.abs(b)))) for a, b in zip(tf_values, np_values))
    worst = max(worst, error)
    print(f"  {label:50} max relative difference {error:.1e}")


with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    # Non-trivial γ and β, so the gradient check sees them.
    g, b = rng.uniform(0.5, 2.0, args.features).astype(np.float32), rng.normal(size=args.features).astype(np.float32)
    sess.run([gamma.assign(g), beta.assign(b)])
    ema_mean, ema_var = np.zeros(args.features), np.zeros(args.features)  # the EMA's shadows start at 0
    for step in range(1, args.steps + 1):
        batch = (rng.normal(size=(args.batch, args.features)) * rng.uniform(0.5, 4.0, args.features)
                 + args.shift).astype(np.float32)
        upstream = rng.normal(size=batch.shape).astype(np.float32)
        # One run = one training step of the layer: output, gradients, and one EMA update.
        out, grads = sess.run([y, (dx, dgamma, dbeta)], {x: batch, train_phase: True, dy: upstream})
        expected, cache = reference.forward(batch.astype(np.float64), g, b, training=True, epsilon=EPSILON)
        print(f"step {step}, training phase:")
        compare("y = BN(x) with batch statistics", [out], [expected])
        compare("tf.gradients (dx, dγ, dβ) vs reference.backward", grads,
                reference.backward(upstream.astype(np.float64), cache))
        mean, variance = reference.moments(batch.astype(np.float64))
        ema_mean, ema_var = reference.update_moving(ema_mean, mean, DECAY), reference.update_moving(ema_var, variance, DECAY)
        compare("EMA shadows vs shadow − (shadow − batch)·0.5", sess.run([shadow_mean, shadow_var]), [ema_mean, ema_var])

    print("inference phase (EMA statistics, no update):")
    test = (rng.normal(size=(args.batch, args.features)) + args.shift).astype(np.float32)
    upstream = rng.normal(size=test.shape).astype(np.float32)
    out, grads = sess.run([y, (dx, dgamma, dbeta)], {x: test, train_phase: False, dy: upstream})
    expected, cache = reference.forward(test.astype(np.float64), g, b, training=False, epsilon=EPSILON,
                                        moving_mean=ema_mean, moving_variance=ema_var)
    compare("y = BN(x) with the EMA's mean and variance", [out], [expected])
    compare("tf.gradients vs reference.backward (inference)", grads, reference.backward(upstream.astype(np.float64), cache))
    compare("shadows unchanged by inference", sess.run([shadow_mean, shadow_var]), [ema_mean, ema_var])

print(f"\nlargest difference {worst:.1e} (tolerance {TOLERANCE:.0e}):", "OK" if worst <= TOLERANCE else "MISMATCH")
if worst > TOLERANCE:
    raise SystemExit(1)
