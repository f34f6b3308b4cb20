"""torch.nn.grad: a convolution's gradient with respect to its input or its weight, as a function
of grad_output. Both are the kernels of ember's Convolution backward (ops/conv.py); one Op records
them as torch does (ConvolutionBackwardBackward0) and its backward is theirs, so the results are
differentiable again."""
from .._dtype import bool as bool_
from ._errors import refuse_non_floating
from ._op import Op
from .conv import Convolution, ConvolutionWeightGrad, _conv_geometry, _spatial

__all__ = []  # reached as ember.nn.grad, not at the top level


class ConvolutionBackward(Op):
    """which="input": the transposed convolution of grad_output by the weight, to the input's
    spatial size; which="weight": the correlation of the input with grad_output."""

    def forward(ctx, a, b, geo, which, size):
        ctx.which = which
        if which == "input":
            return Convolution.forward(ctx, a, b, None, geo, True, size)
        return ConvolutionWeightGrad.forward(ctx, a, b, geo, size)

    def backward(ctx, g):
        if ctx.which == "input":
            return Convolution.backward(ctx, g)[:2]
        return ConvolutionWeightGrad.backward(ctx, g)


def _stand_in(like, size):
    """A tensor of `size` that costs no memory: the geometry checks read only shape and dtype."""
    return like.new_zeros(()).expand(tuple(size))


def _check_grad_output(grad_output, geo_input, weight, geo, nd):
    """grad_output must have the size the forward convolution gives (torch's check and text)."""
    if geo.depth is not None:
        want = (geo.depth.out_size(geo_input.shape[2]),) + geo.out_size(*geo_input.shape[3:])
    else:
        want = geo.out_size(*_spatial(geo_input))[-nd:]
    want = (geo_input.shape[0], weight.shape[0]) + tuple(want)
    for i, (w, g) in enumerate(zip(want, grad_output.shape)):
        if w != g:
            raise RuntimeError(f"Expected a tensor of dimension {len(want)} and tensor.size[{i}] "
                               f"== {w} but got: dimension {grad_output.dim()} and "
                               f"tensor.size[{i}] = {g}")
    if grad_output.dim() != len(want):
        raise RuntimeError(f"Expected {len(want)}-dimensional grad_output, but got "
                           f"{grad_output.dim()}")


def _size(nd, name, size):
    size = tuple(size)
    if len(size) != nd + 2:
        raise ValueError(f"{name} must have {nd + 2} elements (got {len(size)})")
    return size


def _checked_geometry(nd, image, weight, grad_output, stride, padding, dilation, groups):
    """The convolution's geometry, with grad_output checked against the output it implies."""
    geo, _ = _conv_geometry(image, weight, None, stride, padding, dilation, groups, False, 0,
                            nd, f"conv{nd}d")
    _check_grad_output(grad_output, image, weight, geo, nd)
    return geo


def conv_input(nd, input_size, weight, grad_output, stride, padding, dilation, groups):
    image = _stand_in(weight, _size(nd, "input_size", input_size))
    # before the geometry checks, which refuse a bool tensor as the forward convolution does
    refuse_non_floating(f"slow_conv{max(nd, 2)}d_cpu_grad_input", grad_output)
    geo = _checked_geometry(nd, image, weight, grad_output, stride, padding, dilation, groups)
    return ConvolutionBackward.apply(grad_output, weight, geo, "input", _spatial(image))


def conv_weight(nd, input, weight_size, grad_output, stride, padding, dilation, groups):
    weight_size = _size(nd, "weight_size", weight_size)
    weight = _stand_in(input, weight_size)
    geo = _checked_geometry(nd, input, weight, grad_output, stride, padding, dilation, groups)
    if input.dtype == bool_:  # torch's bool input fails in the im2col step, not the gradient
        refuse_non_floating("compute_columns3d" if nd == 3 else "slow_conv2d_cpu", input)
    refuse_non_floating(f"slow_conv{max(nd, 2)}d_cpu_grad_weight", input)
    return ConvolutionBackward.apply(input, grad_output, geo, "weight", weight_size)
