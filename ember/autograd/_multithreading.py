"""is_multithreading_enabled / set_multithreading_enabled: torch's switch for running backward on
its per-device worker threads.

ember's engine always runs backward on the calling thread (what torch does for a graph that is
all on the CPU), so the switch is a recorded flag that changes no result, as on torch's CPU.
"""
import functools

__all__ = ["is_multithreading_enabled", "set_multithreading_enabled"]

_enabled = [True]


def is_multithreading_enabled():
    """Whether the multithreaded backward switch is on (the default)."""
    return _enabled[0]


class set_multithreading_enabled:
    """Sets the switch on construction (as a function call) and restores the previous value when
    used as a `with` block; as a decorator, the wrapped function runs with the given mode."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = _enabled[0]
        _enabled[0] = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _enabled[0] = self.prev
        return False

    def clone(self):
        return self.__class__(self.mode)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper
