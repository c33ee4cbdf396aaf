"""`tf.contrib.framework`: arg_scope and the model-variable helpers (the parts slim scripts use).

Any other name raises MissingAPIError listing these.
"""

from __future__ import annotations

from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.contrib.arg_scope import add_arg_scope, arg_scope, arg_scoped_arguments, current_arg_scope, has_arg_scope
from tf1_bn.contrib.variables import get_model_variables, get_trainable_variables, get_variables, model_variable

__all__ = [
    "add_arg_scope", "arg_scope", "arg_scoped_arguments", "current_arg_scope", "get_model_variables",
    "get_trainable_variables", "get_variables", "has_arg_scope", "model_variable",
]
__getattr__ = namespace_getattr("tf.contrib.framework", lambda: __all__)
