"""rearrange: einops-style axis rearrangement ('b c (h w) -> b (c h) w', h=2), as torch.func has
it from functorch.einops: one reshape splitting the input's axes into elementary ones, one
permute, one reshape grouping them, so it is differentiable through those ops.

A pattern side lists axes; `(a b)` is one axis of size a*b (one level of parentheses), `1` or `()`
is an axis of size 1, and `...` stands for the axes not named (left side: outside parentheses).
Every name appears on both sides; sizes come from the input and from axes_lengths, and at most one
size per group is inferred.
"""
import math

from .._tensor import Tensor
from ..ops.join import stack

__all__ = ["rearrange", "DimensionBindError"]

_ELLIPSIS = "\u2026"


class DimensionBindError(Exception):
    """Axis sizes that do not fit the tensor (torch raises functorch.dim's error of this name)."""


class _Side:
    """One side of a pattern: `composition` holds, per tensor axis, the list of names grouped
    into it, or _ELLIPSIS; a group may hold _ELLIPSIS on the right side."""

    def __init__(self, text):
        self.composition, self.names = [], set()
        self.has_ellipsis, self.ellipsis_grouped = False, False
        if "." in text:
            if "..." not in text:
                raise ValueError("Expression may contain dots only inside ellipsis (...)")
            if text.count("...") != 1 or text.count(".") != 3:
                raise ValueError("Expression may contain dots only inside ellipsis (...); only "
                                 "one ellipsis for tensor ")
            text = text.replace("...", _ELLIPSIS)
            self.has_ellipsis = True
        group, word = None, ""
        for char in text + " ":
            if char.isalnum() or char in ("_", _ELLIPSIS):
                word += char
                continue
            if char not in "() ":
                raise ValueError(f"Unknown character '{char}'")
            if word:
                self._add(word, group)
                word = ""
            if char == "(":
                if group is not None:
                    raise ValueError("Axis composition is one-level (brackets inside brackets not "
                                     "allowed)")
                group = []
            elif char == ")":
                if group is None:
                    raise ValueError("Brackets are not balanced")
                self.composition.append(group)
                group = None
        if group is not None:
            raise ValueError(f"Imbalanced parentheses in expression: '{text}'")

    def _add(self, word, group):
        if word in self.names:
            raise ValueError(f"Indexing expression contains duplicate dimension '{word}'")
        if word == _ELLIPSIS:
            self.names.add(word)
            if group is None:
                self.composition.append(word)
            else:
                group.append(word)
                self.ellipsis_grouped = True
            return
        if word.isdecimal():
            if int(word) != 1:
                raise ValueError("rearrange only supports unnamed axes of size 1")
            if group is None:  # a unit axis; inside a group it changes nothing
                self.composition.append([])
            return
        if not word.isidentifier():
            raise ValueError(f"Invalid axis identifier: {word}\nnot a valid python identifier")
        if word[0] == "_" or word[-1] == "_":
            raise ValueError(f"Invalid axis identifier: {word}\naxis name should should not "
                             "start or end with underscore")
        self.names.add(word)
        if group is None:
            self.composition.append([word])
        else:
            group.append(word)


def _parse(pattern, axes_lengths):
    sides = pattern.split("->")
    if len(sides) != 2:
        raise ValueError("Pattern must contain a single '->' separator")
    left, right = _Side(sides[0]), _Side(sides[1])
    if right.has_ellipsis and not left.has_ellipsis:
        raise ValueError(f"Ellipsis found in right side, but not left side of a pattern {pattern}")
    if left.ellipsis_grouped:
        raise ValueError(f"Ellipsis is parenthesis in the left side is not allowed: {pattern}")
    for length in axes_lengths.values():
        if type(length) is not int:
            raise TypeError(f"rearrange axis lengths must be integers, got: {type(length)}")
    one_sided = left.names ^ right.names
    if one_sided:
        raise ValueError("Identifiers only on one side of rearrange expression (should be on "
                         f"both): {one_sided}")
    unmatched = set(axes_lengths) - left.names
    if unmatched:
        raise ValueError(f"Identifiers not found in rearrange expression: {unmatched}")
    return left, right


def _bind_sizes(left, shape, axes_lengths):
    """(elementary axis names in the input's order, {name: size}), the ellipsis's axes named
    _ELLIPSIS + index."""
    ndim = len(shape)
    if left.has_ellipsis:
        named = sum(1 for g in left.composition if not g) + len(left.names) - 1
        if named > ndim:
            raise ValueError(f"Number of dimensions in pattern ({named}) must be less than or "
                             f"equal to the number of dimensions in the tensor ({ndim})")
        n_ellipsis = ndim - (len(left.composition) - 1)
    elif len(left.composition) != ndim:
        raise ValueError(f"Number of dimensions in pattern ({len(left.composition)}) must be "
                         f"equal to the number of dimensions in the tensor ({ndim})")
    else:
        n_ellipsis = 0
    sizes, order, axis = dict(axes_lengths), [], 0
    for group in left.composition:
        if group == _ELLIPSIS:
            for i in range(n_ellipsis):
                sizes[_ELLIPSIS + str(i)] = shape[axis]
                order.append(_ELLIPSIS + str(i))
                axis += 1
            continue
        size, axis = shape[axis], axis + 1
        unknown = [n for n in group if n not in sizes]
        known = math.prod(sizes[n] for n in group if n in sizes)
        if len(unknown) > 1:
            raise DimensionBindError("cannot infer the sizes of two dimensions at once "
                                     f"{unknown[0]} and {unknown[1]}")
        if unknown:
            if known == 0 or size % known:
                raise DimensionBindError("inferred dimension does not evenly fit into larger "
                                         f"dimension: {size} vs {known}")
            sizes[unknown[0]] = size // known
        elif known != size:
            raise DimensionBindError(f"Dimension sizes to do not match ({size} != {known}) when "
                                     f"matching dimension pack ({', '.join(group)})")
        order.extend(group)
    return order, sizes, n_ellipsis


def rearrange(tensor, pattern, **axes_lengths):
    """tensor (or a list/tuple of tensors, stacked first) with its axes split, permuted and
    merged as pattern says."""
    if not isinstance(tensor, Tensor):
        tensor = stack(list(tensor))
    left, right = _parse(pattern, axes_lengths)
    order, sizes, n_ellipsis = _bind_sizes(left, tuple(tensor.shape), axes_lengths)
    if not order and [] not in left.composition:
        return tensor  # no axis on the left (a 0-d tensor): torch hands it back as it is

    def expand(names):
        for name in names:
            if name == _ELLIPSIS:
                yield from (_ELLIPSIS + str(i) for i in range(n_ellipsis))
            else:
                yield name
    target, out_shape = [], []
    for group in right.composition:
        names = list(expand([group] if group == _ELLIPSIS else group))
        target.extend(names)
        if group == _ELLIPSIS:
            out_shape.extend(sizes[n] for n in names)
        else:
            out_shape.append(math.prod(sizes[n] for n in names))
    split = tensor.reshape([sizes[n] for n in order])
    return split.permute([order.index(n) for n in target]).reshape(out_shape)
