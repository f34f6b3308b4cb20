"""L-BFGS's strong-Wolfe line search: the cubic step, the Wolfe conditions it returns, and long
trajectories on curved problems against torch (bracketing, zoom, safeguard and probe budget)."""
import importlib
import math

import numpy as np
import pytest

import ember
from ember.optim.lbfgs import _Probe, _cubic_minimizer, _strong_wolfe


def cubic_probe(coefs, step):
    a, b, c, d = coefs
    return _Probe(step, a * step ** 3 + b * step ** 2 + c * step + d, None,
                  3 * a * step ** 2 + 2 * b * step + c)


@pytest.mark.parametrize("coefs,ends", [((1.0, -2.0, -1.0, 3.0), (0.0, 2.0)),
                                        ((0.5, 1.0, -4.0, 0.0), (3.0, -1.0)),
                                        ((-1.0, 3.0, 2.0, 1.0), (-2.0, 0.5))])
def test_cubic_minimizer_is_the_cubics_local_minimum(coefs, ends):
    a, b, c, _ = coefs
    x_min = (-2 * b + math.sqrt(4 * b * b - 12 * a * c)) / (6 * a)   # root of the slope with f'' > 0
    p, q = (cubic_probe(coefs, x) for x in ends)
    lo, hi = sorted(ends)
    assert _cubic_minimizer(p, q) == pytest.approx(min(max(x_min, lo), hi), rel=1e-12)
    assert _cubic_minimizer(q, p) == _cubic_minimizer(p, q)


def test_cubic_minimizer_clamps_and_falls_back_to_the_middle():
    p, q = cubic_probe((1.0, -2.0, -1.0, 3.0), 0.0), cubic_probe((1.0, -2.0, -1.0, 3.0), 2.0)
    assert _cubic_minimizer(p, q, bounds=(0.0, 0.5)) == 0.5
    # the cubic through (0, 0) and (3, 2) with slope 1 at both is increasing: the middle of the bounds
    assert _cubic_minimizer(_Probe(0.0, 0.0, None, 1.0), _Probe(3.0, 2.0, None, 1.0),
                            bounds=(2.0, 4.0)) == 3.0


def quartic_line(step):
    """phi(step) = (step - 3)^4 - 5 step along a line, with its slope."""
    return _Probe(step, (step - 3) ** 4 - 5 * step, None, 4 * (step - 3) ** 3 - 5)


@pytest.mark.parametrize("first_step", [0.01, 1.0, 20.0])
def test_result_meets_the_strong_wolfe_conditions(first_step):
    origin = quartic_line(0.0)
    calls = []

    def probe(step):
        calls.append(step)
        return quartic_line(step)
    found, probes = _strong_wolfe(probe, origin, first_step, 1.0)
    assert probes == len(calls) and found.step in calls
    assert found.loss <= origin.loss + 1e-4 * found.step * origin.slope
    assert abs(found.slope) <= -0.9 * origin.slope


def test_out_of_probes_keeps_the_better_end():
    origin = quartic_line(0.0)
    found, probes = _strong_wolfe(quartic_line, origin, 100.0, 1.0, max_ls=0)
    assert probes == 1 and found is origin
    found, probes = _strong_wolfe(quartic_line, origin, 1e-3, 1.0, max_ls=1)
    assert probes == 2 and found.step > 0 and found.loss < origin.loss


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def wavy_bowl(x):
    return (x ** 2).sum() + 10 * (3 * x).sin().sum()


@pytest.mark.parametrize("fn,start,kwargs", [
    (rosenbrock, [-1.2, 1.0], dict()),
    (rosenbrock, [-1.5, 2.0, 0.5, -0.3], dict(max_iter=7, history_size=4)),
    (rosenbrock, [2.0, -1.0, 1.5], dict(lr=3.0, max_iter=30, max_eval=8)),
    (rosenbrock, [-0.5, 0.8], dict(lr=0.1, tolerance_change=1e-12)),
    (rosenbrock, [-0.8, 1.7, 1.1], dict(lr=300.0)),     # zoom trials pushed off the ends
    (wavy_bowl, [-1.6, 0.9, -1.6], dict(lr=30.0)),
    (wavy_bowl, [1.0, 1.5, 1.7], dict(lr=300.0)),
])
def test_trajectory_matches_torch(torch, fn, start, kwargs):
    """Ten L-BFGS steps: every probe of both line-search phases must agree with torch's (the same
    steps, hence the same parameters and the same number of evaluations)."""
    runs = {}
    for lib in (torch, ember):
        x = lib.nn.Parameter(lib.tensor(np.array(start, dtype=np.float64)))
        opt = lib.optim.LBFGS([x], line_search_fn="strong_wolfe", **kwargs)
        path = []

        def closure():
            opt.zero_grad()
            value = fn(x)
            value.backward()
            return value
        for _ in range(10):
            opt.step(closure)
            path.append(x.detach().numpy().copy())
        runs[lib] = np.array(path), opt.state[x]["func_evals"], opt.state[x]["n_iter"]
    (got, got_evals, got_iter), (want, want_evals, want_iter) = runs[ember], runs[torch]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert (got_evals, got_iter) == (want_evals, want_iter)


def wavy_line(a, w, b):
    """phi(t) = a (t - b)^2 + sin(w t) - t and its slope: many local minima along the line."""
    return (lambda t: a * (t - b) ** 2 + math.sin(w * t) - t,
            lambda t: 2 * a * (t - b) + w * math.cos(w * t) - 1)


LINES = [(0.5707208478514181, 1.7327013062644148, 4.007847303893686, 1.639020029734715, 17),
         (0.6788729504858642, 3.0055893378967813, 1.7020361998957219, 9.58564522913498, 18),
         (0.580670042242585, 4.583033399934131, 3.1718126365509107, 3.009932553640394, 12)]
_rng = np.random.default_rng(0)
LINES += [(float(_rng.uniform(0.01, 2)), float(_rng.uniform(0, 20)), float(_rng.uniform(-1, 5)),
           float(10 ** _rng.uniform(-3, 2)), int(_rng.integers(1, 26))) for _ in range(300)]


def test_line_search_matches_torchs_on_wavy_lines(torch):
    """The same accepted step, loss and probe count as torch's line search, line after line."""
    torch_search = importlib.import_module("torch.optim.lbfgs")._strong_wolfe
    one = torch.ones(1, dtype=torch.float64)
    checked = 0
    for a, w, b, first_step, max_ls in LINES:
        phi, slope = wavy_line(a, w, b)
        if slope(0.0) >= 0:
            continue
        want_loss, _, want_step, want_probes = torch_search(
            lambda x, t, d: (phi(t), torch.tensor([slope(t)], dtype=torch.float64)), None,
            first_step, one, phi(0.0), torch.tensor([slope(0.0)], dtype=torch.float64), slope(0.0),
            max_ls=max_ls)
        found, probes = _strong_wolfe(lambda t: _Probe(t, phi(t), None, slope(t)),
                                      _Probe(0, phi(0.0), None, slope(0.0)), first_step, 1.0,
                                      max_ls=max_ls)
        assert probes == want_probes, (a, w, b, first_step, max_ls)
        assert found.step == pytest.approx(float(want_step), rel=1e-12, abs=1e-15)
        assert found.loss == pytest.approx(float(want_loss), rel=1e-12, abs=1e-15)
        checked += 1
    assert checked > 60       # lines that start downhill
