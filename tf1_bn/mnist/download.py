"""Downloading one data file safely: short timeout, sha256 check, temporary file, then rename.

TF1's `maybe_download` (tensorflow/contrib/learn/python/learn/datasets/base.py) fetched into a temporary
file and copied it into place, with no checksum. Here:

- the bytes stream into `.<name>.<random>.part` in the destination folder while their sha256 is computed;
- a connection that cannot be made, an HTTP error, a stalled read (no byte for `timeout` seconds) or a
  transfer shorter than its Content-Length raises `DownloadError`, naming the URL;
- a sha256 different from the expected one raises ValueError naming the file, both sums and the URL;
- in every failure the temporary file is removed; only a complete, verified file is renamed into place
  (`os.replace`, atomic), so a half-downloaded file can never be mistaken for data.

Progress goes to stderr through tqdm (imported only here, only when downloading; hidden when stderr is
not a terminal).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import pathlib
import urllib.error
import urllib.request

from tf1_bn._files import atomic_write

DEFAULT_TIMEOUT = 20.0  # seconds without progress before giving up; the files are 4.5 kB to 9.9 MB
_CHUNK = 1 << 16


class DownloadError(ConnectionError):
    """A download could not be completed (network, HTTP status, timeout or a short transfer)."""


def _progress(total: int | None, name: str):
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a dependency, but progress is not worth failing for
        return None
    return tqdm(total=total, unit="B", unit_scale=True, desc=name, disable=None, leave=False)


def download(url: str, destination: str | os.PathLike, sha256: str | None = None,
             timeout: float = DEFAULT_TIMEOUT) -> pathlib.Path:
    """Fetch `url` into the file `destination` (its folder is created), verifying `sha256` if given.

    Returns the destination path. Raises DownloadError or ValueError (checksum) and leaves no file behind.
    """
    target = pathlib.Path(destination)
    digest = hashlib.sha256()
    with atomic_write(target, "wb", suffix=".part") as out:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                bar = _progress(total, target.name)
                received = 0
                try:
                    while chunk := response.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
                finally:
                    if bar is not None:
                        bar.close()
        except urllib.error.HTTPError as error:
            raise DownloadError(f"download of {url} failed: HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise DownloadError(f"download of {url} failed: {reason}") from error
        if total is not None and received != total:
            raise DownloadError(f"download of {url} failed: received {received} of {total} bytes")
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise ValueError(
                f"{target}: sha256 mismatch after downloading {url}: expected {sha256.lower()}, "
                f"received {digest.hexdigest()}; the file was not kept"
            )
    return target
