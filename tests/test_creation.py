"""Factory functions and random sampling: shapes, dtypes, values and memory sharing vs torch."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _same(e, t, rtol=0.0):
    """Same dtype, shape and values (NaN-free data) as a torch tensor."""
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=rtol, atol=0.0)


# -- tensor / as_tensor / from_numpy ---------------------------------------------------------------

INFER = {
    "floats": [1.5, 2.0],
    "ints": [[1, 2], [3, 4]],
    "bools": [True, False],
    "int_and_float": [1, 2.5],
    "bool_and_int": [True, 2],
    "bool_and_float": [True, 2.0],
    "tuple": (1, 2, 3),
    "scalar_float": 3.0,
    "scalar_int": -7,
    "scalar_bool": False,
    "empty": [],
    "empty_nested": [[], []],
    "np_float64_scalar": np.float64(1.5),
    "np_float32_scalars": [np.float32(1.0), np.float32(2.0)],
    "np_int32_array": np.array([1, 2], np.int32),
    "np_float64_array": np.array([[1.0, 2.0]]),
    "np_uint8_array": np.array([0, 255], np.uint8),
    "int64_min": -2 ** 63,
}


@pytest.mark.parametrize("name", list(INFER))
def test_tensor_infers_dtype_like_torch(name):
    _same(ember.tensor(INFER[name]), torch.tensor(INFER[name]))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32",
                                   "int64", "uint8", "bool"])
def test_tensor_explicit_dtype(dtype):
    data = [[0, 1.5, 2.7], [3, -0.0, 1]] if dtype != "uint8" else [[0, 1.5, 2.7], [3, 0, 1]]
    _same(ember.tensor(data, dtype=getattr(ember, dtype)),
          torch.tensor(data, dtype=getattr(torch, dtype)))


def test_tensor_copies_and_is_a_leaf():
    a = np.array([1.0, 2.0], np.float32)
    t = ember.tensor(a)
    a[0] = 100.0
    assert t.tolist() == [1.0, 2.0]
    src = ember.tensor([1.0, 2.0])
    copy = ember.tensor(src)
    copy.numpy()[1] = 9.0
    assert src.tolist() == [1.0, 2.0]
    r = ember.tensor([1.0, 2.0], requires_grad=True)
    assert r.requires_grad and r.is_leaf and r.grad_fn is None


def test_tensor_of_tensors():
    e = ember.tensor([ember.tensor(1.0), ember.tensor(2.5)])
    _same(e, torch.tensor([1.0, 2.5]))


def test_tensor_bad_data():
    with pytest.raises(ValueError):
        ember.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        ember.tensor("abc")
    with pytest.raises(TypeError):
        ember.tensor(None)
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        ember.tensor([1, 2], requires_grad=True)


def test_tensor_int_overflow():
    with pytest.raises(ValueError, match="Overflow"):
        ember.tensor(2 ** 63)
    with pytest.raises(ValueError, match="Overflow"):
        ember.tensor([1, 2 ** 64])
    # As floats they are fine, as in torch.
    _same(ember.tensor(2 ** 63, dtype=ember.float64), torch.tensor(2 ** 63, dtype=torch.float64))
    _same(ember.tensor([1.5, 2 ** 64]), torch.tensor([1.5, 2 ** 64]))


def test_as_tensor_shares_numpy_memory():
    a = np.arange(4.0, dtype=np.float32)
    t = ember.as_tensor(a)
    a[0] = 10.0
    assert t.tolist()[0] == 10.0
    t64 = ember.as_tensor(a, dtype=ember.float64)  # a dtype change copies
    a[1] = 20.0
    assert t64.dtype == ember.float64 and t64.tolist()[1] == 1.0


def test_as_tensor_of_tensor_and_list():
    x = ember.ones(3)
    assert ember.as_tensor(x) is x
    y = ember.as_tensor(x, dtype=ember.float64)
    assert y.dtype == ember.float64 and y is not x
    _same(ember.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    _same(ember.as_tensor(3), torch.as_tensor(3))


def test_from_numpy_shares_memory_both_ways():
    a = np.zeros((2, 3), np.float64)
    t = ember.from_numpy(a)
    assert t.dtype == ember.float64 and t.shape == (2, 3)
    a[0, 0] = 5.0
    assert t.tolist()[0][0] == 5.0
    t.numpy()[1, 2] = 7.0
    assert a[1, 2] == 7.0
    t.add_(1.0)
    assert a[0, 0] == 6.0 and a[0, 1] == 1.0


def test_from_numpy_keeps_strides():
    a = np.arange(6).reshape(2, 3)[:, ::2]
    t = ember.from_numpy(a)
    assert t.stride() == torch.from_numpy(a).stride() == (3, 2)
    assert t.tolist() == [[0, 2], [3, 5]]


def test_from_numpy_rejects():
    with pytest.raises(TypeError, match="expected np.ndarray"):
        ember.from_numpy([1, 2])
    with pytest.raises(TypeError):
        ember.from_numpy(np.array(["a"]))


# -- legacy constructors ---------------------------------------------------------------------------

LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
          "CharTensor", "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_typed_constructor_from_data(name):
    data = [[0, 1.7, 2], [3, 4, 1]]
    e, t = getattr(ember, name)(data), getattr(torch, name)(data)
    _same(e, t)
    assert e.type() == t.type() == f"torch.{name}"
    assert isinstance(e, ember.Tensor)


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_typed_constructor_from_sizes(name):
    e, t = getattr(ember, name)(2, 3), getattr(torch, name)(2, 3)
    assert e.shape == t.shape and str(e.dtype) == str(t.dtype)


def test_legacy_tensor_constructor():
    _same(ember.Tensor([1, 2]), torch.Tensor([1, 2]))
    _same(ember.Tensor([[1.5], [2.5]]), torch.Tensor([[1.5], [2.5]]))
    assert ember.Tensor(2, 3).shape == (2, 3) and ember.Tensor(2, 3).dtype == ember.float32
    assert ember.Tensor(ember.Size([4, 1])).shape == (4, 1)
    _same(ember.Tensor(), torch.Tensor())
    _same(ember.Tensor(np.array([1, 2], np.int64)), torch.Tensor(np.array([1, 2], np.int64)))
    a = np.ones(2, np.float32)
    t = ember.Tensor(a)
    a[0] = 3.0
    assert t.tolist() == [1.0, 1.0]  # the legacy constructor copies data


# -- zeros / ones / full / empty and *_like ------------------------------------------------------

SIZES = {"varargs": (2, 3), "tuple": ((2, 3),), "list": ([2, 3],), "scalar_shape": ((),),
         "zero": (0,), "one_dim": (4,)}


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", list(SIZES))
def test_constant_factories(fn, size):
    e, t = getattr(ember, fn)(*SIZES[size]), getattr(torch, fn)(*SIZES[size])
    assert e.shape == t.shape and e.dtype == ember.float32
    if fn != "empty":
        _same(e, t)


def test_factory_dtype_and_size_object():
    for fn in ("zeros", "ones"):
        for dt in ("int32", "float64", "bool", "uint8", "float16"):
            _same(getattr(ember, fn)(ember.Size([2, 2]), dtype=getattr(ember, dt)),
                  getattr(torch, fn)(torch.Size([2, 2]), dtype=getattr(torch, dt)))
    assert ember.empty(3, dtype=ember.int64).dtype == ember.int64


def test_factory_requires_grad_and_errors():
    x = ember.zeros(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        ember.ones(2, dtype=ember.int64, requires_grad=True)
    with pytest.raises(RuntimeError):
        ember.zeros(-1)
    with pytest.raises(TypeError):
        ember.zeros(2.0)


FULL = {
    "int": ((2, 3), 7),
    "float": ((2,), 1.5),
    "bool": ((2,), True),
    "list_size": ([2, 1], 3.0),
    "negative": ((3,), -2),
}


@pytest.mark.parametrize("name", list(FULL))
def test_full(name):
    size, value = FULL[name]
    _same(ember.full(size, value), torch.full(size, value))


def test_full_dtype_and_tensor_value():
    _same(ember.full((2,), 7, dtype=ember.float64), torch.full((2,), 7, dtype=torch.float64))
    _same(ember.full((2,), ember.tensor(2.5)), torch.full((2,), torch.tensor(2.5)))


LIKE = {
    "int64": np.array([[1, 2, 3]], np.int64),
    "float64": np.array([1.5, 2.5], np.float64),
    "bool": np.array([True, False]),
    "float32_3d": np.ones((2, 1, 3), np.float32),
}


@pytest.mark.parametrize("src", list(LIKE))
@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like"])
def test_like_factories_keep_shape_and_dtype(fn, src):
    e = getattr(ember, fn)(ember.tensor(LIKE[src]))
    t = getattr(torch, fn)(torch.tensor(LIKE[src]))
    assert e.shape == t.shape and str(e.dtype) == str(t.dtype)
    if fn != "empty_like":
        _same(e, t)


def test_like_factories_overrides():
    src_e, src_t = ember.tensor([1, 2]), torch.tensor([1, 2])
    _same(ember.zeros_like(src_e, dtype=ember.float16), torch.zeros_like(src_t,
                                                                        dtype=torch.float16))
    _same(ember.full_like(src_e, 2.7), torch.full_like(src_t, 2.7))
    _same(ember.full_like(src_e, 2.7, dtype=ember.float64),
          torch.full_like(src_t, 2.7, dtype=torch.float64))
    r = ember.ones_like(ember.ones(2), requires_grad=True)
    assert r.requires_grad and r.is_leaf


# -- ranges and eye --------------------------------------------------------------------------------

ARANGE = {
    "end_int": ((5,), {}),
    "end_float": ((5.0,), {}),
    "start_end": ((2, 7), {}),
    "negative_step": ((5, 0, -1), {}),
    "float_step": ((0, 1, 0.1), {}),
    "half_step": ((1, 2.5, 0.5), {}),
    "negative_float": ((-1.5, 1.6, 0.7), {}),
    "float_step_long": ((0, 10, 0.1), {}),
    "float64": ((0, 1, 0.3), {"dtype": "float64"}),
    "int_as_float16": ((3,), {"dtype": "float16"}),
    "int_as_int32": ((1, 10, 3), {"dtype": "int32"}),
    "empty": ((3, 3), {}),
    "np_int": ((np.int64(4),), {}),
}


@pytest.mark.parametrize("name", list(ARANGE))
def test_arange(name):
    args, kw = ARANGE[name]
    e = ember.arange(*args, **{k: getattr(ember, v) for k, v in kw.items()})
    t = torch.arange(*args, **{k: getattr(torch, v) for k, v in kw.items()})
    # torch's vectorised float32 kernel adds the step in float32 within each SIMD block, so a
    # step that is not a binary fraction can differ from ember's in the last bit.
    _same(e, t, rtol=2e-7)


def test_arange_tensor_args_and_errors():
    _same(ember.arange(ember.tensor(3)), torch.arange(torch.tensor(3)))
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ember.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent"):
        ember.arange(5, 0, 1)
    assert ember.arange(3, requires_grad=False).requires_grad is False
    assert ember.arange(3.0, requires_grad=True).requires_grad


LINSPACE = {
    "unit": (0, 1, 5),
    "one_step": (2, 3, 1),
    "no_steps": (2, 3, 0),
    "descending": (3, -2, 6),
    "odd": (-1, 1, 7),
    "fractional": (0.1, 7.3, 13),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(LINSPACE))
def test_linspace(name, dtype):
    e = ember.linspace(*LINSPACE[name], dtype=getattr(ember, dtype))
    t = torch.linspace(*LINSPACE[name], dtype=getattr(torch, dtype))
    assert e.dtype == getattr(ember, dtype) and e.shape == t.shape
    # torch computes in the target dtype from both ends: equal up to rounding.
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)
    if t.numel():
        assert e.tolist()[0] == t.tolist()[0] and e.tolist()[-1] == t.tolist()[-1]


def test_linspace_default_and_integer_dtype():
    assert ember.linspace(0, 1, 3).dtype == ember.float32
    _same(ember.linspace(0, 10, 5, dtype=ember.int64), torch.linspace(0, 10, 5, dtype=torch.int64))
    _same(ember.linspace(-10, 0, 4, dtype=ember.int64),
          torch.linspace(-10, 0, 4, dtype=torch.int64))


@pytest.mark.parametrize("args", [(0, 3, 4), (0, 3, 4, 2), (-2, 2, 5), (1, 0, 3, 3.0)])
def test_logspace(args):
    e, t = ember.logspace(*args), torch.logspace(*args)
    assert e.dtype == ember.float32 and e.shape == t.shape
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)
    _same(ember.logspace(0, 3, 4, dtype=ember.int64), torch.logspace(0, 3, 4, dtype=torch.int64))


@pytest.mark.parametrize("args,dtype", [((3,), None), ((2, 3), "int64"), ((3, 2), "float64"),
                                        ((2,), "bool"), ((0,), None)])
def test_eye(args, dtype):
    e = ember.eye(*args, **({"dtype": getattr(ember, dtype)} if dtype else {}))
    t = torch.eye(*args, **({"dtype": getattr(torch, dtype)} if dtype else {}))
    _same(e, t)


# -- random sampling -------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_rand_randn_shapes_and_dtypes(fn):
    f = getattr(ember, fn)
    assert f(2, 3).shape == (2, 3) and f(2, 3).dtype == ember.float32
    assert f((4,)).shape == (4,) and f([2, 2]).shape == (2, 2) and f(()).shape == ()
    for dt in (ember.float64, ember.float16):
        assert f(5, dtype=dt).dtype == dt
    r = f(3, requires_grad=True)
    assert r.requires_grad and r.is_leaf


def test_rand_range_and_randn_moments():
    u = ember.rand(20000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.02
    n = ember.randn(20000, dtype=ember.float64).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1.0) < 0.05


def test_randint_forms_dtypes_and_range():
    a = ember.randint(10, (3,))
    assert a.shape == (3,) and a.dtype == ember.int64
    b = ember.randint(3, 5, (1000,)).numpy()
    assert set(np.unique(b)) == {3, 4}
    assert ember.randint(0, 5, size=(2, 2)).shape == (2, 2)
    assert ember.randint(-3, 0, (50,)).numpy().max() < 0
    assert ember.randint(0, 5, (2,), dtype=ember.int32).dtype == ember.int32
    assert ember.randint(0, 5, (2,), dtype=ember.float32).dtype == ember.float32
    with pytest.raises(RuntimeError, match="expects 'from' to be less than 'to'"):
        ember.randint(5, 5, (2,))


def test_randperm():
    p = ember.randperm(50)
    assert p.dtype == ember.int64 and sorted(p.tolist()) == list(range(50))
    assert ember.randperm(4, dtype=ember.float32).dtype == ember.float32
    assert ember.randperm(0).shape == (0,)


def test_normal_forms():
    a = ember.normal(2.0, 3.0, size=(2, 3))
    assert a.shape == (2, 3) and a.dtype == ember.float32
    big = ember.normal(2.0, 3.0, size=(20000,), dtype=ember.float64).numpy()
    assert abs(big.mean() - 2.0) < 0.1 and abs(big.std() - 3.0) < 0.1
    assert ember.normal(ember.zeros(3), 1.0).shape == (3,)
    assert ember.normal(0.0, ember.ones(2, 2)).shape == (2, 2)
    m = ember.normal(ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64))
    assert m.dtype == ember.float64
    # zero std gives the mean exactly
    assert ember.normal(ember.tensor([1.0, -2.0]), 0.0).tolist() == [1.0, -2.0]
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        ember.normal(0.0, -1.0, size=(2,))
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        ember.normal(ember.zeros(2), ember.tensor([1.0, -1.0]))


def test_bernoulli():
    p = ember.tensor([0.0, 1.0, 1.0, 0.0])
    _same(ember.bernoulli(p), torch.bernoulli(torch.tensor([0.0, 1.0, 1.0, 0.0])))
    d = ember.bernoulli(ember.tensor([0.0, 1.0], dtype=ember.float64))
    assert d.dtype == ember.float64 and d.tolist() == [0.0, 1.0]
    half = ember.bernoulli(ember.full((10000,), 0.5)).numpy()
    assert set(np.unique(half)) == {0.0, 1.0} and abs(half.mean() - 0.5) < 0.03
    assert ember.bernoulli(ember.zeros(3), 1.0).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError):
        ember.bernoulli(ember.tensor([2.0]))
    with pytest.raises(RuntimeError, match="expects p to be in"):
        ember.bernoulli(ember.zeros(2), -0.5)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_bernoulli_in_place_with_a_number(dtype):
    """Tensor.bernoulli_(p) for a number p draws uniforms in float32 (float64 for a float64
    tensor) and compares them into the tensor: only 0 and 1, about p of them ones, p = 0 and 1
    exact, and torch's error for a p outside [0, 1]."""
    t = ember.empty(20000, dtype=getattr(ember, dtype))
    ones = t.bernoulli_(0.3).numpy().astype(np.float64)
    assert t.dtype == getattr(ember, dtype) and set(np.unique(ones)) == {0.0, 1.0}
    assert abs(ones.mean() - 0.3) < 0.02
    assert t.bernoulli_(1.0).numpy().min() == 1 and t.bernoulli_(0.0).numpy().max() == 0
    for p in (1.5, -0.1, float("nan")):
        messages = []
        for mod in (ember, torch):
            with pytest.raises(RuntimeError) as info:
                mod.empty(3, dtype=getattr(mod, dtype)).bernoulli_(p)
            messages.append(str(info.value))
        assert messages[0] == messages[1]
    with pytest.raises(RuntimeError, match="Expected p_in >= 0 && p_in <= 1"):
        ember.empty(2).bernoulli_(ember.tensor([0.5, 1.5]))


