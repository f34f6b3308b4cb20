"""The backward engine: dependency counts, a ready stack, gradient validation and accumulation.

Iterative, never recursive, so graphs thousands of nodes deep work. After every node the engine
does what PyTorch's engine does for every gradient (NOTE [ Gradient validation ]): a gradient
broadcast-compatible with its input is summed back to the input's shape, a gradient of another
dtype is cast to the input's dtype, anything else raises.

NOTE [ Backward on arrays ]
Wrapping every gradient in a Tensor costs a third of the per-op overhead, so without
create_graph the engine passes backend arrays between nodes. A backward formula written once
against operators and Ops (`g * b`, `Expand.apply(g, shape)`) is valid on both: an Op applied to
arrays alone while `grad_mode.state.arrays` is set runs its forward and returns arrays, and
`ctx.saved_tensors` returns arrays. Ops whose backward keeps to that set `_array_backward = True`;
the engine runs them on arrays when no graph is needed and on Tensors under create_graph, so
higher-order gradients use the same formula. Every other backward (user Functions included) gets
Tensors, wrapped and unwrapped at its boundary. Hooks, retain_grad and autograd.grad's results
always see Tensors.

NOTE [ Quiet backward ]
A backward formula meets the non-finite points of its forward (acos' gradient at 1e30 squares
it, erf's at a large x multiplies inf by 0): PyTorch returns the IEEE result silently, and so does
every backward here. The engine runs the whole backward with NumPy's floating-point warnings off
(`quiet`, NOTE [ Quiet floating point ] in _backend.py), once per backward rather than once per
formula; hooks and user Functions' backward run inside it too.
"""
import warnings
from heapq import heappop, heappush

import numpy as np

from .. import _tensor
from .._backend import quiet, xp_of
from . import anomaly_mode as _anomaly
from .function import AccumulateGrad, _leaf_node, _legacy_name
from .graph import GradientEdge
from .grad_mode import state as _grad_state
from .._warnings import user_stacklevel

_Tensor = _tensor.Tensor
_make = _tensor._make
_is_sparse = _tensor.is_sparse_tensor  # NOTE [ Sparse gradients ]
_ndarray = np.ndarray


def _ops():
    from .. import ops
    return ops


def _root_grads(roots, grads, on_arrays):
    """The gradients the roots start with: arrays when on_arrays (NOTE [ Backward on arrays ])."""
    out = []
    for i, t in enumerate(roots):
        g = None if grads is None else grads[i]
        d = t._data
        if g is None:
            if d.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if d.dtype.kind == "c":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {t.dtype}")
            if type(d) is _ndarray:  # np.ones is Python code; this is two C calls
                g = np.array(1, d.dtype).reshape(d.shape)
            else:
                g = xp_of(d).ones(d.shape, d.dtype)
        elif not isinstance(g, _Tensor):
            g = xp_of(d).asarray(g, dtype=d.dtype)
        else:
            if g._data.shape != d.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {t.shape}.")
            g = g._data if on_arrays else g
        out.append(g if on_arrays or isinstance(g, _Tensor) else _make(g))
    return out


def _edge(t):
    node = t._grad_fn
    if node is not None and node._view_version is not None:  # NOTE [ Stale views ] (ops/
        node = _ops().view_write.current_grad_fn(t)  # view_write.py)
    if node is not None:
        return node, t._out_idx
    if not t._requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    return _leaf_node(t), 0


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' .grad (ember.autograd.backward)."""
    if isinstance(tensors, _Tensor):
        tensors = (tensors,)
    if isinstance(grad_tensors, _Tensor):
        grad_tensors = (grad_tensors,)
    if retain_graph is None:
        retain_graph = create_graph
    capture = None
    if inputs is not None:
        inputs = (inputs,) if isinstance(inputs, _Tensor) else tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        capture = {_edge(t): t for t in inputs}
    _run(tensors, _root_grads(tensors, grad_tensors, not create_graph), retain_graph,
         create_graph, capture, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """d(outputs)/d(inputs), returned instead of accumulated (ember.autograd.grad)."""
    if isinstance(outputs, _Tensor):
        outputs = (outputs,)
    single = isinstance(inputs, (_Tensor, GradientEdge))
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=user_stacklevel())
    if is_grads_batched:
        from ._batched_grad import batched_grad
        return batched_grad(grad, outputs, inputs, grad_outputs, retain_graph, create_graph,
                            allow_unused, materialize_grads)
    inputs = (inputs,) if single else tuple(inputs)
    if isinstance(grad_outputs, _Tensor):
        grad_outputs = (grad_outputs,)
    if retain_graph is None:
        retain_graph = create_graph
    edges = []
    for t in inputs:
        if type(t) is GradientEdge:
            edges.append((t.node, t.output_nr))
            continue
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        edges.append(_edge(t))
    capture = {e: None for e in edges}
    got = _run(outputs, _root_grads(outputs, grad_outputs, not create_graph), retain_graph,
               create_graph, capture, accumulate=False)
    result = []
    for i, (t, e) in enumerate(zip(inputs, edges)):
        g = got.get(e)
        if g is None:
            if materialize_grads:
                g = _zeros_for(t)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
        result.append(g)
    return tuple(result)


