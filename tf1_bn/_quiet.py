"""Import TensorFlow without its start-up chatter, for the command line.

TensorFlow 2.16+ prints absl INFO lines (oneDNN, CUDA stubs) while it loads, before TF_CPP_MIN_LOG_LEVEL
takes effect, so the level alone does not silence them. When the user has not chosen a level, the CLI
sets TF_CPP_MIN_LOG_LEVEL=3 and sends file descriptor 2 to a temporary file during the import; if the
import fails, that text is replayed so nothing useful is lost. A user who sets TF_CPP_MIN_LOG_LEVEL
gets TensorFlow's own behaviour, untouched.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import warnings


def import_tensorflow_quietly() -> None:
    if "tensorflow" in sys.modules:
        return
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        import tensorflow  # noqa: F401  (the user's chosen verbosity)
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    tf.get_logger().setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
