"""The ops and methods of issue 9 section 3 beyond their OpInfo entries: in-place variants, the
shift operators, Tensor.unfold as a view, indexing with a range, 0-d indices in gather/scatter,
the axis= alias, and the errors torch raises."""
import numpy as np
import pytest

import ember

INPLACE_UNARY = ["absolute_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
                 "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "cosh_", "sinh_",
                 "deg2rad_", "rad2deg_", "negative_", "erfc_", "erfinv_", "exp2_", "fix_",
                 "logit_", "sgn_", "sinc_"]
INPLACE_BINARY = ["arctan2_", "divide_", "multiply_", "subtract_", "eq_", "ne_", "lt_", "le_",
                  "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_",
                  "not_equal_", "logical_and_", "logical_or_", "logical_xor_", "xlogy_",
                  "copysign_", "float_power_", "nextafter_"]


def _both(torch, data, dtype="float64", requires_grad=False):
    return (ember.tensor(data, dtype=getattr(ember, dtype), requires_grad=requires_grad),
            torch.tensor(data, dtype=getattr(torch, dtype), requires_grad=requires_grad))


def _close(e, t):
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(force=True), rtol=1e-6,
                               atol=1e-9)


def _raises_like_torch(torch, case):
    """case(ember) raises the exception class and message case(torch) raises."""
    with pytest.raises(Exception) as t_err:
        case(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        case(ember)
    assert str(e_err.value) == str(t_err.value)


# torch defines no derivative for these three in place ("inplace version of acosh")
NO_INPLACE_GRAD = {"acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_", "arctanh_"}


@pytest.mark.parametrize("name", INPLACE_UNARY)
def test_inplace_unary_variants_match_torch_and_keep_autograd(torch, name):
    data = np.random.default_rng(0).uniform(0.2, 0.8, (2, 3))  # inside every domain here
    if "cosh" in name:
        data = data + 1.0
    (e_leaf, t_leaf) = _both(torch, data, requires_grad=True)
    e, t = e_leaf * 1.0, t_leaf * 1.0
    assert getattr(e, name)() is e
    getattr(t, name)()
    _close(e, t)
    if name in NO_INPLACE_GRAD:
        return
    e.sum().backward()
    t.sum().backward()
    _close(e_leaf.grad, t_leaf.grad)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


@pytest.mark.parametrize("name", INPLACE_BINARY)
def test_inplace_binary_variants_match_torch(torch, name):
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.2, 2, (2, 3)), rng.uniform(0.2, 2, (3,))
    b[0] = a[0, 0]  # one equal pair for the comparisons
    e, t = _both(torch, a)
    eb, tb = _both(torch, b)
    assert getattr(e, name)(eb) is e
    getattr(t, name)(tb)
    _close(e, t)


def test_swapaxes_and_swapdims_in_place(torch):
    for name in ("swapaxes_", "swapdims_"):
        e, t = _both(torch, np.arange(6.0).reshape(2, 3))
        assert getattr(e, name)(0, 1) is e
        _close(e, getattr(t, name)(0, 1))


def test_multiply_subtract_divide_methods(torch):
    e, t = _both(torch, [[1.0, 2.0], [3.0, 4.0]])
    _close(e.multiply(e), t.multiply(t))
    _close(e.multiply(3), t.multiply(3))
    _close(e.subtract(e, alpha=2), t.subtract(t, alpha=2))
    _close(e.divide(2.0, rounding_mode="floor"), t.divide(2.0, rounding_mode="floor"))


def test_shift_operators_and_in_place(torch):
    for dtype in ("int64", "int32", "int8", "uint8"):
        e, t = _both(torch, [1, 2, 3, 7], dtype)
        _close(e << 2, t << 2)
        _close(e >> 1, t >> 1)
        _close(5 << e, 5 << t)
        _close(100 >> e, 100 >> t)
        _close(e.bitwise_left_shift(e), t.bitwise_left_shift(t))
        e <<= 3
        t <<= 3
        _close(e, t)
        e >>= 1
        t >>= 1
        _close(e, t)
    e, t = _both(torch, [True, False], "bool")
    _close(e << 1, t << 1)


