"""DistributedDataParallel: one replica of the module per process, gradients averaged over the
process group during backward, in buckets.

NOTE [ Buckets and overlap ]
Parameters are grouped, in reverse order (the order their gradients appear in backward), into
buckets of one dtype and device: the first up to 1 MiB, the others up to bucket_cap_mb, as in
torch. Each forward walks the autograd graph from the module's outputs and puts a hook on every
node that sends a gradient to a parameter. ember's engine adds into a leaf's .grad only at the end
of backward (AccumulateGrad nodes run last), so those hooks add each parameter's gradient into
its bucket as the node produces it; when the last parameter of a bucket is complete, the bucket
(divided by the world size) starts its non-blocking all-reduce while backward goes on. Buckets
start in index order on every rank, so the ranks always issue the same collectives in the same
order. A post-accumulate-grad hook on each parameter (after the engine has added into .grad)
waits for its bucket and writes the average into .grad.

Gradients must come through the module's forward: a gradient that reaches a parameter from
outside it (a term of the loss computed from the parameter directly) is not in the bucket and
is replaced by the bucket's average.

A parameter that got no gradient leaves its bucket incomplete; as in torch, the next forward
raises, unless find_unused_parameters=True, where the parameters that the graph does not reach
are marked ready in forward and their gradients are set from the average only where another rank
used them.
"""
import contextlib

import numpy as np

from ... import distributed as _dist
from ..._backend import xp_of
from ..._tensor import Tensor, _make
from ...autograd import grad_mode
from ...autograd.function import AccumulateGrad
from ...distributed.collectives import _Staged, all_reduce_array
from ...distributed.process_group import resolve
from ...distributed.reduce_op import ReduceOp
from ...distributed.work import wait_requests
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024  # torch's _DEFAULT_FIRST_BUCKET_BYTES

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This "
    "error indicates that your module has parameters that were not used in producing loss. You "
    "can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by "
    "making sure all `forward` function outputs participate in calculating loss. \n"
    "Parameter indices which did not receive grad for rank {rank}: {indices}")


class _Bucket:
    """Parameters whose averaged gradients travel together in one flat array."""

    def __init__(self, index, params):
        self.index = index
        self.params = params
        self.offsets = np.cumsum([0] + [p.numel() for p in params]).tolist()
        first = params[0]._data
        self.flat = xp_of(first).zeros(self.offsets[-1], first.dtype)
        self.views = [self.flat[a:b].reshape(p.shape)
                      for p, a, b in zip(params, self.offsets, self.offsets[1:])]

    def reset(self):
        self.waiting = len(self.params)
        self.started = False  # filled from the parameters' gradients yet
        self.work = None
        self.reduced = False


class _Reducer:
    """The per-iteration bookkeeping of DistributedDataParallel (NOTE [ Buckets and overlap ])."""

    def __init__(self, params, group, cap_bytes, find_unused, as_view):
        self.params = params
        self.group = group
        self.find_unused = find_unused
        self.as_view = as_view
        self.buckets = _make_buckets(list(reversed(params)), cap_bytes)
        self.where = {}
        for b in self.buckets:
            for i, p in enumerate(b.params):
                self.where[id(p)] = (b, i)
        self.active = False  # prepared in forward, not yet finished
        self.started = False  # backward has reached a parameter
        for p in params:
            p.register_post_accumulate_grad_hook(self._accumulated)

    # -- forward ----------------------------------------------------------------------------------
    def prepare(self, outputs):
        """Hook the nodes that feed the parameters in the graph of `outputs`."""
        consumers, remaining = _consumers(outputs, self.where)
        for b in self.buckets:
            b.reset()
        self.remaining = remaining  # id(param) -> edges still to deliver a gradient
        self.ready = set()
        self.got_grad = set()
        self.finalized = 0
        self.next = 0
        self.active = True
        self.started = False
        for node, slots in consumers.items():
            node.register_hook(self._node_hook(slots))
        self.unused = [p for p in self.params if id(p) not in remaining]
        if self.find_unused:
            for p in self.unused:
                self._ready(p)

    def check_finished(self):
        if self.active and self.started:
            missing = [i for i, p in enumerate(self.params) if id(p) not in self.ready]
            raise RuntimeError(_UNFINISHED.format(rank=self.group.global_rank,
                                                  indices=" ".join(map(str, missing))))

    # -- backward ---------------------------------------------------------------------------------
    def _node_hook(self, slots):
        def hook(grad_inputs, grad_outputs):
            self.started = True
            for i, p in slots:
                g = grad_inputs[i] if i < len(grad_inputs) else None
                b, k = self.where[id(p)]
                self._fill(b)
                if g is not None:
                    if g.shape != p.shape:
                        g = g.sum_to_size(p.shape)
                    b.views[k] += g._data
                    self.got_grad.add(id(p))
                self.remaining[id(p)] -= 1
                if self.remaining[id(p)] == 0:
                    self._ready(p)
        return hook

    def _fill(self, bucket):
        """Start a bucket from the gradients its parameters hold (gradient accumulation under
        no_sync), the first time backward reaches it."""
        if bucket.started:
            return
        bucket.started = True
        for p, view in zip(bucket.params, bucket.views):
            g = p._grad
            if g is None:
                view[...] = 0
            elif g._data is not view:
                view[...] = g._data
            if self.as_view and g is not None and g._data is view:
                p._grad = None  # the engine must not add into the bucket while it travels

    def _ready(self, p):
        self.ready.add(id(p))
        b = self.where[id(p)][0]
        b.waiting -= 1
        if self.started:
            self._start_ready_buckets()

    def _start_ready_buckets(self):
        while self.next < len(self.buckets) and self.buckets[self.next].waiting == 0:
            b = self.buckets[self.next]
            self._fill(b)
            b.flat /= self.group.size()
            tensor = _make(b.flat)
            if self.group.uses_nccl(not isinstance(b.flat, np.ndarray)):
                b.work = self.group.nccl().all_reduce(tensor, ReduceOp.SUM, True)
            else:
                b.work = all_reduce_array(self.group, _Staged(tensor), ReduceOp.SUM, True,
                                          "DistributedDataParallel's gradient all_reduce")
            self.next += 1

    def _accumulated(self, p):
        """After the engine added into p.grad: wait for p's bucket and write the average."""
        if not self.active or id(p) not in self.where:
            return
        b, k = self.where[id(p)]
        if b.work is None:
            return  # its bucket never started: check_finished raises at the next forward
        self._write(b, k, p)
        self.finalized += 1
        if self.finalized == len(self.got_grad) and self.next == len(self.buckets):
            self._finish()

    def _write(self, b, k, p):
        if not b.reduced:
            b.work.wait()
            b.reduced = True
        view = b.views[k]
        if self.as_view:
            p._grad = _make(view)
        elif p._grad is None:
            p._grad = _make(view.copy())
        else:
            p._grad._data[...] = view

    def _finish(self):
        """The end of backward: every bucket reduced; locally unused parameters take the
        average where another rank used them."""
        for b in self.buckets:
            if not b.reduced:
                b.work.wait()
                b.reduced = True
        if self.find_unused and self.unused:
            MPI = _dist._mpi.mpi()
            used = np.array([id(p) in self.got_grad for p in self.params], np.uint8)
            wait_requests([self.group.comm.Iallreduce(MPI.IN_PLACE, used, MPI.BOR)], self.group,
                          "DistributedDataParallel's unused-parameter map")
            for i, p in enumerate(self.params):
                if id(p) not in self.got_grad and used[i]:
                    b, k = self.where[id(p)]
                    self._write(b, k, p)
        self.active = False


