"""Running PyTorch programs unchanged: a meta-path finder that resolves `torch.X.Y` to `ember.X.Y`
and `torchvision.X` to `ember.vision.X` (NOTE [ torch as an alias of ember ]).

NOTE [ torch as an alias of ember ]
`install_as_torch()` puts `_TorchAlias` first on `sys.meta_path`. An import of `torch` or
`torchvision` (or any submodule of either) is answered by importing the ember module of the same
path and handing that very module object back, so `torch.nn is ember.nn` and `isinstance` checks
agree between the two names. A path ember does not have raises ModuleNotFoundError naming both the
torch path and the missing ember module; it never falls through to a real torch on disk, so no real
torch module is imported while the alias is active. A real torch imported before (in `sys.modules`)
would mix two frameworks' tensors in one program: `install_as_torch()` refuses then.
"""
import importlib
import importlib.abc
import importlib.util
import sys

_PREFIXES = (("torchvision", "ember.vision"), ("torch", "ember"))


def _ember_name(fullname):
    for prefix, target in _PREFIXES:
        if fullname == prefix or fullname.startswith(prefix + "."):
            return target + fullname[len(prefix):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self._module = module

    def create_module(self, spec):
        return self._module

    def exec_module(self, module):
        pass  # the ember module is already executed


class _TorchAlias(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        name = _ember_name(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is None or not (name == e.name or name.startswith(e.name + ".")):
                raise  # an import inside ember failed: not a missing alias
            raise ModuleNotFoundError(
                f"No module named '{fullname}': ember has no module '{name}' (running under "
                f"ember's drop-in for torch)", name=fullname) from None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module),
                                               is_package=hasattr(module, "__path__"))


_FINDER = _TorchAlias()


def _real_modules():
    """Names in sys.modules under torch/torchvision that are not ember's modules."""
    return sorted(n for n, m in list(sys.modules.items())
                  if _ember_name(n) is not None and m is not None
                  and not getattr(m, "__name__", "").startswith("ember"))


def install_as_torch():
    """Make `import torch` (and `torchvision`, and every submodule) give ember's modules, for the
    rest of this process: notebooks and scripts that cannot be run through `python -m ember.run`.
    Refuses (RuntimeError) when a real torch is already imported."""
    real = _real_modules()
    if real:
        raise RuntimeError(
            f"ember.install_as_torch(): a real PyTorch is already imported ({', '.join(real[:3])}"
            f"{' ...' if len(real) > 3 else ''}); tensors of the two frameworks cannot mix. "
            f"Call install_as_torch() before anything imports torch (restart the kernel).")
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def uninstall_as_torch():
    """Undo install_as_torch(): the aliases leave sys.modules and the finder leaves sys.meta_path."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n, m in list(sys.modules.items()) if _ember_name(n) is not None
                 and getattr(m, "__name__", "").startswith("ember")]:
        del sys.modules[name]
