"""ember.version is torch.version: the build's version strings, the same names with the same types
as a CPU build of torch, reachable as `torch.version` under `python -m ember.run`."""
import os
import tomllib

import pytest

import ember

from .test_dropin import ROOT, _run


def test_names_and_types_are_a_cpu_torchs():
    torch_version = pytest.importorskip("torch.version")
    assert torch_version.cuda is None  # the pinned torch is a CPU build, as ember's is
    assert sorted(ember.version.__all__) == sorted(torch_version.__all__)
    for name in torch_version.__all__:
        assert type(getattr(ember.version, name)) is type(getattr(torch_version, name)), name


def test_values():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project_version = tomllib.load(f)["project"]["version"]
    assert ember.__version__ == ember.version.__version__ == project_version
    v = ember.version
    assert (v.cuda, v.hip, v.rocm, v.xpu, v.debug, v.git_version) == (None, None, None, None,
                                                                        False, "unknown")


def test_torch_version_under_ember_run(tmp_path):
    r = _run(tmp_path, """
        import torch
        import torch.version
        from torch.version import cuda
        import ember
        assert torch.version is ember.version and cuda is None
        print(torch.version.cuda, torch.version.__version__ == torch.__version__)
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "None True\n"
