"""torch._foreach_* (ember/ops/foreach.py) against torch: values and dtypes of every form, the
in-place forms' identity and version bumps, torch's errors, and autograd through the lists."""
import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

SHAPES = [(3,), (2, 4), ()]
UNARY = ["abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp", "expm1",
         "floor", "frac", "lgamma", "log", "log10", "log1p", "log2", "neg", "reciprocal", "round",
         "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "clamp_min", "clamp_max", "pow"]


def _arrays(seed, low=0.1, high=0.9):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, s).astype(np.float32) for s in SHAPES]


def _list(lib, seed, **kwargs):
    return [lib.tensor(a) for a in _arrays(seed, **kwargs)]


def _numpy(value):
    if isinstance(value, (list, tuple)):
        return [_numpy(v) for v in value]
    return value.detach().numpy()


def _same_results(got, want):
    assert type(got) is type(want) and len(got) == len(want)
    for g, w in zip(got, want):
        assert str(g.dtype) == str(w.dtype) and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=2e-6, atol=1e-7)


def _same_out_of_place(call):
    """call(lib) -> the foreach result: a tuple of new tensors with torch's values."""
    _same_results(call(ember), call(torch))


def _same_in_place(call, seed=0):
    """call(lib, tensors) runs an in-place form on tensors: it returns that very list, changes
    each tensor in place (same objects, one version bump each) to torch's values."""
    outcomes = []
    for lib in (ember, torch):
        tensors = _list(lib, seed)
        ids, versions = [id(t) for t in tensors], [t._version for t in tensors]
        assert call(lib, tensors) is tensors
        assert [id(t) for t in tensors] == ids
        assert [t._version for t in tensors] == [v + 1 for v in versions]
        outcomes.append(tensors)
    _same_results(*outcomes)


def _same_error(call):
    outcomes = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            call(lib)
        outcomes.append((info.type, str(info.value)))
    assert outcomes[0] == outcomes[1]


def test_the_family_is_torchs_less_mm_and_powsum():
    mine = {n for n in dir(ember) if n.startswith("_foreach_")}
    theirs = {n for n in dir(torch) if n.startswith("_foreach_")}
    assert theirs - mine == {"_foreach_mm", "_foreach_powsum"} and mine <= theirs


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    _same_out_of_place(lambda lib: getattr(lib, f"_foreach_{name}")(_list(lib, 0)))
    _same_in_place(lambda lib, ts: getattr(lib, f"_foreach_{name}_")(ts))


# The second operand in each form torch takes: a number, one number per tensor, one tensor per
# tensor (each broadcasting to self's shape, so the in-place form can take it), a 0-dim tensor.
OTHERS = {
    "scalar": lambda lib: 0.5,
    "int scalar": lambda lib: 2,
    "scalar list": lambda lib: [0.5, 2, -1.5],
    "tensor list": lambda lib: _list(lib, 1),
    "tensor list, broadcast": lambda lib: [lib.tensor(0.3), lib.tensor([0.5, 0.2, 0.9, 0.1]),
                                           lib.tensor(0.7)],
    "0-dim tensor": lambda lib: lib.tensor(0.25),
}


@pytest.mark.parametrize("other", list(OTHERS))
@pytest.mark.parametrize("name", BINARY)
def test_binary(name, other):
    make = OTHERS[other]
    _same_out_of_place(lambda lib: getattr(lib, f"_foreach_{name}")(_list(lib, 0), make(lib)))
    _same_in_place(lambda lib, ts: getattr(lib, f"_foreach_{name}_")(ts, make(lib)))


# torch has no sub of a tensor with alpha (its 0-dim tensor is parsed as a number there)
@pytest.mark.parametrize("name, other", [("add", "tensor list"), ("sub", "tensor list"),
                                         ("add", "0-dim tensor")])
def test_add_sub_alpha(name, other):
    make = OTHERS[other]
    _same_out_of_place(lambda lib: getattr(lib, f"_foreach_{name}")(_list(lib, 0), make(lib),
                                                                     alpha=-3))
    _same_in_place(lambda lib, ts: getattr(lib, f"_foreach_{name}_")(ts, make(lib), alpha=2.5))


def test_pow_of_a_number():
    _same_out_of_place(lambda lib: lib._foreach_pow(2.0, _list(lib, 0)))
    _same_out_of_place(lambda lib: lib._foreach_pow(3, _list(lib, 0)))


