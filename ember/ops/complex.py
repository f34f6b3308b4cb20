"""Complex numbers: building them (complex, polar, view_as_complex), taking them apart (real,
imag, view_as_real) and conjugating, with PyTorch's gradient convention.

NOTE [ Complex gradients ]
As in PyTorch, the gradient of a real loss L with respect to a complex z = x + iy is
dL/dx + i dL/dy (the conjugate Wirtinger derivative, times two). A holomorphic step w = f(z)
therefore sends back g * conj(f'(z)) (`conj_of` in the formulas of mul and div), and a complex
gradient reaching a real input keeps its real part (the engine's gradient validation does that).
ember's conj is a copy, never a lazy conjugate bit: is_conj() and is_neg() are always False and
resolve_conj()/resolve_neg() return their input.

NOTE [ Holomorphic backward ]
Most backward formulas are written for real numbers: F(g) = J^T g, the Jacobian's transpose
applied to the output gradient (g * exp(x), g @ b.mT, the transposed convolution ...). For an
op that is holomorphic in its inputs (exp, log, the trigonometric functions, matmul, convolution,
det ...) the complex gradient is J^H g = conj(J^T conj(g)): the same formula, fed conj(g) and
conjugated back. `holomorphic(*ops)` wraps those ops' backward so, and only when the gradient is
complex: real gradients pay one dtype test. Formulas that treat complex numbers themselves (mul,
div, abs, sgn, angle, real/imag/conj) are not wrapped.
"""
import warnings

import numpy as np

from .._dtype import type_name as _type_name
from .._tensor import Tensor
from ._op import Op
from .shape import permute, transpose

__all__ = ["view_as_real", "view_as_complex", "real", "imag", "conj", "conj_physical",
           "resolve_conj", "resolve_neg", "is_conj", "is_neg", "complex", "polar", "adjoint"]

_ndarray = np.ndarray


def conj_of(x):
    """x's complex conjugate for a backward formula: x itself when real (an array, a Tensor or a
    Python number), so real gradients cost one comparison."""
    if type(x) is _ndarray:
        return x.conj() if x.dtype.kind == "c" else x
    if isinstance(x, Tensor):
        return Conj.apply(x) if x._data.dtype.kind == "c" else x
    if type(x) is builtins_complex:
        return x.conjugate()
    if hasattr(x, "dtype") and x.dtype.kind == "c":  # a NumPy scalar or a device array
        return x.conj()
    return x


builtins_complex = type(1j)


def holomorphic(*ops):
    """Make each op's backward complex-correct (NOTE [ Holomorphic backward ]); a subclass that
    inherits an already wrapped backward is left alone."""
    for op in ops:
        backward = op.backward
        if getattr(backward, "holomorphic", False):
            continue
        op.backward = _conjugated(backward)


def _conjugated(backward):
    def conjugated_backward(ctx, *grads):
        for g in grads:
            if g is not None and getattr(g, "_data", g).dtype.kind == "c":
                break
        else:
            return backward(ctx, *grads)
        out = backward(ctx, *(conj_of(g) for g in grads))
        if type(out) is tuple:
            return tuple(conj_of(o) for o in out)
        return conj_of(out)
    conjugated_backward.holomorphic = True
    conjugated_backward.__doc__ = backward.__doc__
    return conjugated_backward


class ViewAsReal(Op):
    """A complex tensor's memory seen as real pairs in a new last dim of size 2."""
    _is_view = True

    def forward(ctx, a):
        if a.dtype.kind != "c":
            raise RuntimeError("view_as_real is only supported for complex tensors")
        parts = a.real  # a view on the real parts, with a's strides
        step = parts.itemsize
        return ctx.xp.lib.stride_tricks.as_strided(
            parts, a.shape + (2,), parts.strides + (step,))

    def backward(ctx, g):
        return complex(g[..., 0], g[..., 1])


class ViewAsComplex(Op):
    """Real pairs in a last dim of size 2 (stride 1) seen as complex numbers."""
    _is_view = True

    def forward(ctx, a):
        if a.dtype.kind != "f" or a.dtype == np.float16:
            raise RuntimeError("view_as_complex is only supported for half, float and double "
                               f"tensors, but got a tensor of scalar type: {_type_name(a)}")
        if a.ndim == 0 or a.shape[-1] != 2:
            raise RuntimeError("Tensor must have a last dimension of size 2")
        if a.strides[-1] != a.itemsize:
            raise RuntimeError("Tensor must have a last dimension with stride 1")
        if any(s % (2 * a.itemsize) for s in a.strides[:-1]):
            raise RuntimeError("Tensor must have a stride divisible by 2 for all but last "
                               "dimension")
        return a.view(np.complex128 if a.dtype == np.float64 else np.complex64)[..., 0]

    def backward(ctx, g):
        return view_as_real(g)


