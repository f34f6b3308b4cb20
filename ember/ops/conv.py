"""Convolution, transposed convolution, unfold and fold: im2col and GEMMs, backward as convolutions.

The array kernels, and the NOTEs on how they work, live in _conv_kernels.py; the Ops here
differentiate into each other (NOTE [ Convolution kernels ]).
"""
from .. import _dtype, _memory_layout
from .._tensor import Tensor
from . import _hooks
from ._conv_kernels import (
    _col2im, _conv3d, _conv3d_weight_grad, _conv_forward, _conv_input_grad, _conv_weight_grad,
    _Depth, _exact_layout, _Geometry)
from ._common import _c10_name
from ._errors import refuse_non_floating
from ._op import Op, shape_str
from .complex import holomorphic

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]  # unfold/fold: F only


# -- ops -------------------------------------------------------------------------------------------

def _as_2d(a):
    """View a 1-D convolution's (N, C, L) array as (N, C, 1, L)."""
    return a[:, :, None, :] if a.ndim == 3 else a


class Convolution(Op):
    """conv (transposed=False) or transposed conv of a batched input; 1, 2 or 3 spatial dims.
    fmt: the output's memory format, torch's for a convolution: channels-last when the input or
    the weight suggests it (NOTE [ Suggested memory format ]); the input gradient takes it too,
    whatever the output gradient's layout."""
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)
    _n_operands = 3

    def forward(ctx, x, w, b, geo, transposed, out_hw, fmt=None):
        xp = ctx.xp
        ctx.geo, ctx.transposed, ctx.fmt = geo, transposed, fmt
        ctx.save_for_backward(x, w)
        if geo.depth is not None:
            return _memory_layout.lay_out(xp, _conv3d(xp, x, w, b, geo, transposed, out_hw), fmt)
        x2, w2 = _as_2d(x), _as_2d(w)
        if transposed:
            y = _conv_input_grad(xp, x2, w2, out_hw, geo, fmt)
            if b is not None:
                y += b.reshape(-1, 1, 1)
        else:
            y = _memory_layout.lay_out(xp, _conv_forward(
                xp, x2, w2, b, geo, out_hw or geo.out_size(*x2.shape[2:]), fmt), fmt)
        return y.reshape(y.shape[:2] + y.shape[3:]) if x.ndim == 3 else y

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geo
        gx = gw = gb = None
        if ctx.transposed:
            if need[0]:
                gx = Convolution.apply(g, w, None, geo, False, _spatial(x), ctx.fmt)
            if need[1]:
                gw = ConvolutionWeightGrad.apply(g, x, geo, tuple(w.shape))
        else:
            if need[0]:
                gx = Convolution.apply(g, w, None, geo, True, _spatial(x), ctx.fmt)
            if need[1]:
                gw = ConvolutionWeightGrad.apply(x, g, geo, tuple(w.shape))
        if len(need) > 2 and need[2]:
            gb = g.sum((0,) + tuple(range(2, g.ndim)))
        return gx, gw, gb


class ConvolutionWeightGrad(Op):
    """d<gy, conv(image, w)>/dw, bilinear in (image, gy); its gradients are convolutions again."""
    _array_backward = True

    def forward(ctx, image, gy, geo, w_shape):
        ctx.geo = geo
        ctx.save_for_backward(image, gy)
        if geo.depth is not None:
            return _conv3d_weight_grad(ctx.xp, image, gy, w_shape, geo)
        return _conv_weight_grad(ctx.xp, _as_2d(image), _as_2d(gy), w_shape, geo)

    def backward(ctx, gw):
        image, gy = ctx.saved_tensors
        need = ctx.needs_input_grad
        g_image = Convolution.apply(gy, gw, None, ctx.geo, True, _spatial(image)) \
            if need[0] else None
        g_gy = Convolution.apply(image, gw, None, ctx.geo, False, _spatial(gy)) \
            if need[1] else None
        return g_image, g_gy


# complex operands: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Convolution, ConvolutionWeightGrad)


def _spatial(t):
    """Spatial size of a batched tensor; a 1-D one's in the 2-D form the kernels use."""
    s = tuple(t.shape[2:])
    return (1,) + s if len(s) == 1 else s