def _make_buckets(params, cap_bytes):
    """Greedy buckets in the given order, one dtype and device each; the first smaller."""
    buckets, current, size, cap = [], [], 0, min(_FIRST_BUCKET_BYTES, cap_bytes)
    for p in params:
        nbytes = p.numel() * p.element_size()
        if current and (size + nbytes > cap or p.dtype != current[0].dtype or
                        p.device != current[0].device):
            buckets.append(_Bucket(len(buckets), current))
            current, size, cap = [], 0, cap_bytes
        current.append(p)
        size += nbytes
    if current:
        buckets.append(_Bucket(len(buckets), current))
    return buckets


def _tensors_in(obj):
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors_in(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors_in(o)


def _consumers(outputs, where):
    """Walk the graph of `outputs`: {node: [(input index, param)]} for the nodes that send a
    gradient straight to a parameter, and {id(param): number of such edges}."""
    consumers, remaining, seen = {}, {}, set()
    stack = [t._grad_fn for t in _tensors_in(outputs) if t._grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for i, e in enumerate(node._edges):
            if not e:
                continue
            nxt = e[0]
            if type(nxt) is AccumulateGrad:
                p = nxt.variable
                if id(p) in where:
                    consumers.setdefault(node, []).append((i, p))
                    remaining[id(p)] = remaining.get(id(p), 0) + 1
            elif id(nxt) not in seen:
                stack.append(nxt)
    return consumers, remaining


def _broadcast_coalesced(group, tensors, src_rank=0):
    """Overwrite `tensors` with rank 0's values, one broadcast per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault((t.dtype, t.device), []).append(t)
    for group_tensors in by_dtype.values():
        flat = np.concatenate([np.asarray(_Staged(t).array).reshape(-1) for t in group_tensors])
        wait_requests([group.comm.Ibcast(flat.view(np.uint8) if flat.dtype == np.bool_ else flat,
                                         src_rank)], group, "DistributedDataParallel broadcast")
        offset = 0
        for t in group_tensors:
            n = t.numel()
            _Staged(t).put_back(flat[offset:offset + n])
            offset += n


class DistributedDataParallel(Module):
    """Data parallelism over the processes of a group: wrap the model of each process; every
    backward leaves the same averaged gradients in every process's parameters."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        group = resolve(process_group)
        params = []
        for p in module.parameters():
            if p.requires_grad and all(p is not q for q in params):
                params.append(p)
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        self.module = module
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        object.__setattr__(self, "process_group", group)
        group.agree("DistributedDataParallel", "DistributedDataParallel(" + ", ".join(
            f"{n}: {p.dtype.name} {list(p.shape)}" for n, p in module.named_parameters()) + ")")
        with grad_mode.no_grad():
            _broadcast_coalesced(group, list(module.parameters()) + list(module.buffers()))
        object.__setattr__(self, "_reducer", _Reducer(params, group, self.bucket_bytes_cap,
                                                      find_unused_parameters,
                                                      gradient_as_bucket_view))

    def forward(self, *inputs, **kwargs):
        sync = grad_mode.is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            self._reducer.check_finished()
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers:
                with grad_mode.no_grad():
                    _broadcast_coalesced(self.process_group, buffers)
        output = self.module(*inputs, **kwargs)
        if sync:
            self._reducer.prepare(output)
        else:
            self._reducer.active = False
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Backward inside keeps gradients local (accumulating in .grad); the first backward
        after it averages the accumulated gradients."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous
