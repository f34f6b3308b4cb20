"""kl_divergence(p, q) and register_kl: KL(p || q) dispatched on the pair of distribution types,
the most specific registered pair winning (ties between pairs warn, as in torch)."""
import math
import warnings

from ..nn.functional import softplus
from .._creation import full_like
from ..ops import broadcast_shapes, where, xlogy
from ..ops.gamma import digamma, lgamma
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .distribution import Distribution
from .gamma import Gamma
from .independent import Independent
from .multivariate_normal import MultivariateNormal, _half_log_det, _mahalanobis, _solve_lower
from .normal import Normal
from .uniform import Uniform
from .utils import _sum_rightmost

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY = {}  # (type_p, type_q) -> fn
_KL_MEMO = {}  # the pair of the arguments' own types -> the chosen fn, cleared on registration


def register_kl(type_p, type_q):
    """Decorator: fn(p, q) computes KL(p || q) for p of type_p and q of type_q (or subclasses)."""
    if not (isinstance(type_p, type) and issubclass(type_p, Distribution)):
        raise TypeError(f"Expected type_p to be a Distribution subclass but got {type_p}")
    if not (isinstance(type_q, type) and issubclass(type_q, Distribution)):
        raise TypeError(f"Expected type_q to be a Distribution subclass but got {type_q}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        _KL_MEMO.clear()
        return fn
    return decorator


def _dispatch(type_p, type_q):
    """The registered fn whose pair is nearest to (type_p, type_q) in their MROs."""
    candidates = [(type_p.__mro__.index(sp), type_q.__mro__.index(sq), sp, sq)
                  for sp, sq in _KL_REGISTRY if issubclass(type_p, sp) and issubclass(type_q, sq)]
    if not candidates:
        return NotImplemented
    by_p = min(candidates, key=lambda c: (c[0], c[1]))
    by_q = min(candidates, key=lambda c: (c[1], c[0]))
    if by_p[2:] != by_q[2:]:
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). Please "
                      f"register_kl({by_q[2].__name__}, {by_p[3].__name__})", RuntimeWarning)
    return _KL_REGISTRY[by_p[2:]]


def kl_divergence(p, q):
    """KL(p || q) = E_p[log p(x) - log q(x)], of the batch shape p and q broadcast to."""
    key = (type(p), type(q))
    fn = _KL_MEMO.get(key)
    if fn is None:
        fn = _KL_MEMO[key] = _dispatch(*key)
    if fn is NotImplemented:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{p.__class__.__name__} and q type {q.__class__.__name__}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).pow(2)
    shift = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + shift - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = where((q.probs == 0).expand_as(t), math.inf, t)
    t = where((p.probs == 0).expand_as(t), 0.0, t)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    ones = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    ones = where(p.probs == 0, 0.0, where(q.probs == 0, math.inf, ones))
    zeros = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    zeros = where(p.probs == 1, 0.0, where(q.probs == 1, math.inf, zeros))
    return ones + zeros


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    p1, p0, q1, q0 = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    p_total, q_total = p1 + p0, q1 + q0
    return (lgamma(q1) + lgamma(q0) + lgamma(p_total)
            - lgamma(p1) - lgamma(p0) - lgamma(q_total)
            + (p1 - q1) * digamma(p1) + (p0 - q0) * digamma(p0)
            + (q_total - p_total) * digamma(p_total))


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    pc, pr, qc, qr = p.concentration, p.rate, q.concentration, q.rate
    return (qc * (pr / qr).log() + lgamma(qc) - lgamma(pc) + (pc - qc) * digamma(pc)
            + (qr - pr) * (pc / pr))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event "
                         "shapes cannot be computed")
    n = p.event_shape[0]
    p_low, q_low = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    shape = tuple(broadcast_shapes(tuple(p_low.shape[:-2]), tuple(q_low.shape[:-2])))
    trace = _solve_lower(q_low.expand(shape + (n, n)), p_low.expand(shape + (n, n))).pow(2)
    trace = trace.sum((-2, -1))
    return (_half_log_det(q_low) - _half_log_det(p_low)
            + 0.5 * (trace + _mahalanobis(q_low, q.loc - p.loc) - n))


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


# -- pairs of different families (KL = -H(p) - E_p[log q], or infinite where p's support is
#    not inside q's) ---------------------------------------------------------------------------

def _infinite_like(t):
    return full_like(t, math.inf)


def _normal_cross_entropy(mean, var, q):
    """-E[log q(x)] for Normal q under any p with the given mean and variance."""
    return (q.scale * math.sqrt(2 * math.pi)).log() + (var + (mean - q.loc).pow(2)) / (
        2 * q.scale.pow(2))


