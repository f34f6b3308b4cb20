"""Compare: Measurements laid out as torch prints them, one table per label, a row per
(threads, env, sub_label or stmt), a column per description, each cell the median."""
import enum
import math

from .measurement import Measurement
from .units import log10_float32, select_unit, trim_sigfig, unit_to_english

__all__ = ["Colorize", "Compare", "ordered_unique"]

# ANSI escapes for colorize(): best, within 10%, 2x and 5x the best in its row or column
BEST = "\033[92m"
GOOD = "\033[34m"
BAD = "\033[2m\033[91m"
VERY_BAD = "\033[31m"
BOLD = "\033[1m"
TERMINATE = "\033[0m"
_SEPARATOR = "  |  "


class Colorize(enum.Enum):
    NONE = "none"
    COLUMNWISE = "columnwise"
    ROWWISE = "rowwise"


def ordered_unique(elements):
    """The distinct elements, in order of first appearance."""
    return list(dict.fromkeys(elements))


def _leading_digits(x):
    return math.ceil(log10_float32(x))


def _colored(text, median, best):
    if median <= best * 1.01 or median <= best + 100e-9:
        return BEST + BOLD + text + TERMINATE * 2
    if median <= best * 1.1:
        return GOOD + BOLD + text + TERMINATE * 2
    if median >= best * 5:
        return VERY_BAD + BOLD + text + TERMINATE * 2
    if median >= best * 2:
        return BAD + text + TERMINATE * 2
    return text


class _ColumnFormat:
    """How one column writes its medians: as many digits before the point as its largest
    needs, and one decimal (or, trimmed, the fewest its measurements' significant figures
    allow), plus ' (! XX%)' after a noisy one when warnings are highlighted."""

    def __init__(self, cells, scale, trim, highlight_warnings):
        present = [m for m in cells if m is not None]
        digits = [_leading_digits(m.median / scale) for m in present]
        self.trim = trim
        self.decimals = (min(max(m.significant_figures - d, 0) for m, d in zip(present, digits))
                         if trim else 1)
        self.width = max(digits) + self.decimals + (1 if self.decimals else 0)
        self.note_width = 7 if highlight_warnings and any(m.has_warnings for m in present) else 0

    def text(self, value, sigfigs, spread):
        if self.trim:
            value = trim_sigfig(value, sigfigs)
        note = f" (! {spread * 100:.0f}%)" if self.note_width and spread is not None else ""
        return f"{value:>{self.width}.{self.decimals}f}{note:>{self.note_width}}"

    def blank(self):
        return " " * len(self.text(1, 1, None))


class _Table:
    """The measurements of one label."""

    def __init__(self, results, colorize, trim, highlight_warnings):
        self.results = results
        self.colorize = colorize
        self.highlight_warnings = highlight_warnings
        self.label = results[0].label
        self.unit, self.scale = select_unit(min(m.median for m in results))
        row_keys = ordered_unique((m.num_threads, m.env, m.as_row_name) for m in results)
        row_keys.sort(key=lambda key: key[:2])  # by threads and env; stmt order kept
        self.column_keys = ordered_unique(m.description for m in results)
        self.row_keys = row_keys
        self.grid = [[None] * len(self.column_keys) for _ in row_keys]
        row_of = {key: i for i, key in enumerate(row_keys)}
        column_of = {key: j for j, key in enumerate(self.column_keys)}
        for m in results:
            self.grid[row_of[(m.num_threads, m.env, m.as_row_name)]][column_of[m.description]] = m
        self.formats = [_ColumnFormat([row[j] for row in self.grid], self.scale, trim,
                                      highlight_warnings)
                        for j in range(len(self.column_keys))]

    def _row_names(self):
        """The first cell of each row: the env in brackets where it changes (when the table has
        several envs), then the row name."""
        envs = {m.env for m in self.results}
        env_width = max(len(e) for e in envs) + 4 if len(envs) > 1 else 4
        names, prior_threads, prior_env = [], None, None
        for threads, env, name in self.row_keys:
            if threads != prior_threads:  # each thread group names its first env again
                prior_threads, prior_env = threads, ""
            shown = f"({env})" if len(envs) > 1 and env != prior_env else ""
            names.append("  " + shown.ljust(env_width) + name)
            prior_env = env
        return names

    def _best_medians(self, i):
        """The median each cell of row i is colored against (None: no color)."""
        row = self.grid[i]
        if self.colorize == Colorize.ROWWISE:
            best = min(m.median for m in row if m is not None)
            return [best] * len(row)
        threads = self.row_keys[i][0]
        best = []
        for j in range(len(row)):
            medians = [r[j].median for r, key in zip(self.grid, self.row_keys)
                       if key[0] == threads and r[j] is not None]
            best.append(min(medians) if medians else None)
        return best

    def _cells(self, i):
        return [fmt.blank() if m is None else
                fmt.text(m.median / self.scale, m.significant_figures,
                         m.iqr / m.median if m.has_warnings else None)
                for m, fmt in zip(self.grid[i], self.formats)]

    def render(self):
        header = ["", *("" if key is None else key for key in self.column_keys)]
        rows = [[name, *self._cells(i)] for i, name in enumerate(self._row_names())]
        widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
        header_line = _SEPARATOR.join(text.center(w) for text, w in zip(header, widths))
        lines = [header_line]
        for i, row in enumerate(rows):
            threads = self.row_keys[i][0]
            if i == 0 or self.row_keys[i - 1][0] != threads:
                lines.append(f"{threads} threads: ".ljust(len(header_line), "-"))
            texts = [row[0].ljust(widths[0])]
            best = (self._best_medians(i) if self.colorize != Colorize.NONE
                    else [None] * len(self.column_keys))
            for text, width, m, b in zip(row[1:], widths[1:], self.grid[i], best):
                text = text.center(width)
                texts.append(text if m is None or b is None else _colored(text, m.median, b))
            lines.append(_SEPARATOR.join(texts))
        title = f" {self.label or ''} ".center(len(header_line) - 2, "-")
        footer = [f"Times are in {unit_to_english(self.unit)}s ({self.unit})."]
        if self.highlight_warnings and any(m.has_warnings for m in self.results):
            footer.append("(! XX%) Measurement has high variance, where XX is the "
                          "IQR / median * 100.")
        return "\n".join([f"[{title}]", *lines, "", *footer, ""])


class Compare:
    """Tables of many Measurements: str(compare) or compare.print(). Replicates (the same
    TaskSpec) are merged first."""

    def __init__(self, results):
        self._results = []
        self.extend_results(results)
        self._trim_significant_figures = False
        self._colorize = Colorize.NONE
        self._highlight_warnings = False

    def extend_results(self, results):
        """Add more Measurements (ValueError for anything else)."""
        for r in results:
            if not isinstance(r, Measurement):
                raise ValueError(f"Expected an instance of `Measurement`, got {type(r)} instead.")
        self._results.extend(results)

    def trim_significant_figures(self):
        """Show each median with only the digits its spread supports."""
        self._trim_significant_figures = True

    def colorize(self, rowwise=False):
        """Color each median by how it compares with the best of its column (or row)."""
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self):
        """Mark noisy measurements with their IQR / median in percent."""
        self._highlight_warnings = True

    def print(self):
        print(str(self))

    def __str__(self):
        by_label = {}
        for m in Measurement.merge(self._results):
            by_label.setdefault(m.label, []).append(m)
        return "\n".join(_Table(group, self._colorize, self._trim_significant_figures,
                                self._highlight_warnings).render()
                         for group in by_label.values())
