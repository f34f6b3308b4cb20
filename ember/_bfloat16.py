"""torch.bfloat16 as a name that programs can hold (nanoGPT builds a table of dtypes at start-up)
but not compute with: NumPy has no bfloat16, so any use that needs its array dtype raises a
TypeError that names the missing piece."""
from . import _dtype

_NO_BFLOAT16 = ("torch.bfloat16 is not supported by ember: NumPy has no bfloat16 dtype (the "
                "optional 'ml_dtypes' package adds one, which ember does not use yet). Use "
                "torch.float16 or torch.float32 instead.")


class _BFloat16(_dtype.dtype):
    __slots__ = ()

    def __init__(self):
        self.name = "bfloat16"
        self.is_floating_point = True
        self.is_signed = True
        self.itemsize = 2
        self._category = 2

    @property
    def np(self):
        raise TypeError(_NO_BFLOAT16)


bfloat16 = _BFloat16()
