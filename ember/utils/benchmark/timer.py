"""Timer: timeit.Timer with warm-up, a fixed thread count, replicates and labels; its results
are Measurements."""
import contextlib
import enum
import textwrap
import timeit as _timeit

import numpy as np

import ember
from .measurement import Measurement, TaskSpec

__all__ = ["Timer", "timer", "Language", "set_torch_threads"]

_MIN_BLOCK_TIME = 1e-9  # a block is never timed below 1 ns (and never divides by zero)
_MAX_BLOCK_SIZE = 2147483647  # torch's cap (its C++ timer counts runs in an int)


def timer():
    """timeit.default_timer, after waiting for the accelerator's queued work, if there is one."""
    if ember.accelerator.is_available():
        ember.accelerator.synchronize()
    return _timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


@contextlib.contextmanager
def set_torch_threads(n):
    """ember.set_num_threads(n) inside the block, the earlier count after it."""
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(n)
        yield
    finally:
        ember.set_num_threads(before)


def _tidy(code):
    """Dedented, without the first newline of a triple-quoted block or trailing blanks."""
    code = textwrap.dedent(code)
    return code.removeprefix("\n").rstrip()


class Timer:
    """Times the Python statement `stmt` (a string) after `setup`, with `globals` as its
    namespace (`torch` is ember unless given). `label`, `sub_label`, `description`, `env` and
    `num_threads` (the thread count while timing) describe the result for printing and Compare.
    `timer` is the clock (default: timer(), which synchronizes an accelerator).
    Only Python statements: language='c++' raises NotImplementedError (ember has no C++ API)."""

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=timer, globals=None,
                 label=None, sub_label=None, description=None, env=None, num_threads=1,
                 language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if language in (Language.CPP, "cpp", "c++"):
            raise NotImplementedError("Timer(language='c++'): ember has no C++ API; time a "
                                      "Python statement instead.")
        if language not in (Language.PYTHON, "py", "python"):
            raise ValueError(f"Invalid language `{language}`.")
        if global_setup:
            raise ValueError(f"global_setup is C++ only, got `{global_setup}`. Most likely this "
                             "code can simply be moved to `setup`.")
        namespace = dict(globals or {})  # a copy: exec adds __builtins__ to it
        namespace.setdefault("torch", ember)
        stmt, setup = _tidy(stmt), _tidy(setup)
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=namespace)
        self._task_spec = TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup,
                                   label=label, sub_label=sub_label, description=description,
                                   env=env, num_threads=num_threads)

    def _time_block(self, number):
        return max(self._timer.timeit(number), _MIN_BLOCK_TIME)

    def _measurement(self, number, raw_times):
        return Measurement(number_per_run=number, raw_times=raw_times, task_spec=self._task_spec)

    def timeit(self, number=1000000):
        """One block of `number` runs (after a warm-up block of number // 100, at least 2)."""
        with set_torch_threads(self._task_spec.num_threads):
            self._time_block(max(number // 100, 2))
            return self._measurement(number, [self._time_block(number)])

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _block_size(self, min_run_time):
        """The runs per block that make the clock's own cost negligible: powers of ten up from 1
        until the clock's overhead is at most 1e-4 of a block lasting min_run_time / 1000 or
        more, or a block alone takes over min_run_time. Doubles as the warm-up."""
        with set_torch_threads(self._task_spec.num_threads):
            # in float32, as torch's median of a tensor: the 1e-4 test below is then torch's
            overhead = float(np.median(np.float32([self._time_block(0) for _ in range(5)])))
            number = 1
            while True:
                block = self._time_block(number)
                if overhead / block <= 1e-4 and block >= min_run_time / 1000:
                    return number
                if block > min_run_time or number * 10 > _MAX_BLOCK_SIZE:
                    return number
                number *= 10

    def _time_blocks(self, number, enough, min_run_time, max_run_time=None, callback=None):
        """Blocks of `number` runs until min_run_time has passed and enough(times) holds, or
        max_run_time has passed."""
        times, total = [], 0.0
        with set_torch_threads(self._task_spec.num_threads):
            while True:
                block = self._time_block(number)
                times.append(block)
                total += block
                if callback:
                    callback(number, block)
                done = enough(times)
                if max_run_time and total > max_run_time:
                    return times
                if total >= min_run_time and done:
                    return times

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Blocks of a size chosen so the clock's overhead is negligible, for at least
        min_run_time seconds in all. callback(number, seconds) is called after each block."""
        number = self._block_size(min_run_time)
        times = self._time_blocks(number, lambda times: True, min_run_time, callback=callback)
        return self._measurement(number, times)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0,
                           callback=None):
        """As blocked_autorange, but goes on until there are more than 3 blocks and their
        IQR / median is below `threshold`, or max_run_time seconds have passed."""
        number = self._block_size(0.05)

        def steady(times):
            return len(times) > 3 and self._measurement(number, times).meets_confidence(threshold)

        times = self._time_blocks(number, steady, min_run_time, max_run_time, callback)
        return self._measurement(number, times)

    def collect_callgrind(self, number=100, *, repeats=None, collect_baseline=True,
                          retain_out_file=False):
        raise NotImplementedError("Timer.collect_callgrind: ember does not count instructions "
                                  "(no Valgrind/Callgrind support); use blocked_autorange.")
