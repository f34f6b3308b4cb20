"""The tensor collectives and point-to-point operations, in place on the tensors passed, as torch's.

Each one checks its arguments, has the ranks agree on the call (NOTE [ Agreement before a
collective ] in process_group.py), starts a non-blocking MPI operation on the tensor's host array
(a contiguous staging copy when the array is not contiguous or lives on a GPU) and completes it
through Work (NOTE [ Waiting with a timeout ] in work.py): at once, or at wait() with async_op=True.
CUDA tensors in a group whose CUDA backend is NCCL go through nccl.py instead.
"""
import numpy as np

from .. import _dtype
from .._backend import is_cpu_array, to_numpy, xp_of
from .._tensor import Tensor
from ._mpi import mpi
from .process_group import resolve
from .reduce_op import ReduceOp, as_red_op
from .work import Work

__all__ = ["all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
           "reduce_scatter_tensor", "gather", "scatter", "all_to_all_single", "send", "recv",
           "isend", "irecv", "barrier", "monitored_barrier"]


def _check_tensor(t, param="tensor"):
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{param}` of type "
                        f"torch.Tensor but got {type(t)} instead.")


def _describe(t):
    return f"{t.dtype.name} {list(t.shape)}"


class _Staged:
    """A contiguous host array for MPI that stands for a tensor's array; put_back() writes the
    result into the tensor when the array had to be copied."""
    __slots__ = ("tensor", "array", "copied")

    def __init__(self, tensor):
        self.tensor = tensor
        a = tensor._data
        self.copied = not (is_cpu_array(a) and a.flags.c_contiguous)
        self.array = np.ascontiguousarray(to_numpy(a)) if self.copied else a

    def put_back(self, values=None):
        values = self.array if values is None else values
        a = self.tensor._data
        if is_cpu_array(a):
            if values is not a:
                a[...] = values.reshape(a.shape)
        else:
            a[...] = xp_of(a).asarray(values.reshape(a.shape))
        self.tensor._vc[0] += 1


def _mpi_view(array):
    """bool travels as uint8 (MPI defines no arithmetic on C bool)."""
    return array.view(np.uint8) if array.dtype == np.bool_ else array


def _reduction(op, dtype, name):
    """(MPI op, divide after summing) for a RedOpType on a NumPy dtype, or torch's refusal."""
    MPI = mpi()
    kind = dtype.kind
    if op == ReduceOp.PREMUL_SUM:
        raise RuntimeError(f"{name}: ReduceOp.PREMUL_SUM is only supported with NCCL in torch, "
                           f"and not by ember")
    if kind == "b":
        if op == ReduceOp.AVG:
            raise RuntimeError(f"{name}: ReduceOp.AVG is not defined for torch.bool tensors")
        return {ReduceOp.SUM: MPI.BOR, ReduceOp.MAX: MPI.BOR, ReduceOp.BOR: MPI.BOR,
                ReduceOp.PRODUCT: MPI.BAND, ReduceOp.MIN: MPI.BAND, ReduceOp.BAND: MPI.BAND,
                ReduceOp.BXOR: MPI.BXOR}[op], False
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind == "f":
        raise RuntimeError(f"{name}: Cannot use ReduceOp.{op.name} with non-integral dtype "
                           f"torch.{_dtype._FROM_NP[dtype].name}")
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
            ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}[op], op == ReduceOp.AVG


def _average(array, n):
    """AVG after SUM: a float divides; an integer truncates toward zero, as NCCL's average."""
    if array.dtype.kind == "f":
        array /= n
    else:
        np.copyto(array, np.sign(array) * (np.abs(array) // n), casting="unsafe")


def _finish(pg, name, requests, finish, async_op, tensors, statuses=None):
    work = Work(pg, name, requests, finish, tensors, statuses)
    if async_op:
        return work
    work.wait()
    return None


def _on_gpu(pg, *tensors):
    return pg.uses_nccl(not is_cpu_array(tensors[0]._data))


def _rank_in(pg, rank, group_rank, what):
    """A root given as a global rank (src/dst) or as a group rank (group_src/group_dst)."""
    if group_rank is not None:
        if rank is not None:
            raise ValueError(f"Can not specify both {what} and group_{what}")
        if not 0 <= group_rank < pg.size():
            raise ValueError(f"group_{what} {group_rank} is not in a group of size {pg.size()}")
        return int(group_rank)
    return pg.group_rank(0 if rank is None else rank, what)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `tensor` over the group, leaving the result in `tensor` on every rank."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    op = as_red_op(op)
    pg.agree("all_reduce", f"all_reduce({_describe(tensor)}, {op.name})")
    if _on_gpu(pg, tensor):
        return pg.nccl().all_reduce(tensor, op, async_op)
    return all_reduce_array(pg, _Staged(tensor), op, async_op, "all_reduce")


def all_reduce_array(pg, staged, op, async_op, name):
    """The body of all_reduce, also what DistributedDataParallel calls on its buckets (which
    agree by construction)."""
    buf = staged.array
    mpi_op, divide = _reduction(op, buf.dtype, name)
    request = pg.comm.Iallreduce(mpi().IN_PLACE, _mpi_view(buf), mpi_op)

    def finish():
        if divide:
            _average(buf, pg.size())
        if staged.copied or divide:
            staged.put_back()

    return _finish(pg, name, [request], finish, async_op, [staged.tensor])


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy `tensor` of rank `src` into `tensor` on every rank."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    root = _rank_in(pg, src, group_src, "src")
    pg.agree("broadcast", f"broadcast({_describe(tensor)}, src={pg.ranks[root]})")
    if _on_gpu(pg, tensor):
        return pg.nccl().broadcast(tensor, root, async_op)
    staged = _Staged(tensor)
    request = pg.comm.Ibcast(_mpi_view(staged.array), root)
    finish = staged.put_back if staged.copied and pg.rank() != root else None
    return _finish(pg, "broadcast", [request], finish, async_op, [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce `tensor` over the group into `tensor` of rank `dst`; the others keep theirs."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    root = _rank_in(pg, dst, group_dst, "dst")
    op = as_red_op(op)
    pg.agree("reduce", f"reduce({_describe(tensor)}, dst={pg.ranks[root]}, {op.name})")
    if _on_gpu(pg, tensor):
        return pg.nccl().reduce(tensor, root, op, async_op)
    staged = _Staged(tensor)
    buf = staged.array
    mpi_op, divide = _reduction(op, buf.dtype, "reduce")
    if pg.rank() == root:
        request = pg.comm.Ireduce(mpi().IN_PLACE, _mpi_view(buf), mpi_op, root)
    else:
        request = pg.comm.Ireduce(_mpi_view(buf), None, mpi_op, root)

    def finish():
        if pg.rank() == root:
            if divide:
                _average(buf, pg.size())
            if staged.copied or divide:
                staged.put_back()

    return _finish(pg, "reduce", [request], finish, async_op, [tensor])


def _check_list(tensors, tensor, pg, name, param):
    if not isinstance(tensors, (list, tuple)) or len(tensors) != pg.size():
        raise ValueError(f"{name}: `{param}` must be a list of {pg.size()} tensors (one per "
                         f"rank of the group)")
    for t in tensors:
        _check_tensor(t, param)
        if t.shape != tensor.shape or t.dtype != tensor.dtype:
            raise ValueError(f"{name}: every tensor of `{param}` must have the input's shape "
                             f"and dtype ({_describe(tensor)}), got {_describe(t)}")


def _scatter_rows(rows, tensors):
    """Copy rows[i] into tensors[i] (the lists of all_gather and gather)."""
    for row, t in zip(rows, tensors):
        _Staged(t).put_back(row)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[i] <- `tensor` of rank i, on every rank."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    _check_list(tensor_list, tensor, pg, "all_gather", "tensor_list")
    pg.agree("all_gather", f"all_gather({_describe(tensor)})")
    if _on_gpu(pg, tensor):
        return pg.nccl().all_gather(tensor_list, tensor, async_op)
    src = _Staged(tensor).array
    out = np.empty((pg.size(),) + src.shape, src.dtype)
    request = pg.comm.Iallgather(_mpi_view(src), _mpi_view(out))
    return _finish(pg, "all_gather", [request], lambda: _scatter_rows(out, tensor_list),
                   async_op, tensor_list)


def _check_sizes(name, big, small, n, big_name, small_name):
    _check_tensor(big, big_name)
    _check_tensor(small, small_name)
    if big.numel() != n * small.numel():
        raise ValueError(f"{name}: `{big_name}` must have {n} times the elements of "
                         f"`{small_name}` ({n} x {small.numel()}), got {big.numel()}")
    if big.dtype != small.dtype:
        raise ValueError(f"{name}: `{big_name}` and `{small_name}` must have the same dtype, "
                         f"got {big.dtype} and {small.dtype}")


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """`output_tensor` (world_size times the input, stacked or concatenated on dim 0) <- the
    inputs of every rank in rank order."""
    pg = resolve(group)
    if pg is None:
        return None
    _check_sizes("all_gather_into_tensor", output_tensor, input_tensor, pg.size(),
                 "output_tensor", "input_tensor")
    pg.agree("all_gather_into_tensor", f"all_gather_into_tensor({_describe(input_tensor)})")
    if _on_gpu(pg, input_tensor):
        return pg.nccl().all_gather_into_tensor(output_tensor, input_tensor, async_op)
    out = _Staged(output_tensor)
    request = pg.comm.Iallgather(_mpi_view(_Staged(input_tensor).array), _mpi_view(out.array))
    return _finish(pg, "all_gather_into_tensor", [request],
                   out.put_back if out.copied else None, async_op, [output_tensor])


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `input` over the group and give rank i the i-th of its world_size equal parts."""
    pg = resolve(group)
    if pg is None:
        return None
    _check_sizes("reduce_scatter_tensor", input, output, pg.size(), "input", "output")
    op = as_red_op(op)
    pg.agree("reduce_scatter_tensor",
             f"reduce_scatter_tensor({_describe(output)}, {op.name})")
    if _on_gpu(pg, input):
        return pg.nccl().reduce_scatter_tensor(output, input, op, async_op)
    out = _Staged(output)
    mpi_op, divide = _reduction(op, out.array.dtype, "reduce_scatter_tensor")
    request = pg.comm.Ireduce_scatter_block(_mpi_view(_Staged(input).array),
                                            _mpi_view(out.array), mpi_op)

    def finish():
        if divide:
            _average(out.array, pg.size())
        if out.copied or divide:
            out.put_back()

    return _finish(pg, "reduce_scatter_tensor", [request], finish, async_op, [output])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """gather_list[i] <- `tensor` of rank i, on rank `dst` only."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    root = _rank_in(pg, dst, group_dst, "dst")
    if pg.rank() == root:
        _check_list(gather_list, tensor, pg, "gather", "gather_list")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                         "ranks.")
    pg.agree("gather", f"gather({_describe(tensor)}, dst={pg.ranks[root]})")
    src = _Staged(tensor).array
    out = np.empty((pg.size(),) + src.shape, src.dtype) if pg.rank() == root else None
    request = pg.comm.Igather(_mpi_view(src), None if out is None else _mpi_view(out), root)
    finish = (lambda: _scatter_rows(out, gather_list)) if out is not None else None
    return _finish(pg, "gather", [request], finish, async_op, gather_list or [])


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """`tensor` of rank i <- scatter_list[i] of rank `src`."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    root = _rank_in(pg, src, group_src, "src")
    send = None
    if pg.rank() == root:
        _check_list(scatter_list, tensor, pg, "scatter", "scatter_list")
        send = np.stack([to_numpy(t._data) for t in scatter_list])
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    pg.agree("scatter", f"scatter({_describe(tensor)}, src={pg.ranks[root]})")
    out = _Staged(tensor)
    request = pg.comm.Iscatter(None if send is None else _mpi_view(send), _mpi_view(out.array),
                               root)
    return _finish(pg, "scatter", [request], out.put_back if out.copied else None, async_op,
                   [tensor])


def _splits(sizes, tensor, n, param):
    rows = tensor.shape[0] if tensor.dim() else 1
    if not sizes:
        if rows % n:
            raise ValueError(f"all_to_all_single: dim 0 of `{param}` ({rows}) must divide "
                             f"equally by the world size {n} when no split sizes are given")
        return [rows // n] * n
    sizes = [int(s) for s in sizes]
    if len(sizes) != n or sum(sizes) != rows:
        raise ValueError(f"all_to_all_single: {param}_split_sizes {sizes} must have {n} entries "
                         f"that add up to dim 0 of `{param}` ({rows})")
    return sizes


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Rank i sends its j-th dim-0 part of `input` to rank j, which keeps it as its i-th part of
    `output`."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    pg = resolve(group)
    if pg is None:
        return None
    n = pg.size()
    if output.dtype != input.dtype or output.shape[1:] != input.shape[1:]:
        raise ValueError(f"all_to_all_single: output ({_describe(output)}) and input "
                         f"({_describe(input)}) must share dtype and trailing dimensions")
    sends = _splits(input_split_sizes, input, n, "input")
    recvs = _splits(output_split_sizes, output, n, "output")
    pg.agree("all_to_all_single",
             f"all_to_all_single({output.dtype.name} [*, {list(input.shape[1:])}])")
    _agree_on_splits(pg, sends, recvs)
    row = int(np.prod(input.shape[1:], dtype=np.int64))
    src, out = _Staged(input).array, _Staged(output)
    dt = mpi_datatype(_mpi_view(src).dtype)
    send_spec = [_mpi_view(src), (_counts(sends, row), _displs(sends, row)), dt]
    recv_spec = [_mpi_view(out.array), (_counts(recvs, row), _displs(recvs, row)), dt]
    request = pg.comm.Ialltoallv(send_spec, recv_spec)
    return _finish(pg, "all_to_all_single", [request], out.put_back if out.copied else None,
                   async_op, [output])


def _counts(sizes, row):
    return [s * row for s in sizes]


def _displs(sizes, row):
    return list(np.concatenate([[0], np.cumsum(sizes)[:-1]]) * row)


def _agree_on_splits(pg, sends, recvs):
    """What each rank sends must be what its peer expects: checked on every rank, so all of
    them raise together."""
    from .work import wait_requests
    MPI = mpi()
    theirs = np.empty(pg.size(), np.int64)
    wait_requests([pg.comm.Ialltoall(np.array(sends, np.int64), theirs)], pg,
                  "all_to_all_single")
    ok = np.array([int(list(theirs) == recvs)], np.int32)
    wait_requests([pg.comm.Iallreduce(MPI.IN_PLACE, ok, MPI.MIN)], pg, "all_to_all_single")
    if not ok[0]:
        raise ValueError(f"all_to_all_single: the split sizes do not match across ranks (rank "
                         f"{pg.global_rank} expects {recvs} rows, its peers send "
                         f"{list(theirs)})")


def mpi_datatype(np_dtype):
    from mpi4py.util.dtlib import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def _peer(pg, rank, group_rank, what):
    if group_rank is not None:
        return int(group_rank)
    if rank is None:
        raise ValueError(f"{what} must be given")
    return pg.group_rank(rank, what)


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending `tensor` to rank `dst`; returns a Work."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    peer = _peer(pg, dst, group_dst, "dst")
    if peer == pg.rank():
        raise ValueError("Invalid destination rank: should not be the same as the rank of the "
                         "current process.")
    buf = np.ascontiguousarray(to_numpy(tensor._data))
    request = pg.comm.Isend(_mpi_view(buf), peer, int(tag))
    return Work(pg, "send", [request], tensors=[tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into `tensor` from rank `src` (any rank when None); returns a Work whose
    source_rank() is the sender."""
    _check_tensor(tensor)
    pg = resolve(group)
    if pg is None:
        return None
    MPI = mpi()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else \
        _peer(pg, src, group_src, "src")
    out = _Staged(tensor)
    status = MPI.Status()
    request = pg.comm.Irecv(_mpi_view(out.array), peer, int(tag))

    def finish():
        got = status.Get_count(MPI.BYTE)
        if got != out.array.nbytes:
            raise RuntimeError(f"recv: rank {pg.global_rank} expected {out.array.nbytes} bytes "
                               f"({_describe(tensor)}) from rank {pg.ranks[status.source]}, "
                               f"got {got}")
        if out.copied:
            out.put_back()
        else:
            tensor._vc[0] += 1
        return pg.ranks[status.source]

    return Work(pg, "recv", [request], finish, [tensor], [status])


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into `tensor`; returns the sender's rank."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    return work.source_rank()


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Wait until every rank of the group reaches the barrier."""
    pg = resolve(group)
    if pg is None:
        return None
    return _finish(pg, "barrier", [pg.comm.Ibarrier()], None, async_op, [])


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier that fails after the group's timeout naming this rank (every barrier of ember's
    does)."""
    barrier(group)

