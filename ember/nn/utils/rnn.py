"""nn.utils.rnn: padding a batch of variable-length sequences. (PackedSequence and the pack/unpack
functions are not in ember yet: its RNNs take padded batches.)"""
from ... import ops as _ops
from .. import functional as F

__all__ = ["pad_sequence"]


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
