"""dtypes, their NumPy twins, the default dtype and PyTorch's type promotion."""
import builtins

import numpy as np


class dtype:
    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize
        self._category = {"b": 0, "u": 1, "i": 1, "f": 2}[self.np.kind]

    @property
    def is_complex(self):
        return False

    def to_complex(self):
        raise TypeError("ember has no complex dtypes")

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool)
_FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
# Legacy tensor type names, as Tensor.type() prints them.
LEGACY_NAMES = {float16: "HalfTensor", float32: "FloatTensor", float64: "DoubleTensor",
                int8: "CharTensor", int16: "ShortTensor", int32: "IntTensor",
                int64: "LongTensor", uint8: "ByteTensor", bool: "BoolTensor"}


def type_name(x):
    """PyTorch's scalar type name (Float, Long, Bool ...) of a dtype, NumPy dtype, array or tensor."""
    d = x if isinstance(x, (dtype, np.dtype)) else getattr(x, "dtype", x)
    if not isinstance(d, dtype):
        d = from_numpy_dtype(d)
    return LEGACY_NAMES[d][:-len("Tensor")]


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(np_dtype):
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only "
                        "supported types are: float64, float32, float16, int64, int32, int16, "
                        "int8, uint8, and bool.") from None


def to_numpy_dtype(d):
    """Accept an ember dtype, a NumPy dtype, a Python type or None (None passes through)."""
    if d is None or type(d) is np.dtype:
        return d
    if isinstance(d, dtype):
        return d.np
    if d is builtins.float:
        return _default.np
    if d is builtins.int:
        return np.dtype(np.int64)
    if d is builtins.bool:
        return np.dtype(np.bool_)
    return from_numpy_dtype(d).np


_default = float32


def get_default_dtype():
    return _default


def set_default_dtype(d):
    global _default
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default = d


def default_np():
    return _default.np


def _category(np_dtype):
    k = np_dtype.kind
    return 2 if k == "f" else (0 if k == "b" else 1)


def _promote_group(np_dtypes):
    top = max(_category(d) for d in np_dtypes)
    out = None
    for d in np_dtypes:
        if _category(d) == top:
            out = d if out is None else np.promote_types(out, d)
    return out


def _scalar_category(x):
    if isinstance(x, builtins.bool):
        return 0
    if isinstance(x, builtins.int):
        return 1
    return 2




def result_type(*operands):
    """PyTorch's promotion over arrays (0-d arrays are zero-dim tensors) and Python scalars.

    Dimensioned tensors win ties of category, then zero-dim tensors; a Python scalar only decides
    the dtype when its category (bool < integer < float) is higher than every tensor's.
    """
    dims, zeros, scalar_cat = [], [], -1
    for x in operands:
        if hasattr(x, "dtype") and hasattr(x, "ndim"):
            (dims if x.ndim else zeros).append(x.dtype)
        else:
            scalar_cat = max(scalar_cat, _scalar_category(x))
    dim_cat = max((_category(d) for d in dims), default=-1)
    zero_cat = max((_category(d) for d in zeros), default=-1)
    if dims and dim_cat >= zero_cat and dim_cat >= scalar_cat:
        return _promote_group(dims)
    if zeros and zero_cat >= scalar_cat:
        return _promote_group(zeros + [d for d in dims if _category(d) == zero_cat])
    return {0: np.dtype(np.bool_), 1: np.dtype(np.int64), 2: _default.np}[scalar_cat]


# The names torch's overflow errors give each dtype: its own name where torch.tensor converts,
# the C++ type's where a fill (full, fill_) does.
_CPP_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "int8_t",
              "int16": "int16_t", "int32": "int", "int64": "int64_t", "uint8": "uint8_t"}


def check_fits(values, d, fill=False):
    """Raise torch's overflow RuntimeError when Python numbers (an array made from them) do not
    fit dtype d. Integers take any value whose magnitude fits (-1 becomes 255 in uint8, as in
    C); floats going to an integer type must lie within its range; a fill also refuses finite
    floats beyond a floating type's range, where torch.tensor rounds them to inf."""
    a = np.asarray(values)
    if a.size == 0 or d is bool or a.dtype.kind not in "iuf":
        return
    if d.is_floating_point:
        if not (fill and a.dtype.kind == "f"):
            return
        finite = np.abs(a[np.isfinite(a)])
        fits = finite.size == 0 or finite.max() <= builtins.float(np.finfo(d.np).max)
    else:
        info = np.iinfo(d.np)
        if a.dtype.kind == "f":
            fits = np.isfinite(a).all() and info.min <= a.min() and a.max() <= info.max
        else:
            low = info.min if info.min < 0 else -info.max
            fits = low <= builtins.int(a.min()) and builtins.int(a.max()) <= info.max
    if not fits:
        name = _CPP_NAMES[d.name] if fill else d.name
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def checked_fill(value, d):
    """A Python number as a fill value of dtype d: checked as torch checks a fill, and wrapped
    as C wraps it (-1 fills a uint8 tensor with 255)."""
    check_fits(value, d, fill=True)
    if isinstance(value, builtins.int) and not isinstance(value, builtins.bool) \
            and not d.is_floating_point and d is not bool:
        return builtins.int(np.array(value).astype(d.np))
    return value
