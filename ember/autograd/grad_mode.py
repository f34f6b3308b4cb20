"""Grad mode: one process-wide flag read by Function.apply, and the context managers that set it."""
import functools


class _State:
    """enabled: grad mode. arrays: the engine is running a backward formula on backend arrays
    (NOTE [ Backward on arrays ] in engine.py), so an Op applied to arrays alone returns arrays.
    inference_made: an inference tensor exists (saving one for backward is refused, so the check
    costs nothing until inference mode has made one)."""
    __slots__ = ("enabled", "inference", "arrays", "inference_made")

    def __init__(self):
        self.enabled = True
        self.inference = False
        self.arrays = False
        self.inference_made = False


state = _State()


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _GradModeContext:
    """Base of the grad-mode managers: usable as `with` blocks and as decorators."""
    _mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradModeContext):
    _mode = False


class enable_grad(_GradModeContext):
    _mode = True


class set_grad_enabled(_GradModeContext):
    """Sets grad mode on construction (as a function call) and restores it when used as a context."""

    def __init__(self, mode):
        self._prev = state.enabled
        self._mode = bool(mode)
        state.enabled = self._mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        state.enabled = self._prev
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(_GradModeContext):
    """Like no_grad (ember has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._inference = bool(mode)

    def __enter__(self):
        self._prev = (state.enabled, state.inference)
        if self._inference:
            state.enabled, state.inference = False, True

    def __exit__(self, *exc):
        state.enabled, state.inference = self._prev
        return False

    def __call__(self, fn):
        if not isinstance(fn, type(lambda: 0)) and not callable(fn):
            raise TypeError("inference_mode expects a function")
        mode = self._inference

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapper
