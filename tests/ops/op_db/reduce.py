"""OpInfo entries for ember/ops/reduce.py, extrema.py and scan.py."""
import numpy as np

from . import OpInfo


def _with_zeros(*zero_at):
    """Inputs drawn as usual, then zeroed at the given flat positions (the prod/cumprod corner)."""
    def make(rng, dtype, shapes):
        out = []
        for shape in shapes:
            a = rng.uniform(-2.0, 2.0, size=shape).astype(dtype)
            a.reshape(-1)[list(zero_at)] = 0
            out.append(a)
        return out
    return make


def _with_nans(rng, dtype, shapes):
    a = rng.uniform(-2.0, 2.0, size=shapes[0]).astype(dtype)
    a.reshape(-1)[[1, 5]] = np.nan
    return [a]


def _var(a, axis=None, ddof=1, keepdims=False):
    return np.var(a, axis=axis, ddof=ddof, keepdims=keepdims)


def _median_dim(a, axis):
    k = (a.shape[axis] - 1) // 2
    idx = np.take(np.argsort(a, axis=axis, kind="stable"), k, axis=axis)
    return np.take_along_axis(a, np.expand_dims(idx, axis), axis).squeeze(axis), idx


def _norm(a, p, axis=None, keepdims=False):
    return np.linalg.norm(a.reshape(-1) if axis is None else a, p, axis=axis, keepdims=keepdims)


