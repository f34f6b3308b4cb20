"""SyncBatchNorm: convert_sync_batchnorm and the module's answers against torch's (one process,
no process group: plain batch normalisation, as torch), and on the tutorial network under
DistributedDataParallel on 2 ranks against one process on the full batch (scripts/syncbn.py)."""
import re

import numpy as np
import pytest

import ember
import ember.nn as enn
from ember.distributed import _mpi


def _nets(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(3, 6, 5), nn.BatchNorm2d(6),
                         nn.Sequential(nn.BatchNorm2d(6, momentum=None, affine=False)))


def test_convert_sync_batchnorm_like_torch():
    torch = pytest.importorskip("torch")
    plain, torch_plain = _nets(ember), _nets(torch)
    torch_plain.load_state_dict({k: torch.from_numpy(v.numpy())
                                 for k, v in plain.state_dict().items()})
    torch_plain.eval()
    plain.eval()
    synced = enn.SyncBatchNorm.convert_sync_batchnorm(plain)
    torch_synced = torch.nn.SyncBatchNorm.convert_sync_batchnorm(torch_plain)
    assert repr(synced) == repr(torch_synced)
    assert list(synced.state_dict()) == list(torch_synced.state_dict())
    assert synced[1].weight is plain[1].weight and synced[1].running_var is plain[1].running_var
    assert not synced[1].training and not synced[2][0].training
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 9)).astype(np.float32)
    for training in (False, True):  # no process group: batch_norm of this process's batch
        synced.train(training)
        torch_synced.train(training)
        np.testing.assert_allclose(synced(ember.from_numpy(x)).detach().numpy(),
                                   torch_synced(torch.from_numpy(x)).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(synced[1].running_mean.numpy(),
                               torch_synced[1].running_mean.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape, message", [
    ((3,), "expected at least 2D input (got 1D input)"),
    ((2, 0, 3, 3), "SyncBatchNorm number of input channels should be non-zero"),
])
def test_bad_input_is_torchs_value_error(shape, message):
    torch = pytest.importorskip("torch")
    for lib, module in ((ember, enn.SyncBatchNorm(6)), (torch, torch.nn.SyncBatchNorm(6))):
        with pytest.raises(ValueError, match=re.escape(message)):
            module(lib.zeros(*shape))


@pytest.mark.skipif(not _mpi.available(), reason="the 'distributed' extra is not installed")
def test_syncbatchnorm_trains_the_tutorial_network_like_one_process():
    from tests.distributed.test_distributed import mpi, ok
    ok(mpi("syncbn.py")[0], "syncbn ok")
