"""affine_grid and grid_sample (2-D on 4-D input, 3-D on 5-D input).

grid_sample reads input at the grid's normalised coordinates (-1 and 1 are the centres of the
corner pixels with align_corners=True, their outer edges otherwise). Along each spatial dim a
grid coordinate becomes a source position p, and output = sum over taps of prod_d W_d * input[tap]:
nearest has one tap (p rounded, ties to even), bilinear two (floor(p) + 0, 1 with weights 1 - t,
t for t = p - floor(p)), bicubic four (floor(p) - 1 .. + 2, cubic convolution with A = -0.75).
padding_mode maps p into range for nearest and bilinear (zeros: out-of-range taps read 0;
border: clamped; reflection: reflected off the borders, then clamped), and each integer tap for
bicubic, as torch does.

NOTE [ grid_sample derivatives ]
Every weight is a polynomial in t, and p is piecewise linear in the grid (slope m), so the k-th
derivative of a weight along a dim is m**k times the polynomial's k-th derivative. With S_k the
sampling whose weights are differentiated k_d times along each dim d, three ops close under
differentiation: _GridSample (S_k(x)), GridSampleScatter (its adjoint in x: the weights
scattered back, by bincount) and GridSampleGridGrad (sum over channels of g * S_{k+e}(x) for each
grid coordinate e). Each one's backward is a sum of the three at higher k, so double (and higher)
backward needs no second formula. The taps, weights and slopes depend on the grid's values only;
they are computed once per forward (_Taps) and shared by the backward nodes.
"""
import itertools
import math
import warnings

import numpy as np

from .. import _creation
from .._dtype import type_name
from .._tensor import _make
from .join import stack
from .linalg import matmul
from ._op import Op
from .._warnings import user_stacklevel

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the old "
                  "behavior is desired. See the documentation of grid_sample for details.")


def _align(align_corners):
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=user_stacklevel())
        return False
    return bool(align_corners)


# -- affine_grid ---------------------------------------------------------------------------------

