"""How benchmark times are shown: the unit a time reads best in, and trimming to significant
figures. torch takes these logarithms of float32 tensors; log10_float32 gives the same values,
so that a time at a unit's boundary (1e-6 s) picks the unit torch picks."""
import math

import numpy as np

__all__ = ["log10_float32", "select_unit", "unit_to_english", "trim_sigfig"]

_UNIT_BY_THOUSANDS = {-3: "ns", -2: "us", -1: "ms"}  # floor(log10(t) / 3) -> unit; else seconds
_SECONDS_PER_UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}
_ENGLISH = {"ns": "nanosecond", "us": "microsecond", "ms": "millisecond", "s": "second"}


def log10_float32(x):
    """log10(float32(x)) correctly rounded to float32, as torch's is (NumPy's float32 log10 can
    be an ulp off: -6.0000005 for 1e-6)."""
    return float(np.float32(math.log10(float(np.float32(x)))))


def select_unit(t):
    """(unit, seconds per unit) that shows the time `t` (seconds) with 1 to 3 leading digits."""
    unit = _UNIT_BY_THOUSANDS.get(int(log10_float32(t) // 3), "s")
    return unit, _SECONDS_PER_UNIT[unit]


def unit_to_english(u):
    """'us' -> 'microsecond'."""
    return _ENGLISH[u]


def trim_sigfig(x, n):
    """`x` rounded to `n` significant figures: trim_sigfig(3.14159, 2) == 3.1 (in float32, as
    torch's)."""
    if n != int(n):
        raise AssertionError("Number of significant figures must be an integer")
    leading_digits = math.ceil(log10_float32(abs(x)))
    step = 10 ** (leading_digits - n)
    return float(np.round(np.float32(x / step)) * step)
