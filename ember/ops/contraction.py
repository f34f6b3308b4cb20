"""Tensor contractions (tensordot, inner, einsum): tensordot and inner as one mm of permuted,
reshaped operands; einsum parsed into subscripts per operand, with one np.einsum forward and one
more einsum per operand in the backward.
"""
import math

import numpy as np

from .._backend import xp_of
from .._dtype import type_name
from .._tensor import Tensor, _make
from ._common import _out
from ._op import Op, promote, shape_str, wrap_dim
from .complex import holomorphic
from .linalg import mm

__all__ = ["tensordot", "inner", "einsum"]


def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b: a permute and reshape of each, one mm, a reshape."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        given_a, given_b = list(range(-dims, 0)), list(range(dims))
    else:
        given_a, given_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(given_a) != len(given_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [wrap_dim(d, a.ndim) for d in given_a]
    dims_b = [wrap_dim(d, b.ndim) for d in given_b]
    for da, db, ga, gb in zip(dims_a, dims_b, given_a, given_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[da]} in dim {ga} and second has size {b.shape[db]} in "
                               f"dim {gb}")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    k = math.prod(a.shape[d] for d in dims_a)
    m = math.prod(a.shape[d] for d in free_a)  # explicit sizes: -1 is ambiguous when k is 0
    n = math.prod(b.shape[d] for d in free_b)
    a2 = _permute(a, free_a + dims_a).reshape(m, k)
    b2 = _permute(b, dims_b + free_b).reshape(k, n)
    result = mm(a2, b2).reshape([a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])
    return result if out is None else _out(result, out)


def _permute(t, perm):
    return t if perm == list(range(t.ndim)) else t.permute(perm)


def inner(input, other, *, out=None):
    """Sum over the last dims of both (a plain product when either is 0-d)."""
    if input.ndim == 0 or other.ndim == 0:
        result = input * other
        return result if out is None else _out(result, out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError("inner() the last dimension must match on both input tensors but got "
                           f"shapes {shape_str(input.shape)} and {shape_str(other.shape)}")
    return tensordot(input, other, dims=([-1], [-1]), out=out)


# -- einsum -------------------------------------------------------------------------------------

class Einsum(Op, grad_fn="ViewBackward0"):
    """np.einsum forward; each operand's gradient is one more einsum of g and the others.
    `eq` is (subscripts of each operand, output subscripts), with ellipses already spelled out
    as letters, so that summing over an ellipsis needs nothing special."""

    def forward(ctx, eq, *ops):
        ctx.eq = eq
        ctx.save_for_backward(*ops)
        ins, out = eq
        if len(ops) == 1 and ops[0].dtype.kind in "biu" and len(set(ins[0])) > len(out):
            ops = (ops[0].astype(np.int64),)  # an integral operand summed is int64, as torch's sum
        elif len(ops) == 2 and ops[0].dtype != ops[1].dtype:  # _EinsumMul: torch's mul promotes
            ops = promote(*ops)
        return ctx.xp.einsum(_eq_str(eq), *ops, optimize=len(ops) > 1)

    def backward(ctx, g):
        ops = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (None,) + tuple(_einsum_grad(ctx.eq, ops, g, i) if need[i + 1] else None
                               for i in range(len(ops)))


class _EinsumSum(Einsum, grad_fn="SumBackward1"):
    pass


class _EinsumPermute(Einsum, grad_fn="PermuteBackward0"):
    pass


class _EinsumMul(Einsum, grad_fn="MulBackward0"):
    """Two operands with no subscript summed out: torch multiplies them (MulBackward0)."""


# complex operands: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Einsum)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _eq_str(eq):
    ins, out = eq
    return ",".join("".join(s) for s in ins) + "->" + "".join(out)


def _einsum_grad(eq, ops, g, i):
    """d out / d ops[i] contracted with g: einsum of g and the other operands, with an identity
    for each repeated subscript of ops[i] (a diagonal) and ones for the subscripts that only
    ops[i] has (summed out in forward, so broadcast back)."""
    ins, out = eq
    op = ops[i]
    xp, dt = xp_of(op._data), op._data.dtype
    used = set(out).union(*(set(s) for s in ins))
    fresh = (c for c in _LETTERS if c not in used)
    sizes = dict(zip(ins[i], op.shape))
    terms = [(out, g)] + [(ins[j], ops[j]) for j in range(len(ops)) if j != i]
    target = []
    for lab in ins[i]:
        if lab in target:
            new = next(fresh)
            terms.append(((lab, new), _make(xp.eye(sizes[lab], dtype=dt))))
            lab = new
        target.append(lab)
    have = set().union(*(set(t) for t, _ in terms))
    for lab in target:
        if lab not in have:
            terms.append(((lab,), _make(xp.ones(sizes[lab], dtype=dt))))
    grad_eq = (tuple(t for t, _ in terms), tuple(target))
    return Einsum.apply(grad_eq, *(x for _, x in terms))


def _split_subs(s):
    """'ab...c' -> ['a', 'b', '...', 'c']."""
    out, i = [], 0
    while i < len(s):
        if s.startswith("...", i):
            out.append("...")
            i += 3
        elif s[i] in _LETTERS:
            out.append(s[i])
            i += 1
        else:
            raise RuntimeError("einsum(): invalid subscript given at index "
                               f"{i} in the equation string, subscripts must be in [a-zA-Z]")
    return out


def _check_output_subscripts(out, ins):
    """torch's errors for an output subscript that no operand has, or that repeats."""
    given = set().union(*(set(s) for s in ins))
    seen = set()
    for lab in out:
        if lab == "...":
            continue
        if lab in seen:
            raise RuntimeError(f"einsum(): output subscript {lab} appears more than once in the "
                               "output")
        if lab not in given:
            raise RuntimeError(f"einsum(): output subscript {lab} does not appear in the equation "
                               "for any input operand")
        seen.add(lab)


def _parse_equation(equation, operands):
    """(subscripts per operand, output subscripts) as tuples of letters, ellipses spelled out
    (right-aligned letters shared by all operands, as broadcasting lines dims up)."""
    lhs, arrow, rhs = equation.replace(" ", "").partition("->")
    ins = [_split_subs(s) for s in lhs.split(",")]
    if len(ins) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(ins) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if arrow:
        out = _split_subs(rhs)
        _check_output_subscripts(out, ins)
    else:
        counts = {}
        for s in ins:
            for lab in s:
                counts[lab] = counts.get(lab, 0) + 1
        out = (["..."] if "..." in counts else []) + sorted(
            lab for lab, c in counts.items() if c == 1 and lab != "...")
    n_ell = []
    for n, (s, t) in enumerate(zip(ins, operands)):
        n_lab = len(s) - (1 if "..." in s else 0)
        if ("..." in s and t.ndim < n_lab) or ("..." not in s and t.ndim != n_lab):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_lab}) "
                               f"does not match the number of dimensions ({t.ndim}) for operand "
                               f"{n}{'' if '...' in s else ' and no ellipsis was given'}")
        n_ell.append(t.ndim - n_lab if "..." in s else 0)
    used = set(out).union(*(set(s) for s in ins))
    ell = [c for c in _LETTERS if c not in used][:max(n_ell, default=0)]

    def spell(s, k):
        return tuple(x for lab in s for x in (ell[len(ell) - k:] if lab == "..." else [lab]))
    ins = [spell(s, k) for s, k in zip(ins, n_ell)]
    out = spell(out, len(ell))
    seen = {}
    for n, (s, t) in enumerate(zip(ins, operands)):
        for lab, size in zip(s, t.shape):
            prev = seen.setdefault(lab, size)
            if prev != size and size != 1 and prev != 1:
                raise RuntimeError(f"einsum(): subscript {lab} has size {size} for operand {n} "
                                   f"which does not broadcast with previously seen size {prev}")
    return tuple(ins), out


