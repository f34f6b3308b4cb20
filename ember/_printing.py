"""PyTorch-identical tensor printing: `repr(tensor)` and the print options that shape it.

The rules are PyTorch's (torch/_tensor_str.py), applied to the tensor's NumPy data: one formatter
per tensor decides integer mode, scientific mode and the column width from the (summarised)
nonzero finite values; rows wrap at `linewidth`; tensors with more than `threshold` elements show
`edgeitems` items at each end of every dimension.
"""
import contextlib
import dataclasses
import math
import sys

import numpy as np

from . import _dtype
from ._backend import to_numpy


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTS = _PrintOptions()

# A profile names a full set of the four layout options; explicit arguments override it.
_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set the print options; as in PyTorch, `sci_mode` is reset to automatic unless given."""
    changes = dict(_PROFILES.get(profile, {}))
    explicit = dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                    linewidth=linewidth)
    changes.update({name: value for name, value in explicit.items() if value is not None})
    changes["sci_mode"] = sci_mode
    for name, value in changes.items():
        setattr(PRINT_OPTS, name, value)


def get_printoptions():
    """The current options as a dict that `set_printoptions(**options)` accepts."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a `with` block only."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Decides how every element of one tensor is written, so that columns line up."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            # The widest integer (or bool) string is that of the smallest or the largest value.
            if flat.size:
                self.max_width = max(len(str(flat.min().item())), len(str(flat.max().item())))
            return
        vals = flat.astype(np.float64)
        vals = vals[np.isfinite(vals) & (vals != 0)]
        if not vals.size:
            return
        mags = np.abs(vals)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        # Within one sign the string length is monotonic towards each end of the magnitudes
        # (integer digits grow with it; three exponent digits appear only at the extremes), so
        # the widest string is that of the smallest or largest value of either sign.
        pos, neg = vals[vals > 0], vals[vals < 0]
        extremes = [float(f(a)) for a in (pos, neg) if a.size for f in (np.min, np.max)]
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = [len(f"{v:.{p}e}") for v in extremes]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in extremes]  # + 1 for the trailing "."
        else:
            widths = [len(f"{v:.{p}f}") for v in extremes]
        self.max_width = max(self.max_width, *widths)

    def format(self, value):
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


class _ComplexFormatter:
    """torch's pair of formatters for complex tensors: one for the real parts, one for the
    imaginary parts, each deciding its own mode and width."""

    def __init__(self, values):
        self.real = _Formatter(values.real, True)
        self.imag = _Formatter(values.imag, True)
        self.max_width = self.real.max_width + self.imag.max_width + 1  # + 1 for the "j"

    def format(self, value):
        imag = (self.imag.format(value.imag) + "j").lstrip()
        sign = "" if imag[0] in "+-" else "+"
        return self.real.format(value.real) + sign + imag


def _summarized(a):
    """The elements that a summarised print shows: `edgeitems` at both ends of every dim."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if not e:
        # PyTorch's quirk: a 1-d tensor keeps all its values (x[-0:] is all of x).
        return a if a.ndim == 1 else a[(slice(0, 0),) * a.ndim]
    for axis, n in enumerate(a.shape):
        if n > 2 * e:
            a = a.take(np.r_[0:e, n - e:n], axis=axis)
    return a


def _vector_str(a, indent, summarize, fmt):
    element_length = fmt.max_width + 2  # ", " between elements
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = ([fmt.format(v) for v in a[:e].tolist()] + [" ..."]
                + [fmt.format(v) for v in a[-e:].tolist()])
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e, n = PRINT_OPTS.edgeitems, a.shape[0]
    if summarize and n > 2 * e:
        rows = ([_nested_str(a[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                + [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        rows = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _tensor_str(a, indent):
    summarize = a.size > PRINT_OPTS.threshold
    values = _summarized(a) if summarize else a
    if a.dtype.kind == "c":
        fmt = _ComplexFormatter(values)
    else:
        fmt = _Formatter(values, a.dtype.kind == "f")
    return _nested_str(a, indent, summarize, fmt)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _parameter_class():
    # Layer 2 must not import nn; a Parameter can only exist once ember.nn is loaded.
    return getattr(sys.modules.get("ember.nn.parameter"), "Parameter", None)


def tensor_repr(t):
    """repr(t) exactly as PyTorch writes it: data, then device, dtype and autograd suffixes."""
    from ._tensor import Tensor
    param_cls = _parameter_class()
    plain = type(t) is Tensor or type(t) is param_cls
    prefix = "tensor(" if plain else f"{type(t).__name__}("
    indent = len(prefix)
    suffixes = []
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    a = to_numpy(t._data)
    dt = t.dtype
    default = _dtype.get_default_dtype()
    if a.size == 0:
        # As NumPy does, an empty tensor shows its shape unless it is (0,); with no values to
        # tell ints from floats, every dtype but the default is shown.
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt not in (default, _dtype.default_complex(), _dtype.int64, _dtype.bool):
            suffixes.append(f"dtype={dt}")
        body = _tensor_str(a, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = _add_suffixes(prefix + body, suffixes, indent)
    if param_cls is not None and isinstance(t, param_cls) and not plain:
        text = f"Parameter({text})"
    return text
