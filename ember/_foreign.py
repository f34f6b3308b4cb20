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
"""
import functools
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
        except Exception:
            overriding = _overriding_types(args, kwargs)
            if not overriding:
                raise
            return _dispatch(public, overriding, args, kwargs)
    public.__module__ = module
    public.__qualname__ = name
    return public


def dispatch_on_failure(namespace, module, names):
    """Replace each plain function among namespace[name] by its wrapper (NOTE [ Dispatch on
    failure ]); a function already wrapped under another namespace keeps that one wrapper."""
    for name in names:
        func = namespace.get(name)
        if type(func) is not types.FunctionType:
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


def public_name(func):
    """The name of an ember public function (a wrapper made here), else None: what a
    __torch_function__ in ember routes on."""
    return func.__name__ if func in _public else None
