"""What a Timer measured: TaskSpec (the statement and its labels) and Measurement (the times of
one or more blocks of runs, their statistics, and torch's printed summary)."""
import dataclasses
import math
import operator
import textwrap

import numpy as np

from .units import log10_float32, select_unit

__all__ = ["TaskSpec", "Measurement"]

_MAX_SIGNIFICANT_FIGURES = 4
_MIN_CONFIDENCE_INTERVAL = 25e-9  # seconds: no timer resolves finer
_IQR_WARN_THRESHOLD = 0.1         # IQR / median above this is flagged as fluctuation
_IQR_GROSS_WARN_THRESHOLD = 0.25  # and above this as environmental influence


@dataclasses.dataclass(frozen=True, repr=False)
class TaskSpec:
    """A Timer's statement, setup and labels (not its globals). Hashable: Measurement.merge
    groups replicates by it."""
    stmt: str
    setup: str
    global_setup: str = ""
    label: str = None
    sub_label: str = None
    description: str = None
    env: str = None
    num_threads: int = 1

    @property
    def title(self):
        """The label (or the statement) and the sub-label, as the first line of a summary."""
        suffix = f": {self.sub_label}" if self.sub_label else ""
        if self.label is not None:
            return self.label + suffix
        if "\n" not in self.stmt:
            return self.stmt + suffix
        sub_label = f" ({self.sub_label})" if self.sub_label else ""
        return f"stmt:{sub_label}\n" + textwrap.indent(self.stmt, "  ")

    def setup_str(self):
        if not self.setup or self.setup == "pass":
            return ""
        if "\n" in self.setup:
            return "setup:\n" + textwrap.indent(self.setup, "  ")
        return f"setup: {self.setup}"

    def summarize(self):
        """Title, description and setup, one per line; a block of several lines is followed by a
        blank line."""
        parts = [self.title, self.description or "", self.setup_str()]
        return "\n".join(p + "\n" if "\n" in p else p for p in parts if p)


_TASK_SPEC_FIELDS = tuple(f.name for f in dataclasses.fields(TaskSpec))


@dataclasses.dataclass(repr=False)
class _Statistics:
    sorted_times: tuple
    median: float
    mean: float
    p25: float
    p75: float


_NO_STATISTICS = _Statistics((), -1.0, -1.0, -1.0, -1.0)  # torch's values before any time


@dataclasses.dataclass(repr=False)
class Measurement:
    """`raw_times[i]` is the time (seconds) of one block of `number_per_run` runs of the task.
    The statistics are of the per-run times (raw time / number_per_run). TaskSpec's fields read
    through: m.label, m.stmt, m.num_threads, ..."""
    number_per_run: int
    raw_times: list
    task_spec: TaskSpec
    metadata: dict = None  # the user's own payload

    def __post_init__(self):
        self._statistics = None

    @property
    def times(self):
        return [t / self.number_per_run for t in self.raw_times]

    def _stats(self):
        if self._statistics is None:  # computed once, as torch does
            if not self.raw_times:
                return _NO_STATISTICS
            ordered = sorted(self.times)
            p25, median, p75 = np.quantile(np.array(ordered, dtype=np.float64), [0.25, 0.5, 0.75])
            self._statistics = _Statistics(tuple(ordered), float(median),
                                           float(np.mean(ordered)), float(p25), float(p75))
        return self._statistics

    @property
    def median(self):
        return self._stats().median

    @property
    def mean(self):
        return self._stats().mean

    @property
    def iqr(self):
        stats = self._stats()
        return stats.p75 - stats.p25

    @property
    def significant_figures(self):
        """The digits of the median that its spread supports (1 to 4): a rough 90% confidence
        interval from the interquartile times, as torch estimates it (in float32)."""
        ordered = self._stats().sorted_times
        n = len(ordered)
        # torch takes these of float32 tensors, accumulating in float64
        middle = np.float32(ordered[n // 4:math.ceil(3 * n / 4)]).astype(np.float64)
        std = float(np.float32(middle.std()))
        spread = 1.645 * std / float(np.sqrt(np.float32(len(middle))))
        interval = max(spread, _MIN_CONFIDENCE_INTERVAL)
        digits = math.floor(log10_float32(self.median / interval))
        return min(max(digits, 1), _MAX_SIGNIFICANT_FIGURES)

    def meets_confidence(self, threshold=_IQR_WARN_THRESHOLD):
        return self.iqr / self.median < threshold

    @property
    def _warnings(self):
        if not self.raw_times:
            return []
        if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD):
            why = "This suggests significant environmental influence."
        elif not self.meets_confidence(_IQR_WARN_THRESHOLD):
            why = "This could indicate system fluctuation."
        else:
            return []
        share = self.iqr / self.median * 100
        return [f"  WARNING: Interquartile range is {share:.1f}% of the median measurement.\n"
                f"           {why}"]

    @property
    def has_warnings(self):
        return bool(self._warnings)

    @property
    def title(self):
        return self.task_spec.title

    @property
    def as_row_name(self):
        """The row a Compare table shows this measurement in."""
        return self.sub_label or self.stmt or "[Unknown]"

    def __repr__(self):
        stats = self._stats()
        n = len(stats.sorted_times)
        unit, scale = select_unit(stats.median)
        lines = [object.__repr__(self), self.task_spec.summarize(),
                 f"  {'Median: ' if n > 1 else ''}{stats.median / scale:.2f} {unit}"]
        if n >= 4:
            lines.append(f"  IQR:    {self.iqr / scale:.2f} {unit} "
                         f"({stats.p25 / scale:.2f} to {stats.p75 / scale:.2f})")
        threads = f"{self.num_threads} thread{'s' if self.num_threads > 1 else ''}"
        if n > 1:
            lines.append(f"  {n} measurements, {self.number_per_run} runs per measurement, "
                         f"{threads}")
        else:
            lines.append(f"  {n} measurement, {self.number_per_run} runs , {threads}")
        lines.extend(self._warnings)
        return "\n".join(lines)

    @staticmethod
    def merge(measurements):
        """One Measurement per distinct TaskSpec, in order of first appearance, holding every
        replicate's per-run times (number_per_run=1, no metadata)."""
        times_by_task = {}
        for m in measurements:
            times_by_task.setdefault(m.task_spec, []).extend(m.times)
        return [Measurement(1, times, task_spec) for task_spec, times in times_by_task.items()]


for _name in _TASK_SPEC_FIELDS:
    setattr(Measurement, _name, property(operator.attrgetter("task_spec." + _name)))
del _name