def test_shift_refusals_match_torch(torch):
    cases = [lambda m: m.tensor([1.0]) << 1, lambda m: m.tensor([1]) << 1.5,
             lambda m: m.tensor([1.0]) >> m.tensor([1])]
    for case in cases:
        with pytest.raises(Exception) as t_err:
            case(torch)
        with pytest.raises(type(t_err.value), match=str(t_err.value).replace('"', '.')):
            case(ember)


def test_unfold_is_a_view_of_sliding_windows(torch):
    e, t = _both(torch, np.arange(12.0).reshape(2, 6))
    we, wt = e.unfold(1, 2, 2), t.unfold(1, 2, 2)
    _close(we, wt)
    we[0, 1, 0] = -1.0  # windows that do not overlap are written through to the base
    wt[0, 1, 0] = -1.0
    _close(e, t)
    e[1, 5] = 50.0
    t[1, 5] = 50.0
    assert we[1, 2, 1].item() == 50.0
    _close(e.unfold(0, 1, 1), t.unfold(0, 1, 1))
    _close(e.unfold(-1, 4, 1), t.unfold(-1, 4, 1))
    _close(e.unfold(1, 0, 3), t.unfold(1, 0, 3))


def test_unfold_overlapping_gradients_accumulate(torch):
    data = np.random.default_rng(2).standard_normal((3, 5))
    e, t = _both(torch, data, requires_grad=True)
    go = np.random.default_rng(3).standard_normal((3, 2, 3))
    e.unfold(1, 3, 2).backward(ember.tensor(go))
    t.unfold(1, 3, 2).backward(torch.tensor(go))
    _close(e.grad, t.grad)


def test_unfold_errors_match_torch(torch):
    for args in ((0, 7, 1), (0, 2, 0), (1, 2, 1)):
        with pytest.raises(Exception) as t_err:
            torch.arange(6.0).unfold(*args)
        with pytest.raises(type(t_err.value), match=str(t_err.value).split("(")[0]):
            ember.arange(6.0).unfold(*args)


def test_range_as_an_index(torch):
    """The "What is torch.nn really?" loss: -input[range(n), target].mean()."""
    data = np.random.default_rng(4).standard_normal((4, 3))
    e, t = _both(torch, data, requires_grad=True)
    target = [2, 0, 1, 1]
    le = -e[range(4), ember.tensor(target)].mean()
    lt = -t[range(4), torch.tensor(target)].mean()
    _close(le, lt)
    le.backward()
    lt.backward()
    _close(e.grad, t.grad)
    _close(e[range(1, 4, 2)], t[range(1, 4, 2)])


def test_zero_dim_index_in_gather_and_scatter(torch):
    e, t = _both(torch, [1.0, 2.0, 3.0])
    _close(e.gather(0, ember.tensor(2)), t.gather(0, torch.tensor(2)))
    _close(e.clone().scatter_(0, ember.tensor(1), 9.0), t.clone().scatter_(0, torch.tensor(1), 9.0))
    _close(e.clone().scatter_(0, ember.tensor(1), ember.tensor([7.0, 8.0], dtype=ember.float64)),
           t.clone().scatter_(0, torch.tensor(1), torch.tensor([7.0, 8.0], dtype=torch.float64)))
    _close(ember.zeros(()).scatter_(0, ember.tensor(0), 5.0),
           torch.zeros(()).scatter_(0, torch.tensor(0), 5.0))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        ember.zeros(3, 4).gather(1, ember.tensor(0))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        torch.zeros(3, 4).gather(1, torch.tensor(0))