def _gamma_cross_entropy(mean, mean_log, q):
    """-E[log q(x)] for Gamma q under any p on (0, inf) with E[x] and E[log x] given."""
    c, r = q.concentration, q.rate
    return lgamma(c) - c * r.log() - (c - 1) * mean_log + r * mean


def _beta_mean_log(p):
    """E[log x] and E[log(1 - x)] under Beta p."""
    total = digamma(p.concentration1 + p.concentration0)
    return digamma(p.concentration1) - total, digamma(p.concentration0) - total


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    return -p.entropy() + _gamma_cross_entropy(p.mean, _beta_mean_log(p)[0], q)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    return where((q.low > 0) | (q.high < 1), math.inf, result)


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


def _uniform_mean_xlogx(low, high):
    """E[log x] for x uniform on [low, high] with 0 <= low < high: the mean of x log x - x."""
    return (xlogy(high, high) - xlogy(low, low)) / (high - low) - 1


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    mean_log = _uniform_mean_xlogx(p.low.clamp(min=0), p.high.clamp(min=0))
    result = -p.entropy() + _gamma_cross_entropy(p.mean, mean_log, q)
    return where(p.low < 0, math.inf, result)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    low, high = p.low.clamp(0, 1), p.high.clamp(0, 1)
    mean_log = _uniform_mean_xlogx(low, high)
    mean_log1m = _uniform_mean_xlogx(1 - high, 1 - low)
    a, b = q.concentration1, q.concentration0
    log_beta = lgamma(a) + lgamma(b) - lgamma(a + b)
    result = -p.entropy() + log_beta - (a - 1) * mean_log - (b - 1) * mean_log1m
    return where((p.low < 0) | (p.high > 1), math.inf, result)


# p has mass where q has none: KL is infinite (of p's batch shape, as in torch)
for _p, _q, _param in ((Gamma, Beta, "concentration"), (Gamma, Uniform, "concentration"),
                       (Normal, Beta, "loc"), (Normal, Gamma, "loc"), (Normal, Uniform, "loc")):
    register_kl(_p, _q)(lambda p, q, _param=_param: _infinite_like(getattr(p, _param)))


# -- one-hot categoricals and low-rank Gaussians ---------------------------------------------------

from .lowrank_multivariate_normal import LowRankMultivariateNormal  # noqa: E402
from .one_hot_categorical import OneHotCategorical  # noqa: E402


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


def _full_rank(d):
    """A (LowRank)MultivariateNormal as the MultivariateNormal of the same law: a low-rank
    covariance W W^T + D through its dense Cholesky factor."""
    if isinstance(d, MultivariateNormal):
        return d
    return MultivariateNormal(d.loc, scale_tril=d.scale_tril, validate_args=False)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
@register_kl(LowRankMultivariateNormal, MultivariateNormal)
@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_gaussian_lowrank(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with "
                         "different event shapes cannot be computed")
    return _kl_mvn_mvn(_full_rank(p), _full_rank(q))


# -- exponential families, Cauchy, Laplace, counts and the continuous Bernoulli -------------------

from ..autograd import grad as _grad  # noqa: E402
from ..ops import erf as _erf  # noqa: E402
from .binomial import Binomial  # noqa: E402
from .cauchy import Cauchy  # noqa: E402
from .continuous_bernoulli import ContinuousBernoulli  # noqa: E402
from .dirichlet import Dirichlet  # noqa: E402
from .exp_family import ExponentialFamily  # noqa: E402
from .exponential import Exponential  # noqa: E402
from .geometric import Geometric  # noqa: E402
from .laplace import Laplace  # noqa: E402
from .poisson import Poisson  # noqa: E402


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    # the Bregman divergence of the log normalizer F between the natural parameters:
    # F(theta_q) - F(theta_p) - <theta_q - theta_p, grad F(theta_p)>
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential "
                                  "families cannot be computed using Bregman divergences")
    p_thetas = [t.detach().requires_grad_() for t in p._natural_params]
    q_thetas = q._natural_params
    p_log_norm = p._log_normalizer(*p_thetas)
    grads = _grad(p_log_norm.sum(), p_thetas, create_graph=True)
    result = q._log_normalizer(*q_thetas) - p_log_norm
    for p_theta, q_theta, g in zip(p_thetas, q_thetas, grads):
        result = result - _sum_rightmost((q_theta - p_theta) * g, len(q.event_shape))
    return result