def _sublist_equation(args):
    """einsum(op1, [0, 1], op2, [1, 2], [0, 2]): the sublist form, as an equation string."""
    ops, parts = [], []
    items = list(args)
    while len(items) >= 2 and isinstance(items[0], Tensor):
        ops.append(items.pop(0))
        parts.append(items.pop(0))

    def subs(lst):
        return "".join("..." if x is Ellipsis else _LETTERS[x] for x in lst)
    eq = ",".join(subs(p) for p in parts)
    if items:
        eq += "->" + subs(items[0])
    return eq, ops


def _contracts(eq, operands):
    """Whether a pair's product sums a subscript both operands have at a size other than 1
    (torch's bmm); summed subscripts of size 1 in either broadcast, and torch multiplies."""
    (a, b), out = eq
    sizes = [dict(zip(s, t.shape)) for s, t in zip((a, b), operands)]
    return any(sizes[0][c] != 1 and sizes[1][c] != 1 for c in set(a) & set(b) - set(out))


def einsum(*args):
    """Einstein summation: einsum('ij,jk->ik', a, b), a list of operands, or the sublist form."""
    if args and isinstance(args[0], Tensor):
        equation, operands = _sublist_equation(args)
    else:
        equation, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    eq = _parse_equation(equation, operands)
    node = Einsum
    if len(operands) == 1:  # PyTorch ends a one-operand einsum in a sum or a permute
        node = _EinsumSum if len(set(eq[1])) < len(set(eq[0][0])) else _EinsumPermute
    elif len(operands) == 2 and set(eq[0][0]) | set(eq[0][1]) <= set(eq[1]):
        node = _EinsumMul
    dt = operands[0]._data.dtype
    if any(t._data.dtype != dt for t in operands[1:]) and \
            (len(operands) > 2 or _contracts(eq, operands)):
        # torch contracts a pair through bmm, which checks no dtype when the pair is empty and
        # then gives the second operand's dtype (a pair without a true contraction multiplies)
        if len(operands) == 2 and not (operands[0].numel() and operands[1].numel()):
            operands = (operands[0].to(operands[1].dtype), operands[1])
        else:
            bad = next(t for t in operands[1:] if t._data.dtype != dt)
            raise RuntimeError(f"expected scalar type {type_name(operands[0].dtype)} but "
                               f"found {type_name(bad.dtype)}")
    return node.apply(eq, *operands)
