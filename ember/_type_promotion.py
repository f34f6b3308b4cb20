"""torch.promote_types, torch.result_type and torch.can_cast: PyTorch's promotion rules (held in
_dtype.py, which every op uses) asked directly."""
import numbers

from . import _dtype
from ._tensor import Tensor

__all__ = ["promote_types", "result_type", "can_cast"]

_OVERLOADS = ("result_type() received an invalid combination of arguments - got ({}), but "
              "expected one of:\n * (Tensor tensor, Tensor other)\n * (Number scalar, Tensor "
              "tensor)\n * (Tensor tensor, Number other)\n * (Number scalar1, Number scalar2)\n")


def _check_dtype(fn, arg, position, value):
    if not isinstance(value, _dtype.dtype):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be torch.dtype, "
                        f"not {type(value).__name__}")


def promote_types(type1, type2):
    """The smallest dtype that neither operand's dtype loses values to (torch's table)."""
    _check_dtype("promote_types", "type1", 1, type1)
    _check_dtype("promote_types", "type2", 2, type2)
    return _dtype.from_numpy_dtype(_dtype._promote_pair(type1.np, type2.np))


def _operand(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, numbers.Number):
        return x
    return None


def result_type(tensor, other):
    """The dtype an arithmetic op on the two operands (tensors or numbers) gives."""
    ops = (_operand(tensor), _operand(other))
    if any(o is None for o in ops):
        names = ", ".join("Tensor" if isinstance(x, Tensor) else type(x).__name__
                          for x in (tensor, other))
        raise TypeError(_OVERLOADS.format(names))
    return _dtype.from_numpy_dtype(_dtype.result_type(*ops))


def can_cast(from_, to):
    """Whether torch's casting rules allow from_ to become to in an op with an out= or in place:
    never complex to real, floating to integral, or anything but bool to bool."""
    _check_dtype("can_cast", "from_", 1, from_)
    _check_dtype("can_cast", "to", 2, to)
    return _dtype.castable_category(from_._category, to._category)
