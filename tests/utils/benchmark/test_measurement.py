"""Measurement: statistics of per-run times, torch's printed summary (its repr), significant
figures, merge; the unit helpers. Times come from fake clocks (_fake_clock), so each figure is
known and torch's own Measurement, fed the same times, must agree."""
import pickle

import numpy as np
import pytest

import ember.utils.benchmark as bench
from ._fake_clock import body, fake_timer


def _measurement(bench_module, raw_times, number_per_run=10, metadata=None, **task):
    spec = bench_module.TaskSpec(stmt=task.pop("stmt", "x + y"), setup=task.pop("setup", "pass"),
                                 **task)
    return bench_module.Measurement(number_per_run, list(raw_times), spec, metadata)


RAW_TIMES = {
    "one": [12e-6],
    "three": [12e-6, 14e-6, 13e-6],
    "steady": [10e-6, 10.1e-6, 9.9e-6, 10.05e-6, 10e-6],
    "fluctuating": [10e-6, 11.5e-6, 9e-6, 10.5e-6, 12e-6, 9.5e-6],
    "noisy": [1e-3, 3e-3, 2e-3, 6e-3, 0.5e-3, 4e-3, 9e-3],
    "seconds": [2.0, 2.5, 3.0, 2.2],
}


def test_statistics_are_of_the_per_run_times():
    m = _measurement(bench, [4e-6, 1e-6, 3e-6, 2e-6], number_per_run=2)
    assert m.times == pytest.approx([2e-6, 0.5e-6, 1.5e-6, 1e-6])
    assert m.median == pytest.approx(1.25e-6) and m.mean == pytest.approx(1.25e-6)
    assert m.iqr == pytest.approx(np.subtract(*np.quantile([2, .5, 1.5, 1], [.75, .25])) * 1e-6)
    assert m.stmt == "x + y" and m.num_threads == 1 and m.label is None
    assert m.as_row_name == "x + y"
    assert _measurement(bench, [1e-6], sub_label="float").as_row_name == "float"


@pytest.mark.parametrize("case", sorted(RAW_TIMES))
@pytest.mark.parametrize("task", [
    {},
    {"label": "Add", "sub_label": "f32", "description": "n=4", "num_threads": 2},
    {"stmt": "y = x + 1\nz = y * 2", "setup": "x = 1\nw = 2", "sub_label": "two"},
    {"stmt": "x.sum()", "setup": "x = torch.ones(3)", "description": "ones"},
])
def test_repr_and_statistics_match_torch(case, task):
    torch_bench = pytest.importorskip("torch.utils.benchmark")
    mine = _measurement(bench, RAW_TIMES[case], **dict(task))
    theirs = _measurement(torch_bench, RAW_TIMES[case], **dict(task))
    assert body(mine) == body(theirs)
    for name in ("median", "mean", "iqr"):
        assert getattr(mine, name) == pytest.approx(getattr(theirs, name), rel=1e-12), name
    for name in ("significant_figures", "has_warnings", "title", "times", "as_row_name"):
        assert getattr(mine, name) == getattr(theirs, name), name
    for threshold in (0.05, 0.1, 0.5):
        assert mine.meets_confidence(threshold) == theirs.meets_confidence(threshold)


def test_repr_layout():
    m = _measurement(bench, RAW_TIMES["fluctuating"], label="Add", sub_label="f32",
                     description="n=4")
    assert body(m) == (
        "Add: f32\n"
        "n=4\n"
        "  Median: 1.02 us\n"
        "  IQR:    0.16 us (0.96 to 1.12)\n"
        "  6 measurements, 10 runs per measurement, 1 thread\n"
        "  WARNING: Interquartile range is 15.9% of the median measurement.\n"
        "           This could indicate system fluctuation.")
    one = _measurement(bench, [3e-3], number_per_run=1, num_threads=4)
    assert body(one) == "x + y\n  3.00 ms\n  1 measurement, 1 runs , 4 threads"
    three = _measurement(bench, RAW_TIMES["three"], stmt="a\nb", setup="c")
    assert body(three) == ("stmt:\n  a\n  b\n\nsetup: c\n  Median: 1.30 us\n"
                           "  3 measurements, 10 runs per measurement, 1 thread")
    noisy = _measurement(bench, RAW_TIMES["noisy"], number_per_run=1)
    assert body(noisy).endswith("This suggests significant environmental influence.")
    assert repr(noisy).startswith("<ember.utils.benchmark.measurement.Measurement object at 0x")


