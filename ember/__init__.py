"""ember: PyTorch's programming model on NumPy (CPU) and CuPy (GPU). The public face: re-exports."""
from . import _compiled  # first: EMBER_PURE_PYTHON must act before the core is imported
from ._dtype import (bool, double, dtype, float, float16, float32, float64, get_default_dtype,
                     half, int, int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from ._dtype import cdouble, cfloat, complex64, complex128
from ._dtype import uint16, uint32, uint64  # noqa: F401
from ._device import device
from ._device import device as _device_cls
from ._memory_layout import (channels_last, channels_last_3d, contiguous_format,  # noqa: F401
                             layout, legacy_contiguous_format, memory_format,
                             preserve_format, strided)
from ._tensor import Size, Tensor
from . import ops as _ops
from .ops import *  # noqa: F401,F403
from .ops.foreach import *  # noqa: F401,F403  (_foreach_*: underscored, not in ops.__all__)
from ._creation import set_default_tensor_type  # noqa: F401
from ._creation import (BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor,
                        FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor, arange,
                        as_tensor, asarray, empty, empty_like, eye, from_numpy, full, full_like,
                        is_floating_point, is_inference, is_tensor, linspace, logspace, numel,
                        ones, ones_like, range, tensor, zeros, zeros_like)
from ._random import (Generator, bernoulli, default_generator, get_rng_state, initial_seed,
                      manual_seed, multinomial, normal, rand, rand_like, randint, randint_like,
                      randn, randn_like, randperm, seed, set_rng_state)
from ._printing import set_printoptions  # noqa: F401
from . import autograd, cuda
from .serialization import load, save
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from . import nn, optim, utils
from .nn.functional import bilinear  # noqa: F401  (torch.bilinear is F.bilinear)
from . import fft, linalg, return_types, special
from . import sparse
from .sparse import sparse_coo, sparse_coo_tensor
from . import func
from .func import vmap  # torch.vmap is torch.func.vmap

from math import e, inf, nan, pi
from ._bfloat16 import bfloat16
from ._default_device import get_default_device, set_default_device
from ._dropin import install_as_torch
from ._finfo import finfo, iinfo
from .compiler import compile
from . import accelerator, backends, compiler, jit, onnx, random, serialization
from . import amp, cpu, distributed, multiprocessing, profiler
from . import hub, version
from .version import __version__  # noqa: F401
from . import quasirandom  # noqa: F401
from .amp import autocast
from .amp.autocast_mode import get_autocast_dtype, is_autocast_enabled
from .amp.autocast_mode import (clear_autocast_cache, get_autocast_cpu_dtype,  # noqa: F401
                                get_autocast_gpu_dtype, is_autocast_cache_enabled,
                                is_autocast_cpu_enabled, set_autocast_cache_enabled,
                                set_autocast_cpu_dtype, set_autocast_cpu_enabled,
                                set_autocast_dtype, set_autocast_enabled, set_autocast_gpu_dtype)
from . import signal
from .signal import windows  # torch.windows is torch.signal.windows
from ._settings import *  # noqa: F401,F403
from ._type_promotion import can_cast, promote_types, result_type
from ._windows import (bartlett_window, blackman_window, hamming_window, hann_window,
                       kaiser_window)
from ._grads import typename
from .autograd import is_inference_mode_enabled
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,  # noqa: F401
                                   set_anomaly_enabled)

from ._external_memory import from_dlpack, frombuffer, to_dlpack  # noqa: F401
from ._no_device import mps, xpu  # noqa: F401
from . import functional, testing, types  # noqa: F401
from .amp import GradScaler  # noqa: F401
from .ops._errors import OutOfMemoryError  # noqa: F401


def get_device(input):
    """input.get_device(): -1 on the CPU, else the CUDA device's index."""
    return input.get_device()


def get_device_module(device=None):
    """The module of a device type: ember.cuda for 'cuda', ember.cpu for 'cpu' (and for None
    when no GPU is usable, torch's current accelerator otherwise)."""
    if device is None:
        device = "cuda" if cuda.is_available() else "cpu"
    kind = _device_cls(device).type  # an unknown device string raises torch's error here
    modules = {"cpu": cpu, "cuda": cuda, "mps": mps, "xpu": xpu}
    if kind not in modules:
        raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as "
                           f"'torch.{kind}'.")
    return modules[kind]


def is_storage(obj):
    """False: ember tensors hold NumPy/CuPy arrays, and ember has no storage objects."""
    return False


# Last: the ops' functions hand a foreign tensor-like argument to its class when they fail on it
# (NOTE [ Dispatch on failure ] in ember/_foreign.py).
from ._foreign import dispatch_on_failure as _dispatch_on_failure  # noqa: E402
_dispatch_on_failure(globals(), __name__, [_n for _n in _ops.__all__ if globals().get(_n) is
                                           getattr(_ops, _n)])
# functions outside ember.ops that take a tensor
_dispatch_on_failure(globals(), __name__, [
    "bernoulli", "empty_like", "full_like", "get_device", "is_floating_point", "is_inference",
    "multinomial", "normal", "numel", "ones_like", "rand_like", "randint_like", "randn_like",
    "to_dlpack", "zeros_like"])


# torch.masked, torch.nested, torch.jagged (the nested layout) and torch.distributions load on
# first use: few programs touch them, and importing them eagerly cost ~10 ms (masked, nested) and
# ~40 ms (distributions) of ember's import.
_LAZY = ("masked", "nested", "jagged", "distributions")


def __getattr__(name):
    if name == "jagged":
        from .nested import jagged
        return jagged
    if name in _LAZY:
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