def test_dtype_promotion_is_the_ops():
    ints = lambda lib: [lib.tensor([1, 2]), lib.tensor([[3]])]  # noqa: E731
    _same_out_of_place(lambda lib: lib._foreach_add(ints(lib), 1.5))
    _same_out_of_place(lambda lib: lib._foreach_div(ints(lib), 2))
    _same_out_of_place(lambda lib: lib._foreach_sqrt(ints(lib)))
    _same_out_of_place(lambda lib: lib._foreach_mul(
        [lib.ones(2, dtype=lib.float16)], [lib.ones(2, dtype=lib.float64)]))


# A 0-dim tensor that needs no grad is a Number to torch's parser (self's dtype wins) except in mul,
# div and add with alpha=, which have a one-tensor overload first (tensor promotion: 0-dim with
# 0-dim gives float64 here).
@pytest.mark.parametrize("name, kwargs", [(n, {}) for n in BINARY] + [("add", {"alpha": 1})])
@pytest.mark.parametrize("self_dtype", ["float32", "int64"])
def test_a_0_dim_tensor_operand_promotes_as_torch_reads_it(name, kwargs, self_dtype):
    def call(lib):
        tensors = [lib.tensor(3, dtype=getattr(lib, self_dtype)), lib.ones(2, dtype=lib.int32)]
        return getattr(lib, f"_foreach_{name}")(tensors, lib.tensor(2.0, dtype=lib.float64),
                                                **kwargs)
    _same_out_of_place(call)


# addcmul/addcdiv's weight: value=, a list of numbers (positional or scalars=) or a 1-D tensor.
WEIGHTS = {
    "default": lambda lib: {},
    "value": lambda lib: {"value": -0.5},
    "scalars list": lambda lib: {"scalars": [1.0, -2.0, 0.5]},
    "positional list": lambda lib: {"positional": (2, 0.5, -1)},
    "packed tensor": lambda lib: {"positional": lib.tensor([1.5, -1.0, 0.25])},
}


def _pointwise_call(lib, name, tensors, weight):
    kwargs = dict(WEIGHTS[weight](lib))
    args = (kwargs.pop("positional"),) if "positional" in kwargs else ()
    return getattr(lib, f"_foreach_{name}")(tensors, _list(lib, 1), _list(lib, 2), *args, **kwargs)


@pytest.mark.parametrize("weight", list(WEIGHTS))
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addcmul_addcdiv(name, weight):
    _same_out_of_place(lambda lib: _pointwise_call(lib, name, _list(lib, 0), weight))
    _same_in_place(lambda lib, ts: _pointwise_call(lib, name + "_", ts, weight))


@pytest.mark.parametrize("weight", ["scalar", "scalar list", "tensor list", "0-dim tensor"])
def test_lerp(weight):
    make = OTHERS[weight]
    _same_out_of_place(lambda lib: lib._foreach_lerp(_list(lib, 0), _list(lib, 3), make(lib)))
    _same_in_place(lambda lib, ts: lib._foreach_lerp_(ts, _list(lib, 3), make(lib)))


@pytest.mark.parametrize("ord", [2, 1, 3, 0, math.inf, -math.inf, 0.5])
def test_norm(ord):
    _same_out_of_place(lambda lib: lib._foreach_norm(_list(lib, 0, low=-1, high=1), ord))
    _same_out_of_place(lambda lib: lib._foreach_norm(_list(lib, 0), ord, dtype=lib.float64))


def test_zero_copy_clone_max():
    _same_in_place(lambda lib, ts: lib._foreach_zero_(ts))
    _same_in_place(lambda lib, ts: lib._foreach_copy_(ts, _list(lib, 5)))
    _same_out_of_place(lambda lib: lib._foreach_max(_list(lib, 0)))
    for lib in (ember, torch):
        tensors = _list(lib, 0)
        clones = lib._foreach_clone(tensors)
        assert all(c is not t and lib.equal(c, t) for c, t in zip(clones, tensors))


def test_a_tuple_in_place_returns_that_tuple():
    tensors = tuple(_list(ember, 0))
    assert ember._foreach_mul_(tensors, 2) is tensors
    np.testing.assert_allclose(_numpy(tensors[0]), 2 * _arrays(0)[0])


