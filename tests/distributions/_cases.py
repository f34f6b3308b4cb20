"""The distributions under test, each built the same way from the same NumPy parameters in ember
and in torch: CASES maps a name to (build(lib, params) -> distribution, params, values) where
params are float64 arrays (gradients are taken with respect to all of them) and values(rng) gives
points of the support to evaluate log_prob at, broadcasting against the batch shape."""
import numpy as np


def _spd(rng, *batch, n=3):
    a = rng.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _lib_dists(lib):
    return lib.distributions


_R = np.random.RandomState(1234)

CASES = {
    "Normal": (
        lambda lib, p: _lib_dists(lib).Normal(p["loc"], p["scale"]),
        {"loc": _R.standard_normal((2, 3)), "scale": _R.uniform(0.5, 2.0, (3,))},
        lambda rng: rng.standard_normal((4, 1, 3)),
    ),
    "Uniform": (
        lambda lib, p: _lib_dists(lib).Uniform(p["low"], p["high"]),
        {"low": _R.uniform(-1.0, 0.0, (3,)), "high": _R.uniform(1.0, 2.0, (2, 3))},
        lambda rng: rng.uniform(0.0, 0.9, (4, 2, 3)),
    ),
    "Bernoulli_probs": (
        lambda lib, p: _lib_dists(lib).Bernoulli(probs=p["probs"]),
        {"probs": _R.uniform(0.1, 0.9, (2, 3))},
        lambda rng: (rng.uniform(size=(4, 2, 3)) < 0.5).astype(np.float64),
    ),
    "Bernoulli_logits": (
        lambda lib, p: _lib_dists(lib).Bernoulli(logits=p["logits"]),
        {"logits": _R.standard_normal((2, 3))},
        lambda rng: (rng.uniform(size=(4, 1, 3)) < 0.5).astype(np.float64),
    ),
    "Categorical_probs": (
        lambda lib, p: _lib_dists(lib).Categorical(probs=p["probs"]),
        {"probs": _R.uniform(0.1, 1.0, (2, 4))},
        lambda rng: rng.randint(0, 4, (5, 2)),
    ),
    "Categorical_logits": (
        lambda lib, p: _lib_dists(lib).Categorical(logits=p["logits"]),
        {"logits": _R.standard_normal((2, 3, 4))},
        lambda rng: rng.randint(0, 4, (5, 1, 3)),
    ),
    "Beta": (
        lambda lib, p: _lib_dists(lib).Beta(p["concentration1"], p["concentration0"]),
        {"concentration1": _R.uniform(0.5, 3.0, (2, 3)), "concentration0": _R.uniform(0.5, 3.0, (3,))},
        lambda rng: rng.uniform(0.05, 0.95, (4, 2, 3)),
    ),
    "Gamma": (
        lambda lib, p: _lib_dists(lib).Gamma(p["concentration"], p["rate"]),
        {"concentration": _R.uniform(0.5, 3.0, (2, 3)), "rate": _R.uniform(0.5, 3.0, (3,))},
        lambda rng: rng.uniform(0.1, 4.0, (4, 2, 3)),
    ),
    "MultivariateNormal_cov": (
        lambda lib, p: _lib_dists(lib).MultivariateNormal(p["loc"],
                                                          covariance_matrix=p["covariance"]),
        {"loc": _R.standard_normal((2, 3)), "covariance": _spd(_R, 2)},
        lambda rng: rng.standard_normal((4, 1, 3)),
    ),
    "MultivariateNormal_tril": (
        lambda lib, p: _lib_dists(lib).MultivariateNormal(p["loc"], scale_tril=p["tril"]),
        {"loc": _R.standard_normal((3,)), "tril": np.linalg.cholesky(_spd(_R, 2))},
        lambda rng: rng.standard_normal((4, 2, 3)),
    ),
    "MultivariateNormal_precision": (
        lambda lib, p: _lib_dists(lib).MultivariateNormal(p["loc"],
                                                          precision_matrix=p["precision"]),
        {"loc": _R.standard_normal((2, 3)), "precision": _spd(_R)},
        lambda rng: rng.standard_normal((4, 2, 3)),
    ),
    "Independent_Normal": (
        lambda lib, p: _lib_dists(lib).Independent(
            _lib_dists(lib).Normal(p["loc"], p["scale"]), 1),
        {"loc": _R.standard_normal((2, 3)), "scale": _R.uniform(0.5, 2.0, (2, 3))},
        lambda rng: rng.standard_normal((4, 2, 3)),
    ),
}


def build(lib, name, requires_grad=False, dtype="float64"):
    """(distribution, {param name: leaf tensor}) of CASES[name] in lib (ember or torch)."""
    make, params, _ = CASES[name]
    leaves = {k: lib.tensor(v, dtype=getattr(lib, dtype), requires_grad=requires_grad)
              for k, v in params.items()}
    return make(lib, leaves), leaves


def values(lib, name, dtype="float64"):
    """The points of CASES[name] to evaluate log_prob at, as a tensor of lib."""
    v = CASES[name][2](np.random.RandomState(7))
    return lib.tensor(v) if v.dtype.kind == "i" else lib.tensor(v, dtype=getattr(lib, dtype))
