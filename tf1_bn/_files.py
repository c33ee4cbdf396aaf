"""Writing files without ever leaving a half-written one: write to a temporary name, then rename."""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile
from typing import IO, Iterator


def _default_permissions() -> int:
    """0o666 minus the umask: what open() would have given a new file (mkstemp gives 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[str]:
    """A temporary file name next to `path`, for writers that take a name (Keras's `model.save`); when the
    block ends without error the file gets the permissions open() would give it and replaces `path`,
    otherwise it is removed. os.replace is atomic on POSIX and Windows, so a reader sees either the old
    file or the complete new one — never a half-written one."""
    target = pathlib.Path(path)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield temporary
        os.chmod(temporary, _default_permissions())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", suffix: str = ".tmp", **open_kwargs) -> Iterator[IO]:
    """`open(path, mode)` through `atomic_path`; the parent folder is created if needed."""
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, suffix) as temporary, open(temporary, mode, **open_kwargs) as handle:
        yield handle


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, option: str) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (a `.tf1-bn.lock` file in it) for the block, so that two runs
    writing the same output folder cannot interleave their files. The lock is the OS's (flock): it goes
    with the process, also when it is killed. A second run gets a ValueError naming `option`."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        yield
        return
    path = pathlib.Path(folder) / ".tf1-bn.lock"
    handle = open(path, "a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"{option} {os.fspath(folder)!r}: the folder is in use by another tf1-bn run; "
                             "wait for it or choose another folder") from None
        yield
    finally:
        handle.close()