def _zeros_for(t):
    """materialize_grads' zeros for an input: a Tensor, or a GradientEdge (its node's output)."""
    if type(t) is GradientEdge:
        node = t.node
        if type(node) is AccumulateGrad:
            return _make(xp_of(node.variable._data).zeros_like(node.variable._data))
        shape, dt = node._out_meta[t.output_nr]
        return _make(node.xp.zeros(shape, dt))
    return _make(xp_of(t._data).zeros_like(t._data))


class _Task:
    """The backward that is running: the callbacks queued to run when it ends
    (Variable._execution_engine.queue_callback), None outside a backward."""
    callbacks = None


def queue_callback(callback):
    """Run callback() when the backward that is running ends (torch's
    Variable._execution_engine.queue_callback)."""
    if _Task.callbacks is None:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _Task.callbacks.append(callback)


def _run(roots, root_grads, retain_graph, create_graph, capture, accumulate):
    """Propagate root_grads through the graph; return the gradients captured at `capture` edges
    (Tensors). Gradients travel as arrays unless create_graph (NOTE [ Backward on arrays ]).

    Nodes run in the reverse of their creation order (`_seq`, NOTE [ Execution order ] in
    function.py): every node that sends a gradient into a node was created after it, so a node's
    gradient is complete when it leaves the heap, with no dependency count to build first.
    Then the callbacks queued meanwhile run, in order (queue_callback).

    NOTE [ The engine's loop ]
    The loop runs once per node of every backward, so the common case of a node (one gradient, a
    backward on arrays, no hooks, no anomaly mode, nothing captured) calls its backward formula
    straight from here, and the gradients it returns are routed to the next nodes here too: two
    function calls less per node took the `overhead` step's backward 25.2 -> 22.5 us in pure
    Python and 15.2 -> 14.0 us compiled."""
    on_arrays = not create_graph
    buffers = {}  # node -> its output gradients so far; also marks the nodes in the heap
    heap = []
    for t, g in zip(roots, root_grads):
        node, idx = _edge(t)
        buf = buffers.get(node) or _enqueue(buffers, heap, node)
        buf[idx] = g if buf[idx] is None else _sum(buf[idx], g, on_arrays)
    captured = {}
    leads = reached = None
    if capture is not None:
        leads = _leading_nodes(heap, capture)
        reached = leads | {node for node, _ in capture}
    state = _grad_state
    anomaly = _anomaly.state.enabled
    prev_mode = state.enabled
    state.enabled = create_graph
    outer = _Task.callbacks
    callbacks = _Task.callbacks = []
    plain = on_arrays and not anomaly and reached is None  # NOTE [ The engine's loop ]
    silent = quiet()  # NOTE [ Quiet backward ]
    silent.__enter__()
    try:
        while heap:
            node = heappop(heap)[1]
            grads = buffers.pop(node)
            if node._pre_hooks:
                grads = _run_pre_hooks(node, grads, on_arrays)
            if capture is not None and _capture(node, grads, capture, captured, accumulate):
                break
            if type(node) is AccumulateGrad:
                if accumulate and grads[0] is not None and \
                        (capture is None or (node, 0) in capture):
                    _accumulate(node, grads[0], create_graph)
                continue
            if leads is not None and node not in leads:
                continue
            fast = on_arrays and node._array_backward
            edges = node._edges
            if fast and plain and node._hooks is None and len(grads) == 1 and \
                    grads[0] is not None:
                # _call_backward's common case, inline (NOTE [ The engine's loop ])
                state.arrays = True
                in_grads = node._forward_cls.backward(node, grads[0])
                state.arrays = False
                if type(in_grads) is not tuple:
                    in_grads = (in_grads,)
            else:
                needs = _narrow_needs(node, reached) if reached is not None else None
                try:
                    if anomaly:  # NOTE [ Anomaly mode ] (anomaly_mode.py)
                        in_grads = _anomaly.checked_backward(_call_backward, node, grads,
                                                             on_arrays, fast)
                    else:
                        in_grads = _call_backward(node, grads, on_arrays, fast)
                finally:
                    if needs is not None:
                        node._needs = needs[0]
            if not retain_graph and node._packed is not None:
                node._freed = True
                node._packed = None
            # each input gradient along its edge, validated against the input it is for (NOTE
            # [ Gradient validation ]); an edge past the gradients given takes none. Inline, not a
            # function: NOTE [ The engine's loop ]
            n_grads = len(in_grads)
            for i, e in enumerate(edges):
                if not e:
                    continue
                nxt, idx, shape, dt = e
                buf = buffers.get(nxt) or _enqueue(buffers, heap, nxt)
                g = in_grads[i] if i < n_grads else None
                if g is None:
                    continue
                if on_arrays:
                    if type(g) is not _ndarray or g.shape != shape or g.dtype is not dt:
                        g = _validate_array(node, i, g, e, fast)
                elif type(g) is not _Tensor or g._data.shape != shape or g._data.dtype != dt:
                    g = _validate(node, i, g, e)
                cur = buf[idx]
                buf[idx] = g if cur is None else _sum(cur, g, on_arrays)
        for callback in callbacks:
            callback()
    finally:
        silent.__exit__()
        state.enabled = prev_mode
        state.arrays = False
        _Task.callbacks = outer
    if on_arrays:
        for k, g in captured.items():
            if g is not None and not _is_sparse(g):
                captured[k] = _make(g)
    return captured


