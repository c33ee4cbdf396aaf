"""Run an unmodified TF1-era script on TensorFlow 2 (the logic behind `tf1-bn run SCRIPT [ARGS…]`).

For the script's run, in this process only:
- `tf1_bn.install()` (graph mode; `tf.compat.v1.layers`, `tensorflow.contrib`,
  `tensorflow.examples.tutorials.mnist` available);
- `import tensorflow as tf` in the script — and in modules next to it — gives the TF1 facade
  `tf1_bn.v1` (tf.placeholder, tf.layers.*, tf.contrib.layers.batch_norm, …), and `from X import …`
  reads the module the name table (`tf1_bn.compat.names`) gives for X, when it has X. Libraries
  (site-packages, the standard library, tf1_bn itself) keep getting the real `tensorflow`;
- the script runs as `__main__` with `sys.argv = [SCRIPT, *ARGS]` and its folder first on sys.path,
  as `python SCRIPT ARGS` would run it;
- matplotlib draws with Agg when there is no display (DISPLAY/WAYLAND_DISPLAY unset, MPLBACKEND unset);
- the script starts with an empty default graph, as in a new process (`reset_default_graph()`, unless
  the caller is inside a `with graph.as_default():` block, which is then left as it is).
Everything else is restored afterwards (import hook, argv, path, environment, install()).

Exit codes: the script's own (`sys.exit(n)`; 0 when it ends normally; `sys.exit("text")` prints text
and gives 1); 1 when it raises (its traceback is printed from the script's frame on);
EXIT_MISSING_API (3) when it uses a TF API the facade lacks, reported in one line, without traceback:

    tf1-bn run: demo.py:12 uses tf.foo, which the TF1 facade does not provide
"""

from __future__ import annotations

import builtins
import contextlib
import os
import pathlib
import runpy
import sys
import sysconfig
import traceback
from typing import IO, Any, Callable, Iterator, Sequence

import tf1_bn
from tf1_bn.compat import names
from tf1_bn._signals import Terminated
from tf1_bn.errors import MissingAPIError

EXIT_MISSING_API = 3


class _UserCode:
    """Decides which files are "the user's": under the script's folder, but not a library or tf1_bn."""

    def __init__(self, script: pathlib.Path) -> None:
        self.script = str(script)
        self.folder = os.path.dirname(self.script)
        paths = sysconfig.get_paths()
        libraries = {sys.prefix, sys.base_prefix, sys.exec_prefix, paths.get("stdlib"), paths.get("purelib"),
                     paths.get("platlib"), os.path.dirname(tf1_bn.__file__)}
        self.excluded = [os.path.realpath(p) for p in libraries if p]

    def contains(self, filename: str | None) -> bool:
        if not filename or filename.startswith("<"):  # "<frozen runpy>", "<string>": not files
            return False
        path = os.path.realpath(filename)
        if path == self.script:
            return True
        inside = lambda folder: path.startswith(folder.rstrip(os.sep) + os.sep)  # noqa: E731
        return inside(self.folder) and not any(inside(folder) for folder in self.excluded)

    def imports(self, importer_globals: dict | None) -> bool:
        if not importer_globals:
            return False
        return importer_globals.get("__name__") == "__main__" or self.contains(importer_globals.get("__file__"))


def _facade_import(user: _UserCode, facade: Any, real_import: Callable[..., Any]) -> Callable[..., Any]:
    """An `__import__` that answers the user's `import tensorflow…` with the facade."""

    def hooked_import(name: str, globals: dict | None = None, locals: dict | None = None,
                      fromlist: Sequence[str] | None = (), level: int = 0) -> Any:
        ours = level == 0 and (name == "tensorflow" or name.startswith("tensorflow.")) and user.imports(globals)
        try:
            module = real_import(name, globals, locals, fromlist, level)
        except ModuleNotFoundError as error:
            if ours and error.name and error.name.startswith("tensorflow."):  # import tensorflow.contrib.rnn
                raise MissingAPIError("tf." + error.name[len("tensorflow."):]) from None
            raise
        if not ours:
            return module
        if not fromlist:
            return facade  # `import tensorflow[.x.y] [as tf]` binds the top-level package
        alias = names.BY_NAME.get(name)  # `from tensorflow.compat import v1 as tf`, `from tensorflow.contrib import slim`
        module = names.load(alias.module) if alias is not None else module
        for attribute in fromlist:  # from tensorflow.contrib import rnn: the one-line missing-API error, not ImportError
            if attribute != "*" and not hasattr(module, attribute):
                getattr(module, attribute)  # raises MissingAPIError for our namespaces, AttributeError otherwise
        return module

    return hooked_import