def test_scatter_src_larger_than_index_gets_zero_gradient_outside():
    """torch raises in this backward ("invalid gradient"); ember pads with zeros, the gradient
    gradcheck confirms."""
    src = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    base = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    idx = ember.tensor([[1, 1, 0]])
    for fn in (lambda b, s: b.scatter_reduce(0, idx, s, "sum"),
               lambda b, s: b.scatter_add(0, idx, s), lambda b, s: b.scatter(0, idx, s)):
        assert ember.autograd.gradcheck(fn, (base, src))
        fn(base, src).sum().backward()
        assert not src.grad[1].any() and not src.grad[0, 3].any()
        src.grad = None


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_with_zeros_and_ties_matches_torch(torch, reduce, include_self):
    a = np.array([[0.5, 2.0, 0.0, 1.0], [3.0, -1.0, 2.0, 4.0]])
    s = np.array([[0.0, 2.0, 0.0], [4.0, 0.0, 4.0]])  # zeros (prod) and ties (amax/amin)
    idx = [[0, 1, 1], [3, 3, 3]]
    grads = []
    for m in (ember, torch):
        at = m.tensor(a, requires_grad=True)
        st = m.tensor(s, requires_grad=True)
        y = at.scatter_reduce(1, m.tensor(idx), st, reduce, include_self=include_self)
        y.backward(m.tensor(np.arange(8.0).reshape(2, 4) + 1))
        grads.append((y, at.grad, st.grad))
    for e, t in zip(*grads):
        _close(e, t)


def test_scatter_reduce_refusals(torch):
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, "
                                               "amax or amin"):
            m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "maximum")


def test_scatter_reduce_in_place_and_integer_mean(torch):
    e, t = _both(torch, [1, 2, 3], "int64")
    for incl in (True, False):
        _close(e.clone().scatter_reduce_(0, ember.tensor([0, 0]), ember.tensor([4, 5]), "mean",
                                         include_self=incl),
               t.clone().scatter_reduce_(0, torch.tensor([0, 0]), torch.tensor([4, 5]), "mean",
                                         include_self=incl))


def test_linspace_bool_refused_as_torch(torch):
    with pytest.raises(NotImplementedError) as t_err:
        torch.linspace(0, 1, 5, dtype=torch.bool)
    with pytest.raises(NotImplementedError) as e_err:
        ember.linspace(0, 1, 5, dtype=ember.bool)
    assert str(e_err.value) == str(t_err.value)


