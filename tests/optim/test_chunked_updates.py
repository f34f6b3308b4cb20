"""NOTE [ Optimizer chunks ] (ember/optim/optimizer.py): elementwise algorithms update a large CPU
parameter chunk by chunk; the result is the whole update's bit for bit, the step counter advances
once per step, and torch agrees."""
import numpy as np
import pytest

import ember
from ember.optim import optimizer

CASES = {
    "Adam": dict(lr=0.05, amsgrad=True, weight_decay=0.1),
    "AdamW": dict(lr=0.05, weight_decay=0.1, maximize=True),
    "Adadelta": dict(lr=1.0, weight_decay=0.01),
    "Adagrad": dict(lr=0.1, lr_decay=0.01),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adamax": dict(lr=0.05),
}
SHAPE, STEPS = (5, 11), 3


def _run(lib, name, complex_, transposed=False):
    rng = np.random.default_rng(0)
    draw = (lambda: rng.standard_normal(SHAPE) + 1j * rng.standard_normal(SHAPE)) if complex_ \
        else (lambda: rng.standard_normal(SHAPE))
    start = lib.tensor(draw())
    p = lib.nn.Parameter(lib.tensor(start.numpy().T.copy()).t() if transposed else start)
    opt = getattr(lib.optim, name)([p], **CASES[name])
    for _ in range(STEPS):
        p.grad = lib.tensor(draw())
        opt.step()
    state = {k: v.detach().resolve_conj().numpy() for k, v in opt.state[p].items()}
    return p.detach().resolve_conj().numpy(), state


@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_chunked_update_is_the_whole_update(monkeypatch, name, complex_):
    whole = _run(ember, name, complex_)  # 55 elements (110 reals): under 2 * _CHUNK, at once
    calls = []
    cls = getattr(ember.optim, name)
    update = cls._update
    monkeypatch.setattr(cls, "_update",
                        staticmethod(lambda *a: calls.append(a[0].size) or update(*a)))
    monkeypatch.setattr(optimizer, "_CHUNK", 7)  # chunks of 7 and a shorter last one
    chunked = _run(ember, name, complex_)
    n = 2 * 55 if complex_ else 55
    assert calls == ([7] * (n // 7) + [n % 7]) * STEPS
    np.testing.assert_array_equal(chunked[0], whole[0])
    assert chunked[1].keys() == whole[1].keys()
    for key in whole[1]:
        np.testing.assert_array_equal(chunked[1][key], whole[1][key])
    assert chunked[1]["step"] == STEPS
    torch = pytest.importorskip("torch")
    want = _run(torch, name, complex_)
    np.testing.assert_allclose(chunked[0], want[0], rtol=1e-10, atol=1e-12)


def test_a_parameter_laid_out_transposed_is_updated_at_once(monkeypatch):
    calls = []
    update = ember.optim.Adam._update
    monkeypatch.setattr(ember.optim.Adam, "_update",
                        staticmethod(lambda *a: calls.append(a[0].size) or update(*a)))
    monkeypatch.setattr(optimizer, "_CHUNK", 7)
    got = _run(ember, "Adam", False, transposed=True)  # a column-ordered view of its storage
    assert calls == [55] * STEPS
    np.testing.assert_array_equal(got[0], _run(ember, "Adam", False)[0])


def test_which_algorithms_update_in_chunks():
    for name in CASES:
        assert getattr(ember.optim, name)._elementwise
    # scalar state (NAdam's mu_product, ASGD's eta and mu) or not verified elementwise
    for name in ("SGD", "NAdam", "ASGD", "RAdam", "Rprop", "Adafactor", "LBFGS"):
        assert not getattr(ember.optim, name)._elementwise
