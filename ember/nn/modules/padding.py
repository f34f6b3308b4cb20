"""Padding layers: constant (and zero), reflection, replication and circular, in 1, 2 and 3 d."""
from .. import functional as F
from .module import Module
from .utils import _ntuple, _pair

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]

_quadruple = _ntuple(4, "_quadruple")
_sextuple = _ntuple(6, "_sextuple")
# padding as F.pad takes it: (left, right[, top, bottom[, front, back]]) for 1, 2, 3 dims
_EXPAND = {1: _pair, 2: _quadruple, 3: _sextuple}


class _ConstantPadNd(Module):
    def __init__(self, padding, value):
        super().__init__()
        self.padding = _EXPAND[self._ndim](padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _ndim = 1


class ConstantPad2d(_ConstantPadNd):
    _ndim = 2


class ConstantPad3d(_ConstantPadNd):
    _ndim = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    _ndim = 1


class ZeroPad2d(_ZeroPadNd):
    _ndim = 2


class ZeroPad3d(_ZeroPadNd):
    _ndim = 3


class _ModePadNd(Module):
    """Padding by F.pad's `_mode`: the pad values come from the input itself."""

    def __init__(self, padding):
        super().__init__()
        self.padding = _EXPAND[self._ndim](padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    _ndim, _mode = 1, "reflect"


class ReflectionPad2d(_ModePadNd):
    _ndim, _mode = 2, "reflect"


class ReflectionPad3d(_ModePadNd):
    _ndim, _mode = 3, "reflect"


class ReplicationPad1d(_ModePadNd):
    _ndim, _mode = 1, "replicate"


class ReplicationPad2d(_ModePadNd):
    _ndim, _mode = 2, "replicate"


class ReplicationPad3d(_ModePadNd):
    _ndim, _mode = 3, "replicate"


class CircularPad1d(_ModePadNd):
    _ndim, _mode = 1, "circular"


class CircularPad2d(_ModePadNd):
    _ndim, _mode = 2, "circular"


class CircularPad3d(_ModePadNd):
    _ndim, _mode = 3, "circular"
