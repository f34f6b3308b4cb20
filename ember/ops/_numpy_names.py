"""NumPy's argument names on torch's functions (NOTE [ NumPy names ]).

NOTE [ NumPy names ]
torch's argument parser accepts NumPy's names for two parameters of every function and method
it parses: `axis=` for `dim=` and `keepdims=` for `keepdim=` (`x.sum(axis=0, keepdims=True)`,
`torch.cat(ts, axis=1)`), so code ported from NumPy runs unchanged. An op taking either
parameter gets them through `numpy_names`. Python-level torch functions (torch.split,
F.softmax) do not go through the parser and refuse them; ember accepting them there is harmless.
"""
import functools

_ALIASES = (("axis", "dim"), ("keepdims", "keepdim"))


def numpy_names(fn):
    """fn also taking `axis=` for `dim=` and `keepdims=` for `keepdim=`."""
    @functools.wraps(fn)
    def with_numpy_names(*args, **kwargs):
        if kwargs:
            for numpy_name, name in _ALIASES:
                if numpy_name in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got multiple values for argument "
                                        f"'{name}'")
                    kwargs[name] = kwargs.pop(numpy_name)
        return fn(*args, **kwargs)
    return with_numpy_names
