"""The second batch of distributions under test (issue 9), built the same way as _cases.CASES:
name -> (build(lib, params), params, values(rng), rtol); rtol is looser only where torch
approximates (VonMises' polynomial log I_0, Multinomial's float32 log n!)."""
import numpy as np

from ._cases import _spd

_R = np.random.RandomState(4321)


def _d(lib):
    return lib.distributions


def _one_hot(rng, shape, k):
    return np.eye(k)[rng.randint(0, k, shape)]


def _counts(rng, n, probs, size):
    return np.stack([rng.multinomial(n, p / p.sum(), size) for p in probs], -2)


def _spd_values(rng, *batch, n=3):
    return _spd(rng, *batch, n=n) / n


def _corr_cholesky(rng, *batch, n=3):
    s = _spd(rng, *batch, n=n)
    d = np.sqrt(np.diagonal(s, axis1=-2, axis2=-1))
    return np.linalg.cholesky(s / d[..., :, None] / d[..., None, :])


_MULTINOMIAL_PROBS = _R.uniform(0.1, 1.0, (2, 4))

CASES_B = {
    "Multinomial_probs": (
        lambda lib, p: _d(lib).Multinomial(5, probs=p["probs"]),
        {"probs": _MULTINOMIAL_PROBS},
        lambda rng: _counts(rng, 5, _MULTINOMIAL_PROBS, 3).astype(np.float64), 1e-6),
    "Multinomial_logits": (
        lambda lib, p: _d(lib).Multinomial(3, logits=p["logits"]),
        {"logits": _R.standard_normal((4,))},
        lambda rng: rng.multinomial(3, np.full(4, 0.25), (2, 3)).astype(np.float64), 1e-6),
    "NegativeBinomial_probs": (
        lambda lib, p: _d(lib).NegativeBinomial(p["total_count"], probs=p["probs"]),
        {"total_count": _R.uniform(1.0, 5.0, (2, 3)), "probs": _R.uniform(0.1, 0.8, (3,))},
        lambda rng: rng.randint(0, 10, (4, 2, 3)).astype(np.float64), 1e-9),
    "NegativeBinomial_logits": (
        lambda lib, p: _d(lib).NegativeBinomial(p["total_count"], logits=p["logits"]),
        {"total_count": _R.uniform(0.5, 4.0, (3,)), "logits": _R.standard_normal((2, 3))},
        lambda rng: rng.randint(0, 10, (4, 1, 3)).astype(np.float64), 1e-9),
    "OneHotCategorical_probs": (
        lambda lib, p: _d(lib).OneHotCategorical(probs=p["probs"]),
        {"probs": _R.uniform(0.1, 1.0, (2, 4))},
        lambda rng: _one_hot(rng, (5, 2), 4), 1e-9),
    "OneHotCategorical_logits": (
        lambda lib, p: _d(lib).OneHotCategorical(logits=p["logits"]),
        {"logits": _R.standard_normal((3, 5))},
        lambda rng: _one_hot(rng, (2, 1), 5), 1e-9),
    "OneHotCategoricalStraightThrough": (
        lambda lib, p: _d(lib).OneHotCategoricalStraightThrough(probs=p["probs"]),
        {"probs": _R.uniform(0.1, 1.0, (2, 3))},
        lambda rng: _one_hot(rng, (4, 2), 3), 1e-9),
    "VonMises": (
        lambda lib, p: _d(lib).VonMises(p["loc"], p["concentration"]),
        {"loc": _R.uniform(-3.0, 3.0, (2, 3)), "concentration": np.array([0.3, 2.0, 9.0])},
        lambda rng: rng.uniform(-np.pi, np.pi, (4, 2, 3)), 1e-6),
    "MixtureSameFamily_Normal": (
        lambda lib, p: _d(lib).MixtureSameFamily(_d(lib).Categorical(probs=p["weights"]),
                                                 _d(lib).Normal(p["loc"], p["scale"])),
        {"weights": _R.uniform(0.1, 1.0, (2, 3)), "loc": _R.standard_normal((2, 3)),
         "scale": _R.uniform(0.5, 2.0, (2, 3))},
        lambda rng: rng.standard_normal((4, 2)), 1e-9),
    "MixtureSameFamily_MultivariateNormal": (
        lambda lib, p: _d(lib).MixtureSameFamily(
            _d(lib).Categorical(logits=p["logits"]),
            _d(lib).MultivariateNormal(p["loc"], scale_tril=p["tril"])),
        {"logits": _R.standard_normal((2, 3)), "loc": _R.standard_normal((2, 3, 2)),
         "tril": np.linalg.cholesky(_spd(_R, 3, n=2))},
        lambda rng: rng.standard_normal((4, 2, 2)), 1e-9),
    "LowRankMultivariateNormal": (
        lambda lib, p: _d(lib).LowRankMultivariateNormal(p["loc"], p["cov_factor"],
                                                         p["cov_diag"]),
        {"loc": _R.standard_normal((2, 3)), "cov_factor": _R.standard_normal((3, 2)),
         "cov_diag": _R.uniform(0.5, 2.0, (2, 3))},
        lambda rng: rng.standard_normal((4, 2, 3)), 1e-9),
    "Wishart_cov": (
        lambda lib, p: _d(lib).Wishart(p["df"], covariance_matrix=p["covariance"]),
        {"df": np.array([3.5, 6.0]), "covariance": _spd(_R, 2)},
        lambda rng: _spd_values(rng, 4, 2), 1e-9),
    "Wishart_tril": (
        lambda lib, p: _d(lib).Wishart(p["df"], scale_tril=p["tril"]),
        {"df": np.array([4.0]), "tril": np.linalg.cholesky(_spd(_R, 2))},
        lambda rng: _spd_values(rng, 4, 1), 1e-9),
    "Wishart_precision": (
        lambda lib, p: _d(lib).Wishart(p["df"], precision_matrix=p["precision"]),
        {"df": np.array(5.0), "precision": _spd(_R)},
        lambda rng: _spd_values(rng, 4), 1e-9),
    "LKJCholesky": (
        lambda lib, p: _d(lib).LKJCholesky(3, p["concentration"]),
        {"concentration": np.array([0.5, 1.0, 4.0])},
        lambda rng: _corr_cholesky(rng, 4, 3), 1e-9),
}


def build_b(lib, name, requires_grad=False, dtype="float64"):
    make, params, _, _ = CASES_B[name]
    leaves = {k: lib.tensor(v, dtype=getattr(lib, dtype), requires_grad=requires_grad)
              for k, v in params.items()}
    return make(lib, leaves), leaves


def values_b(lib, name, dtype="float64"):
    return lib.tensor(CASES_B[name][2](np.random.RandomState(7)), dtype=getattr(lib, dtype))
