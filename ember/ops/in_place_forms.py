"""torch's top-level spellings of Tensor methods: torch.clamp_(x, ...) is x.clamp_(...), and so
on; torch.detach/detach_, torch.row_stack (vstack's old name) and torch.scalar_tensor. Bindings
only: each calls the one definition the method already has."""
import builtins
import numbers

from .. import _dtype
from .join import vstack

__all__ = ["clamp_", "clamp_max_", "clamp_min_", "clip_", "erf_", "erfc_", "logit_", "sinc_",
           "xlogy_", "nan_to_num_", "zero_", "fill_", "detach", "detach_", "row_stack",
           "scalar_tensor", "newaxis", "as_strided_"]

newaxis = None  # x[torch.newaxis] adds a dim, as None does


def _binding(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``."
    return fn


clamp_ = _binding("clamp_")
clamp_max_ = _binding("clamp_max_")
clamp_min_ = _binding("clamp_min_")
clip_ = _binding("clip_")
erf_ = _binding("erf_")
erfc_ = _binding("erfc_")
logit_ = _binding("logit_")
sinc_ = _binding("sinc_")
xlogy_ = _binding("xlogy_")
nan_to_num_ = _binding("nan_to_num_")
zero_ = _binding("zero_")
fill_ = _binding("fill_")
detach = _binding("detach")
detach_ = _binding("detach_")
as_strided_ = _binding("as_strided_")


def row_stack(tensors, *, out=None):
    """vstack under its older name."""
    return vstack(tensors, out=out)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    """A 0-d tensor holding the number s, of the default float dtype unless dtype is given."""
    from .._creation import tensor
    if not isinstance(s, numbers.Number):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    if isinstance(s, builtins.complex) and dtype is None:
        dtype = _dtype.default_complex()
    return tensor(s, dtype=dtype or _dtype.get_default_dtype(), device=device,
                  requires_grad=requires_grad)
