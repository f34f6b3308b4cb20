"""dtypes, their NumPy twins, the default dtype and PyTorch's type promotion."""
import builtins

import numpy as np


class dtype:
    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize
        self._category = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[self.np.kind]

    @property
    def is_complex(self):
        return self._category == 3

    def to_complex(self):
        """The complex dtype of a floating dtype's precision (a complex dtype is its own)."""
        if self._category == 3:
            return self
        if self._category != 2:
            raise RuntimeError(f"Unknown Complex ScalarType for {type_name(self)}")
        return complex_of(self.np)

    def to_real(self):
        """The real dtype of a complex dtype's precision (any other dtype is its own)."""
        return _FROM_NP[np.empty(0, self.np).real.dtype] if self._category == 3 else self

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
uint16 = dtype("uint16", np.uint16)
uint32 = dtype("uint32", np.uint32)
uint64 = dtype("uint64", np.uint64)
bool = dtype("bool", np.bool_)
complex64 = cfloat = dtype("complex64", np.complex64)
complex128 = cdouble = dtype("complex128", np.complex128)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool,
       complex64, complex128)
# NOTE [ Wide unsigned dtypes ]
# torch has uint16/32/64 as storage types with few kernels: each promotes only with itself and
# with floating dtypes (anything else raises torch's RuntimeError); ember computes on
# them with NumPy wherever an op is reached.
_WIDE_UNSIGNED = frozenset(np.dtype(t) for t in (np.uint16, np.uint32, np.uint64))
_FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
# Legacy tensor type names, as Tensor.type() prints them.
LEGACY_NAMES = {float16: "HalfTensor", float32: "FloatTensor", float64: "DoubleTensor",
                int8: "CharTensor", int16: "ShortTensor", int32: "IntTensor",
                int64: "LongTensor", uint8: "ByteTensor", bool: "BoolTensor",
                uint16: "UInt16Tensor", uint32: "UInt32Tensor", uint64: "UInt64Tensor",
                complex64: "ComplexFloatTensor", complex128: "ComplexDoubleTensor"}


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
        scalar = np.dtype(np_dtype).type  # torch names the scalar type: numpy.str_, numpy.object_
        raise TypeError(f"can't convert np.ndarray of type numpy.{scalar.__name__}. The only "
                        "supported types are: float64, float32, float16, complex64, complex128, "
                        "int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool."
                        ) from None


def complex_of(np_dtype):
    """The complex dtype whose parts have a floating NumPy dtype's precision (torch's
    toComplexType); ember has no complex32 for float16."""
    if np_dtype == np.float16:
        raise TypeError("ember has no complex32 (torch.chalf) dtype: NumPy has no complex type "
                        "with float16 parts")
    return complex128 if np_dtype == np.float64 else complex64


def to_numpy_dtype(d):
    """Accept an ember dtype, a NumPy dtype, a Python type or None (None passes through). A
    Python type names the C type its values are, whatever the default dtype: float is double."""
    if d is None or type(d) is np.dtype:
        return d
    if isinstance(d, dtype):
        return d.np
    return from_numpy_dtype(d).np


_PYTHON_TYPES = {builtins.float: float64, builtins.int: int64, builtins.bool: bool,
                 builtins.complex: complex128}


def canonical(d):
    """A dtype argument as an ember dtype: torch also takes the Python types float, int, bool and
    complex, as the C type their values are (float is double whatever the default dtype)."""
    return _PYTHON_TYPES.get(d, d) if isinstance(d, type) else d


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


def default_complex():
    """The complex dtype of the default float dtype's precision (complex64 for float32)."""
    return complex128 if _default is float64 else complex64


def _category(np_dtype):
    return _KIND_CATEGORY[np_dtype.kind]


_KIND_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def castable_category(source, target):
    """torch's casting rule for results stored in place or into out=, on categories (0 bool,
    1 integral, 2 floating, 3 complex): never complex to real, floating to integral or Boolean,
    or anything but bool to bool. Within a category any cast goes (int64 into uint8 wraps)."""
    if source == 3 and target != 3:
        return False
    if source == 2 and target < 2:
        return False
    return not (source != 0 and target == 0)


def castable(source, target):
    """castable_category for NumPy dtypes."""
    return castable_category(_category(source), _category(target))


def cast_error(result, output):
    """torch's error for a result (a dtype, NumPy dtype or array) that castable_category refuses
    to store into output."""
    return RuntimeError(f"result type {type_name(result)} can't be cast to the desired output "
                        f"type {type_name(output)}")


def _promote_pair(a, b):
    """torch.promote_types on NumPy dtypes: the higher category wins, except that a complex
    dtype meeting a wider float widens to that float's complex (float64 + complex64 is
    complex128); within a category NumPy's rule is torch's."""
    ca, cb = _category(a), _category(b)
    if a != b and 2 not in (ca, cb) and (a in _WIDE_UNSIGNED or b in _WIDE_UNSIGNED):
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                           f"attempted to promote {type_name(a)} and {type_name(b)}")
    if ca == cb:
        return np.promote_types(a, b)
    if ca < cb:
        a, b, ca, cb = b, a, cb, ca
    if ca == 3 and cb == 2 and b.itemsize * 2 > a.itemsize:
        return complex_of(b).np
    return a


