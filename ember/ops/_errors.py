"""NumPy's and Python's own exceptions, met inside an op's forward, as the exception torch raises.

NOTE [ Errors at the op boundary ]
An op validates what PyTorch validates and raises PyTorch's exception itself. What slips past
(a broadcast NumPy refuses, an axis out of range, a ufunc with no loop for a dtype, an array too
large to allocate, a division of integers by zero) surfaces from NumPy as ValueError, AxisError,
TypeError, MemoryError, ZeroDivisionError ... where torch raises RuntimeError, IndexError, or
NotImplementedError (a kernel with no loop for a dtype), and a list given for the input tensor,
where torch's argument parser raises TypeError.
`Op.apply` passes such an exception here and raises what this returns; an op may name its torch
kernel (`_kernel`) for the "not implemented for" message. Exceptions an op raised
on purpose (RuntimeError, IndexError, NotImplementedError, and ValueError/TypeError that are not
NumPy's) pass through unchanged.
"""
import numpy as np

from .. import _dtype

_AXIS_ERROR = np.exceptions.AxisError
_NUMPY_VALUE_ERRORS = ("could not be broadcast", "could not broadcast", "cannot reshape array",
                       "zero-size array to reduction", "buffer is smaller", "array is too big",
                       "negative dimensions are not allowed", "maximum supported dimension",
                       "Unable to avoid copy", "cannot convert float NaN to integer",
                       "assignment destination is read-only")
_NUMPY_TYPE_ERRORS = ("ufunc", "numpy boolean", "Cannot cast", "not supported for the input types",
                      "did not contain a loop")


class OutOfMemoryError(RuntimeError):
    """torch.OutOfMemoryError (torch.cuda.OutOfMemoryError): a device allocation failed."""


def translate(op, exc, arrays):
    """The exception torch raises in place of exc, or None when exc is already torch's."""
    if isinstance(exc, _AXIS_ERROR):
        return IndexError(f"Dimension out of range (expected to be in range of "
                          f"[{-max(exc.ndim, 1)}, {max(exc.ndim, 1) - 1}], but got {exc.axis})")
    if isinstance(exc, MemoryError):
        if type(exc).__module__.startswith("cupy"):  # CuPy's OutOfMemoryError
            return OutOfMemoryError(f"CUDA out of memory. {exc}")
        return RuntimeError(f"not enough memory: {exc}")
    if isinstance(exc, ZeroDivisionError):
        return RuntimeError("ZeroDivisionError")
    if arrays and isinstance(arrays[0], (list, tuple)) and isinstance(exc, (AttributeError,
                                                                          TypeError)):
        return TypeError(f"{op.__name__.lower()}(): argument 'input' (position 1) must be "
                         f"Tensor, not {type(arrays[0]).__name__}")
    if isinstance(exc, (OverflowError, AttributeError, KeyError, LookupError)) \
            and not isinstance(exc, IndexError):
        return RuntimeError(f"{op.__name__.lower()}: {exc}")
    message = str(exc)
    if type(exc) is ValueError and any(m in message for m in _NUMPY_VALUE_ERRORS):
        shapes = [a.shape for a in arrays if hasattr(a, "shape")]
        if "broadcast" in message and len(shapes) >= 2:
            from ._op import broadcast_error
            return broadcast_error(*_clashing_pair(shapes))
        return RuntimeError(message)
    if isinstance(exc, TypeError) and any(m in message for m in _NUMPY_TYPE_ERRORS):
        dtypes = [a.dtype for a in arrays if hasattr(a, "dtype")]
        name = _dtype.LEGACY_NAMES[_dtype.from_numpy_dtype(dtypes[0])][:-len("Tensor")] \
            if dtypes else "this type"
        kernel = getattr(op, "_kernel", None) or f"{op.__name__.lower()}_cpu"
        return NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')
    return None


def _clashing_pair(shapes):
    """The first two operand shapes that do not broadcast (with three or more operands, the
    first two may agree, and torch names the sizes that clash)."""
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            try:
                np.broadcast_shapes(a, b)
            except ValueError:
                return a, b
    return shapes[0], shapes[1]


def refuse_non_floating(kernel, tensor, bool_ok=False):
    """torch's NotImplementedError for a kernel that has loops only for floating dtypes (and bool,
    with bool_ok), given an integer or bool tensor; complex and floating pass."""
    if tensor._data.dtype.kind in ("iu" if bool_ok else "biu"):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.type_name(tensor)}\'')