ERRORS = {
    "empty list": lambda lib: lib._foreach_add([], 1),
    "empty lists": lambda lib: lib._foreach_mul_([], []),
    "empty unary": lambda lib: lib._foreach_sqrt([]),
    "empty norm": lambda lib: lib._foreach_norm([]),
    "empty zero_": lambda lib: lib._foreach_zero_([]),
    "empty pow exponents": lambda lib: lib._foreach_pow(2, []),
    "tensor lists differ": lambda lib: lib._foreach_add(_list(lib, 0), _list(lib, 1)[:2]),
    "in place too": lambda lib: lib._foreach_sub_(_list(lib, 0), _list(lib, 1)[:1], alpha=2),
    "scalar list short": lambda lib: lib._foreach_mul(_list(lib, 0), [1.0, 2.0]),
    "scalar list empty": lambda lib: lib._foreach_div(_list(lib, 0), []),
    "not a 0-dim tensor": lambda lib: lib._foreach_add(_list(lib, 0), lib.ones(3)),
    "mixed list": lambda lib: lib._foreach_add(_list(lib, 0), [lib.ones(3), 1, 2]),
    "addcmul tensor1": lambda lib: lib._foreach_addcmul(_list(lib, 0), _list(lib, 1)[:1],
                                                        _list(lib, 2)),
    "addcdiv tensor2": lambda lib: lib._foreach_addcdiv_(_list(lib, 0), _list(lib, 1),
                                                         _list(lib, 2)[:2]),
    "addcmul scalars": lambda lib: lib._foreach_addcmul(_list(lib, 0), _list(lib, 1),
                                                        _list(lib, 2), [1.0]),
    "packed scalars length": lambda lib: lib._foreach_addcmul(
        _list(lib, 0), _list(lib, 1), _list(lib, 2), lib.ones(2)),
    "packed scalars dim": lambda lib: lib._foreach_addcdiv(
        _list(lib, 0), _list(lib, 1), _list(lib, 2), scalars=lib.tensor(2.0)),
    "lerp ends": lambda lib: lib._foreach_lerp(_list(lib, 0), _list(lib, 1)[:1], 0.5),
    "lerp weights": lambda lib: lib._foreach_lerp_(_list(lib, 0), _list(lib, 1), [0.5]),
    "copy_ sources": lambda lib: lib._foreach_copy_(_list(lib, 0), _list(lib, 1)[:2]),
    "shapes": lambda lib: lib._foreach_add(_list(lib, 0), [lib.ones(2), lib.ones(1), lib.ones(1)]),
    "in-place cast": lambda lib: lib._foreach_add_([lib.tensor([1, 2])], 2.5),
    "norm of ints": lambda lib: lib._foreach_norm([lib.tensor([1, 2])]),
    "bool neg": lambda lib: lib._foreach_neg([lib.tensor([True])]),
    "leaf in place": lambda lib: lib._foreach_mul_([lib.ones(2, requires_grad=True)], 2),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_are_torchs(case):
    _same_error(ERRORS[case])


def test_checks_come_before_any_change():
    tensors = _list(ember, 0)
    with pytest.raises(RuntimeError):
        ember._foreach_add_(tensors, [1.0, 2.0])
    with pytest.raises(RuntimeError):
        ember._foreach_copy_(tensors, _list(ember, 1)[:2])
    assert all(t._version == 0 for t in tensors)
    np.testing.assert_array_equal(_numpy(tensors[0]), _arrays(0)[0])


def _grads(lib, step):
    """The gradients of sum(step(xs, ys)) with respect to the leaves xs and ys (no 0-dim ones:
    torch's foreach addcdiv backward fails on them)."""
    xs = [t.requires_grad_() for t in _list(lib, 0)[:2]]
    ys = [t.requires_grad_() for t in _list(lib, 1)[:2]]
    sum(r.sum() for r in step(lib, xs, ys)).backward()
    return [t.grad for t in xs + ys]


STEPS = {
    "mul": lambda lib, xs, ys: lib._foreach_mul(xs, ys),
    "add alpha": lambda lib, xs, ys: lib._foreach_add(xs, ys, alpha=-2),
    "addcdiv": lambda lib, xs, ys: lib._foreach_addcdiv(xs, ys, xs, [0.5, -2]),
    "addcmul": lambda lib, xs, ys: lib._foreach_addcmul(ys, xs, xs, value=-2),
    "lerp": lambda lib, xs, ys: lib._foreach_lerp(xs, ys, ys),
    "maximum": lambda lib, xs, ys: lib._foreach_maximum(xs, ys),
    "norm of exp": lambda lib, xs, ys: lib._foreach_norm(lib._foreach_exp(lib._foreach_sub(
        xs, ys))),
    # in place on non-leaves, as torch records it: the graph goes through the in-place op
    "in place": lambda lib, xs, ys: lib._foreach_mul_(lib._foreach_mul(xs, 1.0), ys),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_autograd_through_the_lists(step):
    got, want = _grads(ember, STEPS[step]), _grads(torch, STEPS[step])
    assert all(g is not None for g in got)
    for g, w in zip(got, want):
        np.testing.assert_allclose(_numpy(g), _numpy(w), rtol=1e-5, atol=1e-6)