def _axis(steps, align_corners, dtype, device):
    """Normalised pixel centres along one axis; a unit axis's one centre is 0 either way, as in
    torch since 1.3 (the warning in affine_grid).

    Without align_corners the line is scaled by steps - 1, then divided by steps, in the grid's
    dtype, as torch does: multiplying by the rounded (steps - 1) / steps moves some centres by an
    ulp, and an identity theta (a spatial transformer's usual start) then samples just left
    instead of just right of a pixel centre, where bilinear's gradient in the grid jumps."""
    if steps == 1:
        return _creation.zeros(1, dtype=dtype, device=device)
    line = _creation.linspace(-1, 1, steps, dtype=dtype, device=device)
    if not align_corners and steps > 0:
        line = line * (steps - 1) / steps
    return line


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps theta (N, 2, 3)
    (or (N, 3, 4)) applied to the normalised output coordinates of an image of `size`."""
    align = _align(align_corners)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) not in (4, 5):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    nd = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (nd, nd + 1):
        raise ValueError(f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} "
                         f"for size {size}. Got {theta.shape}.")
    spatial = size[2:]
    if align and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.",
                      stacklevel=user_stacklevel())
    # base[..., k] is the k-th coordinate (x, y[, z]: last spatial dim first), then a 1
    axes = [_axis(s, align, theta.dtype, theta.device) for s in spatial]
    columns = []
    for k in range(nd):
        d = nd - 1 - k  # coordinate k runs along spatial dim d
        shape = [1] * nd
        shape[d] = spatial[d]
        columns.append(axes[d].reshape(shape).expand(*spatial))
    columns.append(_creation.ones(spatial, dtype=theta.dtype, device=theta.device))
    base = stack(columns, -1).reshape(-1, nd + 1)
    return AffineGridGenerator.apply(theta, base._data, size)


class AffineGridGenerator(Op):
    """grid[n, p] = theta[n] @ base[p] for the output's normalised coordinates base (P, nd+1);
    base is a constant of the op."""

    def forward(ctx, theta, base, size):
        ctx.base = base
        nd = len(size) - 2
        grid = ctx.xp.matmul(base, theta.swapaxes(1, 2))
        return grid.reshape((size[0],) + tuple(size[2:]) + (nd,))

    def backward(ctx, g):
        n, nd = g.shape[0], g.shape[-1]
        return matmul(g.reshape(n, -1, nd).transpose(1, 2), _make(ctx.base))


# -- grid_sample ---------------------------------------------------------------------------------

def _derivatives(coefs):
    """A polynomial (coefficients, lowest power first) and its successive derivatives, until 0."""
    out = []
    while coefs and any(coefs):
        out.append(tuple(float(c) for c in coefs))
        coefs = [i * c for i, c in enumerate(coefs)][1:]
    return tuple(out)


def _cubic_taps(a=-0.75):
    """The four bicubic taps (offset from floor(p), weight polynomials in t): torch's cubic
    convolution kernel, |s| <= 1: (a+2)|s|^3 - (a+3)|s|^2 + 1; 1 < |s| < 2: a(|s|^3 - 5|s|^2 +
    8|s| - 4), at the distances t + 1, t, 1 - t and 2 - t."""
    poly = np.polynomial.Polynomial
    near = poly([1, 0, -(a + 3), a + 2])
    far = poly([-4 * a, 8 * a, -5 * a, a])
    kernels = (far(poly([1, 1])), near, near(poly([1, -1])), far(poly([2, -1])))
    return tuple((offset, _derivatives(list(k.coef))) for offset, k in zip((-1, 0, 1, 2), kernels))


_TAPS = {"nearest": ((0, ((1.0,),)),),
         "bilinear": ((0, _derivatives([1, -1])), (1, _derivatives([0, 1]))),
         "bicubic": _cubic_taps()}


def _horner(coefs, t):
    value = coefs[-1]
    for c in coefs[-2::-1]:
        value = value * t + c
    return value


def _clip(xp, pos, slope, size):
    """pos clamped to [0, size - 1]; at and beyond the borders the slope is 0 (torch's rule)."""
    inside = (pos > 0) & (pos < size - 1)
    return xp.clip(pos, 0, size - 1), slope * inside.astype(pos.dtype)


def _reflect(xp, pos, slope, twice_low, twice_high):
    """pos reflected into [twice_low / 2, twice_high / 2] off both ends, repeatedly; each
    reflection flips the slope's sign."""
    if twice_low == twice_high:
        return xp.zeros_like(pos), slope * xp.zeros_like(pos)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    diff = pos - low
    dist = xp.abs(diff)
    extra = xp.fmod(dist, span)
    odd = xp.floor(dist / span) % 2 == 1
    pos = xp.where(odd, span - extra, extra) + low
    flipped = (diff < 0) ^ odd
    return pos, slope * (1 - 2 * flipped.astype(pos.dtype))


def _reflect_index(xp, q, size, align):
    """Integer positions reflected into [0, size - 1] (bicubic's taps): off the centres of the
    border pixels with align_corners, off their outer edges otherwise."""
    if align:
        if size == 1:
            return xp.zeros_like(q)
        r = q % (2 * (size - 1))
        return xp.where(r > size - 1, 2 * (size - 1) - r, r)
    r = q % (2 * size)
    return xp.where(r >= size, 2 * size - 1 - r, r)


_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's splitter of a float64 into two 26-bit halves


def _split(x):
    big = _SPLIT * x
    hi = big - (big - x)
    return hi, x - hi


def _fused_position(xp, shifted, half):
    """shifted * half - 0.5 rounded once, as a fused multiply-add gives it.

    NOTE [ grid_sample's source position ]
    Without align_corners a 2-D grid coordinate c reads the input at ((c + 1) * size - 1) / 2.
    torch's 2-D CPU kernel computes (c + 1) * (size / 2) - 0.5 with one rounding (an FMA), its
    3-D CPU kernel rounds twice (measured on torch 2.13's CPU build, float32 and float64, by the
    gradient test in tests/nn/test_breadth_layers.py). The values differ by an ulp at most, but
    at a pixel centre, which an identity theta hits (a spatial transformer's start), the ulp
    decides between floor(p) = k and k - 1, i.e. whether bilinear's gradient in the grid is the
    difference to the right or to the left of the pixel. Below float64 the product and the
    subtraction are exact in float64, so one cast rounds once; in float64, Dekker's exact
    product and Knuth's exact sum carry the rounding errors to one final addition."""
    if shifted.dtype != np.float64:
        return (shifted.astype(np.float64) * half - 0.5).astype(shifted.dtype)
    product = shifted * half
    hi, lo = _split(shifted)
    half_hi, half_lo = _split(half)
    if half_lo:
        product_err = ((hi * half_hi - product) + hi * half_lo + lo * half_hi) + lo * half_lo
    else:  # size < 2**27: half is its own high part
        product_err = (hi * half - product) + lo * half
    total = product - 0.5
    back = total - product
    total_err = (product - (total - back)) + (-0.5 - back)
    fused = total + (total_err + product_err)
    # the splitter overflows for |c| near the float64 maximum: round twice there
    return xp.where(xp.isfinite(fused), fused, total)


class _Taps:
    """Where and with what weights grid (N, *out, nd) reads an input of spatial shape `spatial`.
    Per spatial dim d: the fraction t, the slope dp/dgrid and per tap its clamped index, whether
    it lies inside, and its weight polynomials (NOTE [ grid_sample derivatives ])."""

    def __init__(self, xp, grid, spatial, mode, padding_mode, align):
        self.dtype = grid.dtype
        self.out_shape = tuple(grid.shape[1:-1])
        nd = len(spatial)
        self.points = math.prod(self.out_shape)
        coords = grid.reshape(grid.shape[0], self.points, nd)
        self.dims = []
        self._weights = {}
        for d, size in enumerate(spatial):
            coord = coords[..., nd - 1 - d]  # the grid lists x (the last dim) first
            if align:
                pos, slope = (coord + 1) * ((size - 1) / 2), (size - 1) / 2
            elif nd == 2:
                pos, slope = _fused_position(xp, coord + 1, size / 2), size / 2
            else:
                pos, slope = ((coord + 1) * size - 1) / 2, size / 2
            if mode != "bicubic" and padding_mode != "zeros":
                if padding_mode == "reflection":
                    bounds = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
                    pos, slope = _reflect(xp, pos, slope, *bounds)
                pos, slope = _clip(xp, pos, slope, size)
            base = xp.rint(pos) if mode == "nearest" else xp.floor(pos)
            t = pos - base
            base = base.astype(np.int64)
            taps = []
            for offset, polys in _TAPS[mode]:
                q = base + offset
                if mode == "bicubic" and padding_mode != "zeros":
                    if padding_mode == "reflection":
                        q = _reflect_index(xp, q, size, align)
                    q = xp.clip(q, 0, size - 1)
                inside = (q >= 0) & (q < size)
                taps.append((xp.clip(q, 0, size - 1), inside, polys))
            self.dims.append((t, slope, taps))
        self.strides = [math.prod(spatial[d + 1:]) for d in range(nd)]

    def combos(self):
        """Each combination of one tap per dim: (its taps, flat index (N, P), inside (N, P))."""
        for combo in itertools.product(*(range(len(taps)) for _, _, taps in self.dims)):
            flat, inside = 0, None
            for (_, _, taps), j, stride in zip(self.dims, combo, self.strides):
                q, ok, _ = taps[j]
                flat = flat + q * stride
                inside = ok if inside is None else inside & ok
            yield combo, flat, inside

    def weight(self, combo, orders):
        """The combination's weight (N, P) with the k-th derivative along dim d for k =
        orders[d] (zero outside the input), or None where it vanishes."""
        out = None
        for d, (j, k) in enumerate(zip(combo, orders)):
            w = self._dim_weight(d, j, k)
            if w is None:
                return None
            out = w if out is None else out * w
        return out

    def _dim_weight(self, d, j, k):
        key = (d, j, k)
        if key not in self._weights:
            t, slope, taps = self.dims[d]
            _, inside, polys = taps[j]
            if k >= len(polys):
                w = None
            else:
                w = _horner(polys[k], t) * inside.astype(self.dtype)
                if k:
                    w = w * slope ** k
            self._weights[key] = w
        return self._weights[key]


def _gather(xp, flat_x, index, inside):
    """flat_x (N, C, V) read at index (N, P), 0 outside: (N, C, P)."""
    n, c = flat_x.shape[:2]
    values = flat_x[xp.arange(n)[:, None, None], xp.arange(c)[None, :, None], index[:, None, :]]
    return xp.where(inside[:, None, :], values, 0)


def _bump(orders, d):
    return orders[:d] + (orders[d] + 1,) + orders[d + 1:]


class _GridSample(Op):
    """S_k(x): x (N, C, *spatial) sampled at the taps with weights differentiated orders[d]
    times along dim d. `taps` is a _Taps, or the options (mode, padding_mode, align) to build
    one from grid."""
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, x, grid, taps, orders):
        xp = ctx.xp
        if not isinstance(taps, _Taps):
            taps = _Taps(xp, grid, x.shape[2:], *taps)
        ctx.taps, ctx.orders = taps, orders
        ctx.save_for_backward(x, grid)
        n, c = x.shape[:2]
        flat_x = x.reshape(n, c, math.prod(x.shape[2:]))  # explicit sizes: n or c may be 0
        out = xp.zeros((n, c, taps.points), x.dtype)
        for combo, index, inside in taps.combos():
            w = taps.weight(combo, orders)
            if w is not None:
                out += _gather(xp, flat_x, index, inside) * w[:, None, :]
        return out.reshape((n, c) + taps.out_shape)

    def backward(ctx, g):
        x, grid = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = GridSampleScatter.apply(g, grid, ctx.taps, ctx.orders, tuple(x.shape)) \
            if need[0] else None
        ggrid = GridSampleGridGrad.apply(g, x, grid, ctx.taps, ctx.orders) if need[1] else None
        return gx, ggrid