class Im2Col(Op):
    """F.unfold: (N, C, H, W) -> (N, C*kh*kw, L), the sliding blocks as columns."""

    def forward(ctx, x, geo):
        ctx.geo, ctx.image_hw = geo, x.shape[2:]
        n, c = x.shape[:2]
        lay = _exact_layout(geo, x.shape[2:], geo.out_size(*x.shape[2:]), x.itemsize)
        flat = ctx.xp.zeros((n, c, lay.row), x.dtype)
        lay.interior(flat, geo)[...] = x
        cols = ctx.xp.empty((n, c, geo.kh, geo.kw, lay.ho, lay.wo), x.dtype)
        ctx.xp.copyto(cols, lay.windows(ctx.xp, flat, geo))
        return cols.reshape(n, c * geo.kh * geo.kw, lay.ho * lay.wo)

    def backward(ctx, g):
        return Col2Im.apply(g, ctx.geo, ctx.image_hw)


class Col2Im(Op):
    """F.fold: sums (N, C*kh*kw, L) columns back into (N, C, H, W) images (unfold's adjoint)."""

    def forward(ctx, cols, geo, image_hw):
        ctx.geo = geo
        n = cols.shape[0]
        c = cols.shape[1] // (geo.kh * geo.kw)
        lay = _exact_layout(geo, image_hw, geo.out_size(*image_hw), cols.itemsize)
        flat = ctx.xp.zeros((n, c, lay.row), cols.dtype)
        _col2im(ctx.xp, cols.reshape(n, c, geo.kh, geo.kw, lay.ho, lay.wo),
                lay.windows(ctx.xp, flat, geo))
        return ctx.xp.ascontiguousarray(lay.interior(flat, geo))

    def backward(ctx, g):
        return Im2Col.apply(g, ctx.geo)



# -- argument parsing and checks -------------------------------------------------------------------

def _ntuple(value, n, name):
    """An int or a list of 1 or n ints, as PyTorch's convolution arguments."""
    if isinstance(value, (tuple, list)):
        vals = [int(v) for v in value]
        if len(vals) == 1:
            vals = vals * n
        if len(vals) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={shape_str(vals)}")
        return tuple(vals)
    return (int(value),) * n


def _to_2d(vals, fill):
    """Spatial arguments of 1 dim gain a leading `fill` so the kernels always see 2 dims."""
    return (fill,) + tuple(vals) if len(vals) == 1 else tuple(vals)


def _check_tensor(t, name, fn):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {1 if name == 'input' else 2}) must "
                        f"be Tensor, not {type(t).__name__}")


def _conv_geometry(input, weight, bias, stride, padding, dilation, groups, transposed,
                   output_padding, nd, fn):
    _check_tensor(input, "input", fn)
    _check_tensor(weight, "weight", fn)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{fn}, but got input of size: {shape_str(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional weight for {fn}, but got weight of "
                           f"size {shape_str(weight.shape)}")
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        pads = _string_padding(padding, kernel, stride, dilation, transposed, fn)
    else:
        pads = tuple((p, p) for p in _ntuple(padding, nd, "padding"))
        if any(p < 0 for p, _ in pads):
            raise RuntimeError("negative padding is not supported")
    _check_bias_dtype(input, bias)
    _check_channels(input, weight, bias, groups, transposed, nd)
    _check_input_dtype(input, weight, nd, transposed)
    if nd == 3:
        geo = _Geometry(kernel[1:], stride[1:], dilation[1:], pads[1:], groups,
                        _Depth(kernel[0], stride[0], dilation[0], pads[0]))
    else:
        geo = _Geometry(_to_2d(kernel, 1), _to_2d(stride, 1), _to_2d(dilation, 1),
                        _to_2d(pads, (0, 0)), groups)
    spatial = tuple(input.shape[-nd:])
    if transposed:
        out_pad = _ntuple(output_padding, nd, "output_padding")
        if any(op >= s and op >= d for op, s, d in zip(out_pad, stride, dilation)):
            names = ("depth", "height", "width")[-max(nd, 2):]
            op2, s2, d2 = _to_2d(out_pad, 0), _to_2d(stride, 1), _to_2d(dilation, 1)
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got " +
                " ".join(f"output_padding_{nm}: {v}" for nm, v in zip(names, op2)) + " " +
                " ".join(f"stride_{nm}: {v}" for nm, v in zip(names, s2)) + " " +
                " ".join(f"dilation_{nm}: {v}" for nm, v in zip(names, d2)))
        out = tuple((i - 1) * s - lo - hi + d * (k - 1) + op + 1 for i, s, (lo, hi), d, k, op
                    in zip(spatial, stride, pads, dilation, kernel, out_pad))
        # torch's kernel for a batch of several samples in float32 or narrower takes an empty
        # output, and so does an empty batch; the one for a single sample or float64 refuses it
        refuse_empty = _batch(input, nd) and not _mkldnn_path(input, nd)
        if any(o < 0 or o == 0 and refuse_empty for o in out):
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, spatial))}). "
                               f"Calculated output size per channel: "
                               f"({' x '.join(map(str, out))}). Output size is too small")
        return geo, _to_2d(out, 1)
    padded = tuple(i + lo + hi for i, (lo, hi) in zip(spatial, pads))
    eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           f"actual input size")
    return geo, None


