"""The optional compiled core (NOTE [ Compiled core ] in ember/_compiled.py): the switch back to
the Python sources, and the rule that a stale build never hides an edited source."""
import importlib.machinery
import os
import subprocess
import sys
import warnings

import pytest

from ember import _compiled

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _module_files(env_extra):
    code = ("import ember, ember._compiled as c, sys\n"
            "print(repr(c.active()))\n"
            "print(' '.join(sys.modules[n].__file__ for n in c.COMPILED))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env_extra},
                         capture_output=True, text=True, check=True)
    active, files = out.stdout.splitlines()
    return eval(active), files.split()


def test_pure_python_switch_loads_every_source():
    active, files = _module_files({"EMBER_PURE_PYTHON": "1"})
    assert active == ()
    assert all(f.endswith(".py") for f in files) and len(files) == len(_compiled.COMPILED)


@pytest.mark.skipif(not os.environ.get("EMBER_EXPECT_COMPILED"),
                    reason="EMBER_EXPECT_COMPILED is set where the install compiled the core")
def test_compiled_install_is_really_compiled():
    active, _ = _module_files({"EMBER_PURE_PYTHON": ""})
    assert active == _compiled.COMPILED


def _package(tmp_path, source_newer):
    source = tmp_path / "engine.py"
    built = tmp_path / ("engine" + SUFFIX)
    source.write_text("VALUE = 1\n")
    built.write_bytes(b"")
    older, newer = (built, source) if source_newer else (source, built)
    os.utime(older, (1_000_000, 1_000_000))
    os.utime(newer, (2_000_000, 2_000_000))
    return str(tmp_path)


def test_stale_build_falls_back_to_the_edited_source(tmp_path, monkeypatch):
    monkeypatch.delenv("EMBER_PURE_PYTHON", raising=False)
    folder = _package(tmp_path, source_newer=True)
    with pytest.warns(RuntimeWarning, match="changed after it was compiled"):
        spec = _compiled._PythonSources.find_spec("ember.autograd.engine", [folder])
    assert spec.origin == os.path.join(folder, "engine.py")


def test_fresh_build_is_left_to_the_normal_import(tmp_path, monkeypatch):
    monkeypatch.delenv("EMBER_PURE_PYTHON", raising=False)
    folder = _package(tmp_path, source_newer=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _compiled._PythonSources.find_spec("ember.autograd.engine", [folder]) is None
        assert _compiled._PythonSources.find_spec("ember.nn.functional", [folder]) is None


def test_pure_python_switch_takes_the_source_even_when_the_build_is_fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_PURE_PYTHON", "1")
    folder = _package(tmp_path, source_newer=False)
    spec = _compiled._PythonSources.find_spec("ember.autograd.engine", [folder])
    assert spec.origin == os.path.join(folder, "engine.py")
