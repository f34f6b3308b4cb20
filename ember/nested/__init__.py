"""torch.nested: tensors of ragged sizes in the strided or jagged layout (NOTE [ Nested layouts ]
in _nested_tensor.py)."""
from .._memory_layout import strided
from .._tensor import Tensor
from ._nested_tensor import NestedTensor, RaggedSize, jagged

__all__ = ["as_nested_tensor", "nested_tensor", "nested_tensor_from_jagged", "narrow",
           "to_padded_tensor", "masked_select", "NestedTensor", "RaggedSize", "jagged"]


def _check_layout(layout):
    layout = strided if layout is None else layout
    if layout is not strided and layout is not jagged:
        raise RuntimeError(f"Specified layout is unsupported for nested tensors: {layout}")
    return layout


def _build(components, layout):
    """A NestedTensor of the given components (already converted), checking torch's rules."""
    from ..ops import cat
    dims = {c.dim() for c in components}
    if len(dims) > 1:
        if layout is jagged:
            raise RuntimeError("When constructing a nested tensor, all tensors in list must "
                               "have the same dim")
        first = components[0].dim()
        bad = next(i for i, c in enumerate(components) if c.dim() != first)
        raise RuntimeError("All Tensors given to nested_tensor must have the same dimension. "
                           f"Found dimension {components[bad].dim()} for Tensor at index {bad} "
                           f"and dimension {first} for Tensor at index 0.")
    if layout is strided:
        return NestedTensor(list(components))
    if not components:
        raise RuntimeError("nested_tensor(): the jagged layout needs at least one tensor")
    if dims == {0} or len({tuple(c.shape[1:]) for c in components}) > 1:
        raise RuntimeError("Cannot represent given tensor list as a nested tensor with the "
                           "jagged layout. Note that the jagged layout only allows for a single "
                           "ragged dimension. For example: (B, *, D_0, D_1, ..., D_N), with "
                           "ragged * dim.")
    return _from_values(cat(list(components), 0), [c.shape[0] for c in components],
                        components[0].device)


def _from_values(values, lengths, device):
    from .._creation import tensor
    offsets = [0]
    for n in lengths:
        offsets.append(offsets[-1] + n)
    return NestedTensor(values=values, offsets=tensor(offsets, device=device))


def nested_tensor(tensor_list, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A nested tensor (a leaf, with no autograd history) copied from a list of tensors."""
    from .._creation import as_tensor
    layout = _check_layout(layout)
    components = [as_tensor(t, dtype=dtype, device=device).detach().clone()
                  for t in tensor_list]
    nt = _build(components, layout)
    if requires_grad:
        nt.requires_grad_()
    return nt


def as_nested_tensor(ts, dtype=None, device=None, layout=None):
    """A nested tensor from a list of tensors (or a tensor's unbind(0)), keeping autograd history
    so that gradients flow back to the given tensors."""
    layout = _check_layout(layout)
    if isinstance(ts, NestedTensor):
        if ts.layout is not layout:
            raise RuntimeError("as_nested_tensor(): converting between nested layouts is not "
                               "supported")
        return ts.to(dtype=dtype, device=device)
    if isinstance(ts, Tensor):
        ts = ts.unbind(0)
    elif not isinstance(ts, (list, tuple)) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError("as_nested_tensor(): Expected first argument to be a tensor or a list "
                        "/ tuple of tensors")
    converted = [t.to(dtype=dtype, device=device) for t in ts]
    # a copy, as torch makes: the nested tensor must not alias the caller's leaves
    return _build([c.clone() if c is t else c for c, t in zip(converted, ts)], layout)


def nested_tensor_from_jagged(values, offsets=None, lengths=None, jagged_dim=None,
                              min_seqlen=None, max_seqlen=None):
    """A jagged nested tensor viewing `values` (packed along dim 0) split at `offsets`; with
    `lengths` too, component i is values[offsets[i]:offsets[i] + lengths[i]] (holes allowed)."""
    from ..ops import cat, cumsum
    if offsets is None:
        if lengths is None:
            raise RuntimeError("nested_tensor_from_jagged(): At least one of offsets or "
                               "lengths is required.")
        offsets = cat([lengths.new_zeros(1), cumsum(lengths, 0)])
        lengths = None
    if jagged_dim not in (None, 1):
        raise NotImplementedError("ember: nested_tensor_from_jagged supports jagged_dim=1 only")
    return NestedTensor(values=values, offsets=offsets, lengths=lengths)


def narrow(tensor, dim, start, length, layout=strided):
    """A nested tensor of tensor's slices: per batch entry, `length` items from `start` along
    `dim` (start and length may be per-entry tensors for the jagged layout)."""
    from .._creation import arange, as_tensor
    layout = _check_layout(layout)
    if layout is strided:
        if isinstance(start, Tensor) or isinstance(length, Tensor):
            raise RuntimeError("start and length must be integers for the strided layout NT impl")
        if dim != 0:
            raise RuntimeError(f"narrow(): only dim=0 supported for nested tensors, but got: {dim}")
        return NestedTensor(list(tensor.narrow(0, start, length).unbind(0)))
    if dim != 1:
        raise RuntimeError("jagged layout only supports dim=1")
    batch, steps = tensor.shape[0], tensor.shape[1]
    start = as_tensor(start, device=tensor.device).expand(batch)
    length = as_tensor(length, device=tensor.device).expand(batch)
    from ..ops import cat
    starts = arange(batch, device=tensor.device) * steps + start
    offsets = cat([starts, starts[-1:] + length[-1:]])
    return NestedTensor(values=tensor.flatten(0, 1), offsets=offsets, lengths=length)


def to_padded_tensor(input, padding, output_size=None, out=None):
    """A dense tensor holding the nested tensor's components, each padded with `padding`."""
    padded = input.to_padded_tensor(padding, output_size)
    if out is None:
        return padded
    if tuple(out.shape) != tuple(padded.shape):
        raise RuntimeError(f"to_padded_tensor(): out has shape {list(out.shape)}, the padded "
                           f"result {list(padded.shape)}")
    return out.copy_(padded)


def masked_select(tensor, mask):
    """A jagged nested tensor of the elements where mask is True, one component per row of
    the (broadcast) mask."""
    from ..ops import broadcast_tensors
    tensor, mask = broadcast_tensors(tensor, mask)
    lengths = mask.reshape(-1, mask.shape[-1]).sum(-1).tolist()
    return _from_values(tensor.masked_select(mask), lengths, tensor.device)
