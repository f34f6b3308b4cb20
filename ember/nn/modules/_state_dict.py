"""Module's state dict: state_dict, load_state_dict and the _IncompatibleKeys they report.

NOTE [ Loading a state dict ]
`load_state_dict` works in two passes. The first walks the modules and only checks: it collects
missing and unexpected keys, shape mismatches and values that cannot be converted, and converts
every accepted value to its parameter's dtype and device. Only when nothing is wrong does the
second pass write the values, so a rejected state dict leaves every parameter untouched (PyTorch
copies the good entries before it raises). `_load_from_state_dict` keeps PyTorch's signature so
subclasses can rewrite keys (BatchNorm does); it records its writes in `local_metadata`.
"""
import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter, is_lazy

_PENDING = "_ember_pending_writes"  # the local_metadata key under which loads are recorded


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class _StateDictMixin:
    """Module's state_dict/load_state_dict, over the registries Module.__init__ creates."""

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An OrderedDict of parameters and persistent buffers, keyed by their dotted names."""
        if args:  # the deprecated positional form (destination, prefix, keep_vars)
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = {"version": self._version}
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        """Check this module's entries, recording their writes (NOTE [ Loading a state dict ])."""
        pending = local_metadata[_PENDING]
        assign = local_metadata.get("assign_to_params_buffers", False)
        persistent = {k: v for k, v in self._buffers.items()
                      if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(),
                                                        persistent.items()) if v is not None}
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if is_lazy(param) and is_lazy(value):
                continue  # nothing to copy from one uninitialized tensor to another
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected '
                                  "torch.Tensor or Tensor-like object from checkpoint but "
                                  f"received {type(value)}")
                continue
            if param.dim() == 0 and value.shape == (1,):
                value = value.reshape(())
            if value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{value.shape} from checkpoint, the shape in current model is "
                                  f"{param.shape}.")
                continue
            try:
                with no_grad():
                    converted = value if assign else value.to(param.device, param.dtype)
            except Exception as ex:
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions '
                                  f"in the model are {param.size()} and whose dimensions in the "
                                  f"checkpoint are {value.size()}, an exception occurred : "
                                  f"{ex.args}.")
                continue
            pending.append((self, name, param, converted, assign))
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    head = key[len(prefix):].split(".", 1)
                    if len(head) > 1:
                        if head[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif head[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from state_dict; nothing changes if any entry is rejected."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None) or {}
        entries = OrderedDict(state_dict)  # subclasses may add keys; the caller's stays intact
        missing, unexpected, problems, writes = [], [], [], []
        # First pass (NOTE [ Loading a state dict ]): depth first, parents before children, a
        # shared module under each of its names. A module sees the entries under its prefix as
        # its parent left them (a parent may rewrite its children's keys); the root sees them all.
        stack = [(self, "", None)]
        while stack:
            module, prefix, outer = stack.pop()
            own = entries if outer is None else {k: v for k, v in outer.items()
                                                 if k.startswith(prefix)}
            local_metadata = dict(metadata.get(prefix[:-1], {}))
            local_metadata[_PENDING] = writes
            if assign:
                local_metadata["assign_to_params_buffers"] = True
            module._load_from_state_dict(own, prefix, local_metadata, True, missing, unexpected,
                                         problems)
            children = [(child, f"{prefix}{name}.", own) for name, child in module._modules.items()
                        if child is not None]
            stack.extend(reversed(children))
        key_reports = [f"{kind} key(s) in state_dict: {', '.join(repr_keys)}. "
                       for kind, repr_keys in (("Missing", [f'"{k}"' for k in missing]),
                                               ("Unexpected", [f'"{k}"' for k in unexpected]))
                       if strict and repr_keys]
        if key_reports or problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(key_reports + problems))
        # Second pass: nothing was rejected, so write.
        for module, name, current, value, replace in writes:
            if not replace:
                with no_grad():
                    current.copy_(value)
            elif isinstance(current, Parameter):
                setattr(module, name, Parameter(value, requires_grad=current.requires_grad))
            else:
                setattr(module, name, value)
        return _IncompatibleKeys(missing, unexpected)

