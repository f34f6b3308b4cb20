"""DistributedDataParallel on 2 ranks against one process training on the concatenated batch:
parity over 20 steps (SGD with momentum, Adam), no_sync accumulation, unused parameters, buffer
broadcast, SyncBatchNorm against BatchNorm on the full batch."""
import copy

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.cli.net import Net
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, n = dist.get_rank(), dist.get_world_size()
B = 4  # per rank


def batch(step, size=B * n, shape=(3, 32, 32)):
    g = np.random.default_rng(step)
    return (ember.from_numpy(g.standard_normal((size,) + shape).astype(np.float32)),
            ember.from_numpy(g.integers(0, 10, size)))


def mine(t):
    return t[rank * (t.shape[0] // n):(rank + 1) * (t.shape[0] // n)]


def close(a, b, what, tol=1e-5):
    a, b = a.detach().numpy(), b.detach().numpy()
    assert np.allclose(a, b, rtol=tol, atol=tol), (what, np.abs(a - b).max())


def parity(make_opt, as_view):
    ember.manual_seed(0)
    reference = Net()
    ember.manual_seed(rank + 7)  # different start on each rank: DDP broadcasts rank 0's
    local = Net()
    if rank == 0:
        local.load_state_dict(reference.state_dict())
    model = DDP(local, gradient_as_bucket_view=as_view, bucket_cap_mb=0.05)
    assert len(model._reducer.buckets) > 2
    # overlap: the last layers' bucket is on its way before backward reaches the first layer
    started = []

    def watch(module, inputs, out):
        out.register_hook(lambda g: started.append(model._reducer.buckets[0].work is not None))
    model.module.conv1.register_forward_hook(watch)
    for p, q in zip(model.parameters(), reference.parameters()):
        close(p, q, "broadcast at construction", 0)
    opt, ref_opt = make_opt(model.parameters()), make_opt(reference.parameters())
    loss_fn = nn.CrossEntropyLoss()
    for step in range(20):
        x, y = batch(step)
        opt.zero_grad()
        loss_fn(model(mine(x)), mine(y)).backward()
        opt.step()
        ref_opt.zero_grad()
        loss_fn(reference(x), y).backward()
        ref_opt.step()
    assert started == [True] * 20
    for (name, p), q in zip(model.module.named_parameters(), reference.parameters()):
        close(p, q, f"{name} after 20 steps")
        close(p.grad, q.grad, f"{name}.grad after 20 steps")
    assert list(model.state_dict())[0] == "module.conv1.weight"


parity(lambda ps: ember.optim.SGD(ps, lr=0.01, momentum=0.9), False)
parity(lambda ps: ember.optim.SGD(ps, lr=0.01, momentum=0.9), True)
parity(lambda ps: ember.optim.Adam(ps, lr=1e-3), False)

# no_sync: two accumulated micro-batches then a synchronised one equal the large batch
ember.manual_seed(0)
reference = Net()
model = DDP(copy.deepcopy(reference))
loss_fn = nn.CrossEntropyLoss()
with model.no_sync():
    for step in (100, 101):
        x, y = batch(step)
        loss_fn(model(mine(x)), mine(y)).backward()
        loss_fn(reference(x), y).backward()
local = model.module.fc3.weight.grad.clone()
x, y = batch(102)
loss_fn(model(mine(x)), mine(y)).backward()
loss_fn(reference(x), y).backward()
for p, q in zip(model.parameters(), reference.parameters()):
    close(p.grad, q.grad, "no_sync accumulation")
assert not np.allclose(local.numpy(), model.module.fc3.weight.grad.numpy())


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Linear(4, 2)
        self.unused = nn.Linear(4, 2)

    def forward(self, x):
        return self.used(x)


x = ember.randn(3, 4)
model = DDP(TwoHeads())
model(x).sum().backward()
try:
    model(x)
except RuntimeError as exc:
    assert "Expected to have finished reduction in the prior iteration" in str(exc), exc
    assert "find_unused_parameters=True" in str(exc) and "rank " + str(rank) in str(exc)
else:
    raise AssertionError("an unused parameter must raise at the next forward")
model = DDP(TwoHeads(), find_unused_parameters=True)
for _ in range(2):
    model.zero_grad()
    model(x * (rank + 1)).sum().backward()
assert model.module.unused.weight.grad is None
want = x.sum(0) * (1 + n) / 2
close(model.module.used.weight.grad, ember.stack([want, want]), "find_unused grads")

# buffers follow rank 0 at every forward
bn_model = DDP(nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3)))
bn_model.module[1].running_mean.fill_(float(rank))
bn_model.eval()
with ember.no_grad():
    bn_model(x)
close(bn_model.module[1].running_mean, ember.zeros(3), "buffers broadcast from rank 0", 0)

# SyncBatchNorm: statistics, running statistics and gradients of the full batch
ember.manual_seed(0)
plain = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                      nn.Linear(4 * 6 * 6, 3))
synced = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(copy.deepcopy(plain)))
assert isinstance(synced.module[1], nn.SyncBatchNorm)
x, _ = batch(7, shape=(3, 8, 8))
x = x * 3 + 1
out_full = plain(x)
out_mine = synced(mine(x))
close(out_mine, mine(out_full), "SyncBatchNorm output")
(out_full ** 2).mean().backward()
(out_mine ** 2).mean().backward()
close(synced.module[1].running_mean, plain[1].running_mean, "SyncBatchNorm running_mean")
close(synced.module[1].running_var, plain[1].running_var, "SyncBatchNorm running_var")
for p, q in zip(synced.parameters(), plain.parameters()):
    close(p.grad, q.grad, "SyncBatchNorm gradients")
dist.destroy_process_group()
print(f"rank {rank}: ddp ok")
