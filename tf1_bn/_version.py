"""The package version, kept apart so setup.cfg and `tf1-bn --version` read it without importing TensorFlow."""

__version__ = "0.1.0"
