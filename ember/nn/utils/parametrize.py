"""nn.utils.parametrize: a module's parameter or buffer computed by modules (parametrizations)
from tensors stored in `module.parametrizations[name]` (original, or original0, original1 ...).

register_parametrization swaps the module's class for a subclass `Parametrized<Class>` with a
property per parametrized name: reading it runs the parametrizations (once per `cached()` block),
assigning to it stores `right_inverse(value)` in the originals.
"""
import copy
from collections.abc import Sequence
from contextlib import contextmanager

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations",
           "transfer_parametrizations_and_params"]

_cache_enabled = 0
_cache = {}


@contextmanager
def cached():
    """Within the block, each parametrized tensor is computed once and then reused."""
    global _cache_enabled, _cache
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module, name, value):
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_values(original, value):
    """torch's set_: `original` (the same object, which optimizers may hold) takes value's data."""
    original.data = value


def _invert(parametrizations, value, missing_is_identity):
    """value pulled back through the parametrizations' right inverses, last one first. A
    parametrization without one is the identity when `missing_is_identity` (at registration),
    an error otherwise (at assignment); NotImplementedError counts as the identity there too."""
    for module in reversed(list(parametrizations)):
        inverse = getattr(module, "right_inverse", None)
        if inverse is None and not missing_is_identity:
            raise RuntimeError(f"parametrization {type(module).__name__} does not implement "
                               "right_inverse.")
        if inverse is None:
            continue
        try:
            value = inverse(value)
        except NotImplementedError:
            if not missing_is_identity:
                raise
    return value


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order to the originals they hold."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            stored = _invert(self, original, missing_is_identity=True)
        if isinstance(stored, Tensor):
            self._hold_one(original, stored)
        elif isinstance(stored, Sequence):
            self._hold_many(original, stored)
        else:
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f"(list, tuple...). Got {type(stored).__name__}")
        if not unsafe:
            self._check_result(original.shape, original.dtype)

    def _hold_one(self, original, stored):
        """`original` itself (the object optimizers hold) keeps right_inverse's values."""
        if stored.dtype != original.dtype:
            raise ValueError("When `right_inverse` outputs one tensor, it may not change the "
                             f"dtype.\noriginal.dtype: {original.dtype}\n"
                             f"right_inverse(original).dtype: {stored.dtype}")
        self.is_tensor, self.ntensors = True, 1
        with no_grad():
            _set_values(original, stored)
        _register_parameter_or_buffer(self, "original", original)

    def _hold_many(self, original, stored):
        """original0, original1 ...: parameters when `original` was one, with its
        requires_grad."""
        self.is_tensor, self.ntensors = False, len(stored)
        for i, part in enumerate(stored):
            if not isinstance(part, Tensor):
                raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                                 f"(list, tuple...). Got element {i} of the sequence with type "
                                 f"{type(part).__name__}.")
            wanted = original.requires_grad
            part = Parameter(part, wanted) if isinstance(original, Parameter) else part
            _register_parameter_or_buffer(self, f"original{i}", part.requires_grad_(wanted))

    def _check_result(self, shape, dtype):
        """Unless unsafe, the parametrized tensor must look like the tensor it replaces."""
        result = self()
        if not isinstance(result, Tensor):
            raise ValueError(f"A parametrization must return a tensor. Got "
                             f"{type(result).__name__}.")
        for what, before, after in (("dtype", dtype, result.dtype),
                                    ("shape", shape, result.shape)):
            if before != after:
                raise ValueError(f"Registering a parametrization may not change the {what} of "
                                 f"the tensor, unless `unsafe` flag is enabled.\nunparametrized "
                                 f"{what}: {before}\nparametrized {what}: {after}")

    def _originals(self):
        if self.is_tensor:
            return [self.original]
        return [getattr(self, f"original{i}") for i in range(self.ntensors)]

    def right_inverse(self, value):
        """Store in the originals what makes the parametrizations give `value`."""
        with no_grad():
            value = _invert(self, value, missing_is_identity=False)
            originals = self._originals()
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got "
                                     f"{type(value).__name__}")
                if value.dtype != originals[0].dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype "
                                     f"{value.dtype} while `original` has dtype "
                                     f"{originals[0].dtype}")
                _set_values(originals[0], value)
                return
            if not isinstance(value, Sequence):
                raise ValueError("'right_inverse' must return a sequence of tensors. Got "
                                 f"{type(value).__name__}.")
            if len(value) != len(originals):
                raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                 f"{len(originals)}. Got a sequence of length {len(value)}.")
            for i, (target, part) in enumerate(zip(originals, value)):
                if not isinstance(part, Tensor):
                    raise ValueError(f"`right_inverse` must return a sequence of tensors. Got "
                                     f"element {i} of type {type(part).__name__}")
                if target.dtype != part.dtype:
                    raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype "
                                     f"{part.dtype} while `original{i}` has dtype "
                                     f"{target.dtype}")
                _set_values(target, part)

    def forward(self):
        first, *rest = list(self)
        x = first(*self._originals())
        for module in rest:
            x = module(x)
        return x


