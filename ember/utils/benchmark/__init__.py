"""ember.utils.benchmark (torch.utils.benchmark): Timer, Measurement and Compare for timing
Python statements. Not here: the fuzzers (Fuzzer, FuzzedTensor ...) and Callgrind instruction
counts (CallgrindStats, FunctionCounts)."""
from .compare import Colorize, Compare, ordered_unique
from .measurement import Measurement, TaskSpec
from .timer import Language, Timer, set_torch_threads, timer
from .units import select_unit, trim_sigfig, unit_to_english

__all__ = ["Colorize", "Compare", "Language", "Measurement", "TaskSpec", "Timer",
           "ordered_unique", "select_unit", "set_torch_threads", "timer", "trim_sigfig",
           "unit_to_english"]