def _string_padding(padding, kernel, stride, dilation, transposed, fn):
    if transposed:
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))  # the odd one out goes to the high side
    return tuple(pads)


# The kernel PyTorch names when refusing bool input, by (spatial dims, transposed).
_BOOL_KERNELS = {(1, False): "slow_conv2d_cpu", (2, False): "slow_conv2d_cpu",
                 (3, False): "compute_columns3d", (1, True): "slow_conv_transpose2d_out_cpu",
                 (2, True): "slow_conv_transpose2d_out_cpu",
                 (3, True): "slow_conv_transpose3d_out_cpu"}


def _check_bias_dtype(input, bias):
    """torch checks the bias's dtype first, before any shape (in C++ type names)."""
    if bias is not None and bias.dtype != input.dtype and not _hooks.autocasting():
        raise RuntimeError(f"Input type ({_c10_name(input.dtype)}) and bias type "
                           f"({_c10_name(bias.dtype)}) should be the same")


def _check_input_dtype(input, weight, nd, transposed):
    """After the shapes: a bool input, then the weight's dtype against the input's (autocast
    gives the operands one dtype, ops/_hooks.py)."""
    if input.dtype == _dtype.bool:
        raise NotImplementedError(f"\"{_BOOL_KERNELS[nd, transposed]}\" not implemented for "
                                  "'Bool'")
    if input.dtype != weight.dtype and not _hooks.autocasting() and _batch(input, nd):
        if _mkldnn_path(input, nd):
            raise RuntimeError(f"Input type (torch.{_dtype.LEGACY_NAMES[input.dtype]}) and weight "
                               f"type (torch.{_dtype.LEGACY_NAMES[weight.dtype]}) should be the "
                               "same or input should be a MKLDNN tensor and weight is a dense "
                               "tensor")
        raise RuntimeError(f"expected scalar type {_dtype.type_name(input)} but found "
                           f"{_dtype.type_name(weight)}")


def _batch(input, nd):
    """The batch size (1 for an unbatched input); torch's kernels skip an empty batch early."""
    return 1 if input.dim() == nd + 1 else input.shape[0]


def _mkldnn_path(input, nd):
    """Whether torch runs this convolution on its oneDNN kernel (a batch of several samples in
    float32 or narrower), whose checks differ: it words a dtype mismatch the old way and takes
    an empty transposed output."""
    return _batch(input, nd) > 1 and input.dtype in (_dtype.float32, _dtype.float16)


def _check_channels(input, weight, bias, groups, transposed, nd):
    c_in = input.shape[-nd - 1]
    batched = input.dim() == nd + 2
    shown = shape_str(input.shape if batched else (1,) + tuple(input.shape))
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{shape_str(weight.shape)}] "
                           f"instead")
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if c_in != expected:
        given = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(f"Given {given}, weight of size {shape_str(weight.shape)}, expected "
                           f"input{shown} to have {expected} channels, but got {c_in} channels "
                           f"instead")
    if bias is not None:
        c_out = weight.shape[1] * groups if transposed else weight.shape[0]
        if bias.dim() != 1 or bias.shape[0] != c_out:
            given = "transposed=1, " if transposed else ""
            raise RuntimeError(f"Given {given}weight of size {shape_str(weight.shape)}, expected "
                               f"bias to be 1-dimensional with {c_out} elements, but got bias of "
                               f"size {shape_str(bias.shape)} instead")