def _refuse_pickling(self):
    raise RuntimeError(
        "Serialization of parametrized modules is only supported through state_dict(). See:\n"
        "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
        "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")


def _deepcopy_parametrized(self, memo):
    # pickling is refused, so deepcopy copies the instance dict itself
    if id(self) in memo:
        return memo[id(self)]
    replica = self.__new__(type(self))
    memo[id(self)] = replica
    replica.__dict__ = copy.deepcopy(self.__dict__, memo)
    return replica


def _inject_new_class(module):
    """Give module a class of its own, Parametrized<Class>, to hold the properties."""
    cls = module.__class__
    namespace = {"__getstate__": _refuse_pickling, "__module__": __name__}
    if not hasattr(cls, "__deepcopy__"):
        namespace["__deepcopy__"] = _deepcopy_parametrized
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _inject_property(module, tensor_name):
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(self), tensor_name)
        if key not in _cache:
            _cache[key] = parametrization()
        return _cache[key]

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Parametrize module.<tensor_name> by the module `parametrization` (appended after any
    earlier ones). With unsafe=True the result may change the tensor's shape or dtype."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        chain = module.parametrizations[tensor_name]
        if not unsafe:
            _check_appended(module, tensor_name, parametrization)
        chain.append(parametrization)
        chain.unsafe = chain.unsafe or unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    chain = ParametrizationList([parametrization], getattr(module, tensor_name), unsafe=unsafe)
    first_one = not is_parametrized(module)
    delattr(module, tensor_name)
    if first_one:
        _inject_new_class(module)
        module.parametrizations = ModuleDict()
    _inject_property(module, tensor_name)
    module.parametrizations[tensor_name] = chain
    return module


def _check_appended(module, tensor_name, parametrization):
    """A parametrization appended to others keeps the tensor's shape and dtype, and so does its
    right_inverse (unless it is not implemented)."""
    y = getattr(module, tensor_name)
    x = parametrization(y)
    if not isinstance(x, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(x).__name__}.")
    if x.dtype != y.dtype:
        raise ValueError("Registering a parametrization may not change the dtype of the tensor, "
                         f"unless the `unsafe` flag is enabled.\nmodule.{tensor_name}.dtype: "
                         f"{y.dtype}\nparametrization(module.{tensor_name}).dtype: {x.dtype}")
    if x.shape != y.shape:
        raise ValueError("Registering a parametrization may not change the shape of the tensor, "
                         f"unless the `unsafe` flag is enabled.\nmodule.{tensor_name}.shape: "
                         f"{y.shape}\nparametrization(module.{tensor_name}).shape: {x.shape}")
    if not hasattr(parametrization, "right_inverse"):
        return
    try:
        z = parametrization.right_inverse(x)
    except NotImplementedError:
        return
    if not isinstance(z, Tensor):
        raise ValueError(f"parametrization.right_inverse must return a tensor. Got: "
                         f"{type(z).__name__}")
    if z.dtype != y.dtype:
        raise ValueError("The tensor returned by parametrization.right_inverse must have the "
                         f"same dtype as module.{tensor_name}, unless the `unsafe` flag is "
                         f"enabled.\nmodule.{tensor_name}.dtype: {y.dtype}\nreturned dtype: "
                         f"{z.dtype}")
    if z.shape != y.shape:
        raise ValueError("The tensor returned by parametrization.right_inverse must have the "
                         f"same shape as module.{tensor_name}, unless the `unsafe` flag is "
                         f"enabled.\nmodule.{tensor_name}.shape: {y.shape}\nreturned shape: "
                         f"{z.shape}")


def is_parametrized(module, tensor_name=None):
    """Whether module has any parametrization (or one on tensor_name)."""
    parametrizations = getattr(module, "parametrizations", None)
    if not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def _plain_tensor(module, tensor_name, leave_parametrized):
    """What module.<tensor_name> is once unparametrized."""
    chain = module.parametrizations[tensor_name]
    if not chain.is_tensor:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                             "that is parametrized in terms of a sequence of tensors.")
        value = getattr(module, tensor_name)
        detached = value.detach()
        # a new tensor: the caller has to hand it to any optimizer
        return Parameter(detached, True) if value.requires_grad else detached
    if leave_parametrized:
        with no_grad():
            _set_values(chain.original, getattr(module, tensor_name))
    return chain.original


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo register_parametrization on tensor_name: the tensor becomes a parameter or buffer
    again, holding its parametrized value (or, with leave_parametrized=False, its original)."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plain = _plain_tensor(module, tensor_name, leave_parametrized)
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, plain)
    if len(module.parametrizations) == 0:
        del module.parametrizations
        module.__class__ = type(module).__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class before register_parametrization replaced it."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Register from_module's parametrizations of tensor_name (default: all of them) on
    to_module, sharing the parametrization modules and the original tensors; a name to_module
    lacks is first made a Parameter of from_module's parametrized value. Returns to_module."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        source = from_module.parametrizations[name]
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        if source.is_tensor:
            target.original = source.original
        else:
            for i in range(source.ntensors):
                setattr(target, f"original{i}", getattr(source, f"original{i}"))
    return to_module
