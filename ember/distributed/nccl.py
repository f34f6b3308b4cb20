"""The "nccl" backend: collectives on CUDA tensors through CuPy's NCCL bindings (cupy.cuda.nccl),
imported only here and only when asked for. The communicator of a group is made on first use from
a unique id that the group's rank 0 creates and sends over MPI.

Operations are queued on the current CUDA stream, where ember's own kernels run, so later kernels
see their results without the host waiting; with async_op=True the Work's wait() synchronises on
an event recorded after the operation. Untested on GPUs in ember's own suite (no GPU there): the
tests drive this code with a stand-in for cupy.cuda.nccl.
"""
from .._backend import cupy
from .reduce_op import ReduceOp
from .work import DoneWork

_HINT = ("backend='nccl' needs CuPy with NCCL (cupy.cuda.nccl): pip install 'ember[cuda]' on a "
         "machine with NVIDIA GPUs; on CPUs use backend='mpi'")


def nccl_module():
    """cupy.cuda.nccl, or a RuntimeError saying what to install."""
    try:
        cp = cupy()
        nccl = cp.cuda.nccl
        if not getattr(nccl, "available", True):
            raise ImportError("CuPy was built without NCCL")
    except (RuntimeError, ImportError, AttributeError) as exc:
        raise RuntimeError(f"{_HINT} ({exc})") from None
    return nccl


def _dtype_code(nccl, dtype, name):
    codes = {"float16": nccl.NCCL_FLOAT16, "float32": nccl.NCCL_FLOAT32,
             "float64": nccl.NCCL_FLOAT64, "int8": nccl.NCCL_INT8, "uint8": nccl.NCCL_UINT8,
             "int32": nccl.NCCL_INT32, "int64": nccl.NCCL_INT64, "bool": nccl.NCCL_UINT8}
    if dtype.name not in codes:
        raise RuntimeError(f"{name}: NCCL has no type for torch.{dtype.name}")
    return codes[dtype.name]


def _op_code(nccl, op, is_bool, name):
    if is_bool:  # bool travels as uint8: OR is MAX, AND is MIN
        op = {ReduceOp.SUM: ReduceOp.MAX, ReduceOp.PRODUCT: ReduceOp.MIN}.get(op, op)
    codes = {ReduceOp.SUM: nccl.NCCL_SUM, ReduceOp.PRODUCT: nccl.NCCL_PROD,
             ReduceOp.MIN: nccl.NCCL_MIN, ReduceOp.MAX: nccl.NCCL_MAX,
             ReduceOp.AVG: getattr(nccl, "NCCL_AVG", None)}
    if codes.get(op) is None:
        raise RuntimeError(f"{name}: ReduceOp.{op.name} is not supported by ember's NCCL backend")
    return codes[op]


class _Buffer:
    """A contiguous device array standing for a tensor's array (copied back when it is not the
    tensor's own)."""

    def __init__(self, tensor):
        self.tensor = tensor
        a = tensor._data
        self.copied = not a.flags.c_contiguous
        self.array = cupy().ascontiguousarray(a) if self.copied else a

    @property
    def ptr(self):
        return self.array.data.ptr

    def put_back(self):
        if self.copied:
            self.tensor._data[...] = self.array.reshape(self.tensor._data.shape)
        self.tensor._vc[0] += 1


class NcclCommunicator:
    """The NCCL communicator of one process group."""

    def __init__(self, group):
        self.group = group
        self.nccl = nccl = nccl_module()
        uid = nccl.get_unique_id() if group.rank() == 0 else None
        uid = group.comm.bcast(uid, root=0)
        self.comm = nccl.NcclCommunicator(group.size(), uid, group.rank())

    def _stream(self):
        return cupy().cuda.get_current_stream().ptr

    def _done(self, name, tensors, async_op):
        if not async_op:
            return None
        event = cupy().cuda.Event()
        event.record()
        return DoneWork(self.group, name, tensors, event.synchronize)

    def all_reduce(self, tensor, op, async_op):
        b = _Buffer(tensor)
        self.comm.allReduce(b.ptr, b.ptr, b.array.size, _dtype_code(self.nccl, tensor.dtype,
                            "all_reduce"), _op_code(self.nccl, op, tensor.dtype.name == "bool",
                                                    "all_reduce"), self._stream())
        b.put_back()
        return self._done("all_reduce", [tensor], async_op)

    def broadcast(self, tensor, root, async_op):
        b = _Buffer(tensor)
        self.comm.broadcast(b.ptr, b.ptr, b.array.size,
                            _dtype_code(self.nccl, tensor.dtype, "broadcast"), root,
                            self._stream())
        b.put_back()
        return self._done("broadcast", [tensor], async_op)

    def reduce(self, tensor, root, op, async_op):
        b = _Buffer(tensor)
        self.comm.reduce(b.ptr, b.ptr, b.array.size, _dtype_code(self.nccl, tensor.dtype,
                         "reduce"), _op_code(self.nccl, op, tensor.dtype.name == "bool",
                                             "reduce"), root, self._stream())
        b.put_back()
        return self._done("reduce", [tensor], async_op)

    def all_gather_into_tensor(self, output, input, async_op):
        out, src = _Buffer(output), _Buffer(input)
        self.comm.allGather(src.ptr, out.ptr, src.array.size,
                            _dtype_code(self.nccl, input.dtype, "all_gather_into_tensor"),
                            self._stream())
        out.put_back()
        return self._done("all_gather_into_tensor", [output], async_op)

    def all_gather(self, tensor_list, tensor, async_op):
        stacked = cupy().empty((len(tensor_list),) + tuple(tensor.shape), tensor._data.dtype)
        src = _Buffer(tensor)
        self.comm.allGather(src.ptr, stacked.data.ptr, src.array.size,
                            _dtype_code(self.nccl, tensor.dtype, "all_gather"), self._stream())
        for row, t in zip(stacked, tensor_list):
            t._data[...] = row
            t._vc[0] += 1
        return self._done("all_gather", list(tensor_list), async_op)

    def reduce_scatter_tensor(self, output, input, op, async_op):
        out, src = _Buffer(output), _Buffer(input)
        self.comm.reduceScatter(src.ptr, out.ptr, out.array.size,
                                _dtype_code(self.nccl, input.dtype, "reduce_scatter_tensor"),
                                _op_code(self.nccl, op, input.dtype.name == "bool",
                                         "reduce_scatter_tensor"), self._stream())
        out.put_back()
        return self._done("reduce_scatter_tensor", [output], async_op)