def _convolution(input, weight, bias, stride, padding, dilation, groups, transposed,
                 output_padding, nd, fn):
    geo, out_hw = _conv_geometry(input, weight, bias, stride, padding, dilation, groups,
                                 transposed, output_padding, nd, fn)
    if input.dim() == nd + 1:  # unbatched: PyTorch's grad_fn is then SqueezeBackward1
        y = Convolution.apply(input.unsqueeze(0), weight, bias, geo, transposed, out_hw)
        return y.squeeze(0)
    fmt = _memory_layout.suggest(input._data) or _memory_layout.suggest(weight._data)
    return Convolution.apply(input, weight, bias, geo, transposed, out_hw, fmt)


# -- public functions ------------------------------------------------------------------------------

def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over (N, C, L) or unbatched (C, L) input."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, False, 0, 1,
                        "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over (N, C, H, W) or unbatched (C, H, W) input."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, False, 0, 2,
                        "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation) over (N, C, D, H, W) or unbatched (C, D, H, W) input."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, False, 0, 3,
                        "conv3d")


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution; weight is (C_in, C_out / groups, k)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, True,
                        output_padding, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution; weight is (C_in, C_out / groups, kh, kw)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, True,
                        output_padding, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution; weight is (C_in, C_out / groups, kd, kh, kw)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, True,
                        output_padding, 3, "conv_transpose3d")


def _pairs(kernel_size, dilation, padding, stride):
    k = _ntuple(kernel_size, 2, "kernel_size")
    d = _ntuple(dilation, 2, "dilation")
    p = _ntuple(padding, 2, "padding")
    s = _ntuple(stride, 2, "stride")
    return k, d, p, s


def _blocks_error(hw, k, d, p, s, blocks):
    return RuntimeError(f"Given input with spatial size {hw}, kernel_size={k}, dilation={d}, "
                        f"padding={p}, calculated shape of the array of sliding blocks as "
                        f"{blocks}, but its components must be at least one.")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """F.unfold: sliding blocks of a (N, C, H, W) or (C, H, W) input as (N, C*kh*kw, L)."""
    nd = input.dim()
    if nd < 3:  # torch reads the size of a dim the input does not have
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(nd, 1)}, "
                         f"{max(nd, 1) - 1}], but got {max(nd, 1)})")
    if nd > 4:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {list(input.shape)}")
    k, d, p, s = _pairs(kernel_size, dilation, padding, stride)
    geo = _Geometry(k, s, d, ((p[0], p[0]), (p[1], p[1])))
    hw = tuple(input.shape[-2:])
    blocks = geo.out_size(*hw)
    if min(blocks) < 1:
        raise _blocks_error(hw, k, d, p, s, blocks)
    refuse_non_floating("im2col_out_cpu", input, bool_ok=True)
    if input.dim() == 3:
        return Im2Col.apply(input.unsqueeze(0), geo).squeeze(0)
    return Im2Col.apply(input, geo)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """F.fold: sums (N, C*kh*kw, L) or (C*kh*kw, L) blocks into (N, C, H, W) images."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{shape_str(input.shape)}")
    out = _ntuple(output_size, 2, "output_size")
    k, d, p, s = _pairs(kernel_size, dilation, padding, stride)
    geo = _Geometry(k, s, d, ((p[0], p[0]), (p[1], p[1])))
    c_k, n_blocks = input.shape[-2:]
    if c_k % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension {input.dim() - 2} to be divisible "
                           f"by the product of kernel_size, but got input.size("
                           f"{input.dim() - 2})={c_k} and kernel_size={k}.")
    blocks = geo.out_size(*out)
    if min(blocks) < 1:
        raise _blocks_error(out, k, d, p, s, blocks)
    if blocks[0] * blocks[1] != n_blocks:
        raise RuntimeError(f"Given output_size={out}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension "
                           f"{input.dim() - 1} to match the calculated number of sliding blocks "
                           f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size({input.dim() - 1})={n_blocks}.")
    refuse_non_floating("col2im_out_cpu", input, bool_ok=True)
    if input.dim() == 2:
        return Col2Im.apply(input.unsqueeze(0), geo, out).squeeze(0)
    return Col2Im.apply(input, geo, out)
