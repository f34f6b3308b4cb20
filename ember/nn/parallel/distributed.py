"""DistributedDataParallel: one replica of the module per process, gradients averaged over the
process group during backward, in buckets.

NOTE [ Buckets and overlap ]
Parameters are grouped, in reverse order (the order their gradients appear in backward), into
buckets of one dtype and device: the first up to 1 MiB, the others up to bucket_cap_mb, as in
torch. Each forward walks the autograd graph from the module's outputs and puts a hook on every
node that sends a gradient to a parameter. ember's engine adds into a leaf's .grad only at the end
of backward (AccumulateGrad nodes run last), so those hooks add each parameter's gradient into
the bucket's `local` sums as the node produces it; when the last parameter of a bucket is
complete, the bucket (.grad as it was plus `local`, divided by the world size) starts its
non-blocking all-reduce while backward goes on. Buckets start in index order on every rank, so
the ranks always issue the same collectives in the same order. A post-accumulate-grad hook on
each parameter (after the engine has added into .grad) waits for its bucket and writes the
average into .grad.

NOTE [ Gradients from outside the forward ]
A term of the loss computed from a parameter directly (an L2 penalty on the raw weights) sends
it a gradient through nodes that the forward's graph does not hold, so the hooks do not see it.
torch averages whatever reaches the parameter's AccumulateGrad; here a pre-hook on each
parameter's AccumulateGrad node receives the parameter's whole gradient of this backward, before
the engine adds it into .grad. Where it differs from the bucket's `local` sum, the difference is
this rank's outside contribution. At the end of backward the ranks exchange one flag per
parameter (used; got an outside contribution) in one small all-reduce, and, where any rank has
outside contributions, average them in one more all-reduce and add them to .grad: .grad is the
average of the whole accumulated gradient, while the forward's gradients keep their overlap. A
parameter that only the loss uses (not the forward) is complete when its AccumulateGrad runs;
with find_unused_parameters=True it was declared unused in forward, and, as in torch, raises.
Hooks registered on a parameter (Tensor.register_hook) see its local gradient, but what they
return is not what is averaged (torch averages it).

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

_READY_TWICE = (
    "Expected to mark a variable ready only once. This error is caused by one of the following "
    "reasons: 1) Use of a module parameter outside the `forward` function. With "
    "find_unused_parameters=True, a parameter that the forward does not use is marked ready "
    "(unused) in forward, and then got a gradient from outside it.\n"
    "Parameter at index {index} has been marked as ready twice.")


class _Bucket:
    """Parameters whose averaged gradients travel together in one flat array."""

    def __init__(self, index, params):
        self.index = index
        self.params = params
        self.offsets = np.cumsum([0] + [p.numel() for p in params]).tolist()
        first = params[0]._data
        self.flat = xp_of(first).zeros(self.offsets[-1], first.dtype)  # what travels
        self.local = xp_of(first).zeros(self.offsets[-1], first.dtype)  # this backward's sums
        self.views, self.local_views = ([flat[a:b].reshape(p.shape)
                                         for p, a, b in zip(params, self.offsets,
                                                            self.offsets[1:])]
                                        for flat in (self.flat, self.local))

    def reset(self):
        self.waiting = len(self.params)
        self.local[...] = 0
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
        self.marked_unused = set()  # find_unused: ids declared unused by this iteration's forward
        for p in params:
            p.register_post_accumulate_grad_hook(self._accumulated)
            p._accum.register_prehook(self._arriving(p))

    # -- forward ----------------------------------------------------------------------------------
    def prepare(self, outputs):
        """Hook the nodes that feed the parameters in the graph of `outputs`."""
        consumers, remaining = _consumers(outputs, self.where)
        for b in self.buckets:
            b.reset()
        self.remaining = remaining  # id(param) -> edges still to deliver a gradient
        self.ready = set()
        self.got_grad = set()
        self.expected = len(remaining)  # parameters whose AccumulateGrad will run
        self.finalized = 0
        self.outside = {}  # id(param) -> this rank's gradient from outside the forward
        self.written = set()  # ids whose .grad holds the average
        self.next = 0
        self.active = True
        self.started = False
        for node, slots in consumers.items():
            node.register_hook(self._node_hook(slots))
        self.unused = [p for p in self.params if id(p) not in remaining]
        self.marked_unused = set()
        if self.find_unused:
            for p in self.unused:
                self.marked_unused.add(id(p))
                self._ready(p)

    def skip(self):
        """A forward that will not synchronise (no_sync, or no grad mode)."""
        self.active = False
        self.marked_unused = set()

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
                if g is not None:
                    if g.shape != p.shape:
                        g = g.sum_to_size(p.shape)
                    b.local_views[k] += g._data
                    self.got_grad.add(id(p))
                self.remaining[id(p)] -= 1
                if self.remaining[id(p)] == 0:
                    self._ready(p)
        return hook

    def _fill(self, bucket):
        """The bucket's gradients before it travels: what .grad holds (accumulated under
        no_sync) plus this backward's sums."""
        for p, view, local in zip(bucket.params, bucket.views, bucket.local_views):
            g = p._grad
            if g is None:
                view[...] = local
            else:
                if g._data is not view:
                    view[...] = g._data
                view += local
                if self.as_view and g._data is view:
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
            b.work = self._all_reduce(b.flat, "DistributedDataParallel's gradient all_reduce")
            self.next += 1

    def _all_reduce(self, flat, name):
        """Start summing `flat` in place over the group; its Work."""
        tensor = _make(flat)
        if self.group.uses_nccl(not isinstance(flat, np.ndarray)):
            return self.group.nccl().all_reduce(tensor, ReduceOp.SUM, True)
        return all_reduce_array(self.group, _Staged(tensor), ReduceOp.SUM, True, name)

    def _arriving(self, p):
        """The pre-hook of p's AccumulateGrad: p's whole gradient of this backward (NOTE
        [ Gradients from outside the forward ])."""
        def hook(grads):
            if grads[0] is not None and id(p) in self.marked_unused:
                self._drain()  # no all-reduce left in flight if the caller goes on
                raise RuntimeError(_READY_TWICE.format(index=self.params.index(p)))
            if self.active:
                self._arrived(p, grads[0])
        return hook

    def _arrived(self, p, total):
        if id(p) not in self.remaining:  # the forward did not use p
            if total is None:
                return
            self.expected += 1
            self._ready(p)
        b, k = self.where[id(p)]
        if total is None:  # no gradient to add: nothing more will happen to p
            self._finalized()
        elif not xp_of(total._data).array_equal(total._data, b.local_views[k]):
            self.outside[id(p)] = total._data - b.local_views[k]

    def _accumulated(self, p):
        """After the engine added into p.grad: wait for p's bucket and write the average."""
        if not self.active or id(p) not in self.where:
            return
        b, k = self.where[id(p)]
        if b.work is None:
            return  # its bucket never started: check_finished raises at the next forward
        self._write(b, k, p)
        self._finalized()

    def _finalized(self):
        self.finalized += 1
        if self.finalized == self.expected and self.next == len(self.buckets):
            self._finish()

    def _write(self, b, k, p):
        if not b.reduced:
            b.work.wait()
            b.reduced = True
        self.written.add(id(p))
        view = b.views[k]
        if self.as_view:
            p._grad = _make(view)
        elif p._grad is None:
            p._grad = _make(view.copy())
        else:
            p._grad._data[...] = view

    def _drain(self):
        for b in self.buckets[:self.next]:
            if not b.reduced:
                b.work.wait()
                b.reduced = True
        self.active = False

    def _finish(self):
        """The end of backward: every bucket reduced; locally unused parameters take the
        average where another rank used them; outside contributions averaged and added."""
        self._drain()
        flags = np.array([(id(p) in self.got_grad) | (id(p) in self.outside) << 1
                          for p in self.params], np.uint8)
        if self.group.size() > 1:
            MPI = _dist._mpi.mpi()
            wait_requests([self.group.comm.Iallreduce(MPI.IN_PLACE, flags, MPI.BOR)],
                          self.group, "DistributedDataParallel's gradient map")
        for i, p in enumerate(self.params):
            b, k = self.where[id(p)]
            if flags[i] and id(p) not in self.written and b.work is not None:
                self._write(b, k, p)  # another rank sent p a gradient
        outside = [p for i, p in enumerate(self.params) if flags[i] & 2]
        if outside:
            self._add_outside(outside)

    def _add_outside(self, params):
        """Average the outside contributions (zeros where this rank has none) into .grad."""
        by_kind = {}
        for p in params:
            by_kind.setdefault((p.dtype, p.device), []).append(p)
        for group_params in by_kind.values():
            xp = xp_of(group_params[0]._data)
            flat = xp.concatenate([self.outside.get(id(p), xp.zeros(p.shape, p._data.dtype))
                                   .reshape(-1) for p in group_params])
            flat /= self.group.size()
            self._all_reduce(flat, "DistributedDataParallel's outside-gradient all_reduce").wait()
            offset = 0
            for p in group_params:
                n = p.numel()
                piece = flat[offset:offset + n].reshape(p.shape)
                offset += n
                if p._grad is None:
                    p._grad = _make(piece.copy())
                else:
                    p._grad._data += piece


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
            self._reducer.skip()
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
