"""Optimizer: parameter groups, per-parameter state, one step() for every algorithm, zero_grad
and state dicts.

NOTE [ Optimizer maths ]
step() walks the parameter groups; an algorithm (sgd.py, adam.py ...) supplies only what differs:
- `_hyperparameters(group)`: the group's settings as a tuple of Python floats and flags, made
  once per group, so float32 stays float32 (NumPy 2 would promote to float64 with a NumPy
  scalar) and no per-parameter lookups remain;
- `_init_state(param, state, group)`: the state of a parameter met for the first time (state
  arrays of the parameter's dtype and device; step counters are 0-d float32 tensors, as in
  PyTorch's state dicts), or `_states(params, group)` when it needs more than that;
- `_update(param, grad, state, hp, xp)`: PyTorch's single-tensor update rule, in place on the
  arrays, written against `xp` (NumPy; CuPy on the GPU where there is no fused kernel);
- `_fused_update(...)`, same arguments: the GPU's update as one CUDA kernel, written beside
  `_update` (NOTE [ Fused kernels ] in _backend.py), where the algorithm has one.
A complex parameter is updated as torch does, as pairs of reals: the update sees real views of
the parameter, its gradient and its complex state (`_as_real`), so second moments are of the
real and imaginary parts, not complex squares. (SGD, whose state is no dict, is linear and runs
on the complex arrays as they are.)

NOTE [ Sparse gradients ]
A parameter looked up by nn.Embedding(sparse=True) gets a sparse COO .grad (ember.sparse). step()
hands it to `_sparse_update(param, grad, state, hp)` instead: SGD and Adagrad update only the rows
present, as torch does (SparseAdam has its own step); every other algorithm raises torch's error.

NOTE [ Optimizer chunks ]
An update rule makes 10-15 passes over a parameter, its gradient and its state; over a large
parameter (the MNIST example's 9216x128 linear layer, 4.7 MB) every pass streams from memory.
Algorithms whose rule is elementwise (`_elementwise`: its state is arrays of the parameter's
shape and the step counter) update a large CPU parameter in chunks of _CHUNK elements, whose
passes stay in the L2 cache: the same arithmetic on every element, so the same bits. Adadelta on
1.18M floats: 4.95 -> 3.35 ms; Adam on 313K: 0.84 -> 0.66 ms. The step counter advances once:
every chunk after the first counts from a copy of the count before the step.
"""
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy

from .. import _dtype
from .._backend import xp_of
from .._creation import tensor
from .._grads import typename as _typename, zero_grads
from .._tensor import Tensor, is_sparse_tensor
from ..autograd.grad_mode import enable_grad
from ._hooks import (OptimizerHooksMixin, register_optimizer_step_post_hook,
                     register_optimizer_step_pre_hook)
from .._warnings import user_stacklevel

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


def _real_view(a):
    """A complex array's memory as (..., 2) reals."""
    return a.view(a.real.dtype).reshape(a.shape + (2,))


class _StateView:
    """A state entry as an update sees it: `_data` is an array standing for the tensor's own (its
    real view, a chunk of it, a copy of a step count)."""
    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data


def _as_real(state):
    """The state of a complex parameter with each complex tensor seen as reals (NOTE above);
    other entries (the step counter) are the state's own, updated in place."""
    return {k: _StateView(_real_view(v._data))
            if isinstance(v, Tensor) and v._data.dtype.kind == "c" else v
            for k, v in state.items()}


def _as_vectors(state):
    """The state of a 0-d parameter with every 0-d entry but the step counter seen as one element:
    NumPy's arithmetic on 0-d arrays returns scalars, which an update cannot write into."""
    return {k: _StateView(v._data.reshape(1))
            if k != "step" and isinstance(v, Tensor) and v._data.ndim == 0 else v
            for k, v in state.items()}


_CHUNK = 32768  # elements of a large parameter updated at a time (NOTE [ Optimizer chunks ])


