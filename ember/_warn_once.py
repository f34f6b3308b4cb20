"""Warnings that torch gives once per process (its TORCH_WARN_ONCE, and the Python-side warnings
it guards with a flag): the first occurrence is warned, every later one is silent."""
import os
import sys
import warnings

_given = set()
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_once(message, category=UserWarning, stacklevel=None):
    """warnings.warn(message, category) the first time this message is given. stacklevel counts
    from warn_once's caller, as warnings.warn's does from its caller; by default the warning
    points at the first frame outside ember, the user's call, where torch's C++ warnings point."""
    if message in _given:
        return
    _given.add(message)
    warnings.warn(message, category,
                  stacklevel=_outside_ember() if stacklevel is None else stacklevel + 1)


def _outside_ember():
    """The stacklevel, for a warnings.warn in warn_once, of the first frame outside ember."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
