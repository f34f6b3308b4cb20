"""Tensors meeting an operand that is no tensor, number or NumPy-style array (a list, a tuple, a
str, None, bytes, an arbitrary object), against torch: the operators answer NotImplemented so
Python decides (x == "a" and x == [1., 2.] are False, x < "a" and x + [1., 2.] raise Python's
TypeError), the functions raise torch's TypeError, and `in` raises torch's RuntimeError. NumPy
arrays stay operands of the operators."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

FOREIGN = ["a", None, b"a", object(), [1.0, 2.0], (1, 2)]
FOREIGN_IDS = ["str", "None", "bytes", "object", "list", "tuple"]

OPERATORS = {
    "==": lambda x, o: x == o, "!=": lambda x, o: x != o, "<": lambda x, o: x < o,
    "<=": lambda x, o: x <= o, ">": lambda x, o: x > o, ">=": lambda x, o: x >= o,
    "+": lambda x, o: x + o, "r+": lambda x, o: o + x, "-": lambda x, o: x - o,
    "r-": lambda x, o: o - x, "/": lambda x, o: x / o, "r/": lambda x, o: o / x,
    "**": lambda x, o: x ** o, "//": lambda x, o: x // o, "%": lambda x, o: x % o,
    "&": lambda x, o: x & o, "r==": lambda x, o: o == x, "*": lambda x, o: x * o,
    "r*": lambda x, o: o * x, "@": lambda x, o: x @ o, "r<": lambda x, o: o < x,
}
IN_PLACE = ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>="]
INTEGER_OPERATORS = {"&", "&=", "|=", "^=", "<<=", ">>="}


def _outcome(f, *args):
    try:
        r = f(*args)
    except Exception as e:  # the exception's type and text are what is compared
        return type(e), str(e).replace("Tensor", "T")
    return r


@pytest.mark.parametrize("other", FOREIGN, ids=FOREIGN_IDS)
@pytest.mark.parametrize("op", OPERATORS)
def test_operators_match_torch(op, other):
    dtype = "int64" if op in INTEGER_OPERATORS else "float32"
    f = OPERATORS[op]
    got = _outcome(f, ember.ones(2, dtype=getattr(ember, dtype)), other)
    want = _outcome(f, torch.ones(2, dtype=getattr(torch, dtype)), other)
    assert got == want


@pytest.mark.parametrize("other", FOREIGN, ids=FOREIGN_IDS)
@pytest.mark.parametrize("op", IN_PLACE)
def test_in_place_operators_match_torch(op, other):
    def apply(m):
        x = m.ones(2, dtype=m.int64 if op in INTEGER_OPERATORS else m.float32)
        return _outcome(lambda: exec(f"x {op} other", {"x": x, "other": other}))
    assert apply(ember) == apply(torch)
    assert apply(ember)[0] is TypeError


@pytest.mark.parametrize("other", FOREIGN, ids=FOREIGN_IDS)
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "add", "sub", "mul",
                                  "div"])
def test_functions_raise_torchs_type_error(name, other):
    with pytest.raises(TypeError) as want:
        getattr(torch, name)(torch.ones(2), other)
    with pytest.raises(TypeError) as got:
        getattr(ember, name)(ember.ones(2), other)
    assert str(got.value) == str(want.value)


# ops whose torch message lists the overloads, without per-overload detail
@pytest.mark.parametrize("other", FOREIGN, ids=FOREIGN_IDS)
@pytest.mark.parametrize("name", ["fmod", "copysign", "pow", "float_power", "rsub"])
def test_overload_functions_raise_torchs_type_error(name, other):
    with pytest.raises(TypeError) as want:
        getattr(torch, name)(torch.ones(2), other)
    with pytest.raises(TypeError) as got:
        getattr(ember, name)(ember.ones(2), other)
    assert str(got.value) == str(want.value)


def test_numbers_and_arrays_still_compare_and_add():
    x = ember.tensor([1.0, 2.0])
    assert (x == 2).tolist() == [False, True] and (x != 1.0).tolist() == [False, True]
    assert (x + 1).tolist() == [2.0, 3.0] and ember.add(x, 1.5).tolist() == [2.5, 3.5]
    y = x.clone()
    y += 1
    assert y.tolist() == [2.0, 3.0]


# torch's own tensors meeting NumPy's operator dispatch warn about __array_wrap__
@pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")
@pytest.mark.parametrize("op", ["==", "r==", "+", "*"])
def test_numpy_arrays_stay_operands_of_the_operators(op):
    got = OPERATORS[op](ember.tensor([1.0, 2.0]), np.array([1.0, 3.0]))
    want = OPERATORS[op](torch.tensor([1.0, 2.0]), np.array([1.0, 3.0]))
    assert got.tolist() == want.tolist() and str(got.dtype) == str(want.dtype)


@pytest.mark.parametrize("element", [1.0, 3, True, 1 + 0j, "a", None, [1.0], object()],
                         ids=["float", "int", "bool", "complex", "str", "None", "list", "object"])
def test_contains_matches_torch(element):
    def contains(m):
        x = m.tensor([1.0, 2.0])
        return _outcome(lambda: element in x)
    assert contains(ember) == contains(torch)
    if not isinstance(element, (int, float, complex)):
        assert contains(ember)[0] is RuntimeError


# an array exponent is a tensor exponent: x ** np.ones(2) as torch's x ** torch.ones(2)
@pytest.mark.parametrize("exponent", [np.array([2.0, 3.0]), np.array([2.0, 3.0], np.float32),
                                      np.array([2, 3])], ids=["float64", "float32", "int64"])
@pytest.mark.parametrize("how", ["operator", "function"])
def test_array_exponent_is_a_tensor_exponent(exponent, how):
    def power(m, e):
        x = m.tensor([1.5, 2.0], requires_grad=True)
        y = x ** e if how == "operator" else m.pow(x, e)
        y.sum().backward()
        return y.tolist(), str(y.dtype), x.grad.tolist(), type(y.grad_fn).__name__
    assert power(ember, exponent) == power(torch, torch.from_numpy(exponent))


def test_array_exponent_of_an_integer_tensor_keeps_its_dtype():
    got = ember.tensor([2, 3]) ** np.array([2, 3])
    want = torch.tensor([2, 3]) ** torch.tensor([2, 3])
    assert got.tolist() == want.tolist() and str(got.dtype) == str(want.dtype)


def _without_match_detail(message):
    """torch's message less its per-overload "didn't match because" lines, which ember leaves
    out (their type descriptions, such as 'list of [float, float]', are torch's parser's own)."""
    return [line for line in message.splitlines() if "didn't match because" not in line]


# the functions (and torch's aliases, which name themselves) that take a tensor or a number
@pytest.mark.parametrize("other", FOREIGN, ids=FOREIGN_IDS)
@pytest.mark.parametrize("name", [
    "floor_divide", "remainder", "bitwise_left_shift", "bitwise_right_shift", "bitwise_and",
    "bitwise_or", "bitwise_xor", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "subtract", "multiply", "divide", "true_divide"])
def test_tensor_or_number_functions_raise_torchs_type_error(name, other):
    integer = name.startswith("bitwise")
    with pytest.raises(TypeError) as want:
        getattr(torch, name)(torch.ones(2, dtype=torch.int64 if integer else torch.float32), other)
    with pytest.raises(TypeError) as got:
        getattr(ember, name)(ember.ones(2, dtype=ember.int64 if integer else ember.float32), other)
    assert _without_match_detail(str(got.value)) == _without_match_detail(str(want.value))


@pytest.mark.parametrize("name", ["floor_divide", "remainder", "bitwise_left_shift",
                                  "bitwise_and", "greater", "subtract", "divide"])
def test_tensor_or_number_functions_still_take_numbers_and_arrays(name):
    def apply(m):
        x = m.tensor([6, 7])
        return [getattr(m, name)(x, o).tolist() for o in (2, m.tensor([2, 3]))]
    assert apply(ember) == apply(torch)
    assert getattr(ember, name)(ember.tensor([6, 7]), np.array([2, 3])).tolist() == \
        getattr(torch, name)(torch.tensor([6, 7]), torch.tensor([2, 3])).tolist()


# the same for functions whose torch message has no per-overload detail: the whole text matches
@pytest.mark.parametrize("other", FOREIGN, ids=FOREIGN_IDS)
@pytest.mark.parametrize("name", ["xlogy", "special.xlogy", "special.xlog1py", "special.zeta",
                                  "arctan2", "atan2"])
def test_named_binary_functions_raise_torchs_type_error(name, other):
    def function(m):
        return getattr(m.special, name[8:]) if name.startswith("special.") else getattr(m, name)
    with pytest.raises(TypeError) as want:
        function(torch)(torch.ones(2), other)
    with pytest.raises(TypeError) as got:
        function(ember)(ember.ones(2), other)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("name", ["xlogy", "special.xlogy", "special.xlog1py", "special.zeta"])
def test_named_binary_functions_still_take_numbers(name):
    def apply(m):
        f = getattr(m.special, name[8:]) if name.startswith("special.") else getattr(m, name)
        x = m.tensor([1.5, 2.5], dtype=m.float64)
        return f(x, 2.0).tolist() + f(x, x).tolist()
    assert apply(ember) == pytest.approx(apply(torch))


@pytest.mark.parametrize("other", FOREIGN + [2.0, np.ones(2)], ids=FOREIGN_IDS + ["float", "array"])
@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_incomplete_gamma_takes_tensors_only(name, other):
    for position in (0, 1):
        def call(m):
            args = [m.ones(2), m.ones(2)]
            args[position] = other
            return getattr(m, name)(*args)
        with pytest.raises(TypeError) as want:
            call(torch)
        with pytest.raises(TypeError) as got:
            call(ember)
        assert str(got.value) == str(want.value)


# input and end must be tensors; the weight may also be a number
@pytest.mark.parametrize("position, bad", [(p, b) for p in (0, 1, 2) for b in FOREIGN]
                         + [(0, 2.0), (1, 2.0)])
def test_lerp_raises_torchs_type_error(position, bad):
    def call(m):
        args = [m.ones(2), m.zeros(2), 0.5]
        args[position] = bad
        return m.lerp(*args)
    with pytest.raises(TypeError) as want:
        call(torch)
    with pytest.raises(TypeError) as got:
        call(ember)
    assert str(got.value) == str(want.value)
