"""nn.utils.parametrizations.orthogonal (matrix_exp, cayley, householder; with and without the
trivialization) and parametrize.transfer_parametrizations_and_params, against torch 2.13."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.nn.utils import parametrize
from ember.nn.utils.parametrizations import orthogonal

from ._helpers import assert_close

MAPS = ["matrix_exp", "cayley", "householder"]
SHAPES = [(4, 4), (5, 3), (3, 5)]


def _gram_error(w):
    """max |W^T W - I| over the short side: 0 for orthonormal columns (rows when wide)."""
    a = w.detach().numpy()
    g = a @ a.T if a.shape[-2] <= a.shape[-1] else a.T @ a
    return np.abs(g - np.eye(g.shape[0])).max()


def _twins(torch, shape, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape)
    t_lin = torch.nn.Linear(shape[1], shape[0], dtype=getattr(torch, dtype))
    e_lin = ember.nn.Linear(shape[1], shape[0], dtype=getattr(ember, dtype))
    b = rng.standard_normal(shape[0])
    with torch.no_grad():
        t_lin.weight.copy_(torch.tensor(w))
        t_lin.bias.copy_(torch.tensor(b))
    with ember.no_grad():
        e_lin.weight.copy_(ember.tensor(w))
        e_lin.bias.copy_(ember.tensor(b))
    return t_lin, e_lin


@pytest.mark.parametrize("orthogonal_map", MAPS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("trivialization", [True, False])
def test_weight_is_orthogonal_and_has_gradients(orthogonal_map, shape, trivialization):
    lin = ember.nn.Linear(shape[1], shape[0], dtype=ember.float64)
    orthogonal(lin, orthogonal_map=orthogonal_map, use_trivialization=trivialization)
    assert _gram_error(lin.weight) < 1e-12
    assert parametrize.is_parametrized(lin, "weight") and tuple(lin.weight.shape) == shape
    original = lin.parametrizations.weight.original
    lin(ember.randn(2, shape[1], dtype=ember.float64)).square().sum().backward()
    assert original.grad is not None and tuple(original.grad.shape) == shape
    # the map itself, differentiated numerically
    orth = lin.parametrizations.weight[0]
    x = original.detach().clone().requires_grad_(True)
    if orthogonal_map == "householder":
        # the diagonal's signs are read, not differentiated: keep them away from zero
        x = x.detach() + 0.1 * ember.eye(*shape, dtype=ember.float64).sign()
        x.requires_grad_(True)
    assert gradcheck(orth, (x,))


@pytest.mark.parametrize("orthogonal_map", MAPS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("trivialization", [True, False])
def test_values_and_gradients_match_torch(torch, orthogonal_map, shape, trivialization):
    if trivialization and shape[0] != shape[1]:
        pytest.skip("completing a rectangular base draws random columns (ember's stream)")
    t_lin, e_lin = _twins(torch, shape)
    torch.nn.utils.parametrizations.orthogonal(t_lin, orthogonal_map=orthogonal_map,
                                               use_trivialization=trivialization)
    orthogonal(e_lin, orthogonal_map=orthogonal_map, use_trivialization=trivialization)
    assert_close(e_lin.weight, t_lin.weight, rtol=1e-10, atol=1e-12)
    assert (sorted(e_lin.state_dict()) == sorted(t_lin.state_dict()))
    x = np.random.default_rng(1).standard_normal((3, shape[1]))
    t_lin(torch.tensor(x)).sin().sum().backward()
    e_lin(ember.tensor(x)).sin().sum().backward()
    assert_close(e_lin.parametrizations.weight.original.grad,
                 t_lin.parametrizations.weight.original.grad, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("orthogonal_map", MAPS)
def test_assigning_an_orthogonal_matrix_is_exact_with_trivialization(torch, orthogonal_map):
    lin = ember.nn.Linear(3, 5, dtype=ember.float64)
    orthogonal(lin, orthogonal_map=orthogonal_map)
    q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((5, 3)))
    lin.weight = ember.tensor(q)
    assert_close(lin.weight, q, rtol=0, atol=1e-12)
    # a matrix that is not orthogonal is assigned as its Q factor (R's diagonal positive)
    m = np.random.default_rng(3).standard_normal((5, 3))
    lin.weight = ember.tensor(m)
    q, r = np.linalg.qr(m)
    assert_close(lin.weight, q * np.sign(np.diag(r)), rtol=0, atol=1e-12)


def test_householder_right_inverse_without_trivialization_matches_torch(torch):
    for shape in SHAPES:
        t_lin, e_lin = _twins(torch, shape, seed=4)
        torch.nn.utils.parametrizations.orthogonal(t_lin, orthogonal_map="householder",
                                                   use_trivialization=False)
        orthogonal(e_lin, orthogonal_map="householder", use_trivialization=False)
        q = np.linalg.qr(np.random.default_rng(5).standard_normal((max(shape), min(shape))))[0]
        q = q if shape[0] >= shape[1] else q.T
        t_lin.weight = torch.tensor(q)
        e_lin.weight = ember.tensor(q)
        assert_close(e_lin.parametrizations.weight.original,
                     t_lin.parametrizations.weight.original, rtol=1e-10, atol=1e-12)
        assert_close(e_lin.weight, q, rtol=0, atol=1e-12)


def test_errors_match_torch(torch):
    for lib in (torch, ember):
        orth = lib.nn.utils.parametrizations.orthogonal
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a "
                                             "tensor of 1 dimensions."):
            orth(lib.nn.Linear(2, 2), "bias")
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'nope'"):
            orth(lib.nn.Linear(2, 2), "nope")
        with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", '
                                             '"cayley", "householder". Got: qr'):
            orth(lib.nn.Linear(2, 2), orthogonal_map="qr")
        lin = orth(lib.nn.Linear(2, 3))
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
            lin.weight = lib.eye(3)
        frozen = orth(lib.nn.Linear(2, 2), orthogonal_map="cayley", use_trivialization=False)
        with pytest.raises(NotImplementedError, match="It is not possible to assign to the "
                                                      "matrix exponential or the Cayley"):
            frozen.weight = lib.eye(2)
        with pytest.raises(ValueError, match="householder parametrization does not support "
                                             "complex"):
            holder = lib.nn.Module()
            holder.register_buffer("w", lib.zeros(2, 2, dtype=lib.complex64))
            orth(holder, "w", orthogonal_map="householder")


def test_defaults_match_torch(torch):
    for shape, expected in (((3, 3), "matrix_exp"), ((4, 2), "householder")):
        lin = orthogonal(ember.nn.Linear(shape[1], shape[0]))
        chosen = lin.parametrizations.weight[0].orthogonal_map
        t_lin = torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(shape[1], shape[0]))
        assert chosen == expected == t_lin.parametrizations.weight[0].orthogonal_map.name
        assert lin.weight.dtype == ember.float32 and _gram_error(lin.weight) < 1e-5


def test_batched_matrices_are_each_orthogonal():
    m = ember.nn.Module()
    m.register_parameter("w", ember.nn.Parameter(ember.randn(2, 4, 3, dtype=ember.float64)))
    orthogonal(m, "w", orthogonal_map="cayley")
    for w in m.w:
        assert _gram_error(w) < 1e-12


def test_transfer_parametrizations_and_params_matches_torch(torch):
    results = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        source = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3))
        target = lib.nn.Linear(3, 3)
        got = lib.nn.utils.parametrize.transfer_parametrizations_and_params(source, target)
        assert got is target and type(target).__name__ == "ParametrizedLinear"
        assert target.parametrizations.weight[0] is source.parametrizations.weight[0]
        assert target.parametrizations.weight.original is source.parametrizations.weight.original
        bare = lib.nn.Module()
        lib.nn.utils.parametrize.transfer_parametrizations_and_params(source, bare, "weight")
        results[lib.__name__] = sorted(dict(bare.named_parameters()))
        assert lib.equal(bare.weight, source.weight) and lib.equal(target.weight, source.weight)
        plain = lib.nn.Linear(2, 2)
        assert lib.nn.utils.parametrize.transfer_parametrizations_and_params(plain, target) \
            is target
        with pytest.raises(KeyError):
            lib.nn.utils.parametrize.transfer_parametrizations_and_params(source, target, "bias")
    assert results["ember"] == results["torch"]


def test_transfer_shares_every_original_of_a_split_parametrization():
    source = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 2))
    target = parametrize.transfer_parametrizations_and_params(source, ember.nn.Linear(3, 2))
    for i in (0, 1):
        assert getattr(target.parametrizations.weight, f"original{i}") is \
            getattr(source.parametrizations.weight, f"original{i}")
    assert ember.equal(target.weight, source.weight)
