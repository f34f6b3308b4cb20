"""Op hooks: what autocast and the profiler see of every Op.apply.

NOTE [ Op hooks ]
Op.apply checks one module global, `_op._hook`, which is None unless an autocast region or a
profiler is active: the normal path pays one global lookup. While active, `_dispatch` runs
instead: it lets autocast replace the arguments (casting them for the ops on its lists) and
times the call for the recorders (the profilers), then calls Op.apply with the hook cleared, so
the casts and the op itself take the normal path; in anomaly mode it also keeps each node's
forward traceback. Ops are known by their aten name, the snake
case of the Op class (`Addmm` is aten::addmm); a private subclass (`_MatmulClone`) takes the
name of its public parent. The hook is process-wide, not per thread.
"""
import re
import time

from . import _op

__all__ = ["state", "refresh", "aten_name", "autocasting"]


class _State:
    __slots__ = ("autocast", "recorders", "anomaly")

    def __init__(self):
        self.autocast = None  # fn(op_name, args) -> args, while an autocast region is active
        self.recorders = []  # fn(op_name, args, start_ns, end_ns), one per active profiler
        self.anomaly = False  # anomaly mode: nodes keep their forward traceback


state = _State()
_names = {}
_perf_counter_ns = time.perf_counter_ns


def aten_name(cls):
    """The op's name as torch's profiler and autocast lists know it: 'addmm' for Addmm."""
    name = _names.get(cls)
    if name is None:
        public = next(c for c in cls.__mro__ if not c.__name__.startswith("_"))
        name = _names[cls] = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", public.__name__).lower()
    return name


def autocasting():
    """Whether an autocast region is active: the matmul and convolution functions then let
    mixed float operands through their same-dtype checks, since the region casts them."""
    return state.autocast is not None


def refresh():
    """Install the hook when autocast or a recorder is active, remove it otherwise."""
    active = state.autocast is not None or state.recorders or state.anomaly
    _op._hook = _dispatch if active else None


def _dispatch(cls, args):
    _op._hook = None
    try:
        name = aten_name(cls)
        if state.autocast is not None:
            args = state.autocast(name, args)
        start = _perf_counter_ns()
        out = cls.apply(*args)
        end = _perf_counter_ns()
        for record in state.recorders:
            record(name, args, start, end)
        if state.anomaly:
            _record_forward(out)
        return out
    finally:
        _op._hook = _dispatch


def _record_forward(out):
    """Anomaly mode (NOTE [ Anomaly mode ] in autograd/anomaly_mode.py): the output's node keeps
    the traceback of this forward call."""
    from ..autograd.anomaly_mode import record_forward
    first = out[0] if type(out) is tuple and out else out
    node = getattr(first, "_grad_fn", None)
    if node is not None and "traceback_" not in node.metadata:
        record_forward(node)
