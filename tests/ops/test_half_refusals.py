"""float16 matrices in the decompositions torch has no Half kernel for: torch's exception type
and message (NotImplementedError naming the kernel, or matrix_norm's RuntimeError)."""
import pytest

import ember

torch = pytest.importorskip("torch")

CALLS = {
    "qr": lambda L, h: L.linalg.qr(h),
    "lu": lambda L, h: L.linalg.lu(h),
    "lu_factor": lambda L, h: L.linalg.lu_factor(h),
    "cholesky": lambda L, h: L.linalg.cholesky(h),
    "svd": lambda L, h: L.linalg.svd(h),
    "svdvals": lambda L, h: L.linalg.svdvals(h),
    "eigh": lambda L, h: L.linalg.eigh(h),
    "det": lambda L, h: L.linalg.det(h),
    "solve": lambda L, h: L.linalg.solve(h, h),
    "solve_triangular": lambda L, h: L.linalg.solve_triangular(h, h, upper=True),
    "ldl_factor": lambda L, h: L.linalg.ldl_factor(h),
    "matrix_norm_nuc": lambda L, h: L.linalg.matrix_norm(h, "nuc"),
    "matrix_norm_2": lambda L, h: L.linalg.matrix_norm(h, 2),
    "cond": lambda L, h: L.linalg.cond(h),
}


@pytest.mark.parametrize("name", CALLS)
def test_half_refused_as_torch(name):
    with pytest.raises(Exception) as theirs:
        CALLS[name](torch, torch.eye(3, dtype=torch.half))
    with pytest.raises(Exception) as ours:
        CALLS[name](ember, ember.eye(3, dtype=ember.half))
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_half_matrix_norms_torch_computes_still_compute():
    h = ember.eye(3, dtype=ember.half)
    assert ember.linalg.matrix_norm(h).item() == pytest.approx(3 ** 0.5, rel=1e-3)
    assert ember.linalg.matrix_norm(h, 1).item() == 1.0
