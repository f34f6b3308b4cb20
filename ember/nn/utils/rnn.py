"""nn.utils.rnn: batches of variable-length sequences, padded (pad_sequence) or packed
(PackedSequence, which RNN, LSTM and GRU take), and the conversions between them."""
from typing import NamedTuple, Optional

from ... import ops as _ops
from ..._creation import arange, as_tensor, empty_like, tensor
from ..._dtype import float16, float32, float64, int8, int16, int32, int64, uint8
from ..._tensor import Tensor
from ...ops.packing import pack_rows, pad_rows
from .. import functional as F

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Optional[Tensor]
    unsorted_indices: Optional[Tensor]


def _each(index, convert):
    return None if index is None else convert(index)


class PackedSequence(PackedSequence_):
    """A batch of variable-length sequences packed time step by time step: `data` holds, for each
    step, the rows of the sequences still running (the longest first); `batch_sizes` (int64, on
    the CPU) how many there are at each step; `sorted_indices` the batch order the packing took,
    `unsorted_indices` its inverse. Made by pack_padded_sequence or pack_sequence."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # the old calling form: one (data, batch_sizes) pair
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                "created manually. They should be instantiated by functions like pack_sequence "
                "and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data, **kwargs):
        """This sequence with new data and the indices moved to its device (batch_sizes stays on
        the CPU); itself when the data did not change."""
        if data is self.data:
            return self
        def move(index):
            return index.to(data.device, **kwargs)
        return type(self)(data, self.batch_sizes, _each(self.sorted_indices, move),
                          _each(self.unsorted_indices, move))

    def to(self, *args, **kwargs):
        """The data converted as Tensor.to converts it; the indices only follow it to its device."""
        data = self.data.to(*args, **kwargs)
        return self._with_data(data, **{k: v for k, v in kwargs.items()
                                        if k not in ("device", "dtype")})

    def cuda(self, *args, **kwargs):
        return self._with_data(self.data.cuda(*args, **kwargs))

    def cpu(self, *args, **kwargs):
        return self._with_data(self.data.cpu(*args, **kwargs))

    def pin_memory(self):
        def pin(t):
            return t.pin_memory()
        return type(self)(self.data.pin_memory(), self.batch_sizes,
                          _each(self.sorted_indices, pin), _each(self.unsorted_indices, pin))

    def double(self):
        return self.to(dtype=float64)

    def float(self):
        return self.to(dtype=float32)

    def half(self):
        return self.to(dtype=float16)

    def long(self):
        return self.to(dtype=int64)

    def int(self):
        return self.to(dtype=int32)

    def short(self):
        return self.to(dtype=int16)

    def char(self):
        return self.to(dtype=int8)

    def byte(self):
        return self.to(dtype=uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return self.data.is_pinned()


def invert_permutation(permutation):
    """The permutation that undoes `permutation` (None for None)."""
    if permutation is None:
        return None
    inverse = empty_like(permutation)
    return inverse.scatter_(0, permutation, arange(permutation.numel(),
                                                   device=permutation.device))


def _counts_above(values, size):
    """[how many of `values` (non-increasing) exceed k, for k in range(size)]: batch sizes from
    sorted lengths, and lengths from batch sizes."""
    counts, n = [], len(values)
    for k in range(size):
        while n and values[n - 1] <= k:
            n -= 1
        counts.append(n)
    return counts


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch ((B, T, *) with batch_first) of sequences of the given
    lengths. With enforce_sorted the lengths must be non-increasing; otherwise the batch is
    sorted here and the order kept in the result. Gradients flow back to `input`."""
    lengths = as_tensor(lengths, dtype=int64, device="cpu")
    if lengths.dim() != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{lengths.dim()}D cpu Long tensor")
    if input.dim() < 2:
        n = max(input.dim(), 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got 1)")
    steps, batch = input.shape[:2]
    if batch_first:
        steps, batch = batch, steps
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if enforce_sorted:
        sorted_indices = None
        order = range(batch)
    else:
        lengths, sorted_indices = _ops.sort(lengths, descending=True, stable=True)
        order = sorted_indices.tolist()
        sorted_indices = sorted_indices.to(input.device)
    lengths = lengths.tolist()
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if any(a < b for a, b in zip(lengths, lengths[1:])):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
            "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
            "sidestep this requirement if you do not need ONNX exportability.")
    if lengths[0] > steps:
        raise RuntimeError(f"a sequence length ({lengths[0]}) exceeds the padded input's "
                           f"sequence dimension ({steps})")
    batch_sizes = _counts_above(lengths, lengths[0])
    data = pack_rows(input, batch_sizes, order, batch_first)
    return PackedSequence(data, tensor(batch_sizes, dtype=int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The padded batch (T, B, *) ((B, T, *) with batch_first) of a PackedSequence, in its
    original batch order, with T = total_length or the longest length; and the lengths (int64)."""
    batch_sizes = sequence.batch_sizes.tolist()
    if total_length is None:
        total_length = len(batch_sizes)
    elif total_length < len(batch_sizes):
        raise ValueError(f"Expected total_length to be at least the length of the longest "
                         f"sequence in input, but got total_length={total_length} and max "
                         f"sequence length being {len(batch_sizes)}")
    padded = pad_rows(sequence.data, batch_sizes, total_length, padding_value)
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths = tensor(_counts_above(batch_sizes, batch_sizes[0]), dtype=int64)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        padded = padded.index_select(0 if batch_first else 1, unsorted)
        lengths = lengths[unsorted.cpu()]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *), or (B, max L, *) with batch_first,
    filling with padding_value on the given side. Differentiable: built from pad and stack."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    for seq in sequences[1:]:
        for dim, (a, b) in enumerate(zip(trailing, seq.shape[1:]), 1):
            if a != b:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                                   f"({b}) at non-singleton dimension {dim}")
    longest = max(seq.shape[0] for seq in sequences)
    padded = []
    for seq in sequences:
        missing = longest - seq.shape[0]
        before, after = (missing, 0) if padding_side == "left" else (0, missing)
        padded.append(F.pad(seq, (0, 0) * len(trailing) + (before, after), value=padding_value))
    return _ops.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences (L_i, *) a padded batch holds, cut to their lengths."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    if isinstance(lengths, Tensor):
        lengths = lengths.tolist()
    return [seq[:int(n)] for seq, n in zip(padded_sequences.unbind(0), lengths)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (L_i, *); with enforce_sorted, longest first."""
    lengths = [seq.size(0) for seq in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences (L_i, *) a PackedSequence holds, in its original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
