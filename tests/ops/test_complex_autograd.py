"""Complex inputs through holomorphic ops (NOTE [ Holomorphic backward ] in ember/ops/complex.py):
values and gradients of a real loss against torch 2.13, gradcheck and gradgradcheck in
complex128; and the ops that are not complex-correct yet refuse complex input."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(0)


def _c(*shape):
    return _rng.standard_normal(shape) + 1j * _rng.standard_normal(shape)


A, B, V, W3, U3 = _c(3, 4), _c(4, 2), _c(4), _c(2, 3, 4), _c(2, 4, 5)
SQ, SQ2, A2 = _c(3, 3), _c(3, 2), _c(3, 4)

CASES = {
    "mm": (lambda L, a, b: a @ b, (A, B)),
    "mv": (lambda L, a, v: L.mv(a, v), (A, V)),
    "dot": (lambda L, a, b: L.dot(a, b), (V, _c(4))),
    "vdot": (lambda L, a, b: L.vdot(a, b), (V, _c(4))),
    "bmm": (lambda L, a, b: L.bmm(a, b), (W3, U3)),
    "matmul_batch_fold": (lambda L, a, b: L.matmul(a, b), (W3, _c(4, 2))),
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5j), (_c(3, 2), A, B)),
    "addmv": (lambda L, c, a, v: L.addmv(c, a, v), (_c(3), A, V)),
    "addr": (lambda L, c, a, b: L.addr(c, a, b), (_c(3, 4), _c(3), V)),
    "baddbmm": (lambda L, c, a, b: L.baddbmm(c, a, b), (_c(2, 3, 5), W3, U3)),
    "addbmm": (lambda L, c, a, b: L.addbmm(c, a, b), (_c(3, 5), W3, U3)),
    "einsum": (lambda L, a, b: L.einsum("bij,bjk->bik", a, b), (W3, U3)),
    "tensordot": (lambda L, a, b: L.tensordot(a, b, dims=1), (A, B)),
    "linear": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), (_c(5, 4), _c(3, 4), _c(3))),
    "conv1d": (lambda L, x, w: L.nn.functional.conv1d(x, w), (_c(2, 3, 8), _c(4, 3, 3))),
    "conv2d": (lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=1),
               (_c(2, 3, 5, 5), _c(4, 3, 3, 3), _c(4))),
    "conv_transpose2d": (lambda L, x, w: L.nn.functional.conv_transpose2d(x, w, padding=1),
                         (_c(2, 3, 5, 5), _c(3, 4, 3, 3))),
    "exp_log_sqrt": (lambda L, a, b: a.exp() + b.log() + a.sqrt() * b.rsqrt(), (A, A2)),
    "trigonometric": (lambda L, a, b: a.sin() * b.cos() + a.tan() + b.atan(), (A, A2)),
    "inverse_trigonometric": (lambda L, a, b: a.asin() + b.acos(), (A * 0.3, A2 * 0.3)),
    "hyperbolic": (lambda L, a, b: a.sinh() + b.cosh() + a.tanh() * b.asinh() + a.atanh(),
                   (A * 0.5, A2)),
    "sigmoid_reciprocal": (lambda L, a, b: a.sigmoid() * b.reciprocal() + b.acosh(), (A, A2)),
    "exp2_expm1_log1p": (lambda L, a, b: a.exp2() + b.expm1() + a.log1p() + b.log2() + a.log10(),
                         (A, A2)),
    "pow": (lambda L, a, b: a ** b + a ** 2.5, (A, A2)),
    "prod": (lambda L, a, b: (a * b).prod() + (a * b).prod(1).sum(), (A, A2)),
    "cumprod": (lambda L, a, b: L.cumprod(a * b, 1), (A, A2)),
    "inv": (lambda L, a, b: L.linalg.inv(a) @ b, (SQ, SQ2)),
    "det": (lambda L, a: L.linalg.det(a), (SQ,)),
    "solve": (lambda L, a, b: L.linalg.solve(a, b), (SQ, SQ2)),
    "solve_right": (lambda L, a, b: L.linalg.solve(a, b, left=False), (SQ, _c(2, 3))),
    "norms": (lambda L, a: L.norm(a) + L.linalg.vector_norm(a, 1, dim=1).sum()
              + L.linalg.vector_norm(a, 3, dim=0).sum() + L.linalg.vector_norm(a, float("inf"))
              + L.linalg.matrix_norm(a), (A,)),
    "var_std": (lambda L, a: a.var(dim=1) + a.std() + L.var_mean(a, 0)[0].sum(), (A,)),
    "var_mean_mean": (lambda L, a: L.var_mean(a, 1)[1], (A,)),
    "cross": (lambda L, a, b: L.linalg.cross(a, b), (_c(2, 3), _c(2, 3))),
    "lerp": (lambda L, a, b, w: L.lerp(a, b, 0.3) + L.lerp(a, b, w), (A, A2, _c(3, 4))),
    "addcmul_addcdiv": (lambda L, a, b: L.addcmul(a, a, b, value=0.5)
                        + L.addcdiv(a, a, b, value=-2.0), (A, A2)),
    "logsumexp": (lambda L, a: L.logsumexp(a, 1), (A,)),
}


def _run(L, case):
    f, arrays = CASES[case]
    ts = [L.tensor(x, requires_grad=True) for x in arrays]
    out = f(L, *ts)
    loss = (out.abs() ** 2).sum()
    loss.backward()
    return out.detach().resolve_conj().numpy(), [t.grad.resolve_conj().numpy() for t in ts]


@pytest.mark.parametrize("case", CASES)
def test_values_and_gradients_match_torch(case):
    (t_out, t_grads), (e_out, e_grads) = _run(torch, case), _run(ember, case)
    np.testing.assert_allclose(e_out, t_out, rtol=1e-10, atol=1e-10)
    for e, t in zip(e_grads, t_grads):
        np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("case", ["mm", "vdot", "addmm", "einsum", "conv2d", "exp_log_sqrt",
                                  "hyperbolic", "pow", "prod", "inv", "det", "solve", "norms",
                                  "var_std", "lerp", "logsumexp"])
def test_gradcheck_and_gradgradcheck_in_complex128(case):
    f, arrays = CASES[case]
    inputs = tuple(ember.tensor(x, requires_grad=True) for x in arrays)
    assert gradcheck(lambda *xs: f(ember, *xs), inputs)
    assert gradgradcheck(lambda *xs: f(ember, *xs), inputs)


def test_a_real_input_gets_the_real_part():
    def run(L):
        a = L.tensor(np.arange(12.0).reshape(3, 4) / 7, requires_grad=True)
        b = L.tensor(B, requires_grad=True)
        ((a.to(L.complex128) @ b).exp().abs() ** 2).sum().backward()
        return a.grad.numpy()
    np.testing.assert_allclose(run(ember), run(torch), rtol=1e-10)


def test_mixed_real_and_complex_matmul_refused_as_torch():
    with pytest.raises(RuntimeError) as theirs:
        torch.ones(2, 2, dtype=torch.float64) @ torch.tensor(B[:2])
    with pytest.raises(RuntimeError) as ours:
        ember.ones(2, 2, dtype=ember.float64) @ ember.tensor(B[:2])
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("call", [lambda L, a: L.linalg.ldl_factor(a),
                                  lambda L, a: L.renorm(a, 2, 0, 1.0)])
def test_not_yet_complex_ops_say_so(call):
    with pytest.raises(NotImplementedError, match="complex inputs are not supported"):
        call(ember, ember.tensor(SQ))


def test_complex_parameters_and_a_complex_linear_layer():
    """nn.Parameter takes complex data (torch's message is for other dtypes), and a complex
    Linear layer's gradients match torch's."""
    def run(L):
        layer = L.nn.Linear(4, 3, dtype=L.complex128)
        with L.no_grad():
            layer.weight.copy_(L.tensor(A))
            layer.bias.copy_(L.tensor(V[:3]))
        (layer(L.tensor(_C_IN)).abs() ** 2).sum().backward()
        return layer.weight.grad.resolve_conj().numpy(), layer.bias.grad.resolve_conj().numpy()
    for e, t in zip(run(ember), run(torch)):
        np.testing.assert_allclose(e, t, rtol=1e-10)
    with pytest.raises(RuntimeError, match="floating point and complex"):
        ember.nn.Parameter(ember.ones(2, dtype=ember.int64))


_C_IN = _c(5, 4)