def test_multinomial():
    only = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 4, replacement=True)
    assert only.dtype == ember.int64 and only.tolist() == [1, 1, 1, 1]
    rows = ember.multinomial(ember.ones(2, 4), 3)
    assert rows.shape == (2, 3)
    for row in rows.tolist():
        assert len(set(row)) == 3  # without replacement: distinct
    counts = np.bincount(ember.multinomial(ember.tensor([1.0, 3.0]), 4000, True).numpy())
    assert abs(counts[1] / 4000 - 0.75) < 0.03
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        ember.multinomial(ember.ones(3), 4)
    with pytest.raises(RuntimeError, match="probability tensor contains"):
        ember.multinomial(ember.tensor([-1.0, 1.0]), 1)
    with pytest.raises(RuntimeError, match="prob_dist must be 1 or 2 dim"):
        ember.multinomial(ember.ones(2, 2, 2), 1)


def test_random_like():
    src = ember.ones(2, 3, dtype=ember.float64)
    assert ember.rand_like(src).dtype == ember.float64 and ember.rand_like(src).shape == (2, 3)
    assert ember.randn_like(src).dtype == ember.float64
    ri = ember.randint_like(ember.ones(500), 3, 5)
    assert ri.dtype == ember.float32 and set(np.unique(ri.numpy())) == {3.0, 4.0}
    assert set(np.unique(ember.randint_like(ember.ones(200, dtype=ember.int32), 2).numpy())) \
        == {0, 1}


