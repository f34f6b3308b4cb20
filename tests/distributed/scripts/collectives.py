"""Every collective on every dtype, against NumPy, on 2+ ranks (run under mpiexec)."""
import numpy as np

import ember
import ember.distributed as dist

dist.init_process_group("mpi")
rank, n = dist.get_rank(), dist.get_world_size()
DTYPES = [ember.float16, ember.float32, ember.float64, ember.int8, ember.int16, ember.int32,
          ember.int64, ember.uint8, ember.bool]


def values(r, dtype, shape=(2, 3)):
    """Rank r's data: small numbers, so products and sums stay exact in every dtype."""
    a = (np.arange(np.prod(shape)).reshape(shape) % 3 + r + 1)
    if dtype == ember.bool:
        a = (a + r) % 2 == 0
    return a.astype(dtype.np)


def check(got, want, what):
    got = got.numpy() if isinstance(got, ember.Tensor) else got
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert np.array_equal(got, want), (what, got, want)


every = lambda dt: [values(r, dt) for r in range(n)]  # noqa: E731
for dt in DTYPES:
    mine = values(rank, dt)
    stack = np.stack(every(dt))
    reductions = {dist.ReduceOp.SUM: stack.sum(0), dist.ReduceOp.PRODUCT: stack.prod(0),
                  dist.ReduceOp.MIN: stack.min(0), dist.ReduceOp.MAX: stack.max(0)}
    if dt == ember.bool:
        reductions = {dist.ReduceOp.SUM: stack.any(0), dist.ReduceOp.PRODUCT: stack.all(0),
                      dist.ReduceOp.MIN: stack.all(0), dist.ReduceOp.MAX: stack.any(0)}
    if dt.is_floating_point:
        reductions[dist.ReduceOp.AVG] = stack.sum(0) / n
    elif dt != ember.bool:
        reductions[dist.ReduceOp.BAND] = np.bitwise_and.reduce(stack, 0)
        reductions[dist.ReduceOp.BOR] = np.bitwise_or.reduce(stack, 0)
        reductions[dist.ReduceOp.BXOR] = np.bitwise_xor.reduce(stack, 0)
        reductions[dist.ReduceOp.AVG] = stack.sum(0) // n
    for op, want in reductions.items():
        t = ember.from_numpy(mine.copy())
        dist.all_reduce(t, op=op)
        check(t, want.astype(mine.dtype), f"all_reduce {dt} {op}")
        t = ember.from_numpy(mine.copy())
        dist.reduce(t, dst=1, op=op)
        check(t, want.astype(mine.dtype) if rank == 1 else mine, f"reduce {dt} {op}")
    # a non-contiguous tensor is written in place too
    t = ember.from_numpy(np.stack([mine, mine], 1)).select(1, 0)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    check(t, reductions[dist.ReduceOp.MAX].astype(mine.dtype), f"all_reduce strided {dt}")
    t = ember.from_numpy(mine.copy())
    dist.broadcast(t, src=1)
    check(t, values(1, dt), f"broadcast {dt}")
    out = [ember.zeros(2, 3, dtype=dt) for _ in range(n)]
    dist.all_gather(out, ember.from_numpy(mine))
    for r in range(n):
        check(out[r], values(r, dt), f"all_gather {dt}")
    big = ember.zeros(2 * n, 3, dtype=dt)
    dist.all_gather_into_tensor(big, ember.from_numpy(mine))
    check(big, np.concatenate(every(dt)), f"all_gather_into_tensor {dt}")
    if dt != ember.bool:
        full = np.concatenate([values(r, dt, (n, 3)) for r in range(n)]).reshape(n, n, 3)
        part = ember.zeros(1, 3, dtype=dt)
        dist.reduce_scatter_tensor(part, ember.from_numpy(values(rank, dt, (n, 3))))
        check(part, full.sum(0)[rank:rank + 1].astype(mine.dtype), f"reduce_scatter {dt}")
    gathered = [ember.zeros(2, 3, dtype=dt) for _ in range(n)] if rank == 0 else None
    dist.gather(ember.from_numpy(mine), gathered, dst=0)
    if rank == 0:
        for r in range(n):
            check(gathered[r], values(r, dt), f"gather {dt}")
    t = ember.zeros(2, 3, dtype=dt)
    dist.scatter(t, [ember.from_numpy(values(10 + r, dt)) for r in range(n)] if rank == 0
                 else None, src=0)
    check(t, values(10 + rank, dt), f"scatter {dt}")
    # all_to_all_single with uneven splits: rank r sends r + 1 + j rows to rank j
    sends = [rank + 1 + j for j in range(n)]
    recvs = [r + 1 + rank for r in range(n)]
    src = ember.from_numpy(np.concatenate([np.full((k, 2), 10 * rank + j) for j, k in
                                           enumerate(sends)]).astype(dt.np))
    dst = ember.zeros(sum(recvs), 2, dtype=dt)
    dist.all_to_all_single(dst, src, recvs, sends)
    want = np.concatenate([np.full((k, 2), 10 * r + rank) for r, k in enumerate(recvs)])
    check(dst, want.astype(dt.np), f"all_to_all_single {dt}")
    # point to point: a ring
    t = ember.zeros(2, 3, dtype=dt)
    if rank % 2 == 0:
        dist.send(ember.from_numpy(mine), dst=(rank + 1) % n)
        source = dist.recv(t, src=(rank - 1) % n)
    else:
        source = dist.recv(t)
        dist.send(ember.from_numpy(mine), dst=(rank + 1) % n)
    check(t, values((rank - 1) % n, dt), f"send/recv {dt}")
    assert source == (rank - 1) % n

# async: work objects, several in flight at once
a, b = ember.full((1000,), float(rank)), ember.full((3,), float(rank + 1))
w1 = dist.all_reduce(a, async_op=True)
w2 = dist.broadcast(b, src=0, async_op=True)
assert w2.wait() is True and w1.wait() is True and w1.is_completed()
check(a, np.full(1000, sum(range(n)), np.float32), "async all_reduce")
check(b, np.full(3, 1.0, np.float32), "async broadcast")
assert w1.result()[0] is a
req = dist.irecv(ember.zeros(4), src=(rank - 1) % n)
dist.isend(ember.full((4,), float(rank)), dst=(rank + 1) % n).wait()
req.wait()
check(req.result()[0], np.full(4, (rank - 1) % n, np.float32), "isend/irecv")
assert dist.barrier(async_op=True).wait()

# objects
objs = [{"rank": rank}, "x" * rank, None]
dist.broadcast_object_list(objs, src=1)
assert objs == [{"rank": 1}, "x", None], objs
gathered = [None] * n
dist.all_gather_object(gathered, ("r", rank, ember.tensor([rank])))
assert [g[1] for g in gathered] == list(range(n))
assert [g[2].item() for g in gathered] == list(range(n))

# a group of one rank: the other is not a member
g = dist.new_group([1])
if rank == 1:
    t = ember.tensor([5.0])
    dist.all_reduce(t, group=g)
    assert t.item() == 5.0 and dist.get_rank(g) == 0 and dist.get_world_size(g) == 1
else:
    assert g == dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(g) == -1
dist.barrier()
dist.destroy_process_group()
print(f"rank {rank}: collectives ok")
