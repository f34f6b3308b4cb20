"""Every public name of the namespaces in tests/coverage_report.py's NAMESPACES (torch,
torch.Tensor, torch.nn, torch.nn.functional, torch.linalg, torch.special, torch.distributions,
torch.optim ...) exists in ember's namespace of the same path, or is excluded with its reason in
tests/namespace_exclusions.py (`python -m tests.coverage_report` writes the figures)."""
import pytest

import ember

from .coverage_report import NAMESPACES, coverage, excluded, markdown
from .namespace_exclusions import EXCLUDED, REASONS


@pytest.fixture(scope="module")
def rows():
    torch = pytest.importorskip("torch")
    return coverage(torch, ember)


@pytest.mark.parametrize("ns", NAMESPACES)
def test_every_public_name_exists_or_is_excluded(rows, ns):
    assert rows[ns]["missing"] == [], f"{ns}: in torch, not in ember, not excluded"


@pytest.mark.parametrize("ns", NAMESPACES)
def test_no_excluded_name_is_in_ember(rows, ns):
    assert rows[ns]["stale"] == [], f"{ns}: excluded, yet ember has them (delete the exclusion)"


@pytest.mark.parametrize("ns", NAMESPACES)
def test_exclusions_name_public_torch_names(rows, ns):
    assert rows[ns]["unknown"] == [], f"{ns}: excluded names torch does not have"


def test_each_excluded_name_has_one_known_reason():
    for ns, groups in EXCLUDED.items():
        assert set(groups) <= set(REASONS), ns
        names = [n for v in groups.values() for n in v.split()]
        assert len(names) == len(set(names)), f"{ns}: a name under two reasons"


def test_report_counts(rows):
    r = rows["torch.Tensor"]
    assert len(r["has"]) + sum(map(len, r["by_reason"].values())) == len(r["public"])
    assert "copysign" in r["has"] and excluded("torch.Tensor")["to_sparse"] == "sparse"
    table = markdown(rows, "x")
    assert table.count("\n| `torch") == len(NAMESPACES)
