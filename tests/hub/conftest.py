import sys

import pytest

from ember import hub


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    """An empty hub dir of this test's own (as set_dir would give)."""
    d = tmp_path / "hub"
    monkeypatch.setattr(hub, "_hub_dir", str(d))
    return d


@pytest.fixture(autouse=True)
def forget_repo_modules():
    """The modules a test's hubconf imported from its repository are not kept for the next."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("hubrepo_"):
            del sys.modules[name]
