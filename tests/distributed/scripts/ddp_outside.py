"""DistributedDataParallel on 2 ranks with gradients that reach parameters from outside the
module's forward (NOTE [ Gradients from outside the forward ]): an L2 penalty on the raw
parameters built after or before the forward, a penalty only some ranks add, a parameter that
only the loss uses, and no_sync accumulation; each against one process on the full batch."""
import contextlib
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
loss_fn = nn.CrossEntropyLoss()


def batch(step, size=B * n):
    g = np.random.default_rng(step)
    return (ember.from_numpy(g.standard_normal((size, 3, 32, 32)).astype(np.float32)),
            ember.from_numpy(g.integers(0, 10, size)))


def mine(t):
    return t[rank * B:(rank + 1) * B]


def close(a, b, what, tol=1e-5):
    a, b = a.detach().numpy(), b.detach().numpy()
    assert np.allclose(a, b, rtol=tol, atol=tol), (what, np.abs(a - b).max())


def l2(params):
    return sum((p * p).sum() for p in params)


def parity(penalty_first, as_view, weights=(0.5, 0.5)):
    """20 SGD steps; rank r adds weights[r] * L2 to its loss: the average gradient is the full
    batch's plus mean(weights) * the L2 term's."""
    ember.manual_seed(0)
    reference = Net()
    model = DDP(copy.deepcopy(reference), bucket_cap_mb=0.05, gradient_as_bucket_view=as_view)
    started = []

    def watch(module, inputs, out):  # overlap: the last layers' bucket travels before conv1
        out.register_hook(lambda g: started.append(model._reducer.buckets[0].work is not None))
    model.module.conv1.register_forward_hook(watch)
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    ref_opt = ember.optim.SGD(reference.parameters(), lr=0.05, momentum=0.9)
    for step in range(20):
        x, y = batch(step)
        opt.zero_grad()
        if penalty_first:
            penalty = weights[rank] * l2(model.parameters())
            loss = loss_fn(model(mine(x)), mine(y)) + penalty
        else:
            loss = loss_fn(model(mine(x)), mine(y)) + weights[rank] * l2(model.parameters())
        loss.backward()
        opt.step()
        ref_opt.zero_grad()
        (loss_fn(reference(x), y) + np.mean(weights) * l2(reference.parameters())).backward()
        ref_opt.step()
    assert started == [True] * 20
    for (name, p), q in zip(model.module.named_parameters(), reference.parameters()):
        close(p.grad, q.grad, f"{name}.grad, penalty_first={penalty_first}")
        close(p, q, f"{name}, penalty_first={penalty_first}")


parity(penalty_first=False, as_view=False)
parity(penalty_first=True, as_view=False)
parity(penalty_first=False, as_view=True)
parity(penalty_first=False, as_view=False, weights=(1.0, 0.0))  # only rank 0 adds it

# no_sync: micro-batches with the penalty accumulate locally, the synchronised one averages all
ember.manual_seed(0)
reference = Net()
model = DDP(copy.deepcopy(reference))
for step in (100, 101, 102):
    x, y = batch(step)
    with model.no_sync() if step < 102 else contextlib.nullcontext():
        (loss_fn(model(mine(x)), mine(y)) + 0.5 * l2(model.parameters())).backward()
    (loss_fn(reference(x), y) + 0.5 * l2(reference.parameters())).backward()
for p, q in zip(model.parameters(), reference.parameters()):
    close(p.grad, q.grad, "no_sync accumulation with a penalty")


class Scaled(nn.Module):
    """`scale` (parameter 0: a module's own parameters come first) is one the forward does not
    use: only the loss does."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)
        self.scale = nn.Parameter(ember.ones(2))

    def forward(self, x):
        return self.linear(x)


x = ember.randn(3, 4)
model = DDP(Scaled())
for _ in range(2):
    model.zero_grad()
    (model(x * (rank + 1)) * model.module.scale).sum().backward()
want = sum(model.module.linear(x * (r + 1)).sum(0).detach() for r in range(n)) / n
close(model.module.scale.grad, want, "a parameter only the loss uses")

model = DDP(Scaled(), find_unused_parameters=True)
try:
    (model(x) * model.module.scale).sum().backward()
except RuntimeError as exc:
    assert "Expected to mark a variable ready only once" in str(exc), exc
    assert "Parameter at index 0 has been marked as ready twice" in str(exc), exc
else:
    raise AssertionError("find_unused_parameters=True declared scale unused in forward")
dist.destroy_process_group()
print(f"rank {rank}: ddp outside ok")
