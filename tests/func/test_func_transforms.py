"""ember.func (grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap, functional_call)
and ember.autograd.functional against torch.func / torch.autograd.functional: values, shapes,
nesting, argnums/has_aux, in_dims/out_dims, gradients through vmap, and refusals."""
import numpy as np
import pytest

import ember
import ember.autograd.functional as EF
import ember.func as ef

torch = pytest.importorskip("torch")
import torch.autograd.functional as TF  # noqa: E402
import torch.func as tf  # noqa: E402

RNG = np.random.default_rng(0)
W, X, Y = RNG.standard_normal((4, 3)), RNG.standard_normal((5, 3)), RNG.standard_normal(4)


def _both(*arrays):
    return [ember.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


def _same(a, b, rtol=1e-10):
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v, rtol)
        return
    assert tuple(a.shape) == tuple(b.shape) and a.dtype.__repr__() == b.dtype.__repr__()
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=1e-12)


def _loss(lib):
    return lambda w, x, y: ((lib.tanh(w @ x) - y) ** 2).sum()


def test_grad_argnums_has_aux_and_grad_and_value():
    (w, x, y), (tw, tx, ty) = _both(W, X[0], Y)
    _same(ef.grad(_loss(ember))(w, x, y), tf.grad(_loss(torch))(tw, tx, ty))
    _same(ef.grad(_loss(ember), argnums=(0, 1))(w, x, y),
          tf.grad(_loss(torch), argnums=(0, 1))(tw, tx, ty))
    g, aux = ef.grad(lambda a: (a.sin().sum(), a.cos()), has_aux=True)(x)
    tg, taux = tf.grad(lambda a: (a.sin().sum(), a.cos()), has_aux=True)(tx)
    _same((g, aux), (tg, taux))
    _same(ef.grad_and_value(_loss(ember))(w, x, y), tf.grad_and_value(_loss(torch))(tw, tx, ty))
    assert not ef.grad(_loss(ember))(w, x, y).requires_grad
    d = {"a": x, "b": w}
    got = ef.grad(lambda p: (p["b"] @ p["a"]).sum())(d)
    assert set(got) == {"a", "b"}
    _same(got["a"], tf.grad(lambda p: (p["b"] @ p["a"]).sum())({"a": tx, "b": tw})["a"])


def test_nested_grad_and_hessian_and_jacobians():
    (x,), (tx,) = _both(X[0])
    cube = lambda a: (a ** 3 * a.sin()).sum()  # noqa: E731
    _same(ef.grad(lambda a: ef.grad(cube)(a).sum())(x),
          tf.grad(lambda a: tf.grad(cube)(a).sum())(tx))
    _same(ef.hessian(cube)(x), tf.hessian(cube)(tx))
    vec = lambda a, b: (a.exp() * b.sum(), (a * b).sum())  # noqa: E731
    (a, b), (ta, tb) = _both(X[0], X[1])
    _same(ef.jacrev(vec, argnums=(0, 1))(a, b), tf.jacrev(vec, argnums=(0, 1))(ta, tb))
    _same(ef.jacfwd(vec, argnums=1)(a, b), tf.jacfwd(vec, argnums=1)(ta, tb))


def test_vjp_and_jvp():
    (x, v), (tx, tv) = _both(X[0], X[1])
    out, fn = ef.vjp(lambda a: a.sin() * a, x)
    tout, tfn = tf.vjp(lambda a: a.sin() * a, tx)
    _same(out, tout)
    _same(fn(v), tfn(tv))
    _same(ef.jvp(lambda a: a.exp() * a, (x,), (v,)), tf.jvp(lambda a: a.exp() * a, (tx,), (tv,)))


