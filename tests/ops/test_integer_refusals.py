"""Ops whose torch 2.13 kernels have no integer (or bool) loop refuse such inputs as torch does:
same exception type and message, checked against torch on the same call."""
import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

X4 = np.arange(2 * 3 * 4 * 4).reshape(2, 3, 4, 4) % 5
X3 = X4[:, :, 0]
X2 = X3[:, :, 0]
EYE = np.eye(3, dtype=np.int64) * 2
TARGET = np.array([0, 2])


def _t(m, a, dtype):
    return m.tensor(np.asarray(a)).to(getattr(m, dtype))


# name -> fn(m, dtype): the call, on an integer or bool input, that torch refuses
CASES = {
    "nll_loss": lambda m, d: m.nn.functional.nll_loss(_t(m, X2, d), m.tensor(TARGET)),
    "nll_loss_2d": lambda m, d: m.nn.functional.nll_loss(_t(m, X4, d),
                                                         m.zeros(2, 4, 4, dtype=m.long)),
    "multi_margin_loss": lambda m, d: m.nn.functional.multi_margin_loss(_t(m, X2, d),
                                                                        m.tensor(TARGET)),
    "multilabel_margin_loss": lambda m, d: m.nn.functional.multilabel_margin_loss(
        _t(m, X2, d), m.zeros(2, 3, dtype=m.long)),
    "batch_norm": lambda m, d: m.nn.functional.batch_norm(_t(m, X3, d), None, None,
                                                          training=True),
    "instance_norm": lambda m, d: m.nn.functional.instance_norm(_t(m, X3, d)),
    "layer_norm": lambda m, d: m.nn.functional.layer_norm(_t(m, X3, d), (4,)),
    "group_norm": lambda m, d: m.nn.functional.group_norm(_t(m, X3, d), 3),
    "rms_norm": lambda m, d: m.nn.functional.rms_norm(_t(m, X3, d), (4,)),
    "prelu": lambda m, d: m.nn.functional.prelu(_t(m, X3, d), _t(m, [1], d)),
    "rrelu_eval": lambda m, d: m.nn.functional.rrelu(_t(m, X3, d)),
    "rrelu_train": lambda m, d: m.nn.functional.rrelu(_t(m, X3, d), training=True),
    "adaptive_max_pool1d": lambda m, d: m.nn.functional.adaptive_max_pool1d(_t(m, X3, d), 2),
    "adaptive_max_pool2d": lambda m, d: m.nn.functional.adaptive_max_pool2d(_t(m, X4, d), 2),
    "max_unpool1d": lambda m, d: m.nn.functional.max_unpool1d(
        _t(m, X3, d), m.zeros(2, 3, 4, dtype=m.long), 2),
    "max_unpool2d": lambda m, d: m.nn.functional.max_unpool2d(
        _t(m, X4, d), m.zeros(2, 3, 4, 4, dtype=m.long), 2),
    "max_unpool3d": lambda m, d: m.nn.functional.max_unpool3d(
        _t(m, X4[None], d), m.zeros(1, 2, 3, 4, 4, dtype=m.long), 2),
    "fractional_max_pool2d": lambda m, d: m.nn.functional.fractional_max_pool2d(
        _t(m, X4, d), 2, output_size=2),
    "fractional_max_pool3d": lambda m, d: m.nn.functional.fractional_max_pool3d(
        _t(m, X4[None], d), 2, output_size=2),
    "unfold": lambda m, d: m.nn.functional.unfold(_t(m, X4, d), 2),
    "fold": lambda m, d: m.nn.functional.fold(_t(m, np.ones((2, 12, 9), np.int64), d),
                                              (4, 4), 2),
    "conv1d_input": lambda m, d: m.nn.grad.conv1d_input(
        (1, 2, 4), _t(m, np.ones((3, 2, 2)), d), _t(m, np.ones((1, 3, 3)), d)),
    "conv2d_weight": lambda m, d: m.nn.grad.conv2d_weight(
        _t(m, np.ones((1, 2, 4, 4)), d), (3, 2, 2, 2), _t(m, np.ones((1, 3, 3, 3)), d)),
    "conv3d_input": lambda m, d: m.nn.grad.conv3d_input(
        (1, 2, 4, 4, 4), _t(m, np.ones((3, 2, 2, 2, 2)), d),
        _t(m, np.ones((1, 3, 3, 3, 3)), d)),
    "conv3d_weight": lambda m, d: m.nn.grad.conv3d_weight(
        _t(m, np.ones((1, 2, 4, 4, 4)), d), (3, 2, 2, 2, 2),
        _t(m, np.ones((1, 3, 3, 3, 3)), d)),
    "embedding_bag": lambda m, d: m.nn.functional.embedding_bag(
        m.tensor([0, 1]), _t(m, X2, d), m.tensor([0])),
    "torch.embedding_bag": lambda m, d: m.embedding_bag(_t(m, X2, d), m.tensor([0, 1]),
                                                        m.tensor([0])),
    "linalg.vecdot": lambda m, d: m.linalg.vecdot(_t(m, X2, d), _t(m, X2, d)),
    "linalg.matrix_norm_inf": lambda m, d: m.linalg.matrix_norm(_t(m, EYE, d), math.inf),
    "linalg.matrix_norm_1": lambda m, d: m.linalg.matrix_norm(_t(m, EYE, d), 1),
    "cov_aweights": lambda m, d: m.cov(m.ones(2, 3, dtype=m.float64),
                                       aweights=_t(m, [1, 2, 1], d)),
    "lobpcg": lambda m, d: m.lobpcg(_t(m, np.eye(9, dtype=np.int64) * 2, d),
                                    X=_t(m, np.eye(9, 2, dtype=np.int64), d)),
    "linalg.lu": lambda m, d: m.linalg.lu(_t(m, EYE, d)),
    "linalg.lu_factor": lambda m, d: m.linalg.lu_factor(_t(m, EYE, d)),
    "linalg.solve_triangular": lambda m, d: m.linalg.solve_triangular(
        _t(m, EYE, d), m.ones(3, 1), upper=True),
    "linalg.householder_product": lambda m, d: m.linalg.householder_product(
        _t(m, EYE, d), _t(m, [1], d)),
    "ormqr": lambda m, d: m.ormqr(_t(m, EYE, d), _t(m, [1, 1, 1], d), _t(m, EYE, d)),
    "cholesky_inverse": lambda m, d: m.cholesky_inverse(_t(m, EYE, d)),
    "cholesky_solve": lambda m, d: m.cholesky_solve(_t(m, EYE, d), _t(m, EYE, d)),
    "linalg.eigh": lambda m, d: m.linalg.eigh(_t(m, EYE, d)),
    "linalg.inv": lambda m, d: m.linalg.inv(_t(m, EYE, d)),
}
# torch computes on a bool input here (im2col and col2im have bool loops)
BOOL_COMPUTES = {"unfold", "fold"}
# torch's failing step for a bool A and X depends on their values (a norm, or a bool matmul)
BOOL_UNSETTLED = {"lobpcg"}


