"""Optimizers on complex parameters update them as pairs of reals, as torch does (NOTE [ Optimizer
maths ] in ember/optim/optimizer.py); clip_grad_norm_ takes the real norm of complex gradients."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(3)
START = _rng.standard_normal((3, 2)) + 1j * _rng.standard_normal((3, 2))
GRADS = [_rng.standard_normal((3, 2)) + 1j * _rng.standard_normal((3, 2)) for _ in range(5)]

CASES = {
    "SGD": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": dict(lr=0.05, amsgrad=True),
    "AdamW": dict(lr=0.05, weight_decay=0.1),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adagrad": dict(lr=0.1),
    "Adadelta": dict(lr=1.0),
    "Adamax": dict(lr=0.05),
    "NAdam": dict(lr=0.05),
    "RAdam": dict(lr=0.05),
    "ASGD": dict(lr=0.05),
    "Rprop": dict(lr=0.05),
}


def _trajectory(lib, name, kwargs):
    p = lib.nn.Parameter(lib.tensor(START.copy()))
    opt = getattr(lib.optim, name)([p], **kwargs)
    for g in GRADS:
        p.grad = lib.tensor(g.copy())
        opt.step()
    return p.detach().resolve_conj().numpy()


@pytest.mark.parametrize("name", CASES)
def test_complex_parameter_trajectory_matches_torch(name):
    np.testing.assert_allclose(_trajectory(ember, name, CASES[name]),
                               _trajectory(torch, name, CASES[name]), rtol=1e-10, atol=1e-12)


def test_the_state_stays_complex_as_torch_keeps_it():
    p = ember.nn.Parameter(ember.tensor(START.copy()))
    opt = ember.optim.Adam([p])
    p.grad = ember.tensor(GRADS[0].copy())
    opt.step()
    assert opt.state[p]["exp_avg"].dtype == ember.complex128
    assert opt.state[p]["exp_avg_sq"].dtype == ember.complex128


def test_clip_grad_norm_of_complex_gradients():
    def clip(lib):
        ps = [lib.nn.Parameter(lib.tensor(START.copy())), lib.nn.Parameter(lib.ones(2))]
        ps[0].grad, ps[1].grad = lib.tensor(GRADS[0].copy()), lib.tensor([3.0, 4.0])
        norm = lib.nn.utils.clip_grad_norm_(ps, 1.0)
        return norm.item(), ps[0].grad.resolve_conj().numpy()
    (tn, tg), (en, eg) = clip(torch), clip(ember)
    assert isinstance(en, float) and en == pytest.approx(tn, rel=1e-12)
    np.testing.assert_allclose(eg, tg, rtol=1e-10)
