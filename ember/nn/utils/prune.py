"""torch.nn.utils.prune: pruning by reparametrization. A pruned parameter `name` becomes the
parameter `name_orig` and the buffer `name_mask`; `name` is a plain tensor recomputed as
`name_orig * name_mask` by a forward pre-hook (the pruning method itself), so gradients reach
`name_orig` through the mask and repeated pruning only has to update the mask."""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

import ember

from .convert_parameters import parameters_to_vector

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured",
           "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask", "identity",
           "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
           "global_unstructured", "custom_from_mask", "remove", "is_pruned"]


class BasePruningMethod(ABC):
    """A pruning method: computes a mask for a tensor and, registered as a forward pre-hook,
    keeps module.<name> equal to <name>_orig * <name>_mask."""

    # Set by apply(); None until the method is bound to a parameter name.
    _tensor_name = None

    def __call__(self, module, inputs):
        # Recomputed each forward so that updates of _orig (optimizer steps) show in `name`.
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for `t`, zeroing at least what `default_mask` zeroes."""

    def apply_mask(self, module):
        assert self._tensor_name is not None, \
            f"Module {module} has to be pruned"  # a method used before apply() has no name
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return orig * mask.to(dtype=orig.dtype)

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune module.<name> with cls(*args, **kwargs), composing with an earlier pruning of
        the same name through a PruningContainer."""
        method = _composite_method(cls, module, name, args, kwargs)
        current = getattr(module, name)
        scores = current if importance_scores is None else importance_scores
        assert scores.shape == current.shape, \
            f"importance_scores should have the same shape as parameter {name} of {module}"
        fresh = not isinstance(method, PruningContainer)  # the first pruning of this name
        kept = ember.ones_like(current) if fresh else \
            getattr(module, name + "_mask").detach().clone()
        if fresh:
            _to_orig(module, name)
        try:
            module.register_buffer(name + "_mask", method.compute_mask(scores, default_mask=kept))
            setattr(module, name, method.apply_mask(module))
        except Exception:
            if fresh:  # a failed first pruning leaves the module as it was
                _from_orig(module, name)
            raise
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """The pruned version of `t` (no module involved)."""
        if importance_scores is not None:
            assert importance_scores.shape == t.shape, \
                "importance_scores should have the same shape as tensor t"
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else ember.ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module):
        """Make the pruning permanent: `name` becomes a parameter holding orig * mask again."""
        assert self._tensor_name is not None, \
            f"Module {module} has to be pruned before pruning can be removed"
        name = self._tensor_name
        weight = self.apply_mask(module)
        if name in module.__dict__:
            delattr(module, name)
        # Reuse the _orig Parameter object so optimizers holding it keep working.
        orig = module._parameters.pop(name + "_orig")
        orig.data = weight.data
        del module._buffers[name + "_mask"]
        setattr(module, name, orig)


def _to_orig(module, name):
    """The parameter `name` moves to `name_orig`; `name` becomes a plain attribute."""
    module.register_parameter(name + "_orig", module._parameters.pop(name))


def _from_orig(module, name):
    module.__dict__.pop(name, None)
    module.register_parameter(name, module._parameters.pop(name + "_orig"))


def _composite_method(cls, module, name, args, kwargs):
    """The hook to register: cls(*args) alone, or appended to the earlier pruning of `name`
    (whose hook is taken off the module; apply() registers the combined one)."""
    old_method, old_keys = None, []
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            old_method = hook
            old_keys.append(key)
    assert len(old_keys) <= 1, \
        f"Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. " \
        "Use a PruningContainer."
    for key in old_keys:
        del module._forward_pre_hooks[key]
    method = cls(*args, **kwargs)
    method._tensor_name = name
    if old_method is None:
        return method
    if isinstance(old_method, PruningContainer):
        old_method.add_pruning_method(method)
        return old_method
    container = PruningContainer(old_method)
    container.add_pruning_method(method)
    return container