def test_manual_seed_reproducible():
    ember.manual_seed(123)
    a = [ember.rand(4), ember.randn(3), ember.randint(0, 100, (5,)), ember.randperm(6),
         ember.normal(0.0, 1.0, size=(2,)), ember.bernoulli(ember.full((5,), 0.5)),
         ember.multinomial(ember.ones(6), 3)]
    ember.manual_seed(123)
    b = [ember.rand(4), ember.randn(3), ember.randint(0, 100, (5,)), ember.randperm(6),
         ember.normal(0.0, 1.0, size=(2,)), ember.bernoulli(ember.full((5,), 0.5)),
         ember.multinomial(ember.ones(6), 3)]
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    assert ember.initial_seed() == 123
    assert not np.array_equal(ember.rand(4).numpy(), a[0].numpy())


def test_manual_seed_returns_generator_and_rng_state():
    assert isinstance(ember.manual_seed(7), ember.Generator)
    state = ember.get_rng_state()
    assert state.dtype == ember.uint8
    x = ember.rand(5)
    ember.set_rng_state(state)
    assert ember.rand(5).tolist() == x.tolist()


def test_generator_streams_are_independent():
    g1 = ember.Generator()
    assert g1.manual_seed(5) is g1 and g1.initial_seed() == 5
    g2 = ember.Generator().manual_seed(5)
    ember.manual_seed(0)
    a = ember.rand(4, generator=g1)
    ember.rand(10)  # the default generator does not move g1 or g2
    b = ember.rand(4, generator=g2)
    assert a.tolist() == b.tolist()
    assert ember.randint(0, 9, (6,), generator=g1).tolist() == \
        ember.randint(0, 9, (6,), generator=g2).tolist()
    assert ember.randperm(8, generator=g1).tolist() == ember.randperm(8, generator=g2).tolist()
    state = g1.get_state()
    c = ember.randn(3, generator=g1)
    g1.set_state(state)
    assert ember.randn(3, generator=g1).tolist() == c.tolist()
    assert g1.device == ember.device("cpu")


