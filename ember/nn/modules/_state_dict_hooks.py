"""Module's state-dict hooks, around _StateDictMixin's state_dict and load_state_dict.

NOTE [ Load state dict post-hooks ]
torch runs a module's load post-hooks once its children are loaded, children first, and a hook
may clear or add missing and unexpected keys before strict decides whether to raise. ember's load
writes nothing when it raises (NOTE [ Loading a state dict ]); with a post-hook in the tree it
cannot know beforehand whether it will raise for keys, so there it loads as torch does: it checks
and writes (a rejected value still raises before any write), runs the post-hooks on the written
module, and then raises for the keys that remain.
"""
import weakref

from ._hooks import RemovableHandle


class _StateDictHooksMixin:
    """The hook tables are created by Module.__init__."""

    def register_state_dict_pre_hook(self, hook):
        """hook(module, prefix, keep_vars), before state_dict saves anything of this module."""
        return _add(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        """hook(module, state_dict, prefix, local_metadata) -> None, after state_dict saved this
        module and its children."""
        # torch marks the hook so that state_dict refuses a return value from it (the legacy
        # registration keeps the returned dict) and the legacy registration refuses it.
        hook._from_public_api = True
        return _add(self._state_dict_hooks, hook)

    def _register_state_dict_hook(self, hook):
        """The legacy post-hook: what it returns replaces the state dict of the module that
        state_dict was called on."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook "
                               "that was previously registered via register_state_dict_post_hook")
        return _add(self._state_dict_hooks, hook)

    def register_load_state_dict_pre_hook(self, hook):
        """hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs), before this module's entries are loaded."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """As register_load_state_dict_pre_hook; without with_module the hook takes no module."""
        if with_module:
            hook = _WithModule(hook, self)
        return _add(self._load_state_dict_pre_hooks, hook)

    def register_load_state_dict_post_hook(self, hook):
        """hook(module, incompatible_keys) -> None, once this module and its children are loaded;
        it may change incompatible_keys' lists (NOTE [ Load state dict post-hooks ])."""
        return _add(self._load_state_dict_post_hooks, hook)

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        if args:  # the deprecated positional form (destination, prefix, keep_vars)
            destination, prefix, keep_vars = (*args, *(destination, prefix, keep_vars)[len(args):])
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        destination = super().state_dict(destination=destination, prefix=prefix,
                                         keep_vars=keep_vars)
        if not self._state_dict_hooks:
            return destination
        metadata = getattr(destination, "_metadata", None)
        local_metadata = (metadata[prefix[:-1]] if metadata is not None
                          else {"version": self._version})
        for hook in self._state_dict_hooks.values():
            out = hook(self, destination, prefix, local_metadata)
            if out is None:
                continue
            if getattr(hook, "_from_public_api", False):
                raise RuntimeError("state_dict post-hook must return None")
            destination = out
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                 error_msgs)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        order = _post_order(self)
        if not any(m._load_state_dict_post_hooks for m in order):
            return super().load_state_dict(state_dict, strict, assign)
        keys = super().load_state_dict(state_dict, False, assign)
        for module in order:
            for hook in module._load_state_dict_post_hooks.values():
                out = hook(module, keys)
                if out is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                        "expected to return new values, if incompatible_keys need to be modified, "
                        "it should be done inplace.")
        reports = [f"{kind} key(s) in state_dict: " + ", ".join(f'"{k}"' for k in found) + ". "
                   for kind, found in (("Missing", keys.missing_keys),
                                       ("Unexpected", keys.unexpected_keys)) if found]
        if strict and reports:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(reports))
        return keys


def _add(table, hook):
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle


def _post_order(root):
    """The modules as load_state_dict visits them, children before their parent: a module
    shared under several names once per name, as torch's recursive load."""
    order = []
    stack = [(root, False)]
    while stack:
        module, children_done = stack.pop()
        if children_done:
            order.append(module)
            continue
        stack.append((module, True))
        stack.extend((child, False) for child in reversed(module._modules.values())
                     if child is not None)
    return order


class _WithModule:
    """A load pre-hook given its module first, held weakly as torch holds it."""

    def __init__(self, hook, module):
        self.hook = hook
        self.module = weakref.ref(module)

    def __call__(self, *args):
        module = self.module()
        if module is None:
            raise RuntimeError("You are trying to call the hook of a dead Module!")
        return self.hook(module, *args)