def _leading_nodes(heap, capture):
    """The nodes whose backward must run for a gradient to reach a `capture` edge: those with an
    edge into a node that is captured or leads to one. autograd.grad and backward(inputs=) run
    only these, as torch does (a formula off those paths never runs, nor raises)."""
    targets = {node for node, _ in capture}
    reaches = {}  # node -> whether a captured node is at or below it
    stack = [(node, False) for _, node in heap]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            reaches[node] = node in targets or any(e and reaches[e[0]] for e in node._edges)
        elif node not in reaches:
            reaches[node] = False  # visited; its value is set once its children are (a DAG)
            stack.append((node, True))
            stack.extend((e[0], False) for e in node._edges if e and e[0] not in reaches)
    return {node for node in reaches if any(e and reaches[e[0]] for e in node._edges)}


def _narrow_needs(node, reached):
    """A built-in op asked only for the gradients that reach a captured edge (torch's output
    mask: autograd.grad(conv(x, w), x) computes no weight gradient): its needs_input_grad narrowed
    for this call; returns (the value to restore,) or None when nothing changed. A user
    Function's needs_input_grad stays as its forward saw it, as in torch."""
    if not node._forward_cls._narrows_needs:
        return None
    wide = node.needs_input_grad
    narrow = tuple(bool(e) and e[0] in reached for e in node._edges)
    if narrow == wide:
        return None
    saved = (node._needs,)
    node._needs = narrow
    return saved


def _enqueue(buffers, heap, node):
    """Put node in the heap on its first incoming gradient; return its gradient buffer."""
    buf = buffers[node] = [None] * len(node._out_meta)
    heappush(heap, (node._seq, node))
    return buf


def _capture(node, grads, capture, captured, accumulate):
    """Keep the gradients of node's outputs that autograd.grad or backward(inputs=) asked for;
    True when autograd.grad has them all and the rest of the graph need not run."""
    for i, g in enumerate(grads):
        if (node, i) in capture:
            captured[(node, i)] = g
    return not accumulate and type(node) is not AccumulateGrad and \
        len(captured) == len(capture)