def test_seed_sets_a_fresh_initial_seed():
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s


# -- values that do not fit their dtype (issue 14) -------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda m: m.tensor([300, -1], dtype=m.uint8),
    lambda m: m.tensor([200], dtype=m.int8),
    lambda m: m.tensor([-256], dtype=m.uint8),
    lambda m: m.tensor([1e20], dtype=m.int64),
    lambda m: m.tensor([float("nan")], dtype=m.int32),
    lambda m: m.tensor([-1.5], dtype=m.uint8),
    lambda m: m.full((2, 3), 1e40),
    lambda m: m.full((2, 3), 1e5, dtype=m.float16),
    lambda m: m.full((1,), 300, dtype=m.uint8),
    lambda m: m.full((1,), 2 ** 40, dtype=m.int32),
    lambda m: m.zeros(2, dtype=m.uint8).fill_(300),
    lambda m: m.zeros(2).fill_(1e40),
    lambda m: m.linspace(-1e30, 1e30, 3, dtype=m.float16),
])
def test_overflowing_values_raise_torchs_error(make):
    with pytest.raises(RuntimeError) as got:
        make(torch)
    with pytest.raises(RuntimeError, match="without overflow") as ours:
        make(ember)
    assert str(ours.value) == str(got.value)


@pytest.mark.parametrize("make", [
    lambda m: m.tensor([-1], dtype=m.uint8),
    lambda m: m.tensor([1e40]),
    lambda m: m.tensor([1e40], dtype=m.float32),
    lambda m: m.tensor([float("inf"), float("nan")], dtype=m.float16),
    lambda m: m.full((2,), -1, dtype=m.uint8),
    lambda m: m.full((2,), float("inf")),
    lambda m: m.zeros(2, dtype=m.uint8).fill_(-1),
    lambda m: m.tensor([255.0, 0.0], dtype=m.uint8),
])
def test_values_torch_accepts_are_accepted(make):
    e, t = make(ember), make(torch)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("start, end, steps", [
    (0, float("inf"), 5), (-3, 7, 10), (1e-3, 5, 7), (5, -2, 4), (-1, 1, 1001), (0.1, 0.7, 33),
    (0, 1, 1), (0, 1, 0)])