def _outcome(m, fn, dtype):
    with pytest.raises(Exception) as info:
        fn(m, dtype)
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_like_torch(name, dtype):
    if dtype == "bool" and name in BOOL_COMPUTES:
        pytest.skip("torch computes this op on bool")
    if dtype == "bool" and name in BOOL_UNSETTLED:
        pytest.skip("torch's exception for bool depends on the values")
    assert _outcome(ember, CASES[name], dtype) == _outcome(torch, CASES[name], dtype)


@pytest.mark.parametrize("name", sorted(BOOL_COMPUTES))
def test_bool_computed_like_torch(name):
    got, want = CASES[name](ember, "bool"), CASES[name](torch, "bool")
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_cov_weight_dtypes_like_torch():
    for kw in ({"fweights": [1.0, 2.0, 1.0]}, {"aweights": [True, False, True]}):
        outcomes = []
        for m in (ember, torch):
            w = {k: m.tensor(v) for k, v in kw.items()}
            with pytest.raises(RuntimeError) as info:
                m.cov(m.ones(2, 3, dtype=m.float64), **w)
            outcomes.append(str(info.value))
        assert outcomes[0] == outcomes[1]
    with pytest.raises(RuntimeError, match="bool dtype is not supported for input"):
        ember.cov(ember.ones(2, 3, dtype=ember.bool))


@pytest.mark.parametrize("call", [
    lambda m: m.atleast_1d(3), lambda m: m.atleast_2d(m.ones(1), 3),
    lambda m: m.atleast_3d([m.ones(1), 2.0]),
    lambda m: m.meshgrid(m.ones(2), np.int64(3), indexing="xy")])
def test_non_tensor_in_tensor_list_is_type_error(call):
    outcomes = []
    for m in (ember, torch):
        with pytest.raises(TypeError) as info:
            call(m)
        outcomes.append(str(info.value).split("\n")[0])
    assert outcomes[0] == outcomes[1]