class GridSampler(_GridSample, grad_fn="GridSampler2DBackward0"):
    """grid_sample itself; autocast and the profiler know it as torch's aten::grid_sampler."""


class _GridSampler3D(GridSampler, grad_fn="GridSampler3DBackward0"):
    pass


class GridSamplerDerivative(_GridSample):
    """S_k for k != 0: the derivatives of the weights, which only higher-order gradients use."""


def _sampler(nd, orders):
    if any(orders):
        return GridSamplerDerivative
    return GridSampler if nd == 2 else _GridSampler3D


class GridSampleScatter(Op):
    """S_k's adjoint in x: g (N, C, *out) added into an input of shape in_shape at each tap,
    times its weight."""
    _array_backward = True

    def forward(ctx, g, grid, taps, orders, in_shape):
        xp = ctx.xp
        ctx.taps, ctx.orders = taps, orders
        ctx.save_for_backward(g, grid)
        n, c = in_shape[:2]
        volume = math.prod(in_shape[2:])
        flat_g = g.reshape(n, c, taps.points)
        rows = (xp.arange(n)[:, None, None] * c + xp.arange(c)[None, :, None]) * volume
        size = n * c * volume
        total = xp.zeros(size)  # bincount sums in float64; cast back at the end
        keys, values, pending = [], [], 0
        for combo, index, _ in taps.combos():
            w = taps.weight(combo, orders)
            if w is None:
                continue
            keys.append((rows + index[:, None, :]).ravel())
            values.append((flat_g * w[:, None, :]).ravel())
            pending += keys[-1].size
            # several taps per bincount, while they hold fewer entries than the input: one
            # pass over the output for many taps, in bounded memory
            if pending >= size:
                total += xp.bincount(xp.concatenate(keys), weights=xp.concatenate(values),
                                      minlength=size)
                keys, values, pending = [], [], 0
        if keys:
            total += xp.bincount(xp.concatenate(keys), weights=xp.concatenate(values),
                                      minlength=size)
        return total.astype(g.dtype, copy=False).reshape(in_shape)

    def backward(ctx, a):
        g, grid = ctx.saved_tensors
        need = ctx.needs_input_grad
        gg = _sampler(len(ctx.orders), ctx.orders).apply(a, grid, ctx.taps, ctx.orders) \
            if need[0] else None
        ggrid = GridSampleGridGrad.apply(g, a, grid, ctx.taps, ctx.orders) if need[1] else None
        return gg, ggrid


