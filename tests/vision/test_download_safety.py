"""Data kept by ember.vision.datasets: mirrors from the environment, download limits (a slow
server), extraction that never deletes what the archive does not own, stale temporaries of a
killed download, and MNIST repairing a truncated unpacked file."""
import gzip
import http.server
import io
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
import warnings

import numpy as np
import pytest

from ember.utils import _tempfiles
from ember.vision import datasets
from ember.vision.datasets import utils as dutils
from tests.vision._archives import (make_cifar, make_mnist, patch_cifar, patch_mnist, serve,
                                    serve_with)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _hidden(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


# -- mirrors -------------------------------------------------------------------------------------
def test_mirror_from_environment_is_tried_first(monkeypatch, tmp_path, capsys):
    www = tmp_path / "www"
    (www / "MNIST").mkdir(parents=True)
    resources, contents = make_mnist(www / "MNIST", datasets.MNIST)
    with serve(www) as url:
        patch_mnist(monkeypatch, datasets.MNIST, resources, url + "builtin-is-gone/")
        monkeypatch.setenv("EMBER_DATASETS_MIRROR", url.rstrip("/"))  # with or without a /
        train = datasets.MNIST(tmp_path / "data", download=True)
    np.testing.assert_array_equal(train.data.numpy(), contents["train"][0])
    out = capsys.readouterr().out
    assert f"Downloading {url}MNIST/train-images-idx3-ubyte.gz" in out
    assert "Failed to download" not in out  # the built-in mirror was never needed


def test_mirror_falls_back_to_builtin_and_cifar_uses_it(monkeypatch, tmp_path, capsys):
    www = tmp_path / "www"
    www.mkdir()
    patches, contents, _ = make_cifar(www, datasets.CIFAR10)
    with serve(www) as url:
        patch_cifar(monkeypatch, datasets.CIFAR10, patches, url)
        monkeypatch.setenv("EMBER_DATASETS_MIRROR", url + "mirror/")
        test = datasets.CIFAR10(tmp_path / "data", train=False, download=True)
    np.testing.assert_array_equal(test.data, contents["test_batch"][0])
    out = capsys.readouterr().out
    assert f"Failed to download (trying next): {url}mirror/CIFAR10/cifar-10-python.tar.gz" in out


def test_bad_mirror_in_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBER_DATASETS_MIRROR", "mirror.example.com/data")
    with pytest.raises(RuntimeError, match="EMBER_DATASETS_MIRROR: 'mirror.example.com/data' "
                                           "is not a mirror URL"):
        datasets.MNIST(tmp_path, download=True)


# -- download limits -----------------------------------------------------------------------------
class _Trickle(http.server.BaseHTTPRequestHandler):
    """Promises 1000 bytes and sends one every `gap` seconds (after `first` seconds)."""
    gap, first = 0.05, 0.0

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.flush()
        time.sleep(self.first)
        try:
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(self.gap)
        except OSError:  # the client gave up
            pass

    def log_message(self, *args):
        pass


class _Silent(_Trickle):
    first = 1.0


@pytest.mark.parametrize("limits, why", [
    (dict(min_rate=100, grace=0.3),
     r"\d+ bytes/s on average over [\d.]+ s, below the minimum of 100"),
    (dict(deadline=0.3, min_rate=0), "not complete after the deadline of 0.3 s"),
])
def test_slow_server_is_stopped(limits, why, tmp_path):
    with serve_with(_Trickle) as url:
        start = time.monotonic()
        with pytest.raises(RuntimeError, match=f"Download of {url}f.bin stopped: {why}"):
            dutils.download_url(url + "f.bin", tmp_path, **limits)
        assert time.monotonic() - start < 3
    assert os.listdir(tmp_path) == []  # nothing kept, not even the temporary


def test_server_sending_nothing_times_out(tmp_path):
    with serve_with(_Silent) as url:
        with pytest.raises(RuntimeError, match=f"Download of {url}f.bin stopped: no data for "
                                               "0.2 s"):
            dutils.download_url(url + "f.bin", tmp_path, timeout=0.2)
    assert os.listdir(tmp_path) == []


def test_dataset_downloads_use_the_module_limits(monkeypatch, tmp_path):
    monkeypatch.setattr(dutils, "DOWNLOAD_DEADLINE", 0.2)
    monkeypatch.setattr(dutils, "DOWNLOAD_MIN_RATE", 0)
    with serve_with(_Trickle) as url:
        monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
        with pytest.raises(RuntimeError, match="not complete after the deadline of 0.2 s"):
            datasets.MNIST(tmp_path, download=True)


def test_default_limits():
    assert dutils.DOWNLOAD_TIMEOUT == 60 and dutils.DOWNLOAD_DEADLINE == 3600
    assert dutils.DOWNLOAD_MIN_RATE > 0 and dutils.DOWNLOAD_GRACE > 0


# -- stale temporaries ---------------------------------------------------------------------------
def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _temp_name(base, pid, host=_tempfiles._HOST, kind="part"):
    return f".{base}.ember-{host}-{pid}-abc_123z.{kind}"


def test_stale_rule(tmp_path):
    dead, live = _dead_pid(), os.getpid()
    names = {
        "dead": _temp_name("a.gz", dead),
        "dead_extract": _temp_name("a.tar.gz", dead, kind="extract"),
        "live": _temp_name("b.gz", live),
        "live_idle": _temp_name("c.gz", live),
        "other_host": _temp_name("d.gz", dead, host="0badc0de"),
        "other_host_idle": _temp_name("e.gz", dead, host="0badc0de"),
        "not_ours": ".f.gz.12345.part",
        "user_file": "notes.part",
    }
    for key, name in names.items():
        if key == "dead_extract":
            (tmp_path / name).mkdir()
            (tmp_path / name / "half").write_bytes(b"x")
        else:
            (tmp_path / name).write_bytes(b"x")
    old = time.time() - _tempfiles.STALE_AFTER - 10
    for key in ("live_idle", "other_host_idle", "not_ours", "user_file"):
        os.utime(tmp_path / names[key], (old, old))
    removed = _tempfiles.remove_stale(tmp_path, ("part", "extract"))
    gone = {"dead", "dead_extract", "live_idle", "other_host_idle"}
    assert sorted(removed) == sorted(str(tmp_path / names[k]) for k in gone)
    assert sorted(os.listdir(tmp_path)) == sorted(names[k] for k in names if k not in gone)


def test_killed_download_leaves_part_that_the_next_download_removes(tmp_path):
    target = tmp_path / "data"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {REPO!r})
        from ember.vision.datasets import utils
        utils.download_url(sys.argv[1], {str(target)!r}, min_rate=0)
    """)
    with serve_with(_Trickle) as url:
        proc = subprocess.Popen([sys.executable, "-c", script, url + "f.bin"],
                                stdout=subprocess.DEVNULL)
        try:
            for _ in range(300):
                if target.exists() and any(n.endswith(".part") for n in os.listdir(target)):
                    break
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    left = _hidden(target)
    assert len(left) == 1 and left[0].startswith(".f.bin.ember-") and left[0].endswith(".part")
    www = tmp_path / "www"
    www.mkdir()
    (www / "g.bin").write_bytes(b"hello")
    with serve(www) as url:
        dutils.download_url(url + "g.bin", target)
    assert os.listdir(target) == ["g.bin"]


def test_live_download_temporary_is_kept(tmp_path):
    live = tmp_path / _temp_name("h.bin", os.getpid())
    live.write_bytes(b"in progress")
    www = tmp_path / "www"
    www.mkdir()
    (www / "g.bin").write_bytes(b"hello")
    with serve(www) as url:
        dutils.download_url(url + "g.bin", tmp_path)
    assert live.read_bytes() == b"in progress"


# -- extraction ----------------------------------------------------------------------------------
def _tar(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, blob in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return path


def test_extraction_keeps_a_folder_the_archive_does_not_own(tmp_path):
    root = tmp_path / "data"
    (root / "MNIST" / "raw").mkdir(parents=True)
    (root / "MNIST" / "raw" / "mine.bin").write_bytes(b"user data")
    archive = _tar(tmp_path / "c.tar.gz", {"MNIST/raw/other.bin": b"archive's",
                                           "cifar/batch": b"batch"})
    with pytest.warns(UserWarning, match=r"MNIST already exists and is not c.tar.gz's own "
                                         r"MNIST: it was kept"):
        dutils.extract_archive(archive, root)
    assert (root / "MNIST" / "raw" / "mine.bin").read_bytes() == b"user data"
    assert not (root / "MNIST" / "raw" / "other.bin").exists()
    assert (root / "cifar" / "batch").read_bytes() == b"batch"
    assert _hidden(root) == []  # the staging folder is gone


def test_extraction_replaces_the_archive_own_folder(tmp_path):
    root = tmp_path / "data"
    archive = _tar(tmp_path / "c.tar.gz", {"cifar/a": b"aaaa", "cifar/sub/b": b"bbbb",
                                           "top.txt": b"top"})
    dutils.extract_archive(archive, root)
    (root / "cifar" / "sub" / "b").write_bytes(b"bb")  # a truncated file from a crash
    (root / "top.txt").write_bytes(b"changed by the user")
    (root / "cifar" / "a").unlink()
    with pytest.warns(UserWarning, match="top.txt already exists") as record:
        dutils.extract_archive(archive, root)  # repairs cifar/, keeps the changed top.txt
    assert len(record) == 1
    assert (root / "cifar" / "sub" / "b").read_bytes() == b"bbbb"
    assert (root / "cifar" / "a").read_bytes() == b"aaaa"
    assert (root / "top.txt").read_bytes() == b"changed by the user"
    (root / "top.txt").write_bytes(b"top")
    (root / "cifar" / "notes.txt").write_bytes(b"the user's")
    with pytest.warns(UserWarning, match="cifar already exists"):
        dutils.extract_archive(archive, root)  # a file the archive does not hold: kept
    assert (root / "cifar" / "notes.txt").read_bytes() == b"the user's"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (root / "cifar" / "notes.txt").unlink()
        dutils.extract_archive(archive, root)  # identical top.txt: nothing to say
    assert sorted(os.listdir(root)) == ["cifar", "top.txt"]


# -- MNIST repair --------------------------------------------------------------------------------
def test_mnist_repairs_a_truncated_unpacked_file(monkeypatch, tmp_path, capsys):
    www = tmp_path / "www"
    www.mkdir()
    resources, contents = make_mnist(www, datasets.MNIST)
    with serve(www) as url:
        patch_mnist(monkeypatch, datasets.MNIST, resources, url)
        datasets.MNIST(tmp_path, download=True)
    raw = tmp_path / "MNIST" / "raw"
    images = raw / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(RuntimeError, match=f"{images} is corrupt or truncated: .* "
                                           "download=True extracts it again"):
        datasets.MNIST(tmp_path)
    # the kept archive is intact: repaired without the server
    train = datasets.MNIST(tmp_path, download=True)
    assert "truncated" in capsys.readouterr().out
    np.testing.assert_array_equal(train.data.numpy(), contents["train"][0])
    # no archive left either: downloaded again
    images.write_bytes(b"\x00\x00\x08\x03")
    (raw / "train-images-idx3-ubyte.gz").unlink()
    with serve(www) as url:
        monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
        train = datasets.MNIST(tmp_path, download=True)
    np.testing.assert_array_equal(train.data.numpy(), contents["train"][0])


def test_mnist_names_the_file_to_delete_when_repair_fails(monkeypatch, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    resources, _ = make_mnist(www, datasets.MNIST)
    path = www / resources[1][0]  # a label file that is whole gzip but a truncated IDX
    with gzip.open(path, "wb") as f:
        f.write(b"\x00\x00\x08\x01" + (9).to_bytes(4, "big") + b"\x01\x02")
    from tests.vision._archives import md5_of
    resources[1] = (resources[1][0], md5_of(path))
    with serve(www) as url:
        patch_mnist(monkeypatch, datasets.MNIST, resources, url)
        with pytest.raises(RuntimeError, match="even after a fresh download and extraction: "
                                               "delete .*train-labels-idx1-ubyte and "):
            datasets.MNIST(tmp_path, download=True)
