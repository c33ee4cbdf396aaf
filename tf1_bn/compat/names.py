"""THE table of TF1 names tf1_bn stands in for: each TF1 module name → the module that answers for it.

One table, three readers (each a small engine elsewhere):
- `tf1_bn.v1` (the facade, `import tf1_bn.v1 as tf`): `tf.<name>` is the module of the row
  `tensorflow.<name>`, `tf.compat.<name>` that of `tensorflow.compat.<name>`;
- `tf1_bn.install()` (`tf1_bn.compat.install`): every INSTALL row goes into `sys.modules`, and onto its
  parent as an attribute when that parent is a real TensorFlow module (`tf.contrib`, `tf.layers`,
  `tf.compat.v1.layers`); `uninstall()` takes them back;
- `tf1-bn run` (`tf1_bn.compat.runner`): the script's `from <row> import …` reads the row's module,
  `import tensorflow[.…]` binds the facade.

FACADE rows exist only where the facade is `tensorflow`; install() leaves the real `tensorflow`,
`tf.compat` and `tf.nn` alone. Restoring a TF1 module is one line here (its namespace module lists
its names and raises `tf1_bn.errors.MissingAPIError` for the rest).
"""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType

FACADE = "facade"    # only through the facade (import tf1_bn.v1, tf1-bn run)
INSTALL = "install"  # also patched into the real `tensorflow` by install()


@dataclasses.dataclass(frozen=True)
class Alias:
    """`tf1` (a TF1 module name) is answered by the module `module`, in `scope` (FACADE or INSTALL)."""

    tf1: str
    module: str
    scope: str


ALIASES: tuple[Alias, ...] = (
    #     TF1 name                                         answered by                          where
    Alias("tensorflow",                                    "tf1_bn.v1",                         FACADE),
    Alias("tensorflow.compat",                             "tf1_bn.v1.compat",                  FACADE),
    Alias("tensorflow.compat.v1",                          "tf1_bn.v1",                         FACADE),
    Alias("tensorflow.compat.v2",                          "tensorflow.compat.v2",              FACADE),
    Alias("tensorflow.nn",                                 "tf1_bn.v1.nn",                      FACADE),
    Alias("tensorflow.layers",                             "tf1_bn.v1.layers",                  INSTALL),
    Alias("tensorflow.compat.v1.layers",                   "tf1_bn.v1.layers",                  INSTALL),
    Alias("tensorflow.contrib",                            "tf1_bn.contrib",                    INSTALL),
    Alias("tensorflow.contrib.layers",                     "tf1_bn.contrib.layers",             INSTALL),
    Alias("tensorflow.contrib.slim",                       "tf1_bn.contrib.slim",               INSTALL),
    Alias("tensorflow.contrib.framework",                  "tf1_bn.contrib.framework",          INSTALL),
    Alias("tensorflow.contrib.losses",                     "tf1_bn.contrib.losses",             INSTALL),
    Alias("tensorflow.examples",                           "tf1_bn.v1.examples",                INSTALL),
    Alias("tensorflow.examples.tutorials",                 "tf1_bn.v1.examples.tutorials",      INSTALL),
    Alias("tensorflow.examples.tutorials.mnist",           "tf1_bn.v1.examples.tutorials.mnist", INSTALL),
    Alias("tensorflow.examples.tutorials.mnist.input_data", "tf1_bn.mnist.input_data",          INSTALL),
)

BY_NAME: dict[str, Alias] = {alias.tf1: alias for alias in ALIASES}


def children(parent: str) -> dict[str, str]:
    """{attribute: module name} of the rows one level below `parent` ("tensorflow" → compat, nn, layers, …)."""
    prefix = parent + "."
    return {alias.tf1[len(prefix):]: alias.module for alias in ALIASES
            if alias.tf1.startswith(prefix) and "." not in alias.tf1[len(prefix):]}


def load(module: str) -> ModuleType:
    """The module called `module`: a tf1_bn module by import, a real TensorFlow one by attribute from
    `tensorflow` (importing e.g. "tensorflow.compat.v1" by name would build a second copy of TF's
    generated API module and rebind `tf.compat.v1` to it)."""
    if module != "tensorflow" and not module.startswith("tensorflow."):
        return importlib.import_module(module)
    found = importlib.import_module("tensorflow")
    for part in module.split(".")[1:]:
        found = getattr(found, part)
    return found


def installed_aliases() -> tuple[Alias, ...]:
    """The rows install() puts into the real `tensorflow`, parents before children."""
    return tuple(alias for alias in ALIASES if alias.scope == INSTALL)
