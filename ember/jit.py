"""torch.jit: ember does not compile. `script` and `trace` hand back what they are given (a warning
says so, once per process), and the decorators that steer TorchScript return their function."""
import typing

from ._warnings import warn_once

__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing", "Final",
           "save", "load"]

Final = typing.Final


def _not_compiled(what):
    warn_once(f"{what}: ember does not compile; the function or module is returned unchanged "
              "and runs eagerly")


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    _not_compiled("torch.jit.script")
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    _not_compiled("torch.jit.trace")
    return func


def ignore(drop=False, **kwargs):
    """@ignore and @ignore(drop=...) both return the function."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def is_scripting():
    return False


def is_tracing():
    return False


def _no_torchscript(name):
    raise NotImplementedError(
        f"torch.jit.{name}: ember has no TorchScript archives (script and trace return the "
        f"eager module). Save weights with torch.save(model.state_dict(), path) and rebuild the "
        f"module from its class.")


def save(m, f, _extra_files=None):
    _no_torchscript("save")


def load(f, map_location=None, _extra_files=None):
    _no_torchscript("load")