def _call_backward(node, grads, on_arrays, fast):
    """The node's backward formula on its output gradients (arrays when fast, NOTE [ Backward on
    arrays ]), then its hooks: one gradient or None per input edge."""
    if len(grads) > 1 or grads[0] is None:
        grads = _materialize(node, grads, on_arrays)
    fcls = node._forward_cls
    if fast:
        state = _grad_state
        state.arrays = True
        in_grads = fcls.backward(node, *grads)
        state.arrays = False
    elif on_arrays:
        in_grads = fcls.backward(node, *[None if g is None else _make(g) for g in grads])
    else:
        in_grads = fcls.backward(node, *grads)
    if type(in_grads) is not tuple:
        in_grads = (in_grads,)
    n_edges = len(node._edges)
    # a user Function returns a gradient (or None) per input; extra ones may only be None
    if fcls._strict_grad_count and (len(in_grads) < n_edges or any(
            g is not None for g in in_grads[n_edges:])):
        raise RuntimeError(f"function {type(node).__name__} returned an incorrect number "
                           f"of gradients (expected {n_edges}, got {len(in_grads)})")
    if node._hooks:
        in_grads = _run_hooks(node, in_grads, grads, on_arrays, fast)
    if len(in_grads) < n_edges:  # trailing options (dim, alpha ...) take none
        in_grads = in_grads + (None,) * (n_edges - len(in_grads))
    return in_grads


def _sum(a, b, on_arrays):
    """Two gradients of one output added (NumPy gives a scalar for 0-d arrays: undo that)."""
    try:
        s = a + b
    except (TypeError, RuntimeError):
        if not (_is_sparse(a) or _is_sparse(b)):
            raise
        return _sum_with_sparse(a, b, on_arrays)
    if on_arrays and type(s) is not _ndarray and isinstance(s, np.generic):
        return np.asarray(s)
    return s


def _sum_with_sparse(a, b, on_arrays):
    """NOTE [ Sparse gradients ]: a dense and a sparse gradient of one output add up to a dense
    one (torch's dense + sparse); two sparse ones add without raising, in `_sum`."""
    dense, sparse = (b, a) if _is_sparse(a) else (a, b)
    if on_arrays:
        return (_make(dense) + sparse)._data
    return dense + sparse


def _materialize(node, grads, on_arrays):
    """Zeros for the outputs of a multi-output node that received no gradient (PyTorch's
    materialize_grads), so backward formulas never see None; arrays when the gradients travel as
    arrays."""
    metas = node._out_meta
    grads = list(grads) + [None] * (len(metas) - len(grads))
    if node.materialize_grads:
        for i, g in enumerate(grads):
            if g is None and metas[i] is not None:
                shape, dt = metas[i]
                z = node.xp.zeros(shape, dt)
                grads[i] = z if on_arrays else _make(z)
    return grads


def _run_hooks(node, in_grads, grads, on_arrays, fast):
    """Node hooks, fn(grad_inputs, grad_outputs), see Tensors. on_arrays: grads are arrays;
    fast: so are in_grads (the node's backward ran on arrays), and they stay arrays."""
    if on_arrays:
        grads = [None if g is None else _make(g) for g in grads]
    if fast:
        in_grads = tuple(_make(g) if _is_array(g) else g for g in in_grads)
    for hook in node._hooks:
        r = hook(in_grads, tuple(grads))
        if r is not None:
            in_grads = tuple(r)
    if fast:
        in_grads = tuple(g._data if isinstance(g, _Tensor) else g for g in in_grads)
    return in_grads


def _pre_hook_order(entry):
    """torch's order: the tensor hooks of a node's outputs, then their retain_grad, then the
    node's own pre-hooks, each group in registration order."""
    out_idx, hook = entry
    if out_idx is None:
        return 2
    return 1 if getattr(hook, "_retains_grad", False) else 0


