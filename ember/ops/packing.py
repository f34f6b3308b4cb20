"""Packing a padded batch of variable-length sequences and padding it back: the two ops under
nn.utils.rnn's pack_padded_sequence and pad_packed_sequence.

A packed batch holds, time step after time step, the rows of the sequences still running at that
step (the batch sorted by decreasing length, so they are a prefix of it). Both directions are one
gather or scatter of whole rows through a flat row index into the padded batch, and each op's
backward is the other op, so gradients of any order need no further formula.
"""
import numpy as np

from ._op import Op

__all__ = []


def _row_index(batch_sizes, order, steps, batch, batch_first):
    """The flat row of the padded batch (steps x batch, or batch x steps when batch_first) that
    each packed row comes from: at step t, the sequences order[0 .. batch_sizes[t]-1]."""
    sizes = np.asarray(batch_sizes, dtype=np.int64)
    step = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    starts = np.cumsum(sizes) - sizes
    member = np.asarray(order, dtype=np.int64)[np.arange(len(step)) - np.repeat(starts, sizes)]
    return member * steps + step if batch_first else step * batch + member


class PackPaddedSequence(Op):
    """The (sum of lengths, *) rows gathered from a padded batch, (T, B, *) or (B, T, *)."""

    def forward(ctx, padded, rows):
        ctx.rows, ctx.shape = rows, padded.shape
        flat = padded.reshape((-1,) + padded.shape[2:])
        return flat[ctx.xp.asarray(rows)]

    def backward(ctx, g):
        return PadPackedSequence.apply(g, ctx.rows, ctx.shape, 0)


class PadPackedSequence(Op, grad_fn="CopySlices"):
    """A padded batch of the given shape filled with padding_value, the packed rows scattered in.
    (PyTorch writes the steps into a filled tensor one by one, hence its grad_fn's name.)"""

    def forward(ctx, data, rows, shape, padding_value):
        ctx.rows = rows
        out = ctx.xp.full((shape[0] * shape[1],) + data.shape[1:], padding_value, data.dtype)
        out[ctx.xp.asarray(rows)] = data
        return out.reshape(shape)

    def backward(ctx, g):
        return PackPaddedSequence.apply(g, ctx.rows)


def pack_rows(padded, batch_sizes, order, batch_first):
    """The packed data of `padded` for the given batch sizes (a list of ints), the batch taken in
    `order` (a list of batch positions, longest sequence first)."""
    steps, batch = padded.shape[:2]
    if batch_first:
        steps, batch = batch, steps
    return PackPaddedSequence.apply(padded, _row_index(batch_sizes, order, steps, batch,
                                                       batch_first))


def pad_rows(data, batch_sizes, total_length, padding_value):
    """The padded (total_length, B, *) batch of packed data, in the packed (sorted) batch order,
    filled with padding_value."""
    batch = batch_sizes[0]
    rows = _row_index(batch_sizes, range(batch), total_length, batch, False)
    return PadPackedSequence.apply(data, rows, (total_length, batch) + tuple(data.shape[1:]),
                                   padding_value)
