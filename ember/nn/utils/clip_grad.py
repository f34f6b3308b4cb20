"""Gradient clipping: clip_grad_norm_ and clip_grad_value_, in place on the gradients' arrays."""
import types
import warnings

from ..._backend import quiet, xp_of
from ..._creation import as_tensor, tensor
from ..._tensor import Tensor, is_sparse_tensor
from ...ops.reduce import vector_norm_array
from ..._warnings import user_stacklevel

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _vector_norm(xp, a, norm_type):
    """torch.linalg.vector_norm of a whole array (real for complex a)."""
    return vector_norm_array(xp, a, norm_type, tuple(range(a.ndim)), False)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of the given tensors (as one vector); tensor(0.) for none."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    _refuse_sparse(tensors, "linalg_vector_norm")
    xp = xp_of(tensors[0]._data)
    norms = xp.stack([xp.asarray(_vector_norm(xp, t._data, norm_type)) for t in tensors])
    total = xp.asarray(_vector_norm(xp, norms, norm_type))
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable this "
                           "error and scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return as_tensor(total)


def _refuse_sparse(grads, kernel):
    """torch's error where a gradient is sparse (nn.Embedding(sparse=True)): its norm and clamp
    kernels have no sparse form."""
    if any(map(is_sparse_tensor, grads)):
        raise NotImplementedError(f"Could not run 'aten::{kernel}' with arguments from the "
                                  "'SparseCPU' backend. This could be because the operator "
                                  "doesn't exist for this backend, or was omitted during the "
                                  "selective/custom build process (if using custom build).")


def _parameter_list(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    is_generator = isinstance(parameters, types.GeneratorType)
    parameters = list(parameters)
    if is_generator and not parameters:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      stacklevel=user_stacklevel())
    return parameters


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by min(1, max_norm / (total_norm + 1e-6)), in place."""
    grads = [p.grad for p in _parameter_list(parameters) if p.grad is not None]
    if not grads:
        return
    # As torch: the coefficient is computed in the norm's dtype, then clamped to 1.
    total = total_norm._data
    coef = total.dtype.type(float(max_norm)) / (total + total.dtype.type(1e-6))
    coef = min(float(coef), 1.0)
    with quiet():  # a non-finite gradient scaled by 0 is NaN, silently as in torch
        for g in grads:
            g._data *= coef
            g._vc[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients so their joint norm is at most max_norm; returns the norm before."""
    parameters = _parameter_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated: use clip_grad_norm_."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=user_stacklevel())
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    clip_value = float(clip_value)
    _refuse_sparse([p.grad for p in parameters if p.grad is not None],
                   "clamp_min_" if foreach is None else "clamp_")
    for p in parameters:
        g = p.grad
        if g is not None:
            xp_of(g._data).clip(g._data, -clip_value, clip_value, out=g._data)
            g._vc[0] += 1