def _logsumexp(a, axis, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _with_nan(rng, dtype, shapes):
    """(3, 4) inputs with a NaN in two rows (and none in the last)."""
    a = rng.uniform(-2, 2, size=shapes[0]).astype(dtype)
    a[0, 1] = a[1, 3] = np.nan
    return [a]


def _nanmedian_rows(a):
    values = np.array([np.sort(r[~np.isnan(r)])[(np.sum(~np.isnan(r)) - 1) // 2] for r in a])
    return values, np.array([np.flatnonzero(r == v)[0] for r, v in zip(a, values)])


def _mode_ref(a, keepdim=False):
    """Per row of round(a): the most frequent value (the smallest if tied), its last position."""
    a = np.round(a)
    if a.ndim == 0:
        return a, np.array(0)
    values, where = [], []
    for row in a:
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]
        values.append(v)
        where.append(np.flatnonzero(row == v)[-1])
    shape = (-1, 1) if keepdim else (-1,)
    return np.array(values).reshape(shape), np.array(where).reshape(shape)


def _spread(rng, dtype, shapes):
    """Values far apart (one term dominates each log-sum, the rest underflow in float32)."""
    return [rng.uniform(-60, 60, size=shapes[0]).astype(dtype)]


OPS = [
    # sum, mean, nansum, prod
    OpInfo("sum", lambda m, a: a.sum(), [((3, 4),), ((),)], ref=np.sum, grad_fn="SumBackward0"),
    OpInfo("sum_dim", lambda m, a: a.sum(1), [((3, 4),), ((2, 3, 4),)],
           ref=lambda a: a.sum(1), grad_fn="SumBackward1",
           error_inputs=(lambda m: m.sum(m.ones(2, 3), 2),)),
    OpInfo("sum_dims_keepdim", lambda m, a: m.sum(a, (0, -1), keepdim=True), [((2, 3, 4),)],
           ref=lambda a: a.sum((0, 2), keepdims=True), grad_fn="SumBackward1"),
    OpInfo("sum_0d_dim", lambda m, a: a.sum(-1), [((),)], ref=lambda a: a,
           grad_fn="SumBackward1"),
    OpInfo("sum_dtype", lambda m, a: a.sum(0, dtype=m.float64), [((3, 4),)],
           ref=lambda a: a.sum(0), grad_fn="SumBackward1"),
    OpInfo("sum_int", lambda m, a: a.sum(0), [((3, 4),)], ref=lambda a: a.sum(0), grad=False,
           input_dtypes=("int32",), int_high=100),
    OpInfo("sum_bool", lambda m, a: a.sum(), [((3, 4),)], ref=np.sum, grad=False,
           input_dtypes=("bool",)),
    OpInfo("mean", lambda m, a: a.mean(), [((3, 4),), ((),)], ref=np.mean,
           grad_fn="MeanBackward0"),
    OpInfo("mean_dim", lambda m, a: a.mean((0, 2), keepdim=True), [((2, 3, 4),)],
           ref=lambda a: a.mean((0, 2), keepdims=True), grad_fn="MeanBackward1",
           error_inputs=(lambda m: m.mean(m.ones(2, 3), -3),
                         lambda m: m.mean(m.ones(2, 3, dtype=m.int64), 0),)),
    OpInfo("nansum", lambda m, a: a.nansum(), [((3, 4),)], ref=np.nansum,
           make_inputs=_with_nans, grad_fn="NansumBackward0"),
    OpInfo("nansum_dim", lambda m, a: m.nansum(a, 1, keepdim=True), [((3, 4),)],
           ref=lambda a: np.nansum(a, 1, keepdims=True), make_inputs=_with_nans,
           grad_fn="NansumBackward0",
           error_inputs=(lambda m: m.nansum(m.ones(2, 3), 2),)),
    OpInfo("prod", lambda m, a: a.prod(), [((3, 4),), ((),)], ref=np.prod,
           grad_fn="ProdBackward0"),
    OpInfo("prod_dim", lambda m, a: a.prod(1, keepdim=True), [((3, 4),)],
           ref=lambda a: a.prod(1, keepdims=True), grad_fn="ProdBackward1",
           error_inputs=(lambda m: m.prod(m.ones(2, 3), 2),)),
    OpInfo("prod_one_zero", lambda m, a: a.prod(), [((3, 4),)], ref=np.prod,
           make_inputs=_with_zeros(5), grad_fn="ProdBackward0"),
    OpInfo("prod_dim_zeros", lambda m, a: a.prod(0), [((3, 4),)], ref=lambda a: a.prod(0),
           make_inputs=_with_zeros(1, 2, 6), grad_fn="ProdBackward1"),
    OpInfo("prod_int", lambda m, a: a.prod(), [((5,),)], ref=np.prod, grad=False,
           input_dtypes=("int32",), int_high=5),
    # var, std
    OpInfo("var", lambda m, a: a.var(), [((3, 4),)], ref=_var, grad_fn="VarBackward0"),
    OpInfo("var_dim", lambda m, a: a.var(1, correction=0, keepdim=True), [((3, 4),)],
           ref=lambda a: _var(a, 1, 0, True), grad_fn="VarBackward0",
           error_inputs=(lambda m: m.var(m.ones(2, 3), 2),
                         lambda m: m.var(m.ones(2, 3, dtype=m.int64), 0),)),
    OpInfo("std", lambda m, a: a.std(), [((3, 4),)], ref=lambda a: np.std(a, ddof=1),
           grad_fn="StdBackward0"),
    OpInfo("std_dims", lambda m, a: a.std((0, 2), unbiased=False), [((2, 3, 4),)],
           ref=lambda a: np.std(a, (0, 2)), grad_fn="StdBackward0",
           error_inputs=(lambda m: m.std(m.ones(2, 3), (0, 0)),)),
    OpInfo("var_mean", lambda m, a: m.var_mean(a, 0), [((3, 4),)],
           ref=lambda a: (_var(a, 0), a.mean(0)), grad_fn="VarMeanBackward0"),
    OpInfo("std_mean", lambda m, a: m.std_mean(a, 1, keepdim=True, correction=2), [((3, 4),)],
           ref=lambda a: (np.std(a, 1, ddof=2, keepdims=True), a.mean(1, keepdims=True)),
           grad_fn="StdMeanBackward0"),
    # max, min, amax, amin, median, argmax, argmin
    OpInfo("max", lambda m, a: a.max(), [((3, 4),), ((),)], ref=np.max, grad_fn="MaxBackward1"),
    OpInfo("min", lambda m, a: m.min(a), [((3, 4),)], ref=np.min, grad_fn="MinBackward1"),
    OpInfo("max_dim", lambda m, a: a.max(1), [((3, 4),), ((2, 3, 4),)],
           ref=lambda a: (a.max(1), a.argmax(1)), grad_fn="MaxBackward0",
           error_inputs=(lambda m: m.max(m.ones(2, 3), 2), lambda m: m.max(m.ones(0, 3), 0),)),
    OpInfo("min_dim_keepdim", lambda m, a: m.min(a, 0, keepdim=True), [((3, 4),)],
           ref=lambda a: (a.min(0, keepdims=True), a.argmin(0, keepdims=True)),
           grad_fn="MinBackward0",
           error_inputs=(lambda m: m.min(m.ones(2, 3), -3, keepdim=True),)),
    OpInfo("max_dim_0d", lambda m, a: a.max(0), [((),)], ref=lambda a: (a, np.int64(0)),
           grad_fn="MaxBackward0"),
    OpInfo("amax", lambda m, a: a.amax(1), [((3, 4),)], ref=lambda a: a.max(1),
           grad_fn="AmaxBackward0",
           error_inputs=(lambda m: m.amax(m.ones(2, 3), 2),
                         lambda m: m.amax(m.ones(2, 3), (1, 1)),)),
    OpInfo("amax_all", lambda m, a: m.amax(a, (0, 1), keepdim=True), [((3, 4),)],
           ref=lambda a: a.max((0, 1), keepdims=True), grad_fn="AmaxBackward0"),
    OpInfo("amin", lambda m, a: a.amin(-1), [((2, 3, 4),)], ref=lambda a: a.min(-1),
           grad_fn="AminBackward0"),
    OpInfo("median", lambda m, a: a.median(), [((3, 4),), ((5,),)],
           ref=lambda a: np.sort(a.reshape(-1))[(a.size - 1) // 2], grad_fn="MedianBackward0"),
    OpInfo("median_dim", lambda m, a: a.median(1), [((3, 4),), ((2, 5),)],
           ref=lambda a: _median_dim(a, 1), grad_fn="MedianBackward1",
           error_inputs=(lambda m: m.median(m.ones(2, 3), 2),)),
    OpInfo("argmax", lambda m, a: a.argmax(), [((3, 4),)], ref=np.argmax, grad=False,
           error_inputs=(lambda m: m.argmax(m.ones(2, 3), 2), lambda m: m.argmax(m.ones(0)),)),
    OpInfo("argmin_dim", lambda m, a: m.argmin(a, 1, keepdim=True), [((3, 4),)],
           ref=lambda a: a.argmin(1, keepdims=True), grad=False,
           error_inputs=(lambda m: m.argmin(m.ones(2, 3), -3),)),
    # norm, logsumexp
    OpInfo("norm", lambda m, a: a.norm(), [((3, 4),)], ref=lambda a: _norm(a, 2),
           grad_fn="LinalgVectorNormBackward0"),
    OpInfo("norm_fro_dim", lambda m, a: m.norm(a, "fro", dim=1, keepdim=True), [((3, 4),)],
           ref=lambda a: _norm(a, 2, 1, True), grad_fn="LinalgVectorNormBackward0"),
    OpInfo("norm_1", lambda m, a: a.norm(1, 0), [((3, 4),)], ref=lambda a: _norm(a, 1, 0),
           grad_fn="LinalgVectorNormBackward0"),
    OpInfo("norm_inf", lambda m, a: a.norm(float("inf")), [((3, 4),)],
           ref=lambda a: _norm(a, np.inf), grad_fn="LinalgVectorNormBackward0"),
    OpInfo("norm_neg_inf_dim", lambda m, a: a.norm(float("-inf"), 1), [((3, 4),)],
           ref=lambda a: _norm(a, -np.inf, 1), grad_fn="LinalgVectorNormBackward0"),
    OpInfo("norm_3", lambda m, a: m.norm(a, 3, dim=(0, 1)), [((3, 4),)],
           ref=lambda a: (np.abs(a) ** 3).sum() ** (1 / 3), grad_fn="LinalgVectorNormBackward0"),
    OpInfo("norm_half_with_zero", lambda m, a: a.norm(0.5, -1, True), [((3, 4),)],
           ref=lambda a: (np.sqrt(np.abs(a)).sum(-1, keepdims=True)) ** 2,
           make_inputs=_with_zeros(2), grad_fn="LinalgVectorNormBackward0",
           gradgrad=False),  # |x|^0.5 has no second derivative at the zero
    OpInfo("norm_0", lambda m, a: a.norm(0), [((3, 4),)], ref=lambda a: _norm(a, 0),
           grad_fn="LinalgVectorNormBackward0"),
    OpInfo("logsumexp", lambda m, a: a.logsumexp(1), [((3, 4),)],
           ref=lambda a: _logsumexp(a, 1), grad_fn="LogsumexpBackward0",
           error_inputs=(lambda m: m.logsumexp(m.ones(2, 3), 2),)),
    OpInfo("logsumexp_dims", lambda m, a: m.logsumexp(a, (0, 2), keepdim=True), [((2, 3, 4),)],
           ref=lambda a: _logsumexp(a, (0, 2), True), grad_fn="LogsumexpBackward0"),
    # scans
    OpInfo("cumsum", lambda m, a: a.cumsum(1), [((3, 4),)], ref=lambda a: a.cumsum(1),
           grad_fn="CumsumBackward0",
           error_inputs=(lambda m: m.cumsum(m.ones(2, 3), 2),)),
    OpInfo("cumsum_0d", lambda m, a: a.cumsum(0), [((),)], ref=lambda a: a,
           grad_fn="CumsumBackward0"),
    OpInfo("cumsum_dtype", lambda m, a: m.cumsum(a, -1, dtype=m.float64), [((2, 3),)],
           ref=lambda a: a.cumsum(-1), grad_fn="CumsumBackward0"),
    OpInfo("cumsum_int", lambda m, a: a.cumsum(0), [((4,),)], ref=lambda a: a.cumsum(0),
           grad=False, input_dtypes=("int32",), int_high=10),
    OpInfo("cumprod", lambda m, a: a.cumprod(1), [((3, 4),)], ref=lambda a: a.cumprod(1),
           grad_fn="CumprodBackward0",
           error_inputs=(lambda m: m.cumprod(m.ones(2, 3), -3),)),
    OpInfo("cumprod_zeros", lambda m, a: a.cumprod(1), [((3, 4),)], ref=lambda a: a.cumprod(1),
           make_inputs=_with_zeros(1, 6, 7), grad_fn="CumprodBackward0"),
    # logical and counting (no gradient)
    OpInfo("all", lambda m, a: a.all(), [((3, 4),)], ref=np.all, grad=False,
           input_dtypes=("bool",)),
    OpInfo("any_dim", lambda m, a: m.any(a, 1, keepdim=True), [((3, 4),)],
           ref=lambda a: a.any(1, keepdims=True), grad=False, input_dtypes=("int64",),
           error_inputs=(lambda m: m.any(m.ones(2, 3), 2),)),
    OpInfo("count_nonzero", lambda m, a: m.count_nonzero(a, (0, 1)), [((3, 4),)],
           ref=np.count_nonzero, grad=False, input_dtypes=("int64",),
           error_inputs=(lambda m: m.count_nonzero(m.ones(2, 3), 2),)),
    # NaN-ignoring reductions and logcumsumexp
    OpInfo("nanmean", lambda m, a: m.nanmean(a), [((3, 4),)], make_inputs=_with_nan,
           ref=np.nanmean, grad_fn="DivBackward0"),
    OpInfo("nanmean_dim", lambda m, a: a.nanmean(1, keepdim=True), [((3, 4),)],
           make_inputs=_with_nan, ref=lambda a: np.nanmean(a, 1, keepdims=True),
           grad_fn="DivBackward0"),
    OpInfo("nanmedian", lambda m, a: m.nanmedian(a), [((3, 4),)], make_inputs=_with_nan,
           ref=lambda a: np.sort(a[~np.isnan(a)])[(np.sum(~np.isnan(a)) - 1) // 2],
           grad_fn="NanmedianBackward0"),
    OpInfo("nanmedian_dim", lambda m, a: tuple(a.nanmedian(1)), [((3, 4),)],
           make_inputs=_with_nan, ref=_nanmedian_rows, grad_fn="NanmedianBackward1"),
    OpInfo("logcumsumexp", lambda m, a: a.logcumsumexp(-1), [((3, 4),), ((5,),)],
           domain=(-3.0, 3.0), ref=lambda a: np.logaddexp.accumulate(a, axis=-1),
           grad_fn="LogcumsumexpBackward0"),
    OpInfo("logcumsumexp_dim0", lambda m, a: m.logcumsumexp(a, 0), [((4, 2),)],
           make_inputs=_spread, ref=lambda a: np.logaddexp.accumulate(a, axis=0),
           grad_fn="LogcumsumexpBackward0"),
    OpInfo("logcumsumexp_0d", lambda m, a: a.logcumsumexp(0), [((),)], ref=lambda a: a,
           grad_fn="LogcumsumexpBackward0"),
    OpInfo("prod_axis", lambda m, a: a.prod(axis=1), [((3, 4),)], ref=lambda a: a.prod(1),
           grad_fn="ProdBackward1"),
    OpInfo("aminmax", lambda m, a: tuple(m.aminmax(a)), [((3, 4),), ((),)],
           ref=lambda a: (a.min(), a.max()), grad_fn="AminmaxBackward0"),
    OpInfo("aminmax_dim", lambda m, a: tuple(a.aminmax(dim=0, keepdim=True)), [((3, 4),)],
           ref=lambda a: (a.min(0, keepdims=True), a.max(0, keepdims=True)),
           grad_fn="AminmaxBackward0"),
    OpInfo("aminmax_ties", lambda m, a: tuple(m.aminmax(a.round(), axis=1)), [((3, 4),)],
           ref=lambda a: (np.round(a).min(1), np.round(a).max(1)), grad_fn="AminmaxBackward0",
           kinks_ok=True, gradgrad=False),
    OpInfo("diff", lambda m, a: m.diff(a), [((3, 4),)], ref=lambda a: np.diff(a),
           grad_fn="SubBackward0",
           error_inputs=(lambda m: m.diff(m.ones(2, 3), dim=2),
                         lambda m: m.diff(m.ones(2, 3), n=-1),)),
    OpInfo("diff_n2_prepend_append", lambda m, a, p, q: a.diff(2, 0, prepend=p, append=q),
           [((3, 4), (1, 4), (2, 4))],
           ref=lambda a, p, q: np.diff(a, 2, 0, prepend=p, append=q), grad_fn="SubBackward0"),
    OpInfo("bincount", lambda m, a: m.bincount(a.reshape(-1), minlength=7), [((3, 4),)],
           ref=lambda a: np.bincount(a.reshape(-1), minlength=7), grad=False,
           input_dtypes=("int64",), int_high=5,
           error_inputs=(lambda m: m.bincount(m.tensor([0, -1])),
                         lambda m: m.bincount(m.ones(2)),)),
    OpInfo("bincount_weights", lambda m, a, w: a.bincount(w), [((6,), (6,))],
           ref=lambda a, w: np.bincount(a, w), grad=False, input_dtypes=("int64", "float")),
    OpInfo("mode", lambda m, a: tuple(m.mode(a.round(), -1)), [((3, 6),), ((),)],
           ref=_mode_ref, grad_fn="ModeBackward0"),
    OpInfo("mode_dim0_keepdim", lambda m, a: tuple(a.round().mode(0, keepdim=True)),
           [((5, 3),)], ref=lambda a: tuple(v.T for v in _mode_ref(a.T, True)),
           grad_fn="ModeBackward0"),
    # quantiles (composites of sort and gather ending, as torch's, in SqueezeBackward4)
    *[OpInfo(f"quantile_{interp}", lambda m, a, interp=interp: m.quantile(a, 0.3, 1,
                                                                       interpolation=interp),
             [((3, 5),)], ref=lambda a, interp=interp: np.quantile(a, 0.3, 1, method=interp))
      for interp in ("linear", "lower", "higher", "midpoint", "nearest")],
    OpInfo("quantile_q_tensor", lambda m, a: a.quantile(m.tensor([0.0, 0.25, 1.0], dtype=a.dtype),
                                                        keepdim=True),
           [((3, 4),)], ref=lambda a: np.quantile(a, [0.0, 0.25, 1.0], keepdims=True)),
    OpInfo("nanquantile", lambda m, a: a.nanquantile(0.6, 1), [((3, 4),)], make_inputs=_with_nan,
           ref=lambda a: np.nanquantile(a, 0.6, 1)),
    OpInfo("nanquantile_all", lambda m, a: m.nanquantile(a, 0.25, interpolation="midpoint"),
           [((3, 4),)], make_inputs=_with_nan,
           ref=lambda a: np.nanquantile(a, 0.25, method="midpoint")),
    # statistics (composites: grad_fn named after torch's last step) and histc
    OpInfo("cov", lambda m, a: m.cov(a), [((3, 5),), ((4,),), ((1, 5),)], ref=np.cov,
           grad_fn="SqueezeBackward0"),
    OpInfo("cov_weights", lambda m, a, w: a.cov(
               correction=0, fweights=m.tensor([1, 2, 1, 3], device=a.device), aweights=w),
           [((2, 4), (4,))], domain=(0.5, 2.0),
           ref=lambda a, w: np.cov(a, ddof=0, fweights=[1, 2, 1, 3], aweights=w)),
    OpInfo("corrcoef", lambda m, a: a.corrcoef(), [((3, 5),)], ref=np.corrcoef),
    OpInfo("trapezoid", lambda m, a: m.trapezoid(a), [((3, 5),), ((4,),)],
           ref=lambda a: np.trapezoid(a, axis=-1), grad_fn="MulBackward1"),
    OpInfo("trapezoid_x_dim0", lambda m, a, x: m.trapezoid(a, x.cumsum(0), dim=0),
           [((3, 5), (3,))], domain=(0.5, 2.0),
           ref=lambda a, x: np.trapezoid(a, np.cumsum(x), axis=0), grad_fn="DivBackward1"),
    OpInfo("cumulative_trapezoid", lambda m, a: m.cumulative_trapezoid(a, dx=0.5, dim=0),
           [((4, 3),)], ref=lambda a: np.cumsum((a[1:] + a[:-1]) * 0.25, 0)),
    OpInfo("cumulative_trapezoid_x", lambda m, a, x: m.cumulative_trapezoid(a, x.cumsum(0)),
           [((2, 4), (4,))], domain=(0.5, 2.0), grad_fn="DivBackward1",
           ref=lambda a, x: np.cumsum((a[:, 1:] + a[:, :-1]) * np.diff(np.cumsum(x)) / 2, 1)),
    OpInfo("histc", lambda m, a: m.histc(a, bins=5, min=-1.5, max=1.5), [((4, 6),)], grad=False,
           ref=lambda a: np.histogram(a, 5, (-1.5, 1.5))[0],
           error_inputs=(lambda m: m.histc(m.ones(2, dtype=m.int64)),)),
]
