"""Timer: the statement runs in its own namespace with `torch` bound to ember, under the thread
count asked for; timeit, blocked_autorange and adaptive_autorange choose block sizes and stop
as torch's do. A fake clock (_fake_clock) makes every time known."""
import pytest

import ember
import ember.utils.benchmark as bench
from ._fake_clock import FakeClock, body, fake_timer


def test_timeit_warms_up_then_times_one_block():
    clock = FakeClock(2e-6)
    t = bench.Timer("clock.tick()", globals={"clock": clock}, timer=clock, label="tick")
    m = t.timeit(300)
    assert clock.ticks == 3 + 300  # warm-up: number // 100 runs (at least 2)
    assert m.number_per_run == 300 and m.raw_times == pytest.approx([600e-6])
    assert m.times == pytest.approx([2e-6]) and m.median == pytest.approx(2e-6)
    assert isinstance(m, bench.Measurement) and m.title == "tick"
    fake_timer(bench, 1e-6).timeit(10)  # the smallest warm-up is 2 runs
    clock = FakeClock(1e-6)
    bench.Timer("clock.tick()", globals={"clock": clock}, timer=clock).timeit(10)
    assert clock.ticks == 2 + 10


def test_statement_sees_globals_setup_and_ember_as_torch():
    seen = []
    names = {"seen": seen, "x": 3}
    t = bench.Timer("""
        seen.append((torch, x + y))
    """, setup="""
        y = 4
    """, globals=names, timer=FakeClock(1e-6))
    t.timeit(2)
    assert seen[-1] == (ember, 7) and len(seen) == 4  # 2 warm-up runs and 2 timed
    assert names == {"seen": seen, "x": 3}  # the caller's dict is not changed
    assert t._task_spec.stmt == "seen.append((torch, x + y))" and t._task_spec.setup == "y = 4"
    mine = object()
    bench.Timer("seen.append(torch)", globals={"seen": seen, "torch": mine},
                timer=FakeClock(1e-6)).timeit(2)
    assert seen[-1] is mine


def test_runs_with_the_thread_count_asked_for_then_restores_it():
    before = ember.get_num_threads()
    counts, clock = [], FakeClock(1e-3)
    t = bench.Timer("clock.tick(); counts.append(torch.get_num_threads())",
                    globals={"counts": counts, "clock": clock}, num_threads=3, timer=clock)
    for run in (lambda: t.timeit(2), lambda: t.blocked_autorange(min_run_time=1e-9),
                lambda: t.adaptive_autorange(min_run_time=1e-9, max_run_time=1e-3)):
        counts.clear()
        run()
        assert counts and set(counts) == {3}
        assert ember.get_num_threads() == before


def test_blocked_autorange_grows_the_block_until_the_clock_is_negligible():
    calls = []
    clock = FakeClock(1e-6)
    t = bench.Timer("clock.tick()", globals={"clock": clock}, timer=clock)
    m = t.blocked_autorange(callback=lambda number, seconds: calls.append((number, seconds)),
                            min_run_time=0.05)
    # a run takes 1 us < 0.05 s / 1000: blocks of 1, 10, then 100 runs (100 us) are tried
    assert m.number_per_run == 100
    assert len(m.raw_times) == 500 and sum(m.raw_times) == pytest.approx(0.05)
    assert calls == [(100, s) for s in m.raw_times]
    assert m.median == pytest.approx(1e-6)


def test_blocked_autorange_stops_growing_at_a_block_longer_than_min_run_time():
    clock = FakeClock(0.5)
    m = bench.Timer("clock.tick()", globals={"clock": clock}, timer=clock).blocked_autorange(
        min_run_time=0.2)
    assert m.number_per_run == 1 and m.raw_times == pytest.approx([0.5])


def test_adaptive_autorange_stops_once_steady_or_at_max_run_time():
    steady = fake_timer(bench, 1e-3).adaptive_autorange(min_run_time=1e-3)
    assert len(steady.raw_times) == 4  # more than 3 blocks, IQR 0
    noisy_clock = FakeClock(1e-3, 9e-3)
    t = bench.Timer("clock.tick()", globals={"clock": noisy_clock}, timer=noisy_clock)
    noisy = t.adaptive_autorange(threshold=0.1, min_run_time=1e-3, max_run_time=0.5)
    assert noisy.number_per_run == 1
    assert sum(noisy.raw_times) > 0.5 and sum(noisy.raw_times[:-1]) <= 0.5
    loose = t.adaptive_autorange(threshold=10.0, min_run_time=1e-3, max_run_time=0.5)
    assert len(loose.raw_times) == 4


@pytest.mark.parametrize("run", [
    lambda t: t.timeit(37),
    lambda t: t.blocked_autorange(min_run_time=1e-3),
    lambda t: t.adaptive_autorange(min_run_time=1e-3, max_run_time=0.05),
    lambda t: t.adaptive_autorange(threshold=0.3, max_run_time=1.0),
])
@pytest.mark.parametrize("steps", [(1e-6,), (10e-6, 2e-6), (3e-3, 2.9e-3, 3.3e-3)])
def test_same_measurements_as_torch(run, steps):
    torch_bench = pytest.importorskip("torch.utils.benchmark")
    kwargs = dict(label="L", sub_label="s", description="d", num_threads=1)
    mine = run(fake_timer(bench, *steps, **kwargs))
    theirs = run(fake_timer(torch_bench, *steps, **kwargs))
    assert mine.number_per_run == theirs.number_per_run
    assert mine.raw_times == pytest.approx(theirs.raw_times, rel=1e-9)
    assert body(mine) == body(theirs)


def test_errors_match_torch():
    torch_bench = pytest.importorskip("torch.utils.benchmark")
    cases = [dict(stmt=len), dict(global_setup="#include <x>"), dict(language="fortran")]
    for kwargs in cases:
        with pytest.raises(ValueError) as theirs:
            torch_bench.Timer(**kwargs)
        with pytest.raises(ValueError) as mine:
            bench.Timer(**kwargs)
        assert str(mine.value) == str(theirs.value)
    for method in ("repeat", "autorange"):
        with pytest.raises(NotImplementedError, match="See `Timer.blocked_autorange.`"):
            getattr(bench.Timer(), method)()


def test_what_ember_does_not_time():
    with pytest.raises(NotImplementedError, match="ember has no C\\+\\+ API"):
        bench.Timer("x;", language="c++")
    with pytest.raises(NotImplementedError, match="does not count instructions"):
        bench.Timer().collect_callgrind()


def test_default_timer_reads_the_wall_clock():
    import timeit
    before = timeit.default_timer()
    assert before <= bench.timer() <= timeit.default_timer()
    m = bench.Timer("sum(range(10))").timeit(5)
    assert m.raw_times[0] > 0 and m.task_spec.stmt == "sum(range(10))"


def test_set_torch_threads_restores_on_error():
    before = ember.get_num_threads()
    with pytest.raises(KeyError):
        with bench.set_torch_threads(2):
            assert ember.get_num_threads() == 2
            raise KeyError
    assert ember.get_num_threads() == before
