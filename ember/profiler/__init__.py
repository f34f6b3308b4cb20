"""ember.profiler: torch.profiler's profile and record_function, timing every op on the CPU.

While a profile records, the Op hook (NOTE [ Op hooks ] in ember/ops/_hooks.py) times each
Op.apply, named as torch names it (aten::addmm); record_function(name) opens a span whose
children are the ops and spans inside it. key_averages() groups the events by name (and input
shapes) and .table() prints torch's columns. Only CPU activity exists: ember's GPU work is timed
as the CPU time that launches it.
"""
from .profiler import (EventList, FunctionEvent, FunctionEventAvg, ProfilerAction,
                       ProfilerActivity, profile, record_function, schedule,
                       tensorboard_trace_handler)

__all__ = ["profile", "record_function", "ProfilerActivity", "ProfilerAction", "schedule",
           "tensorboard_trace_handler", "EventList", "FunctionEvent", "FunctionEventAvg"]