def _update_in_chunks(update, data, grad, state, hp):
    """update(data, grad, state, hp, numpy) over chunks of the flattened parameter (NOTE
    [ Optimizer chunks ]); at once where an array is not C-ordered or the state holds anything
    but arrays of the parameter's shape and the step counter."""
    arrays = {}
    for key, entry in state.items():
        if key == "step":
            continue
        a = getattr(entry, "_data", None)
        if a is None or a.shape != data.shape or not a.flags.c_contiguous:
            return update(data, grad, state, hp, numpy)
        arrays[key] = a.reshape(-1)
    if not (data.flags.c_contiguous and grad.flags.c_contiguous):
        return update(data, grad, state, hp, numpy)
    flat, flat_grad = data.reshape(-1), grad.reshape(-1)
    step = state.get("step")
    before = None if step is None else step._data.copy()
    for lo in range(0, flat.size, _CHUNK):
        hi = lo + _CHUNK
        view = {key: _StateView(a[lo:hi]) for key, a in arrays.items()}
        if step is not None:
            view["step"] = step if lo == 0 else _StateView(before.copy())
        update(flat[lo:hi], flat_grad[lo:hi], view, hp, numpy)


class _RequiredParameter:
    """A default that a parameter group must override."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _check_ranges(**values):
    """Raise PyTorch's ValueError for the first hyperparameter (in the order given) outside its
    range: betas in [0, 1), rho in [0, 1], everything else at least 0."""
    for name, value in values.items():
        if name == "betas":
            for i, beta in enumerate(value):
                if not 0.0 <= beta < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        elif not 0.0 <= value or (name == "rho" and value > 1.0):
            label = {"lr": "learning rate", "eps": "epsilon value"}.get(name, f"{name} value")
            raise ValueError(f"Invalid {label}: {value}")


def _check_unsupported(differentiable):
    if differentiable:
        raise NotImplementedError("ember's optimizers update parameters in place outside "
                                  "autograd; differentiable=True is not supported")


def _new_step():
    """A step counter as PyTorch keeps it: a 0-d float32 tensor."""
    return tensor(0.0, dtype=_dtype.float32)


def _weight_decayed(param, grad, lr, weight_decay, decoupled):
    """The gradient after weight decay: L2's weight_decay * param added to it, or (decoupled,
    AdamW's) the parameter shrunk in place by lr * weight_decay instead."""
    if weight_decay != 0:
        if decoupled:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    return grad


def _advance(step):
    """Add one to a step counter in place and return the new count as a Python float."""
    step._data += 1
    return float(step._data)


def _bump(param):
    """Record an in-place change of param, so graphs that saved its old value refuse it."""
    param._vc[0] += 1


def _param_entries(params):
    """A group's "params" as a list: one tensor, or an ordered collection (never a set)."""
    if isinstance(params, Tensor):
        return [params]
    if isinstance(params, set):
        raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                        "the ordering of tensors in sets will change between runs. Please use a "
                        "list instead.")
    return list(params)


def _check_optimizable(param):
    if not isinstance(param, Tensor):
        raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                        + _typename(param))
    if not (param.is_leaf or param.retains_grad):
        raise ValueError("can't optimize a non-leaf Tensor")