def _exponential_cross_entropy(mean, q):
    """-E[log q(x)] for Exponential q under any p on [0, inf) with the given mean."""
    return q.rate * mean - q.rate.log()


def _continuous_bernoulli_cross_entropy(mean, q):
    """-E[log q(x)] for ContinuousBernoulli q under any p on [0, 1] with the given mean."""
    return -(mean * q.logits + (-q.probs).log1p() + q._cont_bern_log_norm())


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    ratio = q.rate / p.rate
    return ratio - ratio.log() - 1


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    # E[log x] = -(Euler's gamma) - log(rate) under Exponential(rate)
    mean_log = -0.5772156649015329 - p.rate.log()
    return -p.entropy() + _gamma_cross_entropy(p.mean, mean_log, q)


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(Gamma, Exponential)
@register_kl(Beta, Exponential)
@register_kl(ContinuousBernoulli, Exponential)
def _kl_nonnegative_exponential(p, q):
    return -p.entropy() + _exponential_cross_entropy(p.mean, q)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = -p.entropy() + _exponential_cross_entropy(p.mean, q)
    return where(p.low < 0, math.inf, result)


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return -p.entropy() + _continuous_bernoulli_cross_entropy(p.mean, q)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    result = -p.entropy() + _continuous_bernoulli_cross_entropy(p.mean, q)
    # torch's test is inclusive (a Uniform reaching 0 or 1 counts as outside): kept for parity
    return where((p.high >= 1) | (p.low <= 0), math.inf, result)


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    return (p.mean * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p()
            + p._cont_bern_log_norm() - q._cont_bern_log_norm())


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    # torch's test is inclusive (a Uniform on exactly [0, 1] counts as too narrow): kept for parity
    return where((q.low >= 0) | (q.high <= 1), math.inf, result)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    return (((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2))
            / (4 * p.scale * q.scale)).log()


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    pc, qc = p.concentration, q.concentration
    p_total = pc.sum(-1)
    expected_log = digamma(pc) - digamma(p_total).unsqueeze(-1)
    return (lgamma(p_total) - lgamma(qc.sum(-1)) - (lgamma(pc) - lgamma(qc)).sum(-1)
            + ((pc - qc) * expected_log).sum(-1))


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is "
                                  "not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p()
                          - (-q.probs).log1p())
    return where(p.total_count > q.total_count, math.inf, kl)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs()
    return -ratio.log() + distance / q.scale + ratio * (-distance / p.scale).exp() - 1


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    # E|x - q.loc| for x ~ N(m, s^2), with d = m - q.loc: s sqrt(2/pi) exp(-d^2/2s^2) + d erf(.)
    d = p.loc - q.loc
    mean_abs = (p.scale * math.sqrt(2 / math.pi) * (-d.pow(2) / (2 * p.scale.pow(2))).exp()
                + d * _erf(d / (p.scale * math.sqrt(2))))
    return -p.entropy() + (2 * q.scale).log() + mean_abs / q.scale


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    # log q(x) = x log(rate) - rate for x in {0, 1}
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


# p has mass where q has none: KL is infinite (of p's batch shape, as in torch)
for _p, _q, _param in ((Exponential, Beta, "rate"), (Exponential, ContinuousBernoulli, "rate"),
                       (Exponential, Uniform, "rate"),
                       (Gamma, ContinuousBernoulli, "concentration"),
                       (Laplace, Beta, "loc"), (Laplace, ContinuousBernoulli, "loc"),
                       (Laplace, Exponential, "loc"), (Laplace, Gamma, "loc"),
                       (Laplace, Uniform, "loc"), (Normal, ContinuousBernoulli, "loc"),
                       (Normal, Exponential, "loc"), (Poisson, Bernoulli, "rate"),
                       (Poisson, Binomial, "rate")):
    register_kl(_p, _q)(lambda p, q, _param=_param: _infinite_like(getattr(p, _param)))


# -- the TransformedDistribution family (Gumbel, HalfNormal, Pareto, and any two distributions
#    made by the same transforms) ---------------------------------------------------------------
from .gumbel import Gumbel  # noqa: E402
from .half_normal import HalfNormal  # noqa: E402
from .pareto import Pareto  # noqa: E402
from .transformed_distribution import TransformedDistribution  # noqa: E402

_EULER_GAMMA = 0.57721566490153286060