def test_linspace_gives_torchs_values_to_the_bit(dtype, start, end, steps):
    e = ember.linspace(start, end, steps, dtype=getattr(ember, dtype))
    t = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
    np.testing.assert_array_equal(e.numpy(), t.numpy())  # NaNs in the same places too


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16])
def test_in_place_uniform_and_normal_in_the_tensors_dtype(dtype):
    """uniform_/normal_ draw straight into float tensors (no float64 temporaries): values in
    range with the right moments, every element of a non-contiguous view written, the dtype
    kept, and a seed repeating them."""
    ember.manual_seed(3)
    u = ember.empty(200, 300, dtype=dtype).uniform_(-2.0, 3.0)
    n = ember.empty(200, 300, dtype=dtype).normal_(1.5, 0.5)
    for t in (u, n):
        assert t.dtype == dtype
    a = np.asarray(u, np.float64)
    assert a.min() >= -2.0 and a.max() <= 3.0
    assert abs(a.mean() - 0.5) < 0.05 and abs(a.std() - 5 / 12 ** 0.5) < 0.05
    b = np.asarray(n, np.float64)
    assert abs(b.mean() - 1.5) < 0.02 and abs(b.std() - 0.5) < 0.02
    view = ember.zeros(50, 40, dtype=dtype).t()
    view.uniform_(5.0, 6.0)
    assert np.asarray(view, np.float64).min() >= 5.0
    ember.manual_seed(3)
    assert ember.empty(200, 300, dtype=dtype).uniform_(-2.0, 3.0).tolist() == u.tolist()