def test_vmap_in_dims_out_dims_nested_and_per_sample_gradients():
    (w, xs, y), (tw, txs, ty) = _both(W, X, Y)
    per_sample = ef.vmap(ef.grad(_loss(ember)), in_dims=(None, 0, None))(w, xs, y)
    _same(per_sample, tf.vmap(tf.grad(_loss(torch)), in_dims=(None, 0, None))(tw, txs, ty))
    loop = ember.stack([ef.grad(_loss(ember))(w, xs[i], y) for i in range(5)])
    _same(per_sample, loop)
    _same(ef.vmap(lambda a, b: a * b, in_dims=(1, None), out_dims=1)(xs.T, y[0]),
          tf.vmap(lambda a, b: a * b, in_dims=(1, None), out_dims=1)(txs.T, ty[0]))
    outer = ef.vmap(ef.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(None, 0))(xs[0], xs)
    _same(outer, tf.vmap(tf.vmap(lambda a, b: a * b, in_dims=(0, None)),
                         in_dims=(None, 0))(txs[0], txs))
    leaf = ember.tensor(X, requires_grad=True)
    ef.vmap(lambda r: (r ** 2).sum())(leaf).sum().backward()
    _same(leaf.grad, torch.tensor(2 * X))


def test_vmap_refusals_like_torch():
    a, b = ember.ones(3, 2), ember.ones(4, 2)
    with pytest.raises(ValueError, match="same size in the mapped dimension"):
        ef.vmap(lambda x, y: x + y)(a, b)
    with pytest.raises(ValueError, match="At least one of the inputs must be batched"):
        ef.vmap(lambda x: x, in_dims=None)(a)
    with pytest.raises(ValueError, match="in_dim to satisfy"):
        ef.vmap(lambda x: x, in_dims=2)(a)


def test_functional_call_swaps_and_restores_even_on_error():
    lin = ember.nn.Linear(3, 2)
    tlin = torch.nn.Linear(3, 2)
    own = lin.weight
    params = {"weight": ember.tensor(W[:2]), "bias": ember.tensor(Y[:2])}
    tparams = {"weight": torch.tensor(W[:2]), "bias": torch.tensor(Y[:2])}
    _same(ef.functional_call(lin, params, (ember.tensor(X),)),
          tf.functional_call(tlin, tparams, (torch.tensor(X),)))
    assert lin.weight is own

    class Boom(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = ember.nn.Linear(3, 2)

        def forward(self, x):
            raise KeyError("boom")

    m = Boom()
    before = m.lin.weight
    with pytest.raises(KeyError):
        ef.functional_call(m, {"lin.weight": ember.zeros(2, 3)}, ember.ones(3))
    assert m.lin.weight is before
    with pytest.raises(RuntimeError, match="Missing key"):
        ef.functional_call(lin, {"weight": ember.zeros(2, 3)}, (ember.ones(3),), strict=True)


def test_autograd_functional_matches_torch():
    f = lambda a, b: ((a ** 3).sum(1) * b.sin(), a.exp().mean())  # noqa: E731
    (a, b), (ta, tb) = _both(RNG.standard_normal((2, 3)), RNG.standard_normal(2))
    _same(EF.jacobian(f, (a, b)), TF.jacobian(f, (ta, tb)))
    s = lambda a, b: (a ** 2).sum() * b.sum() + (a * b[:, None]).pow(3).sum()  # noqa: E731
    _same(EF.hessian(s, (a, b)), TF.hessian(s, (ta, tb)))
    (va, vb), (tva, tvb) = _both(RNG.standard_normal((2, 3)), RNG.standard_normal(2))
    for name in ("hvp", "vhp"):
        _same(getattr(EF, name)(s, (a, b), (va, vb)), getattr(TF, name)(s, (ta, tb), (tva, tvb)))
    _same(EF.jvp(f, (a, b), (va, vb)), TF.jvp(f, (ta, tb), (tva, tvb)))
    cot = (ember.ones(2, dtype=ember.float64), ember.tensor(2.0, dtype=ember.float64))
    tcot = (torch.ones(2, dtype=torch.float64), torch.tensor(2.0, dtype=torch.float64))
    _same(EF.vjp(f, (a, b), cot), TF.vjp(f, (ta, tb), tcot))
    out, g = EF.vjp(lambda x: (x ** 2).sum(), a, create_graph=True)
    assert g.requires_grad and not EF.vjp(lambda x: (x ** 2).sum(), a)[1].requires_grad
    with pytest.raises(RuntimeError, match="independent of input 0"):
        EF.vjp(lambda x: ember.ones(1, dtype=ember.float64), a, strict=True)
    _same(EF.vjp(lambda x, y: (y ** 2).sum(), (a, b))[1],
          TF.vjp(lambda x, y: (y ** 2).sum(), (ta, tb))[1])
