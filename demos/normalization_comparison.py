"""Normalization vs standardization vs batch normalization of 32x32 images (seed 004), in NumPy and TF.

    normalization (min-max), whole data:  x' = (x − min)/(max − min)                → values in [0, 1]
    standardization, whole data:          x' = (x − mean)/std                       → mean 0, variance 1
    batch normalization, one mini-batch:  y = γ·(x − μ_B)/√(σ²_B + ε) + β          (Ioffe & Szegedy 2015)

With γ = 1 and β = 0, batch normalization IS standardization — of the mini-batch, not of the whole
data, and with ε under the square root. The script builds noisy gray images (mean ≈ 26, variance
≈ 306, as in the seed), applies the three in NumPy (`tf1_bn.reference`), then batch-normalizes the
first 10 images in TensorFlow with offset 0 and scale 1 and checks that it equals NumPy's
standardization of that batch. The four histograms go to a PNG.

Run:
    tf1-bn run demos/normalization_comparison.py
    tf1-bn run demos/normalization_comparison.py --images 50 --batch 10 --png histograms.png
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from tf1_bn import reference  # min_max_normalize, standardize, forward: the NumPy equations

parser = argparse.ArgumentParser(description="Seed 004: normalization, standardization and BN of 32x32 images.")
parser.add_argument("--images", type=int, default=20, help="how many 32x32 gray images (default 20)")
parser.add_argument("--batch", type=int, default=10, help="the mini-batch: the first B images (default 10)")
parser.add_argument("--png", default="normalization_comparison.png", help="where to save the histograms")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# (number of images, width, height, channels): gray images from a normal distribution plus noise.
rng = np.random.RandomState(args.seed)
images = rng.normal(26.0, 17.0, size=(args.images, 32, 32, 1)) + rng.normal(0.0, 4.0, size=(args.images, 32, 32, 1))


def describe(name, values):
    print(f"{name:40} mean {values.mean():9.4f}   variance {values.var():9.4f}   "
          f"range [{values.min():8.3f}, {values.max():8.3f}]")


describe("original images", images)

# Case 1 and 2: the whole data at once.
normalized = reference.min_max_normalize(images)
standardized = reference.standardize(images)
describe("case 1: normalization (min-max)", normalized)
describe("case 2: standardization", standardized)

# Case 3: batch normalization of a mini-batch (the first images), NumPy: γ = 1, β = 0.
batch = images[: args.batch]
numpy_bn, _ = reference.forward(batch, gamma=1.0, beta=0.0, training=True, epsilon=1e-8)
describe(f"case 3: batch norm, NumPy ({args.batch} images)", numpy_bn)

# Case 3 in TensorFlow: moments over (batch, width, height), offset 0 and scale 1.
x = tf.placeholder(tf.float64, [None, 32, 32, 1])
mean, variance = tf.nn.moments(x, axes=[0, 1, 2])
batch_normalized = tf.nn.batch_normalization(x, mean, variance, offset=0.0, scale=1.0, variance_epsilon=1e-8)
with tf.Session() as sess:
    tf_bn = sess.run(batch_normalized, {x: batch})
describe("case 3: batch norm, TensorFlow", tf_bn)

difference = np.abs(tf_bn - reference.standardize(batch)).max()
print(f"\nTF batch norm (γ=1, β=0) vs NumPy standardization of the same {args.batch} images: "
      f"largest difference {difference:.1e}")
print("Batch normalization with γ = 1 and β = 0 is standardization of the mini-batch; γ and β, learned,")
print("let the network undo it where that helps.")

fig, axes = plt.subplots(2, 2, figsize=(10, 7))
panels = [("original", images), ("case 1: normalization (min-max)", normalized),
          ("case 2: standardization", standardized), (f"case 3: batch norm in TF, first {args.batch} images", tf_bn)]
for ax, (title, values) in zip(axes.flat, panels):
    ax.hist(values.ravel(), bins=50, color="tab:blue", alpha=0.8)
    ax.set_title(f"{title}\nmean {values.mean():.2f}, variance {values.var():.2f}", fontsize="medium")
fig.tight_layout()
fig.savefig(args.png)
print(f"histograms: {args.png}")
if difference > 1e-6:
    raise SystemExit(f"unexpected: batch norm and standardization differ by {difference:.1e}")
