"""ember.cuda: queries, seeds, memory statistics and events on a GPU (or the fake), and the clear
errors, never crashes, of a machine without CuPy."""
import sys
import time

import pytest

import ember
from ember import _backend


@pytest.fixture
def no_cupy(monkeypatch):
    """CuPy made unimportable, as on a machine without it."""
    previous = _backend._install_array_module_for_tests(None)
    monkeypatch.setitem(sys.modules, "cupy", None)
    yield
    _backend._install_array_module_for_tests(previous)


@pytest.mark.usefixtures("no_cupy")
class TestWithoutCuPy:
    def test_queries_answer_without_error(self):
        assert ember.cuda.is_available() is False
        assert ember.cuda.device_count() == 0
        ember.cuda.manual_seed(1)  # silently nothing, as in PyTorch
        ember.cuda.manual_seed_all(1)
        ember.cuda.empty_cache()

    @pytest.mark.parametrize("make", [lambda: ember.ones(2).cuda(),
                                      lambda: ember.zeros(2, device="cuda"),
                                      lambda: ember.tensor([1.0], device="cuda:0"),
                                      lambda: ember.ones(2).to("cuda")])
    def test_cuda_tensors_say_what_to_install(self, make):
        with pytest.raises(RuntimeError, match=r"CuPy.*pip install 'ember\[cuda\]'.*cupy-cuda12x"):
            make()

    def test_device_functions_raise_clearly(self):
        for fn in (ember.cuda.current_device, ember.cuda.synchronize, ember.cuda.Event,
                   ember.cuda.memory_allocated, ember.cuda.get_device_name):
            with pytest.raises(RuntimeError, match="CUDA is not available"):
                fn()

    def test_pinning_needs_cuda(self):
        with pytest.raises(RuntimeError, match="CuPy"):
            ember.ones(2).pin_memory()
        assert not ember.ones(2).is_pinned()


@pytest.mark.usefixtures("cuda")
class TestOnDevice:
    def test_device_queries(self):
        n = ember.cuda.device_count()
        assert n >= 1 and ember.cuda.current_device() == 0
        ember.cuda.set_device(0)
        ember.cuda.set_device("cuda:0")
        ember.cuda.set_device(-1)  # ignored, as in PyTorch
        with pytest.raises(RuntimeError, match="invalid device ordinal"):
            ember.cuda.set_device(n)
        with pytest.raises(RuntimeError, match="invalid device ordinal"):
            ember.zeros(1, device=f"cuda:{n}")
        with ember.cuda.device(0):
            assert ember.cuda.current_device() == 0
        name = ember.cuda.get_device_name()
        assert isinstance(name, str) and name == ember.cuda.get_device_name(0)
        major, minor = ember.cuda.get_device_capability(ember.device("cuda:0"))
        assert isinstance(major, int) and isinstance(minor, int)
        assert ember.cuda.get_device_properties(0).total_memory > 0
        ember.cuda.synchronize()

    def test_seeds(self):
        ember.cuda.manual_seed(5)
        a = ember.rand(4, device="cuda")
        ember.cuda.manual_seed_all(5)
        b = ember.rand(4, device="cuda")
        assert a.cpu().tolist() == b.cpu().tolist()
        ember.cuda.manual_seed(6)
        assert a.cpu().tolist() != ember.rand(4, device="cuda").cpu().tolist()

    def test_memory_statistics(self):
        n_bytes = 4 << 20
        before = ember.cuda.memory_allocated()
        x = ember.zeros(n_bytes // 4, device="cuda")
        assert ember.cuda.memory_allocated() >= before + n_bytes
        assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated()
        del x
        assert ember.cuda.memory_allocated() < before + n_bytes
        ember.cuda.reset_peak_memory_stats()
        base = ember.cuda.max_memory_allocated()
        y = ember.ones(2 * n_bytes // 4, device="cuda")  # a peak between two queries
        del y
        assert ember.cuda.max_memory_allocated() >= base + 2 * n_bytes
        ember.cuda.reset_peak_memory_stats()
        assert ember.cuda.max_memory_allocated() < base + 2 * n_bytes
        ember.cuda.empty_cache()

    def test_event_timing(self):
        start = ember.cuda.Event(enable_timing=True)
        end = ember.cuda.Event(enable_timing=True)
        with pytest.raises(RuntimeError):
            start.elapsed_time(end)
        start.record()
        (ember.ones(64, 64, device="cuda") @ ember.ones(64, 64, device="cuda")).sum()
        time.sleep(0.01)
        end.record()
        end.synchronize()
        assert end.query() is True
        assert start.elapsed_time(end) >= 0.0
