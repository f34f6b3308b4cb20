"""Pretrained weights through ember.hub from a local HTTP server: a checkpoint written by
ember.save is downloaded once into the cache (EMBER_HOME), checked against the SHA-256 prefix in
its file name and loaded into the model; a corrupt file raises and leaves nothing in the cache."""
import hashlib
import os
import warnings

import numpy as np
import pytest

import ember
from ember import hub
from ember.vision import models
from tests.vision._archives import serve


@pytest.fixture
def home(tmp_path, monkeypatch):
    """EMBER_HOME in a temporary folder, no set_dir() in force."""
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(hub, "_hub_dir", None)
    return tmp_path / "home"


@pytest.fixture
def www(tmp_path):
    d = tmp_path / "www"
    d.mkdir()
    return d


def _checkpoint(www, stem="squeezenet1_1", prefix=None):
    """A trained-looking SqueezeNet 1.1 state dict saved by ember.save into www as
    <stem>-<first 8 hex digits of its SHA-256 (or `prefix`)>.pth; (file name, state dict)."""
    model = models.squeezenet1_1()
    with ember.no_grad():
        for p in model.parameters():
            p.add_(0.5)  # unlike any fresh initialisation
    state = model.state_dict()
    tmp = www / "tmp.pth"
    ember.save(state, tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    name = f"{stem}-{prefix or digest[:8]}.pth"
    os.replace(tmp, www / name)
    return name, state


@pytest.fixture
def served_weights(monkeypatch, www):
    """SqueezeNet1_1_Weights.IMAGENET1K_V1 pointed at the local server's checkpoint."""
    name, state = _checkpoint(www)
    weights = models.SqueezeNet1_1_Weights.IMAGENET1K_V1
    with serve(www) as base:
        monkeypatch.setattr(weights.value, "url", base + name)
        yield weights, name, state


def _assert_state(model, state):
    loaded = model.state_dict()
    assert list(loaded) == list(state)
    for key, value in state.items():
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy(), err_msg=key)


def test_weights_download_into_the_cache_and_load(served_weights, home, capsys):
    weights, name, state = served_weights
    model = models.squeezenet1_1(weights=weights)
    _assert_state(model, state)
    cached = home / "hub" / "checkpoints" / name
    assert os.listdir(cached.parent) == [name]
    assert f"Downloading {weights.url}" in capsys.readouterr().out
    again = models.squeezenet1_1(weights="DEFAULT")  # cached: not fetched again
    assert "Downloading" not in capsys.readouterr().out
    _assert_state(again, state)


def test_legacy_pretrained_true_downloads_the_default(served_weights, home):
    _, _, state = served_weights
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = models.squeezenet1_1(pretrained=True)
    _assert_state(model, state)
    assert [str(w.message) for w in caught][1] == (
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and "
        "may be removed in the future. The current behavior is equivalent to passing "
        "`weights=SqueezeNet1_1_Weights.IMAGENET1K_V1`. You can also use "
        "`weights=SqueezeNet1_1_Weights.DEFAULT` to get the most up-to-date weights.")


def test_corrupt_checkpoint_raises_and_leaves_nothing(monkeypatch, www, home):
    name, _ = _checkpoint(www, prefix="deadbeef")  # the name's hash is not the file's
    weights = models.SqueezeNet1_1_Weights.IMAGENET1K_V1
    with serve(www) as base:
        monkeypatch.setattr(weights.value, "url", base + name)
        with pytest.raises(RuntimeError, match='invalid hash value \\(expected "deadbeef"'):
            models.squeezenet1_1(weights=weights)
    folder = home / "hub" / "checkpoints"
    assert os.listdir(folder) == []  # neither the file nor a temporary


def test_load_state_dict_from_url(www, home, tmp_path):
    name, state = _checkpoint(www, prefix="0123abcd")
    with serve(www) as base:
        url = base + name
        with pytest.raises(RuntimeError, match="invalid hash value"):
            hub.load_state_dict_from_url(url, check_hash=True)
        loaded = hub.load_state_dict_from_url(url)  # no check: the name's hash is not read
        custom = hub.load_state_dict_from_url(url, model_dir=tmp_path / "models",
                                              file_name="mine.pth", map_location="cpu")
    assert sorted(os.listdir(home / "hub" / "checkpoints")) == [name]
    assert os.listdir(tmp_path / "models") == ["mine.pth"]
    for result in (loaded, custom):
        assert list(result) == list(state)
        np.testing.assert_array_equal(result["classifier.1.weight"].numpy(),
                                      state["classifier.1.weight"].numpy())


def test_hub_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.delenv("EMBER_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub.get_dir() == str(tmp_path / "xdg" / "ember" / "hub")
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "eh"))
    assert hub.get_dir() == str(tmp_path / "eh" / "hub")
    hub.set_dir(tmp_path / "chosen")
    assert hub.get_dir() == str(tmp_path / "chosen")


def test_unreachable_server_leaves_nothing(home):
    with serve(home.parent) as base:
        url = base + "missing-01234567.pth"  # a 404
        with pytest.raises(OSError):
            hub.load_state_dict_from_url(url, check_hash=True)
    assert os.listdir(home / "hub" / "checkpoints") == []