def _run_pre_hooks(node, grads, on_arrays):
    """Tensor hooks and retain_grad of a node's outputs, and the node's own pre-hooks."""
    if on_arrays:
        grads = [None if g is None or _is_sparse(g) else _make(g) for g in grads]
    else:
        grads = list(grads)
    for out_idx, hook in sorted(node._pre_hooks, key=_pre_hook_order):
        if out_idx is None:
            r = hook(tuple(grads))
            if r is not None:
                for g, n in zip(grads, r):
                    if g is not None and n is not None:
                        _check_hook_result(hook, g, n)
                grads = list(r)
        elif grads[out_idx] is not None:
            r = hook(grads[out_idx])
            if r is not None:
                _check_hook_result(hook, grads[out_idx], r)
                grads[out_idx] = r
    if on_arrays:
        grads = [g._data if isinstance(g, _Tensor) else g for g in grads]
    return grads


def _run_post_accumulate_hooks(node):
    """Tensor.register_post_accumulate_grad_hook: hook(leaf) after its .grad was updated."""
    for hook in list(node.__dict__["post_accumulate_grad_hooks"]):
        r = hook(node.variable)
        if r is not None:
            raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")


def _check_hook_result(hook, grad, r):
    """A hook may replace a gradient only by a Tensor of the same size and dtype, as in PyTorch."""
    name = getattr(hook, "__name__", "<unknown>")
    if _is_sparse(grad) or _is_sparse(r):
        return _check_sparse_hook_result(name, grad, r)
    if not isinstance(r, _Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
    if r._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if r._data.dtype != grad._data.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"torch.{_legacy_name(grad)} got torch.{_legacy_name(r)})")


def _is_array(g):
    return isinstance(g, np.ndarray) or hasattr(g, "__cuda_array_interface__")


def _validate_array(node, i, g, edge, fast):
    """_validate for gradients that travel as arrays: a Tensor from a backward that ran on Tensors
    is unwrapped, a NumPy scalar from a formula on 0-d arrays becomes a 0-d array."""
    if isinstance(g, _Tensor):
        g = g._data
    elif fast and isinstance(g, np.generic):
        g = np.asarray(g)
    elif _is_sparse(g):
        g = _validate_sparse(node, i, g, edge)
        return g if _is_sparse(g) else g._data
    elif not (fast and _is_array(g)):
        _validate(node, i, g, edge)  # raises the TypeError
    if g.shape == edge[2] and g.dtype == edge[3]:
        return g
    if g.dtype == edge[3]:  # a broadcast gradient (a bias's): summed on arrays
        summed = _ops().shape.summed_to_shape(g, edge[2])
        if summed is not None:
            return summed
    return _validate(node, i, _make(g), edge)._data


def _validate(node, i, g, edge):
    """NOTE [ Gradient validation ]: sum a broadcast gradient back, cast its dtype, or raise."""
    if _is_sparse(g):
        return _validate_sparse(node, i, g, edge)
    if not isinstance(g, _Tensor):
        raise TypeError(f"function {type(node).__name__} returned a gradient of type "
                        f"{type(g).__name__} at index {i}, expected a Tensor or None")
    shape, dt = edge[2], edge[3]
    if g._data.shape != shape:
        try:
            ok = np.broadcast_shapes(g._data.shape, shape) == g._data.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"Function {type(node).__name__} returned an invalid gradient at index {i} - got "
                f"{list(g._data.shape)} but expected shape compatible with {list(shape)}")
        g = _ops().sum_to_size(g, shape)
    if g._data.dtype != dt:
        if g._data.dtype.kind == "c" and dt.kind != "c":  # NOTE [ Complex gradients ] (ops)
            g = _ops().real(g)
        g = _ops().to(g, _tensor._dtype._FROM_NP[dt])
    return g


def _in_leaf_layout(leaf, g):
    """A copy of gradient g laid out as its leaf (torch's AccumulateGrad gives .grad the leaf's
    strides: a channels-last leaf a channels-last .grad, whatever layout the op returned)."""
    if leaf.flags.c_contiguous:
        return g.copy()
    out = xp_of(g).empty_like(leaf)  # order='K': the leaf's own order
    out[...] = g
    return out


