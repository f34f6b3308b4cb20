"""torch.autograd.profiler: the legacy profiler API on top of ember.profiler.

profile(enabled=True, ...) records as ember.profiler.profile does (CPU activity only) and returns
its events from function_events and key_averages(); record_function is ember.profiler's. emit_nvtx
and emit_itt annotate ranges for NVIDIA Nsight and Intel VTune: ember calls neither library, so
they check their use (not reentrant; emit_nvtx needs CUDA, as torch's does) and record nothing.
"""
from .. import cuda
from ..profiler.profiler import EventList, FunctionEvent, profile as _profile, record_function

__all__ = ["profile", "record_function", "emit_nvtx", "emit_itt", "EventList", "FunctionEvent"]


class profile:
    """Record the ops run inside the block (when enabled); function_events and key_averages()
    hold what was recorded once the block exits."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False, with_modules=False,
                 use_kineto=False, use_cpu=True, experimental_config=None, acc_events=False,
                 custom_trace_id_callback=None, post_processing_timeout_s=None,
                 activity_filters=None):
        self.enabled = enabled
        self.entered = False
        self._profiler = _profile(record_shapes=record_shapes, profile_memory=profile_memory,
                                  with_stack=with_stack, with_flops=with_flops,
                                  with_modules=with_modules)

    def __enter__(self):
        if not self.enabled:
            return None
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._profiler.start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self._profiler.stop()
        return False

    @property
    def function_events(self):
        return self._profiler.events()

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        return self.function_events.key_averages(group_by_input_shape)

    def table(self, sort_by=None, row_limit=100, **kwargs):
        return self.function_events.table(sort_by=sort_by, row_limit=row_limit, **kwargs)

    def export_chrome_trace(self, path):
        return self.function_events.export_chrome_trace(path)

    def total_average(self):
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self):
        return self.function_events.self_cpu_time_total

    def __str__(self):
        return str(self.function_events)


class _RangeAnnotations:
    """A with-block whose ranges would go to an external tracing tool that ember does not call."""
    _tool = ""

    def __init__(self, enabled=True, record_shapes=False):
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.entered = False

    def __enter__(self):
        if not self.enabled:
            return None
        if self.entered:
            raise RuntimeError(f"{self._tool} annotation context manager is not reentrant")
        self.entered = True
        return self

    def __exit__(self, *exc):
        self.entered = False
        return False


class emit_nvtx(_RangeAnnotations):
    """torch's NVTX range emitter for nvprof/Nsight: ember records no NVTX ranges. Entering it
    synchronizes the GPU as torch does, so it raises where there is no CUDA."""
    _tool = "NVTX"

    def __enter__(self):
        if self.enabled and not self.entered:
            cuda.synchronize()
        return super().__enter__()


class emit_itt(_RangeAnnotations):
    """torch's ITT range emitter for Intel VTune: ember records no ITT ranges."""
    _tool = "ITT"