@contextlib.contextmanager
def _patched(script: pathlib.Path, argv: Sequence[str], shown: str) -> Iterator[_UserCode]:
    """Install the facade, argv, sys.path and the Agg backend for the run; restore all of it afterwards."""
    from tf1_bn.compat import install as installer

    saved_argv, saved_path, saved_import = sys.argv[:], sys.path[:], builtins.__import__
    saved_backend = os.environ.get("MPLBACKEND")
    was_installed = installer.installed()
    user = _UserCode(script)
    try:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or saved_backend) \
                and sys.platform not in ("darwin", "win32"):
            os.environ["MPLBACKEND"] = "Agg"
        installer.install()
        import tf1_bn.v1 as facade

        _fresh_default_graph()

        builtins.__import__ = _facade_import(user, facade, saved_import)
        sys.argv = [shown, *argv]  # as given, as `python SCRIPT` sets it
        sys.path.insert(0, str(script.parent))
        yield user
    finally:
        builtins.__import__ = saved_import
        sys.argv[:], sys.path[:] = saved_argv, saved_path
        if saved_backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = saved_backend
        if not was_installed:
            installer.uninstall()


def _fresh_default_graph() -> None:
    import tensorflow as tf

    try:
        tf.compat.v1.reset_default_graph()
    except AssertionError:  # TF refuses inside a nested graph context: the caller chose that graph
        pass


def _missing_api_message(error: MissingAPIError, user: _UserCode, shown: str) -> str:
    where = shown
    frames = [f for f in traceback.extract_tb(error.__traceback__) if user.contains(f.filename)]
    if frames:
        frame = frames[-1]
        name = shown if os.path.realpath(frame.filename) == user.script else os.path.relpath(frame.filename)
        where = f"{name}:{frame.lineno}"
    message = f"tf1-bn run: {where} uses {error.api}, which the TF1 facade does not provide"
    if error.supported:
        message += f" (supported there: {', '.join(error.supported)})"
    return message


def _print_script_traceback(error: BaseException, user: _UserCode, stream: IO[str]) -> None:
    """The traceback as `python SCRIPT` would show it: from the script's first frame on."""
    tb = error.__traceback__
    while tb is not None and not user.contains(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb or error.__traceback__, file=stream)


def run_script(script: str | os.PathLike, argv: Sequence[str] = (), *, stderr: IO[str] | None = None) -> int:
    """Run `script` as `__main__` with the TF1 facade (see the module docstring); returns the exit code.

    Raises FileNotFoundError when `script` is not a file. KeyboardInterrupt propagates.
    """
    stream = stderr if stderr is not None else sys.stderr
    shown = os.fspath(script)
    path = pathlib.Path(shown)
    if not path.is_file():
        raise FileNotFoundError(f"no such script: {shown}" if not path.exists() else f"not a file: {shown}")
    try:
        with open(path, "rb"):
            pass
    except OSError as error:  # as `python SCRIPT` does: one line, exit 2
        raise ValueError(f"can't open file {shown!r}: {error.strerror}") from None
    path = path.resolve()
    with _patched(path, argv, shown) as user:
        try:
            runpy.run_path(shown, run_name="__main__")  # argv[0], __file__ and tracebacks as given, as python does
        except SystemExit as exit_:
            code = exit_.code
            if code is None or isinstance(code, int):
                return code or 0
            print(code, file=stream)
            return 1
        except MissingAPIError as error:
            print(_missing_api_message(error, user, shown), file=stream)
            return EXIT_MISSING_API
        except (KeyboardInterrupt, Terminated):
            raise
        except SyntaxError as error:  # python's own caret block, no runner frames
            stream.write("".join(traceback.format_exception_only(type(error), error)))
            return 1
        except BaseException as error:  # noqa: BLE001  (the script's own failure: show it as Python would)
            _print_script_traceback(error, user, stream)
            return 1
    return 0
