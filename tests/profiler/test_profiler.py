"""ember.profiler: every op timed under torch's names, record_function spans, torch's table."""
import json
import time

import pytest

import ember
import ember.nn.functional as F
from ember.ops import _op
from ember.profiler import ProfilerAction, ProfilerActivity, profile, record_function, schedule


def _step(x, w):
    return F.linear(x, w).relu().sum()


def test_ops_and_spans_are_recorded():
    x, w = ember.randn(8, 4), ember.randn(3, 4)
    assert _op._hook is None
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        assert _op._hook is not None
        with record_function("outer"):
            for _ in range(3):
                _step(x, w)
            with record_function("sleepy"):
                time.sleep(0.01)
    assert _op._hook is None  # the normal path is back once nothing records
    avg = {e.key: e for e in prof.key_averages()}
    assert avg["aten::mm"].count == 3 and avg["aten::relu"].count == 3
    assert avg["outer"].count == 1 and avg["sleepy"].count == 1
    assert avg["sleepy"].cpu_time_total >= 10_000  # microseconds
    outer = avg["outer"]
    children = sum(a.cpu_time_total for k, a in avg.items() if k != "outer")
    assert outer.self_cpu_time_total == pytest.approx(outer.cpu_time_total - children, abs=1e-6)
    total = prof.events().self_cpu_time_total
    assert total == pytest.approx(outer.cpu_time_total, rel=1e-9)
    mm = next(e for e in prof.events() if e.name == "aten::mm")
    assert mm.input_shapes == [[8, 4], [4, 3]] and mm.cpu_parent.name == "outer"
    by_shape = prof.key_averages(group_by_input_shape=True)
    assert any(e.key == "aten::mm" and e.input_shapes == [[8, 4], [4, 3]] for e in by_shape)
    _step(x, w)  # after the profile: nothing more recorded
    assert sum(e.name == "aten::mm" for e in prof.events()) == 3


def test_table_has_torchs_columns_and_sorting():
    x, w = ember.randn(8, 4), ember.randn(3, 4)
    with profile() as prof:
        with record_function("slow"):
            time.sleep(0.005)
        _step(x, w)
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=2)
    lines = table.splitlines()
    assert lines[0].startswith("-") and lines[2].startswith("-")
    assert lines[1].split("  ") and all(
        h in lines[1] for h in ("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total",
                                "CPU time avg", "# of Calls"))
    assert lines[3].split()[0] == "slow" and len(lines) == 7  # two rows kept
    assert lines[-1].startswith("Self CPU time total: ") and lines[-1].endswith(("us", "ms"))
    assert "Input Shapes" not in table
    by_calls = prof.key_averages().table(sort_by="count")
    assert "aten::mm" in by_calls
    with pytest.raises(AttributeError):
        prof.key_averages().table(sort_by="no_such_key")


def test_table_layout_matches_torch(torch):
    """Same header lines as torch's for the same names."""
    x = torch.randn(2, 2)
    with torch.profiler.profile() as tprof:
        with torch.profiler.record_function("abc"):
            x.relu()
    with profile() as prof:
        with record_function("abc"):
            ember.randn(2, 2).relu()
    tlines = tprof.key_averages().table(sort_by="count").splitlines()
    lines = prof.key_averages().table(sort_by="count").splitlines()
    heads = [h.strip() for h in tlines[1].split("  ") if h.strip()]
    assert [h.strip() for h in lines[1].split("  ") if h.strip()] == heads
    assert {"abc", "aten::relu"} <= {line.split()[0] for line in lines[3:-2]}


def test_record_function_without_profiler_and_as_decorator():
    with record_function("nothing"):
        ember.ones(2).sum()

    @record_function("deco")
    def f():
        return ember.ones(2).exp()

    with profile() as prof:
        f()
    names = [e.name for e in prof.events()]
    assert names == ["deco", "aten::exp"]


def test_schedule_and_trace(tmp_path):
    sched = schedule(wait=1, warmup=1, active=2, repeat=1)
    assert [sched(i) for i in range(6)] == [
        ProfilerAction.NONE, ProfilerAction.WARMUP, ProfilerAction.RECORD,
        ProfilerAction.RECORD_AND_SAVE, ProfilerAction.NONE, ProfilerAction.NONE]
    traces = []
    with profile(schedule=sched, on_trace_ready=traces.append) as prof:
        for i in range(6):
            with record_function(f"step{i}"):
                ember.ones(1).exp()
            prof.step()
    assert len(traces) == 1
    names = [e.name for e in prof.events() if not e.name.startswith("aten::")]
    assert names == ["step2", "step3"]
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    assert {e["name"] for e in trace["traceEvents"]} == {"step2", "step3", "aten::exp"}
    handler_dir = tmp_path / "tb"
    with profile(on_trace_ready=ember.profiler.tensorboard_trace_handler(str(handler_dir))):
        ember.ones(1).exp()
    assert len(list(handler_dir.glob("*.pt.trace.json"))) == 1