class GridSampleGridGrad(Op):
    """The grid's gradient (N, *out, nd) of <g, S_k(x)>: for grid coordinate e (spatial dim
    d = nd - 1 - e), the sum over channels of g * S_{k + 1 at d}(x)."""
    _array_backward = True

    def forward(ctx, g, x, grid, taps, orders):
        xp = ctx.xp
        ctx.taps, ctx.orders = taps, orders
        ctx.save_for_backward(g, x, grid)
        n, c = x.shape[:2]
        nd = len(orders)
        flat_x = x.reshape(n, c, math.prod(x.shape[2:]))
        flat_g = g.reshape(n, c, taps.points)
        out = xp.zeros((n, taps.points, nd), g.dtype)
        for combo, index, inside in taps.combos():
            weights = [taps.weight(combo, _bump(orders, nd - 1 - e)) for e in range(nd)]
            if all(w is None for w in weights):
                continue
            per_tap = (flat_g * _gather(xp, flat_x, index, inside)).sum(1)
            for e, w in enumerate(weights):
                if w is not None:
                    out[..., e] += per_tap * w
        return out.reshape((n,) + taps.out_shape + (nd,))

    def backward(ctx, b):
        g, x, grid = ctx.saved_tensors
        need = ctx.needs_input_grad
        nd = len(ctx.orders)
        gg = gx = ggrid = None
        for e in range(nd):
            orders = _bump(ctx.orders, nd - 1 - e)
            b_e = b[..., e][:, None]
            if need[0]:
                term = b_e * _sampler(nd, orders).apply(x, grid, ctx.taps, orders)
                gg = term if gg is None else gg + term
            if need[1]:
                term = GridSampleScatter.apply(g * b_e, grid, ctx.taps, orders, tuple(x.shape))
                gx = term if gx is None else gx + term
            if need[2]:
                term = GridSampleGridGrad.apply(g * b_e, x, grid, ctx.taps, orders)
                ggrid = term if ggrid is None else ggrid + term
        return gg, gx, ggrid


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample input (N, C, H, W) (or (N, C, D, H, W)) at the grid's normalised (x, y[, z])
    locations (N, Ho, Wo, 2) (or (N, Do, Ho, Wo, 3))."""
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align = _align(align_corners)
    nd = input.dim() - 2
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError("grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    for d in range(2, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")
    if mode == "bicubic" and nd == 3:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"grid_sampler_{nd}d_cpu_kernel_impl\" not implemented for "
                                  f"'{type_name(input.dtype)}'")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {type_name(input.dtype)} but found "
                           f"{type_name(grid.dtype)}")
    orders = (0,) * nd
    return _sampler(nd, orders).apply(input, grid, (mode, padding_mode, align), orders)