class Optimizer(OptimizerHooksMixin):
    """Base class of the optimizers: `params` is an iterable of tensors or of group dicts."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        s = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n" + f"Parameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyperparameters (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        entries = _param_entries(param_group["params"])
        # named_parameters() gives (name, tensor) pairs: the names are kept beside the tensors
        tensors = [entry[1] if isinstance(entry, tuple) else entry for entry in entries]
        names = [entry[0] for entry in entries if isinstance(entry, tuple)]
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for param in tensors:
            _check_optimizable(param)
        for option, default in self.defaults.items():
            if option not in param_group and default is required:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {option}")
            param_group.setdefault(option, default)
        if len({id(t) for t in tensors}) < len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=user_stacklevel())
        named = "param_names" in param_group
        if any(("param_names" in group) != named for group in self.param_groups):
            raise ValueError("all optimizer param groups should be with/without names. cannot add "
                             f"param group {'with' if named else 'without'} names to the optimizer")
        taken = {id(t) for group in self.param_groups for t in group["params"]}
        if not taken.isdisjoint(id(t) for t in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        """One update of every parameter that has a gradient (NOTE [ Optimizer maths ]);
        returns what closure, run with grad enabled first, returned."""
        loss = self._run_closure(closure)
        update = self._update
        fused = self._fused_update or update
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            hp = self._hyperparameters(group)
            for p, state in zip(params, self._states(params, group)):
                grad = p.grad
                if is_sparse_tensor(grad):  # NOTE [ Sparse gradients ]
                    self._sparse_update(p, grad, state, hp)
                    p._vc[0] += 1
                    continue
                data, grad = p._data, grad._data
                xp = numpy if type(data) is numpy.ndarray else xp_of(data)
                if data.dtype.kind == "c" and type(state) is dict:
                    data, grad, state = _real_view(data), _real_view(grad), _as_real(state)
                if xp is not numpy:
                    fused(data, grad, state, hp, xp)
                elif self._elementwise and data.size > 2 * _CHUNK and type(state) is dict:
                    _update_in_chunks(update, data, grad, state, hp)
                elif data.ndim == 0 and type(state) is dict:
                    update(data.reshape(1), grad.reshape(1), _as_vectors(state), hp, xp)
                else:
                    update(data, grad, state, hp, xp)
                p._vc[0] += 1  # graphs that saved the old value refuse it
        return loss

    def _states(self, params, group):
        """The state of each parameter, filled by _init_state when it is met for the first time;
        made before any update, as in PyTorch (a parameter listed twice gets one state)."""
        states = []
        for p in params:
            state = self.state[p]
            if not state:
                self._init_state(p, state, group)
            states.append(state)
        return states

    def _init_state(self, param, state, group):
        pass

    _sparse_refusal = None  # the algorithm's own words where it refuses sparse gradients

    def _sparse_update(self, param, grad, state, hp):
        """The update with a sparse gradient (ember.sparse.SparseCooTensor, as
        nn.Embedding(sparse=True) gives): torch's RuntimeError unless the algorithm has one."""
        raise RuntimeError(self._sparse_refusal or
                           f"{type(self).__name__} does not support sparse gradients")

    def _hyperparameters(self, group):
        raise NotImplementedError

    _update = None  # staticmethods of each algorithm (NOTE [ Optimizer maths ])
    _fused_update = None
    _elementwise = False  # _update may run on chunks (NOTE [ Optimizer chunks ])

    def _run_closure(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [...]} with parameters as integer indices."""
        for pre_hook in self._hook_table("_state_dict_pre_hooks").values():
            pre_hook(self)
        mapping = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            mapping.update({id(p): i for i, p in enumerate(group["params"], start)
                            if id(p) not in mapping})
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._hook_table("_state_dict_post_hooks").values():
            state_dict = post_hook(self, state_dict) or state_dict
        return state_dict

    def load_state_dict(self, state_dict):
        """Restore groups and state; tensors are copied to each parameter's dtype and device."""
        state_dict = state_dict.copy()  # a pre-hook may edit it, never the caller's dict
        for pre_hook in self._hook_table("_load_state_dict_pre_hooks").values():
            state_dict = pre_hook(self, state_dict) or state_dict
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                # Step counters keep their dtype; state is copied so that this optimizer never
                # writes into the caller's tensors.
                if key == "step":
                    return value.clone()
                dtype = param.dtype if param.is_floating_point() else None
                return value.to(param.device, dtype, copy=True)
            if isinstance(value, dict):
                return {k: cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v
        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})
        for post_hook in self._hook_table("_load_state_dict_post_hooks").values():
            post_hook(self)
