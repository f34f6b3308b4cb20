"""Where ember's warnings point, and the warnings torch gives once per process.

A warning about a call points at the user's line, as torch's do: the first frame outside ember
(`user_stacklevel`). A fixed stacklevel cannot say where that is: the public-function wrapper
(NOTE [ Dispatch on failure ] in _foreign.py), the NumPy-names wrapper and compiled functions
(which make no frame) each move it. warn_once is torch's TORCH_WARN_ONCE (and the Python-side
warnings it guards with a flag): the first occurrence is warned, every later one is silent."""
import os
import sys
import warnings

_given = set()
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel():
    """The stacklevel, for a warnings.warn in the function calling this, of the first frame
    outside ember."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def warn_once(message, category=UserWarning, stacklevel=None):
    """warnings.warn(message, category) the first time this message is given. stacklevel counts
    from warn_once's caller, as warnings.warn's does from its caller; by default the warning
    points at the user's call."""
    if message in _given:
        return
    _given.add(message)
    warnings.warn(message, category,
                  stacklevel=user_stacklevel() if stacklevel is None else stacklevel + 1)
