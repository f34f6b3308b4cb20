"""hub.download_url_to_file: the file at a URL written to a path, replacing what is there only
once the whole download arrived and matched its hash prefix."""
import hashlib
import os

import pytest

from ember import hub
from tests.vision._archives import serve


@pytest.fixture
def served(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    (www / "data.bin").write_bytes(b"new contents")
    with serve(www) as base:
        yield base + "data.bin"


def test_writes_and_replaces_the_file(served, tmp_path):
    dst = tmp_path / "out" / "copy.bin"
    dst.parent.mkdir()
    hub.download_url_to_file(served, str(dst), progress=False)
    assert dst.read_bytes() == b"new contents"
    dst.write_bytes(b"old")
    prefix = hashlib.sha256(b"new contents").hexdigest()[:10]
    hub.download_url_to_file(served, dst, hash_prefix=prefix)
    assert dst.read_bytes() == b"new contents"
    assert os.listdir(dst.parent) == ["copy.bin"]  # no temporary left


def test_a_wrong_hash_keeps_the_old_file(served, tmp_path):
    dst = tmp_path / "copy.bin"
    dst.write_bytes(b"old")
    with pytest.raises(RuntimeError, match='^invalid hash value \\(expected "abc", got "'):
        hub.download_url_to_file(served, dst, hash_prefix="abc")
    assert dst.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["copy.bin", "www"]


def test_same_bytes_as_torch_hub(served, tmp_path):
    torch_hub = pytest.importorskip("torch.hub")
    torch_hub.download_url_to_file(served, str(tmp_path / "torch.bin"), progress=False)
    hub.download_url_to_file(served, str(tmp_path / "ember.bin"))
    assert (tmp_path / "torch.bin").read_bytes() == (tmp_path / "ember.bin").read_bytes()


def test_progress_bar_fallback_counts_to_stderr(capsys):
    from ember.hub._progress import _BareProgressBar
    with _BareProgressBar(total=200) as bar:
        bar.update(50)
        bar.update(50)
    assert capsys.readouterr().err == "\r25.0%\r50.0%\n"
    with _BareProgressBar(disable=True) as bar:
        bar.update(10)
    assert capsys.readouterr().err == ""
