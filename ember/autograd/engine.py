"""The backward engine: dependency counts, a ready stack, gradient validation and accumulation.

Iterative, never recursive, so graphs thousands of nodes deep work. After every node the engine
does what PyTorch's engine does for every gradient (NOTE [ Gradient validation ]): a gradient
broadcast-compatible with its input is summed back to the input's shape, a gradient of another
dtype is cast to the input's dtype, anything else raises.
"""
import numpy as np

from .. import _tensor
from .._backend import xp_of
from .function import AccumulateGrad
from .grad_mode import state as _grad_state

_Tensor = _tensor.Tensor
_make = _tensor._make


def _ops():
    from .. import ops
    return ops


def _root_grads(roots, grads):
    out = []
    for i, t in enumerate(roots):
        g = None if grads is None else grads[i]
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = _make(xp_of(t._data).ones(t._data.shape, t._data.dtype))
        elif not isinstance(g, _Tensor):
            g = _make(xp_of(t._data).asarray(g, dtype=t._data.dtype))
        elif g._data.shape != t._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{g.shape} and output[{i}] has a shape of {t.shape}.")
        out.append(g)
    return out


def _edge(t):
    if t._grad_fn is not None:
        return t._grad_fn, t._out_idx
    if not t._requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    acc = t._accum
    if acc is None:
        acc = t._accum = AccumulateGrad(t)
    return acc, 0


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
    _run(tensors, _root_grads(tensors, grad_tensors), retain_graph, create_graph,
         capture, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """d(outputs)/d(inputs), returned instead of accumulated (ember.autograd.grad)."""
    if isinstance(outputs, _Tensor):
        outputs = (outputs,)
    single = isinstance(inputs, _Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    if isinstance(grad_outputs, _Tensor):
        grad_outputs = (grad_outputs,)
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    edges = [_edge(t) for t in inputs]
    capture = {e: None for e in edges}
    got = _run(outputs, _root_grads(outputs, grad_outputs), retain_graph, create_graph,
               capture, accumulate=False)
    result = []
    for t, e in zip(inputs, edges):
        g = got.get(e)
        if g is None:
            if materialize_grads:
                g = _make(xp_of(t._data).zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
        result.append(g)
    return tuple(result)


def _run(roots, root_grads, retain_graph, create_graph, capture, accumulate):
    """Propagate root_grads through the graph; return the gradients captured at `capture` edges."""
    root_edges = []
    for t in roots:
        if t._grad_fn is None and not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")
        root_edges.append(_edge(t))
    root_nodes = list(dict.fromkeys(e[0] for e in root_edges))  # several roots may share one
    deps = {}  # node -> number of edges into it not yet processed; also marks nodes seen
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        for e in node._edges:
            if e:
                nxt = e[0]
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    if nxt not in root_nodes:
                        stack.append(nxt)
    buffers = {}
    for (node, idx), g in zip(root_edges, root_grads):
        _add_to(buffers, node, idx, g)
    captured = {}
    ready = [n for n in root_nodes if n not in deps]
    prev_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None]
            if node._pre_hooks:
                grads = _run_pre_hooks(node, grads)
            if capture is not None:
                for i, g in enumerate(grads):
                    if (node, i) in capture:
                        captured[(node, i)] = g
            if type(node) is AccumulateGrad:
                if grads[0] is None:  # every path to this leaf returned no gradient
                    continue
                if accumulate and (capture is None or (node, 0) in capture):
                    _accumulate(node.variable, grads[0], create_graph)
                continue
            if capture is not None and not accumulate and _done(capture, captured):
                break
            if len(grads) > 1 or grads[0] is None:
                grads = _materialize(node, grads)
            in_grads = node._forward_cls.backward(node, *grads)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if len(in_grads) < len(node._edges) and node._forward_cls._strict_grad_count:
                raise RuntimeError(f"function {type(node).__name__} returned an incorrect number "
                                   f"of gradients (expected {len(node._edges)}, got "
                                   f"{len(in_grads)})")
            if node._hooks:
                in_grads = _run_hooks(node, in_grads, grads)
            if not retain_graph and node._packed is not None:
                node._freed = True
                node._packed = None
            n_grads = len(in_grads)
            for i, e in enumerate(node._edges):
                if not e:
                    continue
                nxt = e[0]
                g = in_grads[i] if i < n_grads else None
                if g is not None:
                    gd = g._data if isinstance(g, _Tensor) else None
                    if gd is None or gd.shape != e[2] or gd.dtype != e[3]:
                        g = _validate(node, i, g, e)
                    buf = buffers.get(nxt)
                    if buf is None:
                        _add_to(buffers, nxt, e[1], g)
                    else:
                        cur = buf[e[1]]
                        buf[e[1]] = g if cur is None else cur + g
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    ready.append(nxt)
    finally:
        _grad_state.enabled = prev_mode
    return captured


def _done(capture, captured):
    return len(captured) == len(capture)


def _materialize(node, grads):
    """Zeros for the outputs of a multi-output node that received no gradient (PyTorch's
    materialize_grads), so backward formulas never see None."""
    metas = node._out_meta
    grads = list(grads) + [None] * (len(metas) - len(grads))
    if node.materialize_grads:
        for i, g in enumerate(grads):
            if g is None and metas[i] is not None:
                shape, dt = metas[i]
                grads[i] = _make(node.xp.zeros(shape, dt))
    return grads


def _run_hooks(node, in_grads, grads):
    for hook in node._hooks:
        r = hook(in_grads, tuple(grads))
        if r is not None:
            in_grads = tuple(r)
    return in_grads


def _run_pre_hooks(node, grads):
    grads = list(grads)
    for out_idx, hook in list(node._pre_hooks):
        if out_idx is None:
            r = hook(tuple(grads))
            if r is not None:
                grads = list(r)
        elif grads[out_idx] is not None:
            r = hook(grads[out_idx])
            if r is not None:
                grads[out_idx] = r
    return grads


def _add_to(buffers, node, idx, g):
    buf = buffers.get(node)
    if buf is None:
        n = len(node._out_meta) if type(node) is not AccumulateGrad else 1
        buf = buffers[node] = [None] * n
    cur = buf[idx]
    buf[idx] = g if cur is None else cur + g


def _validate(node, i, g, edge):
    """NOTE [ Gradient validation ]: sum a broadcast gradient back, cast its dtype, or raise."""
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
        g = _ops().to(g, _tensor._dtype._FROM_NP[dt])
    return g


def _accumulate(var, g, create_graph):
    """AccumulateGrad: run the leaf's hooks, then add into .grad (a fresh tensor on first use)."""
    if var._hooks:
        for hook in var._hooks:
            r = hook(g)
            if r is not None:
                g = r
    if var._grad is None:
        if create_graph:
            var._grad = g
        else:
            data = g._data
            var._grad = _make(data.copy())
    elif create_graph or var._grad._requires_grad:
        var._grad = var._grad + g
    else:
        gd = var._grad._data
        gd += g._data
