"""linalg.norm and matrix_norm with named or unsupported orders: torch routes 'fro' and 'nuc' to
matrix_norm whatever the dims, and checks the order before the input's dims."""
import pytest
import torch

import ember


def _outcome(fn, lib):
    try:
        return fn(lib).tolist()
    except RuntimeError as exc:
        return str(exc)


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.norm(lib.ones(3), "fro"),
    lambda lib: lib.linalg.norm(lib.ones(3), "nuc"),
    lambda lib: lib.linalg.norm(lib.ones(3), "bad"),
    lambda lib: lib.linalg.norm(lib.ones(2, 3), "fro", dim=0),
    lambda lib: lib.linalg.norm(lib.ones(2, 3, 4), "fro", dim=(1, 2)),
    lambda lib: lib.linalg.matrix_norm(lib.ones(3), 3),
    lambda lib: lib.linalg.matrix_norm(lib.ones(3), "bad"),
    lambda lib: lib.linalg.matrix_norm(lib.arange(6.0).view(2, 3), float("inf")),
    lambda lib: lib.linalg.matrix_norm(lib.arange(6.0).view(2, 3), -1),
    lambda lib: lib.linalg.matrix_norm(lib.ones(2, 3), 3)])
def test_like_torch(call):
    assert _outcome(call, ember) == pytest.approx(_outcome(call, torch))


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, 1, -1, float("inf")])
@pytest.mark.parametrize("dim", [(1, 1), (0, -2), (-1, 1)])
def test_matrix_norm_refuses_one_dim_twice(ord, dim):
    """torch names the dims after wrapping them: (0, -2) of a matrix is (0, 0)."""
    with pytest.raises(RuntimeError) as want:
        torch.linalg.matrix_norm(torch.ones(3, 3), ord, dim)
    with pytest.raises(RuntimeError) as got:
        ember.linalg.matrix_norm(ember.ones(3, 3), ord, dim)
    assert str(got.value) == str(want.value)
