"""The download path, offline: a local http.server on 127.0.0.1 serves synthetic MNIST files.

Success, checksum mismatch (ValueError, no file left), a server that is down, a 404, a stalled server,
a short transfer, and completing an incomplete folder. Nothing here reaches the real network.
"""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading

import numpy as np
import pytest
from mnist_fixtures import IDX_NAMES, http_server, no_source_env, synthetic, write_idx_set  # noqa: F401

from tf1_bn.mnist import input_data, sources
from tf1_bn.mnist.download import DownloadError, download


@pytest.fixture
def served(tmp_path):
    """Synthetic gzipped MNIST files served over HTTP; yields (base URL, data, sha256 by file name)."""
    data = synthetic(n_train=40, n_test=10, seed=5)
    paths = write_idx_set(tmp_path / "served", data, gz=True)
    sums = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths.values()}
    with http_server(tmp_path / "served") as url:
        yield url, data, sums


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_fetches_verifies_and_reads(tmp_path, served):
    url, data, sums = served
    train_dir = tmp_path / "MNIST_data"
    result = input_data.read_data_sets(train_dir, source="download", source_url=url, sha256=sums,
                                       validation_size=5, dtype=np.uint8, reshape=False)
    assert _leftovers(train_dir) == sorted(name + ".gz" for name in IDX_NAMES)
    np.testing.assert_array_equal(result.test.images[..., 0], data["test_images"])
    assert result.train.num_examples == 35 and "4 downloaded from" in result.source


def test_download_without_pinned_sums_for_another_url_still_checks_the_files(tmp_path, served):
    url, _, _ = served
    result = input_data.read_data_sets(tmp_path / "d", source="download", source_url=url.rstrip("/"),
                                       validation_size=0)
    assert result.train.num_examples == 40  # the missing "/" was added


def test_checksum_mismatch_raises_and_keeps_no_file(tmp_path, served):
    url, _, sums = served
    wrong = {**sums, "train-images-idx3-ubyte.gz": "0" * 64}
    with pytest.raises(ValueError, match="sha256 mismatch") as raised:
        input_data.read_data_sets(tmp_path / "d", source="download", source_url=url, sha256=wrong)
    assert "train-images-idx3-ubyte.gz" in str(raised.value) and "0" * 64 in str(raised.value)
    assert _leftovers(tmp_path / "d") == []


def test_default_url_pins_the_canonical_mnist_sums(tmp_path, served, monkeypatch):
    url, _, _ = served
    monkeypatch.setattr(sources, "DEFAULT_SOURCE_URL", url)  # synthetic files cannot match MNIST's sums
    with pytest.raises(ValueError, match=sources.MNIST_SHA256["train-images-idx3-ubyte.gz"]):
        sources.read_or_download(tmp_path / "d", url, None)
    assert _leftovers(tmp_path / "d") == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("via", ["parameter", "environment"])
def test_server_down_is_a_clear_error_not_a_fallback(tmp_path, monkeypatch, via):
    url = f"http://127.0.0.1:{_closed_port()}/"
    kwargs = {"source": "download"} if via == "parameter" else {}
    if via == "environment":
        monkeypatch.setenv("TF1_BN_MNIST_SOURCE", "download")
    with pytest.raises(DownloadError, match=f"download of {url}train-images-idx3-ubyte.gz failed"):
        input_data.read_data_sets(tmp_path / "d", source_url=url, **kwargs)
    assert _leftovers(tmp_path / "d") == []


def test_missing_file_on_server_is_a_download_error(tmp_path, served):
    url, _, _ = served
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(url + "no-such-file.gz", tmp_path / "out" / "x.gz")
    assert _leftovers(tmp_path / "out") == []


def test_incomplete_folder_gets_only_its_missing_files(tmp_path, served):
    url, data, sums = served
    local = synthetic(n_train=40, n_test=10, seed=6)  # differs from the served data
    paths = write_idx_set(tmp_path / "d", local)
    paths["t10k-labels-idx1-ubyte"].unlink()
    result = input_data.read_data_sets(tmp_path / "d", source="download", source_url=url, sha256=sums,
                                       validation_size=0, dtype=np.uint8)
    np.testing.assert_array_equal(result.test.images.reshape(10, 28, 28), local["test_images"])  # kept
    np.testing.assert_array_equal(result.test.labels, data["test_labels"])  # fetched
    assert "1 downloaded" in result.source


def test_complete_folder_is_not_downloaded_again(tmp_path):
    write_idx_set(tmp_path, synthetic())
    result = input_data.read_data_sets(tmp_path, source="download", validation_size=0,
                                       source_url=f"http://127.0.0.1:{_closed_port()}/")
    assert result.source == f"IDX files in {tmp_path}"


class _ShortBody(http.server.BaseHTTPRequestHandler):
    """Announces 1,000 bytes and sends 10."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"x" * 10)

    def log_message(self, *args):
        pass


def test_short_transfer_is_a_download_error_and_leaves_nothing(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _ShortBody)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        with pytest.raises(DownloadError, match="failed"):
            download(f"http://127.0.0.1:{server.server_address[1]}/f.gz", tmp_path / "f.gz", timeout=5)
    finally:
        thread.join(timeout=5)
        server.server_close()
    assert _leftovers(tmp_path) == []


def test_stalled_server_times_out(tmp_path):
    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with pytest.raises(DownloadError, match="timed out"):
            download(f"http://127.0.0.1:{listener.getsockname()[1]}/f.gz", tmp_path / "f.gz", timeout=0.5)
    assert _leftovers(tmp_path) == []
