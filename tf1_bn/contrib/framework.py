"""`tf.contrib.framework`: arg_scope and slim's variable functions (the parts slim scripts use).

Any other name raises MissingAPIError listing these.
"""

from __future__ import annotations

from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.contrib.arg_scope import add_arg_scope, arg_scope, arg_scoped_arguments, current_arg_scope, has_arg_scope
from tf1_bn.contrib.slim_variables import (
    add_model_variable, create_global_step, get_global_step, get_local_variables, get_model_variables,
    get_or_create_global_step, get_trainable_variables, get_unique_variable, get_variables, get_variables_by_name,
    get_variables_by_suffix, get_variables_to_restore, global_variable, local_variable, model_variable, variable,
)

__all__ = [
    "add_arg_scope", "add_model_variable", "arg_scope", "arg_scoped_arguments", "create_global_step",
    "current_arg_scope", "get_global_step", "get_local_variables", "get_model_variables", "get_or_create_global_step",
    "get_trainable_variables", "get_unique_variable", "get_variables", "get_variables_by_name",
    "get_variables_by_suffix", "get_variables_to_restore", "global_variable", "has_arg_scope", "local_variable",
    "model_variable", "variable",
]
__getattr__ = namespace_getattr("tf.contrib.framework", lambda: __all__)
