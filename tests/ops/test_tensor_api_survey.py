"""Tensor APIs the API survey found different from torch, each against torch: isreal of complex
tensors, aminmax with an empty dim it does not reduce, take_along_dim's wrapping of indices along
dim, scatter_reduce's max/min aliases, block_diag's promotion, and narrow_copy, trapz and
chain_matmul."""
import warnings

import pytest

from tests.ops.parity import same

CASES = {
    "isreal_complex": lambda t: t.isreal(t.tensor([1 + 0j, 1 + 1j, 0 - 2j])),
    "isreal_real": lambda t: t.isreal(t.tensor([1.0, 2.0])),
    "aminmax_other_dim_empty": lambda t: t.stack(t.aminmax(t.zeros(2, 0), dim=0)),
    "aminmax_other_dim_empty_keepdim": lambda t: t.stack(t.aminmax(t.zeros(0, 2), dim=1,
                                                                   keepdim=True)),
    "aminmax_reduced_dim_empty": lambda t: t.aminmax(t.zeros(0, 2), dim=0),
    "aminmax_all_empty": lambda t: t.aminmax(t.zeros(0, 2)),
    "take_along_dim_negative": lambda t: t.tensor([[1, 2, 3], [4, 5, 6]]).take_along_dim(
        t.tensor([[-1], [-3]]), dim=1),
    "take_along_dim_wrapping": lambda t: t.tensor([[1, 2, 3], [4, 5, 6]]).take_along_dim(
        t.tensor([[-7], [4]]), dim=1),
    "take_along_dim_flat_refuses": lambda t: t.tensor([[1, 2, 3], [4, 5, 6]]).take_along_dim(
        t.tensor([-1, 2])),
    "scatter_reduce_max": lambda t: t.zeros(3).scatter_reduce(0, t.tensor([0, 0]),
                                                              t.tensor([1.0, 2.0]), "max"),
    "scatter_reduce_min": lambda t: t.zeros(3).scatter_reduce(0, t.tensor([1]), t.tensor([-1.0]),
                                                              "min"),
    "block_diag_int_float32": lambda t: t.block_diag(t.tensor([[1]]), t.tensor([[0.5]])),
    "narrow_copy": lambda t: t.narrow_copy(t.arange(6.0).view(2, 3), 1, 1, 2),
    "narrow_copy_method_contiguous": lambda t: t.tensor(
        t.arange(6.0).view(2, 3).t().narrow_copy(0, 1, 2).is_contiguous()),
    "trapz": lambda t: t.trapz(t.tensor([1.0, 2.0, 3.0]), t.tensor([0.0, 1.0, 3.0])),
    "trapz_dx": lambda t: t.trapz(t.tensor([1.0, 2.0, 3.0]), dx=2.0),
    "chain_matmul": lambda t: t.chain_matmul(t.ones(2, 3), t.ones(3, 4), t.ones(4, 1)),
    "chain_matmul_one": lambda t: t.chain_matmul(t.ones(2, 3)),
}


@pytest.mark.parametrize("name", CASES)
def test_like_torch(name):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "torch.chain_matmul is deprecated", UserWarning)
        same(CASES[name])


REFUSALS = {
    "histc_nan_range": lambda t: t.histc(t.tensor([float("nan"), 1.0])),
    "histc_infinite_max": lambda t: t.histc(t.tensor([1.0, 2.0]), min=0, max=float("inf")),
    "histc_fractional_min": lambda t: t.histc(t.tensor([1.0, 2.0]), min=0.5, max=float("inf")),
    "meshgrid_mixed_dtypes": lambda t: t.meshgrid(t.tensor([1, 2]), t.tensor([1.0, 2.0]),
                                                  indexing="ij"),
    "cartesian_prod_mixed_dtypes": lambda t: t.cartesian_prod(t.tensor([1, 2]),
                                                              t.tensor([1.0, 2.0])),
    "polar_integers": lambda t: t.polar(t.tensor([1, 2]), t.tensor([1, 2])),
    "polar_half": lambda t: t.polar(t.tensor([1.0, 2.0], dtype=t.float16),
                                    t.tensor([1.0, 2.0], dtype=t.float16)),
    "cdist_compute_mode": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), compute_mode="foo"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_refusals_like_torch(name):
    same(REFUSALS[name])