class Conj(Op):
    def forward(ctx, a):
        return ctx.xp.conj(a)

    def backward(ctx, g):
        return Conj.apply(g)


class ConjPhysical(Conj):
    pass


class Complex(Op):
    """real + i imag from two real tensors of one floating dtype."""

    def forward(ctx, re, im):
        if re.dtype != im.dtype:
            raise RuntimeError(f"Expected object of scalar type {_type_name(re)} but got scalar "
                               f"type {_type_name(im)} for second argument")
        if re.dtype.kind != "f":
            raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                               f"{_type_name(re)} and {_type_name(im)}")
        cdt = np.complex128 if re.dtype == np.float64 else np.complex64
        out = ctx.xp.empty(np.broadcast_shapes(re.shape, im.shape), cdt)
        out.real = re
        out.imag = im
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (real(g) if need[0] else None), (imag(g) if need[1] else None)


class Polar(Op):
    """abs * (cos(angle) + i sin(angle))."""

    def forward(ctx, r, theta):
        out = Complex.forward(ctx, r * ctx.xp.cos(theta), r * ctx.xp.sin(theta))
        ctx.save_for_backward(theta, out)
        return out

    def backward(ctx, g):
        # dz/dr = e^(i angle), dz/dangle = i z: each real input takes Re(g * conj(dz/dinput)).
        theta, z = ctx.saved_tensors
        gr, gi = real(g), imag(g)
        need = ctx.needs_input_grad
        g_abs = gr * theta.cos() + gi * theta.sin() if need[0] else None
        g_angle = gi * real(z) - gr * imag(z) if need[1] else None
        return g_abs, g_angle


def view_as_real(input):
    return ViewAsReal.apply(input)


def view_as_complex(input):
    return ViewAsComplex.apply(input)


def real(input):
    """The real parts of a complex tensor as a view (input itself when real)."""
    if input._data.dtype.kind != "c":
        return input
    return ViewAsReal.apply(input).select(-1, 0)


def imag(input):
    """The imaginary parts of a complex tensor as a view."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return ViewAsReal.apply(input).select(-1, 1)


def conj(input):
    """The complex conjugate (a copy; input itself when real)."""
    return Conj.apply(input) if input._data.dtype.kind == "c" else input


def adjoint(input):
    """The conjugate transpose of the last two dims (mH); a copy when complex, as conj()."""
    return conj_transpose(input, "tensor.adjoint()", "adjoint()")


def conj_transpose(input, name, deprecated_name):
    """conj of input with its last two dims swapped, for adjoint(), x.mH and x.H, whose checks
    name them: a matrix or batch of matrices, a 0-D tensor conjugated with torch's warning."""
    nd = input._data.ndim
    if nd == 0:
        warnings.warn(f"{deprecated_name} is deprecated on 0-D tensors. Consider using x.conj().")
        return conj(permute(input, ()))
    if nd < 2:
        raise RuntimeError(f"{name} is only supported on matrices or batches of matrices. "
                           f"Got {nd}-D tensor.")
    return conj(transpose(input, -2, -1))


def conj_physical(input, *, out=None):
    r = ConjPhysical.apply(input) if input._data.dtype.kind == "c" else input
    return r if out is None else out.copy_(r)


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def is_conj(input):
    return False


def is_neg(input):
    return False


def complex(real, imag, *, out=None):
    r = Complex.apply(real, imag)
    return r if out is None else out.copy_(r)


def polar(abs, angle, *, out=None):
    kinds = (abs._data.dtype, angle._data.dtype)
    if any(d.kind != "f" for d in kinds):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_type_name(abs._data)} and {_type_name(angle._data)}")
    if abs._data.dtype == np.float16 and angle._data.dtype == np.float16:
        raise NotImplementedError("\"polar_cpu\" not implemented for 'Half'")
    if abs._data.dtype != angle._data.dtype:
        raise RuntimeError(f"Expected object of scalar type {_type_name(abs._data)} but got "
                           f"scalar type {_type_name(angle._data)} for second argument")
    r = Polar.apply(abs, angle)
    return r if out is None else out.copy_(r)