def test_significant_figures_follow_the_spread():
    # 100 us per run: the interquartile times' 90% interval is ~0.07 us (3 digits), ~0.6 us (2)
    assert _measurement(bench, [1e-3, 1.001e-3, .999e-3, 1.0005e-3, 1e-3]).significant_figures == 3
    assert _measurement(bench, [1e-3, 1.01e-3, .99e-3, 1.005e-3]).significant_figures == 2
    assert _measurement(bench, RAW_TIMES["noisy"]).significant_figures == 1
    assert _measurement(bench, [1.0] * 8).significant_figures == 4  # capped
    assert _measurement(bench, [1e-6] * 8).significant_figures == 1  # 0.1 us: at least 1


def test_merge_groups_replicates_by_task():
    a1 = _measurement(bench, [2e-6, 4e-6], number_per_run=2, label="a")
    b = _measurement(bench, [9e-6], number_per_run=1, label="b")
    a2 = _measurement(bench, [30e-6], number_per_run=10, label="a", metadata={"run": 2})
    merged = bench.Measurement.merge([a1, b, a2])
    assert [m.label for m in merged] == ["a", "b"]
    assert merged[0].number_per_run == 1 and merged[0].metadata is None
    assert merged[0].raw_times == pytest.approx([1e-6, 2e-6, 3e-6])
    assert merged[0].task_spec == a1.task_spec and merged[1].raw_times == [9e-6]


def test_measurement_pickles_and_compares_by_value():
    m = _measurement(bench, RAW_TIMES["steady"], label="p", metadata={"k": 1})
    m.median  # statistics computed before pickling must not matter
    again = pickle.loads(pickle.dumps(m))
    assert again == m and again.median == m.median and again.label == "p"
    assert again != _measurement(bench, RAW_TIMES["steady"], label="q", metadata={"k": 1})


@pytest.mark.parametrize("t", [3e-10, 1e-9, 999e-9, 1e-6, 2.5e-5, 1e-3, 0.5, 1.0, 42.0])
def test_select_unit_matches_torch(t):
    torch_bench = pytest.importorskip("torch.utils.benchmark")
    assert bench.select_unit(t) == torch_bench.select_unit(t)


@pytest.mark.parametrize("x, n", [(1234.5678, 2), (0.0123456, 3), (3.14159, 1), (-27.5, 2),
                                  (0.5, 4), (999.96, 3)])
def test_trim_sigfig_matches_torch(x, n):
    torch_bench = pytest.importorskip("torch.utils.benchmark")
    assert bench.trim_sigfig(x, n) == torch_bench.trim_sigfig(x, n)


def test_unit_helpers():
    assert bench.select_unit(2.5e-5) == ("us", 1e-6) and bench.select_unit(7.0) == ("s", 1)
    assert bench.trim_sigfig(3.14159, 2) == pytest.approx(3.1)
    with pytest.raises(AssertionError, match="must be an integer"):
        bench.trim_sigfig(1.0, 2.5)
    assert [bench.unit_to_english(u) for u in ("ns", "us", "ms", "s")] == [
        "nanosecond", "microsecond", "millisecond", "second"]
    assert bench.ordered_unique([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_fake_timer_measurements_match_torch():
    torch_bench = pytest.importorskip("torch.utils.benchmark")
    for make in (lambda b: fake_timer(b, 1e-6, 1.2e-6, 0.9e-6, label="L").timeit(7),
                 lambda b: fake_timer(b, 1e-6, 3e-6).blocked_autorange(min_run_time=1e-4)):
        assert body(make(bench)) == body(make(torch_bench))
