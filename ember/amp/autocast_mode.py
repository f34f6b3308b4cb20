"""autocast: ops on torch's lower-precision list run in float16/bfloat16 inside the region.

NOTE [ Autocast ]
As torch's autocast, a region casts the floating inputs (never float64 ones) of each op on its
"lower precision" list to the region's dtype, and those of each op on its "float32" list back to
float32; other ops run on what they are given. Casts of leaf tensors that require grad (the
weights) are cached for the region when cache_enabled; a weight that reaches its op through a
view (linear's `weight.t()` into addmm) is cast at each call instead. The casts go through `Tensor.to`, so
gradients flow back in the inputs' dtypes. Ops are matched by aten name through the Op hook
(NOTE [ Op hooks ] in ops/_hooks.py): composite functions (linear, conv2d) reach these lists
through the Ops they are built of (addmm, convolution). An autocast region for a device type
changes only the tensors on that device type.
"""
import functools
import warnings

from .. import _dtype, cuda
from .._bfloat16 import bfloat16 as _bfloat16
from .._tensor import Tensor
from ..ops import _hooks
from .._warnings import user_stacklevel

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled", "get_autocast_dtype",
           "set_autocast_enabled", "set_autocast_dtype", "is_autocast_cache_enabled",
           "set_autocast_cache_enabled", "clear_autocast_cache", "custom_fwd", "custom_bwd"]

# torch's CPU autocast lists (the CUDA lists hold the same matmul/conv family in lower precision).
LOWER_PRECISION = frozenset((
    "conv1d", "conv2d", "conv3d", "bmm", "mm", "linalg_vecdot", "baddbmm", "addmm", "addbmm",
    "linear", "convolution", "matmul", "conv_tbc", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "prelu", "scaled_dot_product_attention"))
FLOAT32 = frozenset((
    "avg_pool3d", "binary_cross_entropy", "grid_sampler", "polar", "prod", "quantile",
    "nanquantile", "stft", "cdist", "trace", "view_as_complex", "cholesky", "cholesky_inverse",
    "cholesky_solve", "inverse", "lu_solve", "orgqr", "ormqr", "pinverse", "max_pool3d",
    "max_unpool2d", "max_unpool3d", "adaptive_avg_pool3d", "reflection_pad1d",
    "reflection_pad2d", "replication_pad1d", "replication_pad2d", "replication_pad3d",
    "mse_loss", "cosine_embedding_loss", "nll_loss", "nll_loss2d", "hinge_embedding_loss",
    "poisson_nll_loss", "smooth_l1_loss", "cross_entropy_loss", "l1_loss", "huber_loss",
    "margin_ranking_loss", "soft_margin_loss", "triplet_margin_loss", "multi_margin_loss",
    "ctc_loss", "kl_div", "multilabel_margin_loss", "binary_cross_entropy_with_logits",
    "fft_fft", "fft_ifft", "fft_fft2", "fft_ifft2", "fft_fftn", "fft_ifftn", "fft_rfft",
    "fft_irfft", "fft_rfft2", "fft_irfft2", "fft_rfftn", "fft_irfftn", "fft_hfft", "fft_ihfft",
    "linalg_cond", "linalg_matrix_rank", "linalg_solve", "linalg_cholesky", "linalg_svdvals",
    "linalg_eigvals", "linalg_eigvalsh", "linalg_inv", "linalg_householder_product",
    "linalg_tensorinv", "linalg_tensorsolve", "fake_quantize_per_tensor_affine", "geqrf",
    "_lu_with_info", "qr", "svd", "triangular_solve", "fractional_max_pool2d",
    "fractional_max_pool3d", "adaptive_max_pool3d", "multilabel_margin_loss_forward",
    "linalg_qr", "linalg_cholesky_ex", "linalg_svd", "linalg_eig", "linalg_eigh",
    "linalg_lstsq", "linalg_inv_ex"))

_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}
_VALID_DEVICE_TYPES = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, "
                       "xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone")

# NOTE [ Autocast state ]
# As torch, autocast is a state per device type (enabled, dtype) plus one cache switch, which the
# set_autocast_* functions change directly and each region saves on entry and restores on exit.
# _settings holds the device types that are on, each with its target NumPy dtype (None for
# bfloat16 while NumPy has none: the cast then raises its TypeError); the Op hook is set only
# while it is not empty, so ops outside autocast pay nothing. The weight-cast cache lives until
# the outermost region exits or clear_autocast_cache() is called.
_enabled = {"cpu": False, "cuda": False}
_dtypes = {"cpu": _bfloat16, "cuda": _dtype.float16}
_cache_switch = [True]
_cache = {}
_nesting = [0]
_settings = {}


def _device_type(device_type):
    if device_type not in _enabled:
        raise RuntimeError(f"Expected one of {_VALID_DEVICE_TYPES} device type at start of "
                           f"device string: {device_type}")
    return device_type


def _check_bool(enabled):
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    return enabled


def is_autocast_available(device_type):
    return device_type in _DEFAULT_DTYPE


def is_autocast_enabled(device_type=None):
    """Whether autocast is on for device_type (CUDA when not given, as torch's legacy form)."""
    return _enabled[_device_type(device_type or "cuda")]


