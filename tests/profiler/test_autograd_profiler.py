"""torch.autograd.profiler: the legacy profile on ember.profiler, record_function, and emit_nvtx /
emit_itt's checks, against torch 2.13."""
import pytest

import ember
from ember.autograd import profiler as legacy


def test_legacy_profile_records_ops_and_spans(torch):
    x = ember.randn(4, 3)
    with legacy.profile(record_shapes=True) as prof:
        with legacy.record_function("block"):
            (x.mm(x.t()) + 1).relu()
    names = [e.name for e in prof.function_events]
    assert isinstance(prof.function_events, legacy.EventList)
    assert {"block", "aten::mm", "aten::add", "aten::relu"} <= set(names)
    averages = {e.key: e for e in prof.key_averages()}
    assert averages["aten::mm"].count == 1 and averages["block"].count == 1
    assert prof.self_cpu_time_total > 0
    assert "aten::mm" in prof.table(sort_by="self_cpu_time_total")
    mm = next(e for e in prof.function_events if e.name == "aten::mm")
    assert mm.input_shapes == [[4, 3], [3, 4]]
    # torch's own profile names the same ops
    with torch.autograd.profiler.profile() as t_prof:
        (torch.randn(4, 3).mm(torch.randn(3, 4)) + 1).relu()
    assert {"aten::mm", "aten::add", "aten::relu"} <= {e.name for e in t_prof.function_events}


def test_disabled_profile_records_nothing(torch):
    for lib in (torch, ember):
        prof = lib.autograd.profiler.profile(enabled=False)
        with prof as entered:
            lib.ones(2) + 1
        assert entered is None
    prof = legacy.profile(enabled=False)
    with prof:
        ember.ones(2) + 1
    assert len(prof.function_events) == 0


def test_profile_is_not_reentrant(torch):
    for lib in (torch, ember):
        prof = lib.autograd.profiler.profile()
        with prof:
            with pytest.raises(RuntimeError, match="Profiler context manager is not reentrant"):
                prof.__enter__()


def test_emit_itt_checks_reentry_like_torch(torch):
    for lib in (torch, ember):
        itt = lib.autograd.profiler.emit_itt()
        with itt as entered:
            assert entered is itt
            lib.ones(2) + 1
            with pytest.raises(RuntimeError, match="ITT annotation context manager is not "
                                                   "reentrant"):
                itt.__enter__()
        with lib.autograd.profiler.emit_itt(enabled=False) as entered:
            assert entered is None


def test_emit_nvtx_needs_cuda_unless_disabled():
    with legacy.emit_nvtx(enabled=False) as entered:
        assert entered is None
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            with legacy.emit_nvtx():
                pass
    else:
        nvtx = legacy.emit_nvtx()
        with nvtx:
            with pytest.raises(RuntimeError, match="NVTX annotation context manager is not "
                                                   "reentrant"):
                nvtx.__enter__()


def test_record_function_is_ember_profilers():
    assert legacy.record_function is ember.profiler.record_function
