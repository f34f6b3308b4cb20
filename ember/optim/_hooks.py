"""Optimizer hooks: around step() (per optimizer and global) and around the state dicts.

The step of Optimizer and of every subclass that defines its own (LBFGS, a user's optimizer) is
wrapped by `runs_step_hooks` when the class is made (OptimizerHooksMixin.__init_subclass__):
global pre-hooks, then the optimizer's own, then step, then its own post-hooks and the global
ones. The hooks get step's positional arguments with the optimizer first, and a pre-hook may
return (new_args, new_kwargs) to replace them.
"""
import functools
from collections import OrderedDict
from itertools import chain

from .._removable_handle import RemovableHandle

__all__ = ["register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def _register(table, hook, prepend=False):
    handle = RemovableHandle(table)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before every
    optimizer's step."""
    return _register(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """hook(optimizer, args, kwargs) -> None, after every optimizer's step."""
    return _register(_global_post_hooks, hook)


def runs_step_hooks(step):
    """step wrapped so that it runs the step hooks; an inner step call (a subclass's step calling
    super().step()) runs them once, at the outermost call."""
    @functools.wraps(step)
    def hooked(*args, **kwargs):
        self = args[0]  # the hooks see step's arguments as torch passes them, self included
        if self.__dict__.get("_in_step"):
            return step(*args, **kwargs)
        for pre_hook in chain(_global_pre_hooks.values(), self._step_hooks()[0].values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        self._in_step = True
        try:
            out = step(*args, **kwargs)
        finally:
            self._in_step = False
        for post_hook in chain(self._step_hooks()[1].values(), _global_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out
    return hooked


class OptimizerHooksMixin:
    """The Optimizer's hook registrations; a subclass's own step runs the step hooks. The tables
    are made on first use, so that an optimizer restored by __setstate__ (which carries no hooks,
    as in torch) has them too."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in vars(cls):
            cls.step = runs_step_hooks(cls.step)

    def _hook_table(self, name):
        table = self.__dict__.get(name)
        if table is None:
            table = self.__dict__[name] = OrderedDict()
        return table

    def _step_hooks(self):
        return self._hook_table("_step_pre_hooks"), self._hook_table("_step_post_hooks")

    def register_step_pre_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before step."""
        return _register(self._step_hooks()[0], hook)

    def register_step_post_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None, after step."""
        return _register(self._step_hooks()[1], hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer) -> None, before state_dict() builds the dict."""
        return _register(self._hook_table("_state_dict_pre_hooks"), hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> None or a new state dict, after state_dict()."""
        return _register(self._hook_table("_state_dict_post_hooks"), hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> None or the state dict to load instead."""
        return _register(self._hook_table("_load_state_dict_pre_hooks"), hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer) -> None, after load_state_dict()."""
        return _register(self._hook_table("_load_state_dict_post_hooks"), hook, prepend)
