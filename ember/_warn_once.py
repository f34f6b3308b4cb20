"""Warnings that torch gives once per process (its TORCH_WARN_ONCE, and the Python-side warnings
it guards with a flag): the first occurrence is warned, every later one is silent."""
import warnings

_given = set()


def warn_once(message, category=UserWarning, stacklevel=2):
    """warnings.warn(message, category) the first time this message is given; stacklevel counts
    from the caller of warn_once, as warnings.warn's does from its caller."""
    if message in _given:
        return
    _given.add(message)
    warnings.warn(message, category, stacklevel=stacklevel + 1)
