"""ReduceOp: the reductions of all_reduce, reduce and reduce_scatter_tensor, with torch's names and
values (`ReduceOp.SUM` is `ReduceOp.RedOpType.SUM` and prints as `RedOpType.SUM`)."""
import enum

__all__ = ["ReduceOp"]


class _RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"

    def __str__(self):
        return f"RedOpType.{self.name}"


_RedOpType.__name__ = _RedOpType.__qualname__ = "RedOpType"


class ReduceOp:
    """The reduction to apply: SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR."""
    RedOpType = _RedOpType
    SUM = _RedOpType.SUM
    AVG = _RedOpType.AVG
    PRODUCT = _RedOpType.PRODUCT
    MIN = _RedOpType.MIN
    MAX = _RedOpType.MAX
    BAND = _RedOpType.BAND
    BOR = _RedOpType.BOR
    BXOR = _RedOpType.BXOR
    PREMUL_SUM = _RedOpType.PREMUL_SUM

    def __init__(self, op=_RedOpType.SUM):
        self.op = _RedOpType(op)

    def __eq__(self, other):
        return self.op == (other.op if isinstance(other, ReduceOp) else other)

    def __hash__(self):
        return hash(self.op)


def as_red_op(op):
    """A ReduceOp, RedOpType or its int as the RedOpType (ValueError for anything else)."""
    if isinstance(op, ReduceOp):
        return op.op
    try:
        return _RedOpType(op)
    except ValueError:
        raise ValueError(f"Invalid reduce op: {op!r}") from None
