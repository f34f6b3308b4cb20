"""torch.compile and torch.compiler: ember runs eagerly; `compile` returns the module or function
unchanged and says so once with a warning."""
from ._warnings import warn_once

__all__ = ["compile", "disable", "is_compiling", "reset"]


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """torch.compile(model) and @torch.compile(...) both give the model back as it is."""
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    warn_once("torch.compile: ember does not compile; the model is returned unchanged and runs "
              "eagerly")
    return model


def disable(fn=None, recursive=True):
    return fn if fn is not None else (lambda f: f)


def is_compiling():
    return False


def reset():
    """Nothing to reset: ember keeps no compiled code."""