def _gumbel_cross_entropy(p, q, mean, mean_exp_neg):
    """-E_p[log q(x)] for Gumbel q, from E_p[x] and E_p[exp(-x / q.scale)]:
    log q(x) = -log scale - z - exp(-z) with z = (x - loc) / scale."""
    return (q.scale.log() + (mean - q.loc) / q.scale
            + (q.loc / q.scale).exp() * mean_exp_neg)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    # the same invertible map of both: KL is invariant, so it is the bases' KL
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    ratio = p.scale / q.scale
    # E_p[exp(-x / q.scale)] = exp(-p.loc / q.scale) Gamma(1 + ratio)
    mean_exp_neg = (lgamma(1 + ratio) - p.loc / q.scale).exp()
    entropy_p = p.scale.log() + 1 + _EULER_GAMMA
    return _gumbel_cross_entropy(p, q, p.mean, mean_exp_neg) - entropy_p


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    ratio = (p.scale / q.scale).pow(2)
    return 0.5 * (ratio - 1 - ratio.log())


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    alpha_ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - alpha_ratio.log() + alpha_ratio - 1
    return where(p.scale < q.scale, math.inf, result)


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    mean_exp_neg = p.rate / (p.rate + 1 / q.scale)
    return _gumbel_cross_entropy(p, q, p.mean, mean_exp_neg) - p.entropy()


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    mean_exp_neg = (1 + 1 / (p.rate * q.scale)).pow(-p.concentration)
    return _gumbel_cross_entropy(p, q, p.mean, mean_exp_neg) - p.entropy()


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    mean_exp_neg = (-p.loc / q.scale + p.scale.pow(2) / (2 * q.scale.pow(2))).exp()
    return _gumbel_cross_entropy(p, q, p.loc, mean_exp_neg) - p.entropy()


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    width = p.high - p.low
    mean_exp_neg = q.scale * ((-p.low / q.scale).exp() - (-p.high / q.scale).exp()) / width
    return _gumbel_cross_entropy(p, q, p.mean, mean_exp_neg) - width.log()


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    return _normal_cross_entropy(p.mean, p.variance, q) - p.entropy()


def _pareto_mean_log(p):
    """E_p[log x] = log scale + 1 / alpha."""
    return p.scale.log() + p.alpha.reciprocal()


def _pareto_entropy(p):
    return (p.scale / p.alpha).log() + 1 + p.alpha.reciprocal()


def _pareto_moments(p, below):
    """Pareto p's mean and variance, computed with alpha replaced by 3 where `below` (where the
    KL is infinite anyway), so that no infinity enters the graph and those entries get zero
    gradients."""
    alpha = where(below, 3.0, p.alpha)
    mean = alpha * p.scale / (alpha - 1)
    return mean, p.scale.pow(2) * alpha / ((alpha - 1).pow(2) * (alpha - 2))


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    below = p.alpha <= 1
    mean, _ = _pareto_moments(p, below)
    result = q.rate * mean - q.rate.log() - _pareto_entropy(p)
    return where(below, math.inf, result)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    c, r = q.concentration, q.rate
    below = p.alpha <= 1
    mean, _ = _pareto_moments(p, below)
    cross = lgamma(c) - xlogy(c, r) - (c - 1) * _pareto_mean_log(p) + r * mean
    return where(below, math.inf, cross - _pareto_entropy(p))


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    below = p.alpha <= 2
    mean, variance = _pareto_moments(p, below)
    result = _normal_cross_entropy(mean, variance, q) - _pareto_entropy(p)
    return where(below, math.inf, result)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    a, b = p.low, p.high
    mean_log = (xlogy(b, b) - xlogy(a, a)) / (b - a) - 1
    result = (-(b - a).log() - q.alpha.log() - q.alpha * q.scale.log()
              + (q.alpha + 1) * mean_log)
    return where(a < q.scale, math.inf, result)


for _p, _q, _param in ((Beta, Pareto, "concentration1"), (ContinuousBernoulli, Pareto, "probs"),
                       (Exponential, Pareto, "rate"), (Gamma, Pareto, "concentration"),
                       (Gumbel, Beta, "loc"), (Gumbel, ContinuousBernoulli, "loc"),
                       (Gumbel, Exponential, "loc"), (Gumbel, Gamma, "loc"),
                       (Gumbel, Pareto, "loc"), (Gumbel, Uniform, "loc"),
                       (Laplace, Pareto, "loc"), (Normal, Pareto, "loc"),
                       (Pareto, Beta, "scale"), (Pareto, ContinuousBernoulli, "scale"),
                       (Pareto, Uniform, "scale")):
    register_kl(_p, _q)(lambda p, q, _param=_param: _infinite_like(getattr(p, _param)))
