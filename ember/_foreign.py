"""Public functions that hand foreign tensor-likes to their class (NOTE [ Dispatch on failure ]).

NOTE [ Dispatch on failure ]
PyTorch's protocol for a tensor-like type that is not a Tensor: the class defines
`__torch_function__(cls, func, types, args=(), kwargs=None)`, and torch's functions call it when an
argument of that type is present. torch checks every call's arguments before running; ember does
not, so a plain call costs nothing more than one frame: each public function of `ember` (the ops)
and of `ember.nn.functional` is wrapped so that it runs the real function first, and only when that
raises does it look for an argument (or an element of a list/tuple argument) whose type defines
`__torch_function__` and is not an ember Tensor. If there is one, its class answers the call with
the public function itself as `func` (so `func is ember.exp` holds inside the override); a class
that returns NotImplemented passes; when none answers, a TypeError names the function and the
types, as torch raises. With no such argument the original exception propagates unchanged.
Tensor methods call ember.ops directly and never pass through here. One wrapper per underlying
function (`_wrappers`), so aliases (ember.absolute is ember.abs, F.relu is ember.relu) stay
one object; each wrapper's `__module__`/`__qualname__` name an attribute that is the wrapper
itself, so pickle saves it by reference and loads the same object.

NOTE [ Not a Tensor ]
torch's argument parser refuses a number, list or None where a Tensor is expected with a
TypeError before anything runs; ember's functions would meet such a value only when reading an
attribute of it (`x._data`, `a.dtype`), an AttributeError, which Op.apply may have wrapped in a
RuntimeError. The same failure path turns exactly that case - the object whose attribute was
missing (AttributeError.obj) is one of the call's arguments and no Tensor - into torch's
TypeError naming the parameter; any other error propagates unchanged.
"""
import functools
import inspect
import types

from ._tensor import Tensor

_wrappers = {}  # underlying function -> its public wrapper
_public = set()  # the wrappers


def _overriding_types(args, kwargs):
    found = []
    for value in (*args, *kwargs.values()):
        for item in (value if type(value) in (list, tuple) else (value,)):
            kind = type(item)
            if (kind not in found and hasattr(kind, "__torch_function__")
                    and not issubclass(kind, Tensor)):
                found.append(kind)
    return tuple(found)


def _dispatch(public, overriding, args, kwargs):
    for kind in overriding:
        result = kind.__torch_function__(public, overriding, args, kwargs)
        if result is not NotImplemented:
            return result
    raise TypeError(f"no implementation found for '{public.__module__}.{public.__qualname__}' on "
                    f"types that implement __torch_function__: {list(overriding)}")


def _wrap(func, module, name):
    @functools.wraps(func)
    def public(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            overriding = _overriding_types(args, kwargs)
            if not overriding:
                refused = _not_a_tensor(func, name, exc, args, kwargs)
                if refused is None:
                    raise
                raise refused from exc
            return _dispatch(public, overriding, args, kwargs)
    public.__module__ = module
    public.__qualname__ = name
    return public


def _not_a_tensor(func, name, exc, args, kwargs):
    """torch's TypeError when exc comes from reading an attribute of a non-Tensor argument
    (NOTE [ Not a Tensor ]), else None."""
    missing = exc if isinstance(exc, AttributeError) else exc.__cause__
    if not isinstance(missing, AttributeError) or isinstance(missing.obj, Tensor):
        return None
    obj = missing.obj
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        params = []
    for pos, value in enumerate(args):
        if value is obj:
            arg = params[pos] if pos < len(params) and not params[pos].startswith("*") else None
            where = f"argument '{arg}' (position {pos + 1})" if arg else f"argument {pos + 1}"
            break
    else:
        key = next((k for k, v in kwargs.items() if v is obj), None)
        if key is None:
            return None
        where = f"argument '{key}'"
    kind = type(obj)
    what = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    return TypeError(f"{name}(): {where} must be Tensor, not {what}")


def dispatch_on_failure(namespace, module, names):
    """Replace each plain function among namespace[name] by its wrapper (NOTE [ Dispatch on
    failure ]); a function already wrapped under another namespace keeps that one wrapper."""
    for name in names:
        func = namespace.get(name)
        if not _plain_function(func):
            continue
        if func in _public:
            continue
        wrapper = _wrappers.get(func)
        if wrapper is None:
            # pickle finds the wrapper as module.qualname: the function's own name when this
            # namespace binds the function under it, else the alias being wrapped
            own = func.__name__ if namespace.get(func.__name__) is func else name
            wrapper = _wrappers[func] = _wrap(func, module, own)
            _public.add(wrapper)
        namespace[name] = wrapper


def _plain_function(func):
    """A Python function, or one that Cython compiled (NOTE [ Compiled core ] in _compiled.py)."""
    kind = type(func)
    return kind is types.FunctionType or kind.__name__ == "cython_function_or_method"


def public_name(func):
    """The name of an ember public function (a wrapper made here), else None: what a
    __torch_function__ in ember routes on."""
    return func.__name__ if func in _public else None