def get_autocast_dtype(device_type):
    return _dtypes[_device_type(device_type)]


def set_autocast_enabled(device_type, enabled=None):
    """set_autocast_enabled(device_type, enabled), or torch's legacy set_autocast_enabled(enabled)
    for CUDA."""
    if enabled is None:
        device_type, enabled = "cuda", _check_bool(device_type)
    if not isinstance(enabled, bool):
        raise TypeError("set_autocast_enabled(): argument 'enabled' (position 2) must be bool, "
                        f"not {type(enabled).__name__}")
    _enabled[_device_type(device_type)] = enabled
    _refresh()


def set_autocast_dtype(device_type, dtype):
    _dtypes[_device_type(device_type)] = dtype
    _refresh()


def is_autocast_cache_enabled():
    return _cache_switch[0]


def set_autocast_cache_enabled(enabled):
    _cache_switch[0] = _check_bool(enabled)


def clear_autocast_cache():
    _cache.clear()


def _deprecated(old, new):
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=user_stacklevel())


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return _enabled["cpu"]


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return _dtypes["cpu"]


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return _dtypes["cuda"]


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


class autocast:
    """Context manager and decorator: inside, ops on the lower-precision list compute in
    `dtype` (bfloat16 on CPU and float16 on CUDA by default) and those on the float32 list in
    float32; `enabled=False` opens a region where nothing is cast. Exit restores the autocast
    state found on entry."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEFAULT_DTYPE:
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = (is_autocast_cache_enabled() if cache_enabled is None
                               else bool(cache_enabled))
        self._enabled = bool(enabled)
        if self._enabled and device_type == "cuda" and not cuda.is_available():
            warnings.warn("User provided device_type of 'cuda', but CUDA is not available. "
                          "Disabling")
            self._enabled = False
        if self._enabled:
            self._check_dtype()

    def _check_dtype(self):
        """As torch, an unsupported dtype disables the region with a warning; bfloat16 is one
        here while NumPy has none (ember._bfloat16)."""
        reason = ""
        if self.fast_dtype is _bfloat16:
            try:
                self.fast_dtype.np
            except TypeError as exc:
                reason = f"\n{exc}"
        elif self.fast_dtype is not _dtype.float16:
            reason = (f"\n{self.device.upper()} Autocast only supports dtypes of "
                      "torch.float16, torch.bfloat16 currently.")
        if reason:
            warnings.warn(f"In {self.device.upper()} autocast, but the target dtype is not "
                          f"supported. Disabling autocast.{reason}")
            self._enabled = False

    def __enter__(self):
        self._saved = (_enabled[self.device], _dtypes[self.device], _cache_switch[0])
        _enabled[self.device] = self._enabled
        _dtypes[self.device] = self.fast_dtype
        _cache_switch[0] = self._cache_enabled
        _nesting[0] += 1
        _refresh()
        return self

    def __exit__(self, *exc):
        _nesting[0] -= 1
        if _nesting[0] == 0:
            _cache.clear()
        _enabled[self.device], _dtypes[self.device], _cache_switch[0] = self._saved
        _refresh()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self.device, self.fast_dtype, self._enabled,
                                self._cache_enabled):
                return func(*args, **kwargs)
        return wrapper


def _target(dtype):
    try:
        return dtype.np
    except TypeError:
        return None


def _refresh():
    _settings.clear()
    for device, on in _enabled.items():
        if on:
            _settings[device] = _target(_dtypes[device])
    _hooks.state.autocast = _cast_args if _settings else None
    _hooks.refresh()


def _cast_args(name, args):
    if name in LOWER_PRECISION:
        lower = True
    elif name in FLOAT32:
        lower = False
    else:
        return args
    return tuple(_cast(a, lower) if isinstance(a, Tensor) else a for a in args)


def _cast(t, lower):
    device = t.device.type
    kind = t._data.dtype
    if device not in _settings or kind.kind != "f" or kind.itemsize == 8:
        return t
    if not lower:
        return t if kind == _dtype.float32.np else t.to(_dtype.float32)
    target = _settings[device]
    if kind == target:
        return t
    if not (_cache_switch[0] and t._requires_grad and t._grad_fn is None):
        return t.to(_dtypes[device])
    hit = _cache.get(id(t))
    if hit is None or hit[0] is not t or hit[1].dtype is not _dtypes[device]:
        hit = _cache[id(t)] = (t, t.to(_dtypes[device]))
    return hit[1]


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    """Decorator for a custom Function's forward: with cast_inputs, run it with autocast off
    and its floating tensor inputs cast to cast_inputs while autocast is on."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def wrapper(*args, **kwargs):
        if cast_inputs is None or device_type not in _settings:
            return fwd(*args, **kwargs)
        args = tuple(a.to(cast_inputs) if isinstance(a, Tensor) and a.is_floating_point()
                     else a for a in args)
        with autocast(device_type, enabled=False):
            return fwd(*args, **kwargs)
    return wrapper


def custom_bwd(bwd=None, *, device_type="cuda"):
    """Decorator for a custom Function's backward (runs it as is: ember's backward runs under
    the autocast state of the caller)."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