def _accumulate(node, g, create_graph):
    """AccumulateGrad: run the leaf's hooks, add into .grad (a fresh tensor on first use), then
    the post-accumulate hooks. g is an array unless create_graph (NOTE [ Backward on arrays ])."""
    var = node.variable
    if var._hooks:
        t = g if create_graph or _is_sparse(g) else _make(g)
        for hook in var._hooks:
            r = hook(t)
            if r is not None:
                _check_hook_result(hook, t, r)
                t = r
        g = t if create_graph or _is_sparse(t) else t._data
    if _is_sparse(g) or _is_sparse(var._grad):
        var._grad = _accumulated_sparse(var._grad, g, create_graph)
    elif var._grad is None:  # a copy, as torch's: leaves given one gradient (x + y) share no .grad
        var._grad = _ops().copy_into(_make(g._data), g) if create_graph else \
            _make(_in_leaf_layout(var._data, g))
    elif create_graph:
        var._grad = var._grad + g
    elif var._grad._requires_grad:
        var._grad = var._grad + _make(g)
    else:
        gd = var._grad._data
        gd += g
    if "post_accumulate_grad_hooks" in node.__dict__:
        _run_post_accumulate_hooks(node)


# NOTE [ Sparse gradients ]
# nn.Embedding(sparse=True) and its kin return their weight's gradient as a sparse COO tensor
# (ember.sparse.SparseCooTensor, which is no Tensor and no array), as torch does. It takes only
# the engine's slow paths, never a test in the loop: a backward returns it, so the type check
# that every gradient passes sends it to `_validate_array` / `_validate`, which keep it for a leaf
# (an AccumulateGrad edge) and make it dense for any other node (whose formulas take dense
# gradients; torch would keep some of those sparse). Two gradients of one output meet in `_sum`:
# sparse + sparse stays sparse (laid out as torch's add: SparseCooTensor.add), dense + sparse is
# dense. A leaf's hooks see the sparse tensor, and
# `_accumulate` adds it into .grad as torch's AccumulateGrad does.

def _validate_sparse(node, i, g, edge):
    """A sparse gradient along an edge: kept (its values cast to the input's dtype) for a leaf,
    made dense for any other node (NOTE [ Sparse gradients ])."""
    shape, dt = edge[2], edge[3]
    if tuple(g.shape) != shape:
        raise RuntimeError(f"Function {type(node).__name__} returned an invalid gradient at index "
                           f"{i} - got {list(g.shape)} but expected shape compatible with "
                           f"{list(shape)}")
    if g._values()._data.dtype != dt:
        g = g.to(_tensor._dtype.from_numpy_dtype(dt))
    if type(edge[0]) is AccumulateGrad:
        return g
    return g.to_dense()


def _accumulated_sparse(grad, g, create_graph):
    """A leaf's .grad after adding gradient g where either is sparse, as torch's AccumulateGrad:
    the first sparse gradient is kept (its own tensor, cut from any graph unless create_graph;
    strided values copied); sparse into sparse adds in place (SparseCooTensor.add); dense and
    sparse give a dense .grad, in place into a dense .grad that no graph records."""
    if grad is None:  # torch keeps contiguous values as they are and copies strided ones
        first = g if create_graph else g.detach()
        return first if first._values()._data.flags.c_contiguous else first.clone()
    if not create_graph and not grad.requires_grad:
        if _is_sparse(grad) and _is_sparse(g):
            return grad.add_(g)
        if not _is_sparse(grad):
            return grad.add_(g)
    if _is_sparse(grad):  # torch adds the dense one first
        dense = g if create_graph or not _is_array(g) else _make(g)
        return dense + grad
    return grad + g


def _check_sparse_hook_result(name, grad, r):
    """A hook on a sparse gradient may replace it only by a sparse tensor of the same size and
    dtype (torch names the legacy types)."""
    if not (_is_sparse(r) or isinstance(r, _Tensor)):
        raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
    if _is_sparse(grad) != _is_sparse(r) or r.dtype != grad.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{_sparse_legacy_name(grad)} got {_sparse_legacy_name(r)})")
    if tuple(r.shape) != tuple(grad.shape):
        raise RuntimeError(f"hook '{name}' has changed the size of value")


def _sparse_legacy_name(t):
    """torch.sparse.FloatTensor for a sparse tensor, torch.FloatTensor for a dense one."""
    return ("torch.sparse." if _is_sparse(t) else "torch.") + _legacy_name(t)
