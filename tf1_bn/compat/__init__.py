"""The compat machinery that lets unmodified TF1 scripts run: nothing here runs on import.

- `names`: THE table of TF1 names (`tensorflow.contrib`, `tensorflow.layers`, …) → tf1_bn modules,
  read by `install()`, by the `tf1_bn.v1` facade and by `tf1-bn run`;
- `install`: `tf1_bn.install()` / `tf1_bn.uninstall()`, which patch the real `tensorflow` from it;
- `runner`: `tf1-bn run SCRIPT`, the import hook that hands the script the facade;
- `namespace`: the module `__getattr__` that raises `tf1_bn.errors.MissingAPIError`.

The facade itself is `tf1_bn.v1` (importing it switches TensorFlow to graph mode, which is why none
of this lives there).
"""
