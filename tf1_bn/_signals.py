"""SIGTERM as an exception, so that every `finally` (temporary files, folder locks) runs as on Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator


class Terminated(BaseException):
    """The process got SIGTERM (a BaseException, like KeyboardInterrupt: not caught by `except Exception`)."""


def _raise(signum: int, frame: object) -> None:
    raise Terminated()


@contextlib.contextmanager
def terminate_as_exception() -> Iterator[None]:
    """Within the block (main thread only), SIGTERM raises Terminated; the previous handler comes back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