REDUCTIONS = ["sum", "mean", "nansum", "prod", "std", "var", "max", "min", "amax", "amin",
              "argmax", "argmin", "median", "nanmedian", "logsumexp", "all", "any",
              "count_nonzero", "std_mean", "var_mean", "cumsum", "cumprod", "cummax", "cummin",
              "logcumsumexp", "nanmean"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_axis_alias_on_reductions(torch, name):
    data = np.random.default_rng(5).standard_normal((3, 4))
    e, t = _both(torch, data)
    for kwargs in ({"axis": 1}, {"axis": 0}):
        got, want = getattr(ember, name)(e, **kwargs), getattr(torch, name)(t, **kwargs)
        got = got if isinstance(got, tuple) else (got,)
        want = want if isinstance(want, tuple) else (want,)
        for g, w in zip(got, want):
            _close(g, w)
        if hasattr(t, name):
            method = getattr(e, name)(**kwargs)
            _close(method if not isinstance(method, tuple) else method[0], want[0])


def test_axis_alias_on_kthvalue(torch):
    data = np.random.default_rng(6).standard_normal((3, 4))
    e, t = _both(torch, data)
    _close(ember.kthvalue(e, 2, axis=0).values, torch.kthvalue(t, 2, axis=0).values)
    with pytest.raises(TypeError):
        ember.max(e, dim=0, axis=0)


def test_positive_and_unary_plus(torch):
    e = ember.tensor([1.0, -2.0])
    assert ember.positive(e) is e and e.positive() is e and +e is e
    for m in (ember, torch):
        b = m.tensor([True])
        with pytest.raises(RuntimeError, match="The `\\+` operator, on a bool tensor is not "
                                               "supported."):
            +b
        with pytest.raises(RuntimeError, match="on a bool tensor"):
            m.positive(b)


def test_refusals_match_torch(torch):
    cases = [
        lambda m: m.heaviside(m.tensor([1.0]), m.tensor([1])),
        lambda m: m.nextafter(m.tensor([1]), m.tensor([2])),
        lambda m: m.nanmean(m.tensor([1, 2])),
        lambda m: m.heaviside(m.tensor([1.0], requires_grad=True), m.tensor([0.5])).sum()
        .backward(),
    ]
    for case in cases:
        _raises_like_torch(torch, case)


def test_logcumsumexp_far_apart_and_infinite_values(torch):
    data = [[-1000.0, 1000.0, 0.0, -np.inf], [-np.inf, -np.inf, 3.0, 1e4]]
    e, t = _both(torch, data, requires_grad=True)
    ye, yt = e.logcumsumexp(1), t.logcumsumexp(1)
    _close(ye, yt)
    go = [[1.0, -2.0, 0.5, 1.0], [2.0, 1.0, -1.0, 0.5]]
    ye.backward(ember.tensor(go, dtype=ember.float64))
    yt.backward(torch.tensor(go, dtype=torch.float64))
    _close(e.grad, t.grad)


def test_copysign_signbit_and_angle_of_integers_and_zeros(torch):
    e, t = _both(torch, [0, 3, -2], "int64")
    _close(ember.copysign(e, -1), torch.copysign(t, -1))
    _close(ember.copysign(e, ember.tensor([-0.0, 1.0, 1.0])),
           torch.copysign(t, torch.tensor([-0.0, 1.0, 1.0])))
    _close(ember.signbit(e), torch.signbit(t))
    _close(ember.angle(e), torch.angle(t))
    _close(ember.signbit(ember.tensor([-0.0, 0.0])), torch.signbit(torch.tensor([-0.0, 0.0])))
    _close(ember.float_power(e, 2), torch.float_power(t, 2))


def test_refusals_of_the_shape_and_counting_ops_match_torch(torch):
    cases = [
        lambda m: m.rot90(m.zeros(2, 3), 1, (0, 0)),
        lambda m: m.rot90(m.zeros(2, 3), 1, (0, 1, 2)),
        lambda m: m.rot90(m.zeros(3)),
        lambda m: m.select(m.zeros(2, 3), 0, 5),
        lambda m: m.take_along_dim(m.zeros(2, 3), m.tensor([[0.0]]), 1),
        lambda m: m.take_along_dim(m.zeros(2, 3), m.tensor([0]), 1),
        lambda m: m.bincount(m.tensor([-1])),
        lambda m: m.bincount(m.tensor([1.0])),
        lambda m: m.bincount(m.tensor([1]), minlength=-1),
        lambda m: m.bincount(m.tensor([1]), weights=m.tensor([1.0, 2.0])),
        lambda m: m.aminmax(m.zeros(0)),
        lambda m: m.diff(m.zeros(3), n=-1),
        lambda m: m.diff(m.tensor(1.0)),
        lambda m: m.is_nonzero(m.zeros(2)),
        lambda m: m.is_nonzero(m.zeros(0)),
    ]
    for case in cases:
        _raises_like_torch(torch, case)


def test_predicates_and_broadcast_helpers(torch):
    for m in (ember, torch):
        assert m.is_nonzero(m.tensor([2])) and not m.is_nonzero(m.tensor(0.0))
        assert m.zeros(2, 3).is_same_size(m.ones(2, 3)) and not m.is_same_size(m.zeros(2),
                                                                                 m.zeros(3))
        assert tuple(m.broadcast_shapes((2, 1), (3,), 1)) == (2, 3)
        assert type(m.broadcast_shapes((2, 1))).__name__ == "Size"


def test_mse_loss_with_an_integer_target_has_torch_dtype(torch):
    for dtype in ("float32", "float64"):
        e, t = _both(torch, [0.5, 1.5, 2.0], dtype, requires_grad=True)
        le = ember.nn.functional.mse_loss(e, ember.tensor([1, 2, 3]))
        lt = torch.nn.functional.mse_loss(t, torch.tensor([1, 2, 3]))
        _close(le, lt)
        le.backward()
        lt.backward()
        _close(e.grad, t.grad)


def test_put_and_index_put_refusals_and_in_place(torch):
    cases = [
        lambda m: m.zeros(5).put(m.tensor([5]), m.tensor([1.0])),
        lambda m: m.zeros(5).put(m.tensor([1]), m.tensor([1.0], dtype=m.float64)),
        lambda m: m.zeros(5).put(m.tensor([1, 2]), m.tensor([1.0])),
        lambda m: m.zeros(5).put(m.tensor([1.0]), m.tensor([1.0])),
        lambda m: m.zeros(5).index_put((m.tensor([7]),), m.tensor(1.0)),
        lambda m: m.zeros(5).index_put((m.tensor([1]),), m.tensor(1.0, dtype=m.float64)),
        lambda m: m.zeros(2, 3).index_put((m.tensor([0, 1]),), m.tensor([1.0, 2.0])),
        lambda m: m.zeros(2, 3).index_put((m.tensor([0, 1]),), m.tensor([1.0, 2.0]),
                                          accumulate=True),
    ]
    for case in cases:
        _raises_like_torch(torch, case)
    e, t = _both(torch, np.zeros((2, 3)))
    assert e.put_(ember.tensor([0, 0]), ember.tensor([1.0, 2.0], dtype=ember.float64),
                  accumulate=True) is e
    t.put_(torch.tensor([0, 0]), torch.tensor([1.0, 2.0], dtype=torch.float64), accumulate=True)
    assert e.index_put_((ember.tensor([1]), ember.tensor([2])),
                        ember.tensor(5.0, dtype=ember.float64)) is e
    t.index_put_((torch.tensor([1]), torch.tensor([2])), torch.tensor(5.0, dtype=torch.float64))
    _close(e, t)


def test_python_numbers_where_torch_takes_only_tensors(torch):
    t = [1.0, -2.0]
    cases = [
        lambda m: m.copysign(2.0, m.tensor(t)),
        lambda m: m.heaviside(m.tensor(t), 2.0),
        lambda m: m.nextafter(m.tensor(t), 0.0),
        lambda m: m.ldexp(2.0, m.tensor([1])),
        lambda m: m.gcd(m.tensor([4]), 2),
        lambda m: m.lcm(2, m.tensor([4])),
        lambda m: m.gcd(m.tensor([1.0]), m.tensor([2.0])),
        lambda m: m.bitwise_left_shift(2.0, m.tensor([1])),
    ]
    for case in cases:
        _raises_like_torch(torch, case)


def test_quantile_refusals_and_nan_rows_match_torch(torch):
    x = [[1.0, 2.0], [3.0, 4.0]]
    cases = [
        lambda m: m.quantile(m.tensor(x), 1.5),
        lambda m: m.quantile(m.tensor([1, 2]), 0.5),
        lambda m: m.quantile(m.tensor(x), m.tensor([[0.5]])),
        lambda m: m.quantile(m.tensor(x), 0.5, interpolation="foo"),
        lambda m: m.quantile(m.tensor(x), m.tensor([0.5], dtype=m.float64)),
        lambda m: m.nanquantile(m.zeros(0), 0.5),
        lambda m: m.nanquantile(m.tensor(x), -0.5),
    ]
    for case in cases:
        _raises_like_torch(torch, case)
    y = [[1.0, np.nan, 3.0, 0.5], [np.nan] * 4, [1.0, 2.0, 3.0, 4.0]]
    for fn in ("quantile", "nanquantile"):
        e, t = _both(torch, y, requires_grad=True)
        ve, vt = getattr(e, fn)(0.4, 1), getattr(t, fn)(0.4, 1)
        _close(ve, vt)
        ve.backward(ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64))
        vt.backward(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
        _close(e.grad, t.grad)


def test_real_tensor_views_and_refusals_as_torch(torch):
    x = ember.randn(2, 3)
    assert ember.real(x) is x and x.conj() is x and ember.conj(x) is x
    assert not ember.is_complex(x) and ember.is_signed(x) and not ember.is_signed(x.to(ember.uint8))
    assert ember.isreal(x).all()
    cases = [lambda m: m.imag(m.zeros(2)), lambda m: m.histc(m.tensor([1, 2]), 3)]
    for case in cases:
        _raises_like_torch(torch, case)


def test_histc_of_the_data_range_and_cov_of_one_observation(torch):
    data = [1.0, 2.0, 1.0, 5.0]
    e, t = _both(torch, data, "float32")
    _close(e.histc(4), t.histc(4))
    _close(ember.histc(ember.tensor([3.0, 3.0]), 2), torch.histc(torch.tensor([3.0, 3.0]), 2))
    e, t = _both(torch, [[1.0], [2.0]])
    _close(ember.cov(e), torch.cov(t))  # n - correction = 0: inf and nan, as torch


TORCH_INPLACE = ["abs_", "acos_", "arccos_", "arcsin_", "arctan_", "asin_", "atan_", "ceil_",
                 "cos_", "cosh_", "deg2rad_", "exp2_", "exp_", "expm1_", "fix_", "floor_",
                 "frac_", "log10_", "log1p_", "log2_", "log_", "rad2deg_", "reciprocal_",
                 "round_", "rsqrt_", "sigmoid_", "sin_", "sinh_", "sqrt_", "tan_", "tanh_",
                 "trunc_", "neg_", "negative_", "square_"]


@pytest.mark.parametrize("name", TORCH_INPLACE)
def test_torch_level_in_place_functions(torch, name):
    data = np.random.default_rng(8).uniform(0.2, 0.8, (2, 3))
    e_leaf, t_leaf = _both(torch, data, requires_grad=True)
    e, t = e_leaf * 1.0, t_leaf * 1.0
    assert getattr(ember, name)(e) is e
    getattr(torch, name)(t)
    _close(e, t)
    e.sum().backward()
    t.sum().backward()
    _close(e_leaf.grad, t_leaf.grad)


def test_torch_level_in_place_with_arguments(torch):
    e, t = _both(torch, [[1.26, -2.5]])
    _close(ember.round_(e, decimals=1), torch.round_(t, decimals=1))
    for name, other in (("gcd_", [6, 4]), ("lcm_", [6, 4]), ("ldexp_", [1, 2])):
        dtype = "float64" if name == "ldexp_" else "int64"
        e, t = _both(torch, [4, 10], dtype)
        eo, to = _both(torch, other, "int64")
        _close(getattr(ember, name)(e, eo), getattr(torch, name)(t, to))
    e, t = _both(torch, np.zeros(4))
    i = [1, 3]
    _close(ember.index_put_(e, (ember.tensor(i),), ember.tensor(2.0, dtype=ember.float64), True),
           torch.index_put_(t, (torch.tensor(i),), torch.tensor(2.0, dtype=torch.float64), True))


def test_slice_and_select_scatter_refusals(torch):
    cases = [lambda m: m.select_scatter(m.zeros(3, 4), m.ones(3), 0, 1),
             lambda m: m.slice_scatter(m.zeros(3, 4), m.ones(3, 3), 1, 0, 4, 2),
             lambda m: m.select_scatter(m.zeros(3, 4), m.ones(4), 0, 5)]
    for case in cases:
        _raises_like_torch(torch, case)
