"""profile, record_function, the events and their table (see ember/profiler/__init__.py)."""
import enum
import functools
import json
import os
import socket
import threading
import time

from .._tensor import Tensor
from ..ops import _hooks

__all__ = ["profile", "record_function", "ProfilerActivity", "ProfilerAction", "schedule",
           "tensorboard_trace_handler", "EventList", "FunctionEvent", "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 1


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """The action for each step: skip_first steps, then cycles of wait, warmup and active steps
    (the last active one saves), repeat cycles (0: forever)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError("Invalid profiler schedule arguments")

    def action(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        pos = step % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if pos < cycle - 1 else ProfilerAction.RECORD_AND_SAVE
    return action


def _format_time(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class FunctionEvent:
    """One op call or record_function span; times in microseconds."""

    def __init__(self, id, name, start_ns, end_ns=None, input_shapes=None, thread=0):
        self.id = id
        self.name = name
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.thread = thread
        self.cpu_children = []
        self.cpu_parent = None
        self.count = 1
        self.is_user_annotation = False

    @property
    def key(self):
        return self.name

    @property
    def cpu_time_total(self):
        return (self.end_ns - self.start_ns) / 1e3

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    cpu_time = cpu_time_total

    @property
    def time_range(self):
        return _Interval(self.start_ns / 1e3, self.end_ns / 1e3)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time="
                f"{_format_time(self.cpu_time_total)} self_cpu_time="
                f"{_format_time(self.self_cpu_time_total)} input_shapes={self.input_shapes}>")


class _Interval:
    def __init__(self, start, end):
        self.start, self.end = start, end

    def elapsed_us(self):
        return self.end - self.start


class FunctionEventAvg:
    """The events of one key summed: totals, count, and cpu_time as the average per call."""

    def __init__(self, key, input_shapes=None):
        self.key = key
        self.input_shapes = input_shapes
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, other):
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        return self

    @property
    def cpu_time(self):
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time="
                f"{_format_time(self.self_cpu_time_total)} cpu_time="
                f"{_format_time(self.cpu_time)} input_shapes={self.input_shapes}>")


_SORT_KEYS = ("cpu_time", "cpu_time_total", "self_cpu_time_total", "count")


class EventList(list):
    """A list of events (or of averages) that prints as torch's table."""

    def key_averages(self, group_by_input_shape=False):
        groups = {}
        for evt in self:
            shapes = str(evt.input_shapes) if group_by_input_shape else None
            key = (evt.key, shapes)
            if key not in groups:
                groups[key] = FunctionEventAvg(evt.key, evt.input_shapes
                                               if group_by_input_shape else None)
            groups[key].add(evt)
        return EventList(groups.values())

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def total_average(self):
        total = FunctionEventAvg("Total")
        for evt in self:
            total.add(evt)
        return total

    def table(self, sort_by=None, row_limit=100, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False):
        """torch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg,
        # of Calls (and Input Shapes when grouped by them), sorted descending by sort_by."""
        rows = list(self)
        if top_level_events_only:
            rows = [e for e in rows if getattr(e, "cpu_parent", None) is None]
        if sort_by is not None:
            if sort_by not in _SORT_KEYS:
                raise AttributeError(f"'FunctionEventAvg' object has no attribute '{sort_by}'")
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = self.self_cpu_time_total
        name_width = min(max([len(e.key) for e in self] + [4]) + 4, max_name_column_width)
        columns = [("Name", name_width), ("Self CPU %", 12), ("Self CPU", 12),
                   ("CPU total %", 12), ("CPU total", 12), ("CPU time avg", 12),
                   ("# of Calls", 12)]
        shapes = any(getattr(e, "input_shapes", None) is not None for e in self) and \
            all(isinstance(e, FunctionEventAvg) for e in self)
        if shapes:
            width = max([len(str(e.input_shapes)) for e in self] + [12]) + 4
            columns.append(("Input Shapes", min(width, max_shapes_column_width)))
        line = "".join("-" * w + "  " for _, w in columns)
        out = [line] if header is None else [header, line]
        out += ["".join(f"{title:>{w}}  " for title, w in columns), line]

        def pct(t):
            return f"{100.0 * t / total:.2f}%" if total else "0.00%"

        for e in rows:
            name = e.key if len(e.key) <= name_width - 3 else e.key[:name_width - 6] + "..."
            cells = [name, pct(e.self_cpu_time_total), _format_time(e.self_cpu_time_total),
                     pct(e.cpu_time_total), _format_time(e.cpu_time_total),
                     _format_time(e.cpu_time_total / e.count), str(e.count)]
            if shapes:
                cells.append(str(e.input_shapes)[:columns[-1][1]])
            out.append("".join(f"{c:>{w}}  " for c, (_, w) in zip(cells, columns)))
        out += [line, f"Self CPU time total: {_format_time(total)}", ""]
        return "\n".join(out)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """The events as a Chrome trace (chrome://tracing, Perfetto)."""
        events = [{"ph": "X", "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
                   "name": e.name, "pid": os.getpid(), "tid": e.thread,
                   "ts": e.start_ns / 1e3, "dur": e.cpu_time_total,
                   "args": {"Input Dims": e.input_shapes}} for e in self]
        with open(path, "w") as f:
            json.dump({"traceEvents": events, "displayTimeUnit": "ms"}, f)


# -- recording ------------------------------------------------------------------------------
_recording = []  # the profiles recording now
_open = []  # the record_function spans open now, innermost last
_ids = [0]


def _new_event(name, start, end=None, shapes=None):
    _ids[0] += 1
    evt = FunctionEvent(_ids[0], name, start, end, shapes, threading.get_ident())
    if _open:
        evt.cpu_parent = _open[-1]
        _open[-1].cpu_children.append(evt)
    for prof in _recording:
        prof._events.append(evt)
    return evt


def _shape(a):
    return list(a.shape) if isinstance(a, Tensor) else []


def _record_op(name, args, start, end):
    shapes = [_shape(a) for a in args] if any(p.record_shapes for p in _recording) else None
    _new_event("aten::" + name, start, end, shapes)


def _update_hook():
    _hooks.state.recorders = [_record_op] if _recording else []
    _hooks.refresh()


class record_function:
    """A named span in the profile (context manager and decorator); free when nothing records."""

    def __init__(self, name, args=None):
        self.name = name
        self.args = args
        self._event = None

    def __enter__(self):
        if _recording:
            self._event = _new_event(self.name, time.perf_counter_ns(), shapes=[])
            self._event.is_user_annotation = True
            _open.append(self._event)
        return self

    def __exit__(self, *exc):
        evt = self._event
        if evt is not None:
            evt.end_ns = time.perf_counter_ns()
            _open.remove(evt)
            self._event = None
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with record_function(self.name, self.args):
                return func(*args, **kwargs)
        return wrapper


class profile:
    """Records the ops (and record_function spans) run while active: a context manager, or
    start()/stop(); with a schedule, step() moves through its wait/warmup/active steps and
    on_trace_ready(prof) is called at the end of each active cycle."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes=False, profile_memory=False, with_stack=False, with_flops=False,
                 with_modules=False, experimental_config=None, execution_trace_observer=None,
                 acc_events=False, use_cuda=None, **kwargs):
        self.activities = set(activities) if activities is not None else {ProfilerActivity.CPU}
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.acc_events = acc_events
        self.step_num = 0
        self._events = EventList()
        self._saved = EventList()
        self._action = ProfilerAction.RECORD if schedule is None else schedule(0)
        self._started = False

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        self._started = True
        self._transition(None, self._action)

    def stop(self):
        if not self._started:
            return
        if self._action in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._stop_recording()
            self._save()
        self._started = False

    def step(self):
        """The next step of the schedule (without one, every step records)."""
        self.step_num += 1
        if self.schedule is None:
            return
        prev, self._action = self._action, self.schedule(self.step_num)
        if self._started:
            self._transition(prev, self._action)

    def _transition(self, prev, new):
        recording = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
        if prev in recording and (new not in recording or prev is
                                  ProfilerAction.RECORD_AND_SAVE):
            self._stop_recording()
            if prev is ProfilerAction.RECORD_AND_SAVE:
                self._save()
        if new in recording and (prev not in recording or prev is
                                 ProfilerAction.RECORD_AND_SAVE):
            if not self.acc_events:
                self._events = EventList()
            _recording.append(self)
            _update_hook()

    def _stop_recording(self):
        if self in _recording:
            _recording.remove(self)
            _update_hook()

    def _save(self):
        self._saved = self._events
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def events(self):
        """The recorded events: those of the last finished cycle, or of the current one."""
        return self._saved if self._saved or self in _recording else self._events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        return self.events().key_averages(group_by_input_shape)

    def export_chrome_trace(self, path):
        self.events().export_chrome_trace(path)


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An on_trace_ready that writes each trace as <worker>.<time>.pt.trace.json in dir_name."""
    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        name = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        path = os.path.join(dir_name, f"{name}.{time.time_ns() // 1000000}.pt.trace.json")
        prof.export_chrome_trace(path)
        if use_gzip:
            import gzip
            with open(path, "rb") as src, gzip.open(path + ".gz", "wb") as dst:
                dst.write(src.read())
            os.remove(path)
    return handler
