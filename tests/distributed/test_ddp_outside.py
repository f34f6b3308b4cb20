"""DistributedDataParallel averages the whole accumulated gradient, including what reaches a
parameter from outside the module's forward (scripts/ddp_outside.py under mpiexec -n 2)."""
import pytest

pytest.importorskip("mpi4py")
from tests.distributed.test_distributed import mpi, ok  # noqa: E402


def test_ddp_averages_gradients_from_outside_the_forward():
    ok(mpi("ddp_outside.py")[0], "ddp outside ok")
