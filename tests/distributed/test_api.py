"""ember.distributed without MPI processes: the import costs nothing, errors before
init_process_group are torch's, ReduceOp and Backend have torch's names and values."""
import subprocess
import sys

import pytest

import ember
import ember.distributed as dist


def test_import_ember_never_imports_mpi4py():
    code = "import sys, ember; print(ember.distributed.is_available() in (True, False), " \
           "'mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.split() == ["True", "False"]


@pytest.mark.parametrize("call", [lambda: dist.all_reduce(ember.ones(2)), dist.get_rank,
                                  dist.get_world_size, dist.barrier, dist.get_backend,
                                  lambda: dist.broadcast_object_list([1])])
def test_before_init_process_group_is_torchs_value_error(call):
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized, "
                                         "please make sure to call init_process_group."):
        call()


def test_reduce_op_and_backend_names_match_torch():
    torch = pytest.importorskip("torch")
    import torch.distributed as tdist
    for name, value in tdist.ReduceOp.RedOpType.__members__.items():
        assert int(getattr(dist.ReduceOp, name)) == int(value)
        assert repr(getattr(dist.ReduceOp, name)) == repr(getattr(tdist.ReduceOp, name))
    assert dist.ReduceOp.SUM == dist.ReduceOp.RedOpType.SUM
    assert dist.Backend("GLOO") == tdist.Backend("GLOO") == "gloo"
    with pytest.raises(ValueError):
        dist.Backend("carrier-pigeon")
    assert torch.distributed.is_available() and dist.is_available() in (True, False)


def test_unknown_backend_is_refused_before_mpi_starts():
    with pytest.raises(ValueError, match="Invalid backend: 'smoke'"):
        dist.init_process_group("smoke")


def test_nccl_without_cupy_says_what_to_install(monkeypatch):
    from ember import _backend
    previous = _backend._install_array_module_for_tests(None)
    monkeypatch.setattr(_backend, "_import_error", "No module named 'cupy'")
    try:
        with pytest.raises(RuntimeError, match="backend='nccl' needs CuPy with NCCL"):
            dist.init_process_group("nccl")
        assert not dist.is_nccl_available()
    finally:
        _backend._install_array_module_for_tests(previous)
    assert not dist.is_initialized()