def _promote_all(np_dtypes):
    out = None
    for d in np_dtypes:
        out = d if out is None else _promote_pair(out, d)
    return out


def _combine(higher, lower):
    """torch's combine of a result from a higher priority tier of operands (dimensioned tensors,
    then zero-dim tensors, then Python numbers) with one from the tiers below it: the lower
    tier decides only when its category is higher, and a complex from below takes the float
    precision of the higher tier."""
    if higher is None or lower is None:
        return lower if higher is None else higher
    ch, cl = _category(higher), _category(lower)
    if ch == 3 or ch == 2 and cl < 3:
        return higher
    if cl == 3:
        return complex_of(higher).np if ch == 2 else lower
    if ch == 0 or cl == 2:
        return _promote_pair(higher, lower)
    return higher


def _scalar_dtype(x):
    """The dtype a Python number takes in promotion (torch's wrapped numbers)."""
    if isinstance(x, builtins.bool):
        return np.dtype(np.bool_)
    if isinstance(x, builtins.int):
        return np.dtype(np.int64)
    if isinstance(x, builtins.complex):
        return default_complex().np
    return _default.np


def result_type(*operands):
    """PyTorch's promotion over arrays (0-d arrays are zero-dim tensors) and Python scalars.

    Each tier (dimensioned tensors, zero-dim tensors, Python numbers) is promoted on its own,
    then the tiers are combined from the lowest up (`_combine`).
    """
    dims, zeros, scalar = [], [], None
    for x in operands:
        if hasattr(x, "dtype") and hasattr(x, "ndim"):
            (dims if x.ndim else zeros).append(x.dtype)
        else:
            d = _scalar_dtype(x)
            scalar = d if scalar is None or _category(d) > _category(scalar) else scalar
    return _combine(_promote_all(dims), _combine(_promote_all(zeros), scalar))


# The names torch's overflow errors give each dtype: its own name where torch.tensor converts,
# the C++ type's where a fill (full, fill_) does.
_CPP_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "int8_t",
              "int16": "int16_t", "int32": "int", "int64": "int64_t", "uint8": "uint8_t",
              "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t"}


def check_fits(values, d, fill=False):
    """Raise torch's overflow RuntimeError when Python numbers (an array made from them) do not
    fit dtype d. Integers take any value whose magnitude fits (-1 becomes 255 in uint8, as in
    C); floats going to an integer type must lie within its range; a fill also refuses finite
    floats beyond a floating type's range, where torch.tensor rounds them to inf."""
    a = np.asarray(values)
    if a.dtype.kind == "c" and not d.is_complex and a.size:
        if not fill:
            raise TypeError("must be real number, not complex" if d.is_floating_point else
                            "'complex' object cannot be interpreted as an integer")
        if (a.imag != 0).any():  # a fill takes a complex value whose imaginary part is 0
            raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES.get(d.name, d.name)} "
                               "without overflow")
        a = a.real
    if a.size == 0 or d is bool or d.is_complex or a.dtype.kind not in "iuf":
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


def _cast_warns(src, dst):
    """Whether NumPy warns converting dtype src to dst where torch converts silently: floats that
    are NaN or out of an integer type's range, floats beyond a narrower float type's range."""
    if src.kind not in "fc":
        return False
    return dst.kind in "iu" or dst.kind in "fc" and _float_bytes(dst) < _float_bytes(src)


def _float_bytes(d):
    """Bytes of one real component: a complex dtype's half."""
    return d.itemsize // 2 if d.kind == "c" else d.itemsize


def cast(array, np_dtype):
    """array.astype(np_dtype), silently: torch's conversions (to, copy_, a fill from a tensor)
    convert out-of-range values as the machine does, without a warning."""
    if _cast_warns(array.dtype, np_dtype):
        with np.errstate(invalid="ignore", over="ignore"):
            return array.astype(np_dtype)
    return array.astype(np_dtype)


def cast_into(out, src):
    """out[...] = src, converted silently as `cast` converts."""
    if hasattr(src, "dtype") and _cast_warns(src.dtype, out.dtype):
        with np.errstate(invalid="ignore", over="ignore"):
            out[...] = src
    else:
        out[...] = src


def tensor_fill_value(value, d):
    """A 0-d tensor's value as a fill value of dtype d, converted unchecked as torch's fill_ and
    fill convert it (300 fills a uint8 tensor with 44, a complex value gives its real part);
    a Python number is checked instead (checked_fill)."""
    a = np.asarray(value.item(), value._data.dtype)
    if a.dtype.kind == "c" and not d.is_complex:
        a = a.real
    return cast(a, d.np).item()


def checked_fill(value, d):
    """A Python number as a fill value of dtype d: checked as torch checks a fill, and wrapped
    as C wraps it (-1 fills a uint8 tensor with 255)."""
    check_fits(value, d, fill=True)
    if isinstance(value, builtins.complex) and not d.is_complex:
        value = value.real
    if isinstance(value, builtins.int) and not isinstance(value, builtins.bool) \
            and not d.is_floating_point and not d.is_complex and d is not bool:
        return builtins.int(np.array(value).astype(d.np))
    return value
