"""Bad input across ranks gives every rank the same clear error, and the group stays usable."""
import datetime

import ember
import ember.distributed as dist


def raises(exc_type, text, fn):
    try:
        fn()
    except exc_type as exc:
        assert text in str(exc), (text, str(exc))
    else:
        raise AssertionError(f"expected {exc_type.__name__} with {text!r}")


dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=20))
rank = dist.get_rank()
raises(ValueError, "twice", lambda: dist.init_process_group("mpi"))
raises(RuntimeError, "rank 0 called all_reduce(float32 [2]", lambda: dist.all_reduce(
    ember.ones(2 + rank)))
raises(RuntimeError, "rank 1 called all_reduce(float64 [2]", lambda: dist.all_reduce(
    ember.ones(2, dtype=ember.float32 if rank == 0 else ember.float64)))
raises(RuntimeError, "called broadcast", lambda: dist.all_reduce(ember.ones(2)) if rank == 0
       else dist.broadcast(ember.ones(2), src=0))
raises(RuntimeError, "Cannot use ReduceOp.BAND with non-integral dtype",
       lambda: dist.all_reduce(ember.ones(2), op=dist.ReduceOp.BAND))
raises(TypeError, "Expected parameter `tensor` of type torch.Tensor",
       lambda: dist.all_reduce([1.0]))
raises(ValueError, "split sizes do not match", lambda: dist.all_to_all_single(
    ember.zeros(4), ember.zeros(4), [1, 3] if rank == 0 else [2, 2], [2, 2]))
raises(ValueError, "must NOT be specified on non-destination", lambda: dist.gather(
    ember.ones(1), [ember.ones(1), ember.ones(1)], dst=1 - rank))
if rank == 0:  # a message larger, then smaller, than the receiving tensor
    dist.send(ember.ones(3), dst=1)
    dist.send(ember.ones(1), dst=1)
else:
    raises(dist.DistBackendError, "truncated", lambda: dist.recv(ember.ones(2), src=0))
    raises(RuntimeError, "expected 8 bytes (float32 [2]) from rank 0, got 4",
           lambda: dist.recv(ember.ones(2), src=0))
t = ember.tensor([1.0])
dist.all_reduce(t)
assert t.item() == 2.0  # still usable
dist.destroy_process_group()
print(f"rank {rank}: errors ok")
