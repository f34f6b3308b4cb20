"""ember.serialization.add_safe_globals / safe_globals: user-allowlisted globals in weights-only
loads (SECURITY.md, NOTE [ What a weights-only load allows ])."""
import dataclasses
import pickle

import pytest

import ember
from ember import serialization
from tests.test_serialization_security import _build_on, _global, _unicode, _zip


@dataclasses.dataclass
class Config:
    n_layer: int = 2
    lr: float = 0.1


class Slotted:
    __slots__ = ("a",)

    def __init__(self, a=1):
        self.a = a


class WithSetstate:
    def __init__(self):
        self.seen = None

    def __setstate__(self, state):
        self.seen = sorted(state)


@pytest.fixture(autouse=True)
def _clean():
    serialization.clear_safe_globals()
    yield
    serialization.clear_safe_globals()


def _save(tmp_path, obj):
    ember.save(obj, tmp_path / "ck.pt")
    return tmp_path / "ck.pt"


def test_an_allowlisted_class_loads_only_inside_safe_globals(tmp_path):
    path = _save(tmp_path, {"cfg": Config(3, 0.5), "w": ember.arange(3.0), "s": Slotted(7)})
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed: unsupported "
                       "global GLOBAL .*Config was refused .*add_safe_globals"):
        ember.load(path)
    with serialization.safe_globals([Config, Slotted]):
        assert serialization.get_safe_globals() == [Config, Slotted]
        got = ember.load(path)
    assert got["cfg"] == Config(3, 0.5) and got["s"].a == 7 and got["w"].tolist() == [0, 1, 2]
    assert serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(path)


def test_add_safe_globals_lasts_until_cleared_and_takes_named_pairs(tmp_path):
    path = _save(tmp_path, [WithSetstate()])
    serialization.add_safe_globals([(WithSetstate, f"{__name__}.WithSetstate")])
    (obj,) = ember.load(path)
    assert isinstance(obj, WithSetstate) and obj.seen == ["seen"]  # BUILD went to __setstate__
    serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path)
    with pytest.raises(TypeError, match="safe global"):
        serialization.add_safe_globals([(Config, 3)])
    assert serialization.get_safe_globals() == []


def test_build_on_the_allowlisted_class_itself_is_still_refused(tmp_path):
    serialization.add_safe_globals([Config])
    path = _zip(tmp_path / "evil.pt", _build_on(_global(__name__, "Config"),
                                                {"n_layer": _unicode("planted")}))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed: BUILD"):
        ember.load(path)
    assert Config.n_layer == 2


def test_torch_file_with_a_safe_global(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"cfg": Config(4, 0.25), "w": torch.ones(2)}, tmp_path / "t.pt")
    with ember.serialization.safe_globals([Config]):
        got = ember.load(tmp_path / "t.pt")
    assert got["cfg"] == Config(4, 0.25) and got["w"].tolist() == [1.0, 1.0]