class PruningContainer(BasePruningMethod):
    """A sequence of pruning methods on one parameter; the last one acts only on the entries
    (unstructured) or channels (structured) the previous masks left."""

    def __init__(self, *args):
        self._pruning_methods = ()
        if len(args) == 1:
            # A single method names the container's parameter.
            self._tensor_name = args[0]._tensor_name
            self.add_pruning_method(args[0])
        else:
            for method in args:
                self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError("Can only add pruning methods acting on the parameter named "
                             f"'{self._tensor_name}' to PruningContainer {self}. "
                             f"Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """The previous masks (default_mask) with the newest method applied to what is left."""
        method = self._pruning_methods[-1]
        new_mask = default_mask.clone().to(dtype=t.dtype)
        kind = method.PRUNING_TYPE
        if kind == "unstructured":
            # Only the entries still alive take part: a 1-D selection of them.
            slc = default_mask == 1
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError("Pruning methods of PRUNING_TYPE 'structured' need to "
                                     "have the attribute `dim` defined.")
            n_dims = t.dim()
            dim = method.dim + n_dims if method.dim < 0 else method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {n_dims}")
            # Channels already entirely zeroed are left out of the new choice.
            keep = default_mask.sum(dim=[d for d in range(n_dims) if d != dim]) != 0
            slc = [slice(None)] * n_dims
            slc[dim] = keep
            slc = tuple(slc)
        elif kind == "global":
            slc = tuple([slice(None)] * t.dim())
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
        partial = method.compute_mask(t[slc], default_mask=default_mask[slc])
        new_mask[slc] = partial.to(dtype=new_mask.dtype)
        return new_mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (useful to reparametrize without pruning)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class _Unstructured(BasePruningMethod):
    """Zeroes the `amount` entries that `_first(t, k)` (their flat indices) picks."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        size = t.nelement()
        nprune = _compute_nparams_toprune(self.amount, size)
        _validate_pruning_amount(nprune, size)
        mask = default_mask.clone()
        if nprune != 0:
            mask.view(-1)[self._first(t, nprune)] = 0
        return mask


class RandomUnstructured(_Unstructured):
    """Zeroes `amount` entries chosen uniformly at random."""

    def _first(self, t, k):
        # the largest of uniform draws is a uniform random choice of k entries
        scores = ember.rand_like(t, dtype=ember.float32) if not t.is_floating_point() \
            else ember.rand_like(t)
        return ember.topk(scores.view(-1), k=k).indices

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Zeroes the `amount` entries of smallest absolute value."""

    def _first(self, t, k):
        return ember.topk(ember.abs(t).reshape(-1), k=k, largest=False).indices

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class _Structured(BasePruningMethod):
    """Zeroes `amount` whole channels along `dim`: those `_kept(t, size, nprune)` leaves out
    (a bool over the channels, or the kept channels' indices)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        size = t.shape[self.dim]
        nprune = _compute_nparams_toprune(self.amount, size)
        _validate_pruning_amount(nprune, size)
        if nprune == 0:
            return default_mask
        mask = _channel_mask(t, self.dim, self._kept(t, size, nprune))
        return mask * default_mask.to(dtype=mask.dtype)


class RandomStructured(_Structured):
    """Zeroes `amount` whole channels along `dim`, chosen at random."""

    def _kept(self, t, size, nprune):
        # channels whose draw exceeds the nprune-th smallest survive: nprune are dropped
        draws = ember.rand(size)
        return draws > ember.kthvalue(draws, k=nprune).values

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(_Structured):
    """Zeroes the `amount` channels along `dim` of smallest L`n` norm."""

    def __init__(self, amount, n, dim=-1):
        super().__init__(amount, dim)
        self.n = n

    def _kept(self, t, size, nprune):
        norm = _compute_norm(t, self.n, self.dim)
        return ember.topk(norm, k=size - nprune, largest=True).indices

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim,
                             importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes with a user-given mask (combined with any earlier mask)."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        assert default_mask.shape == self.mask.shape
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def _channel_mask(t, dim, keep):
    """Ones on the channels `keep` (indices or booleans) of `dim`, zeros elsewhere."""
    mask = ember.zeros_like(t)
    slc = [slice(None)] * t.dim()
    slc[dim] = keep
    mask[tuple(slc)] = 1
    return mask


def identity(module, name):
    """Reparametrize module.<name> as <name>_orig * an all-ones <name>_mask."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune `amount` (int count or float fraction) random entries of module.<name>."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the `amount` entries of module.<name> (or importance_scores) of smallest |value|."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune `amount` random channels of module.<name> along `dim`."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the `amount` channels along `dim` of smallest L`n` norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the (module, name) pairs of `parameters` together, as one flattened tensor, with
    an unstructured pruning_method class; each gets its share as a CustomFromMask."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    pairs = list(parameters)  # read more than once below: a generator would be spent
    scores_of = {} if importance_scores is None else importance_scores
    if not isinstance(scores_of, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                        f"Found method {pruning_method} of type {method.PRUNING_TYPE}")
    tensors = [getattr(module, name) for module, name in pairs]
    scores = parameters_to_vector([scores_of.get(pair, t).detach()
                                   for pair, t in zip(pairs, tensors)])
    earlier = [getattr(module, name + "_mask", None) for module, name in pairs]
    kept = parameters_to_vector([ember.ones_like(t) if m is None else m
                                 for m, t in zip(earlier, tensors)])
    # the method prunes among the entries that earlier masks left, as a PruningContainer does
    alive = kept == 1
    mask = kept.clone()
    mask[alive] = method.compute_mask(scores[alive], ember.ones_like(scores[alive])).to(mask.dtype)
    parts = ember.split(mask, [t.numel() for t in tensors])
    for (module, name), t, part in zip(pairs, tensors, parts):
        custom_from_mask(module, name, mask=part.view_as(t))


def custom_from_mask(module, name, mask):
    """Prune module.<name> with the given mask."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Make the pruning of module.<name> permanent and drop its reparametrization."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning "
                     "can be removed")


def is_pruned(module):
    """Whether any submodule of `module` carries a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for _, sub in module.named_modules() for hook in sub._forward_pre_hooks.values())


def _validate_pruning_amount_init(amount):
    """Type and range checks on `amount` that need no tensor."""
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral)
            and (float(amount) > 1.0 or float(amount) < 0.0)):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a "
                         "non-negative integer")


def _validate_pruning_amount(amount, tensor_size):
    """An integer amount cannot exceed the number of units to prune."""
    if isinstance(amount, numbers.Integral) and amount > tensor_size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to "
                         f"prune={tensor_size}")


def _compute_nparams_toprune(amount, tensor_size):
    """An int amount is a count; a float is a fraction, rounded (Python's round, half to even)."""
    if isinstance(amount, numbers.Integral):
        return amount
    return round(amount * tensor_size)


def _validate_structured_pruning(t):
    if len(t.shape) <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. "
                         f"Found tensor of shape {t.shape} with {len(t.shape)} dims")


def _validate_pruning_dim(t, dim):
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")


def _compute_norm(t, n, dim):
    """The L`n` norm of each channel of `t` along `dim` (over all other dims)."""
    dims = list(range(t.dim()))
    if dim < 0:
        dim = dims[dim]
    dims.remove(dim)
    return ember.norm(t, p=n, dim=dims)
