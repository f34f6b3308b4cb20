"""default_collate and default_convert: a list of samples to a batch, as PyTorch builds it."""
import collections.abc
import copy
import re

import numpy as np

from ... import _dtype, ops as _ops
from ..._creation import as_tensor, from_numpy, tensor
from ..._tensor import Tensor

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

_np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}")


def _like_mapping(template, values):
    """A mapping of template's kind holding `values` (a dict): a shallow copy of a mutable one,
    updated; the type called on the dict for others; the dict itself when neither works."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            rebuilt = copy.copy(template)
            rebuilt.update(values)
            return rebuilt
        return type(template)(values)
    except TypeError:
        return values


def _like_sequence(template, values):
    """A sequence of template's kind holding `values` (a list): a named tuple of the same fields;
    a list for a plain tuple; a shallow copy of a mutable sequence with its items replaced; the
    type called on the list for others; the list itself when neither works."""
    if isinstance(template, tuple):
        return type(template)(*values) if _is_named_tuple(template) else values
    try:
        if isinstance(template, collections.abc.MutableSequence):
            rebuilt = copy.copy(template)
            for index, value in enumerate(values):
                rebuilt[index] = value
            return rebuilt
        return type(template)(values)
    except TypeError:
        return values


def _is_named_tuple(value):
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _holds_text_or_objects(array):
    return _np_str_obj_array_pattern.search(array.dtype.str) is not None


def default_convert(data):
    """Convert NumPy arrays (not of strings or objects) and numbers inside `data` to tensors,
    keeping the containers: the collate_fn of a DataLoader without automatic batching."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _holds_text_or_objects(data) else as_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _like_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _like_sequence(data, [default_convert(item) for item in data])
    return data


def _registered_handler(first, collate_fn_map):
    """The collate_fn_map entry for the first sample: its exact type, else the first entry whose
    type (or tuple of types) it is an instance of."""
    if collate_fn_map is None:
        return None
    if type(first) in collate_fn_map:
        return collate_fn_map[type(first)]
    return next((handler for kinds, handler in collate_fn_map.items() if isinstance(first, kinds)),
                None)


def collate(batch, *, collate_fn_map=None):
    """Collate a batch, dispatching on the type of its first element: `collate_fn_map` maps a
    type (or tuple of types) to a function `fn(batch, *, collate_fn_map)`; containers recurse."""
    first = batch[0]
    handler = _registered_handler(first, collate_fn_map)
    if handler is not None:
        return handler(batch, collate_fn_map=collate_fn_map)

    def inner(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(first, collections.abc.Mapping):
        return _like_mapping(first, {key: inner([sample[key] for sample in batch])
                                     for key in first})
    if isinstance(first, collections.abc.Sequence):
        if not _is_named_tuple(first):          # named tuples are zipped as they are
            sizes = map(len, batch)
            size = next(sizes)
            if any(other != size for other in sizes):
                raise RuntimeError("each element in list of batch should be of equal size")
        return _like_sequence(first, [inner(column) for column in zip(*batch)])
    raise TypeError(default_collate_err_msg_format.format(type(first)))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return _ops.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    if _holds_text_or_objects(batch[0]):
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    return from_numpy(np.stack(batch))


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch: tensors and NumPy arrays gain a leading batch
    dimension, Python floats become float64 and ints int64 tensors, strings stay a list, and
    dicts, named tuples, tuples and lists are collated field by field."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