@pytest.mark.parametrize("make", [
    lambda t: t.tensor([t.tensor([1.0]), t.tensor([2.0])]),
    lambda t: t.tensor([[t.tensor([1.0])], [t.tensor([2.0])]]),
    lambda t: t.as_tensor([t.tensor([1.0]), t.tensor([2.0])]),
    lambda t: t.tensor([t.tensor(1.0, dtype=t.float64)] * 2),
    lambda t: t.tensor([np.float32(1), 2]),
    lambda t: t.tensor([np.float32(1), t.tensor(2)]),
    lambda t: t.tensor([t.tensor(1), t.tensor(2.5)]),
    lambda t: t.tensor([t.tensor(True), 2]),
    lambda t: t.tensor([np.float64(1), 2.5]),
    lambda t: t.tensor([np.float16(1), 2.5]),
    lambda t: t.tensor([t.tensor(1, dtype=t.int8), t.tensor(2, dtype=t.uint8)]),
    lambda t: t.tensor([t.tensor([1.0, 2.0]), t.tensor([3.0, 4.0])])])
def test_sequences_of_tensors_and_numpy_scalars_as_torch(make):
    """A tensor inside a sequence stands for its one number (torch's ValueError for more), and
    the tensors' and NumPy scalars' own dtypes take part in the inferred dtype."""
    def run(lib):
        try:
            r = make(lib)
        except ValueError as exc:
            return str(exc)
        return r.tolist(), str(r.dtype).split(".")[-1], tuple(r.shape)
    assert run(ember) == run(torch)


@pytest.mark.parametrize("make", [
    lambda: np.arange(6.0)[::-1], lambda: np.arange(6.0).astype(">f8"),
    lambda: np.arange(6.0).reshape(2, 3)[:, ::-1], lambda: np.array(["a"]),
    lambda: np.array([object()]), lambda: np.arange(6.0).reshape(2, 3)[:, ::2]])
def test_from_numpy_refuses_what_torch_refuses(make):
    def run(lib):
        try:
            return lib.from_numpy(make()).tolist()
        except (TypeError, ValueError) as exc:
            return type(exc).__name__, str(exc)
    assert run(ember) == run(torch)
