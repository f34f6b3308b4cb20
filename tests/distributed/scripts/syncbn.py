"""SyncBatchNorm on the tutorial network: the CIFAR-10 tutorial's Net with a BatchNorm2d after
each convolution, converted with convert_sync_batchnorm and trained on 2 ranks under
DistributedDataParallel for 20 steps, equals the BatchNorm network trained by one process on the
concatenated batch (parameters, gradients, running statistics, and the eval-mode outputs)."""
import copy

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
import ember.nn.functional as F
from ember.cli.net import Net
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, n = dist.get_rank(), dist.get_world_size()
B = 4  # per rank


class NormedNet(Net):
    def __init__(self):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(6)
        self.bn2 = nn.BatchNorm2d(16)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        x = ember.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def batch(step, size=B * n):
    g = np.random.default_rng(step)
    return (ember.from_numpy((2 * g.standard_normal((size, 3, 32, 32)) + 1).astype(np.float32)),
            ember.from_numpy(g.integers(0, 10, size)))


def mine(t):
    return t[rank * B:(rank + 1) * B]


def close(a, b, what, tol=1e-5):
    a, b = a.detach().numpy(), b.detach().numpy()
    assert np.allclose(a, b, rtol=tol, atol=tol), (what, np.abs(a - b).max())


ember.manual_seed(0)
reference = NormedNet()
model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(copy.deepcopy(reference)))
assert isinstance(model.module.bn1, nn.SyncBatchNorm) and isinstance(model.module.bn2,
                                                                      nn.SyncBatchNorm)
opt = ember.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
ref_opt = ember.optim.SGD(reference.parameters(), lr=0.02, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for step in range(20):
    x, y = batch(step)
    opt.zero_grad()
    loss_fn(model(mine(x)), mine(y)).backward()
    opt.step()
    ref_opt.zero_grad()
    loss_fn(reference(x), y).backward()
    ref_opt.step()
for (name, p), q in zip(model.module.named_parameters(), reference.parameters()):
    close(p.grad, q.grad, f"{name}.grad")
    close(p, q, name)
for (name, b), c in zip(model.module.named_buffers(), reference.buffers()):
    close(b, c, name)
assert int(model.module.bn1.num_batches_tracked) == 20
model.eval()
reference.eval()
x, _ = batch(99)
with ember.no_grad():
    close(model(mine(x)), mine(reference(x)), "eval outputs (running statistics)")
dist.destroy_process_group()
print(f"rank {rank}: syncbn ok")
