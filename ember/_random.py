"""Random numbers: Generator, the default generator, manual_seed, and every sampling function.

Streams are NumPy PCG64 generators: the same seed gives the same numbers in every run and on
every platform (they are not PyTorch's Mersenne-Twister numbers).
"""
import math

import numpy as np

from . import _dtype
from ._backend import is_cpu_array, to_device, to_numpy
from ._device import as_device
from ._creation import _laid_out_like
from ._tensor import Tensor, _factory_requires_grad, _make

_DEFAULT_SEED = 67280421310721
# NOTE [ RNG state bytes ]
# A generator's state is PCG64's four numbers in fixed little-endian fields (state and increment,
# 128 bits each; the cached-half flag and the cached 32-bit half, 32 bits each): plain bytes,
# read back field by field. It was a pickle of NumPy's state dict, and loading a pickle from a
# ByteTensor would run whatever code a crafted state (a checkpoint's 'rng_state') held.
_STATE_FIELDS = (16, 16, 4, 4)


class Generator:
    def __init__(self, device="cpu"):
        self.device = as_device(device)
        self._seed = _DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        if not -(1 << 63) <= seed < 1 << 64:  # torch's range: an int64, or a uint64
            raise ValueError("Overflow when unpacking long long")
        if seed < 0:
            seed += 1 << 64
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) % (1 << 63)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream's state as a ByteTensor (NOTE [ RNG state bytes ])."""
        st = self._rng.bit_generator.state
        words = (st["state"]["state"], st["state"]["inc"], st["has_uint32"], st["uinteger"])
        blob = b"".join(w.to_bytes(n, "little") for w, n in zip(words, _STATE_FIELDS))
        return _make(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state):
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        blob = to_numpy(new_state._data).tobytes()
        if len(blob) != sum(_STATE_FIELDS):
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {sum(_STATE_FIELDS)} "
                               f"but found the input RNG state size to be {len(blob)}")
        words, at = [], 0
        for n in _STATE_FIELDS:
            words.append(int.from_bytes(blob[at:at + n], "little"))
            at += n
        state, inc, has_uint32, uinteger = words
        self._rng.bit_generator.state = {"bit_generator": "PCG64",
                                         "state": {"state": state, "inc": inc},
                                         "has_uint32": has_uint32 & 1, "uinteger": uinteger}
        return self

    @property
    def rng(self):
        return self._rng


default_generator = Generator()

# One generator per CUDA device, made on first use. Their numbers are drawn on the host and copied
# over, so a seed gives the same numbers on every device.
_cuda_generators = {}
_cuda_seed = [None]  # the seed of manual_seed / manual_seed_all, for generators made later


def cuda_generator(index):
    g = _cuda_generators.get(index)
    if g is None:
        g = _cuda_generators[index] = Generator(f"cuda:{index}")
        if _cuda_seed[0] is not None:
            g.manual_seed(_cuda_seed[0])
    return g


def manual_seed_cuda_all(seed):
    _cuda_seed[0] = seed
    for g in _cuda_generators.values():
        g.manual_seed(seed)


def manual_seed(seed):
    """Seed the default generator and every CUDA device's generator."""
    default_generator.manual_seed(seed)
    manual_seed_cuda_all(seed)
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _rng(generator, device=None):
    """The stream a sampler draws from: the generator given, else the device's default one."""
    dev_type = "cpu" if device is None else as_device(device).type
    if generator is None:
        if dev_type == "cpu":
            return default_generator.rng
        return cuda_generator(as_device(device).index or 0).rng
    if generator.device.type != dev_type:
        raise RuntimeError(f"Expected a '{dev_type}' device type for generator but found "
                           f"'{generator.device.type}'")
    return generator.rng


def _finish(array, dtype, device, requires_grad):
    d = as_device(device)
    if d.type != "cpu":
        array = to_device(array, d.type, d.index or 0)
    t = _make(array)
    return _factory_requires_grad(t) if requires_grad else t


def _like_input(array, ref):
    """A host sample as a tensor on ref's device."""
    d = ref.device
    return _make(array if d.type == "cpu" else to_device(array, d.type, d.index))


def _float_np(dtype):
    return (_dtype.canonical(dtype) or _dtype.get_default_dtype()).np


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


# The kernels torch names when uniform or normal numbers are asked of a dtype that is neither
# floating nor complex.
_REAL_KERNELS = {"uniform": "check_uniform_bounds", "normal": "normal_kernel_cpu"}

# torch's errors for the samplers that take no complex dtype.
_COMPLEX_ERRORS = {
    "random": lambda dt, p: RuntimeError("check_random_bounds handles only integral, "
                                         "floating-point and boolean types"),
    "exponential": lambda dt, p: RuntimeError(
        "Exponential distribution is a continuous probability distribution. dtype must be a "
        f"floating point but you specified {_dtype.type_name(dt)}"),
    "cauchy": lambda dt, p: RuntimeError(
        "Cauchy distribution is a continuous probability distribution. dtype must be a floating "
        f"point but you specified c10::complex<{'float' if dt == np.complex64 else 'double'}>"),
    "log_normal": lambda dt, p: _no_kernel("log_normal_cpu", dt),
    "geometric": lambda dt, p: _no_kernel("geometric_cpu", dt),
    "bernoulli": lambda dt, p: _no_kernel("bernoulli_tensor_cpu_self_" if isinstance(p, Tensor)
                                          else "bernoulli_scalar_cpu_", dt),
}

_SQRT_HALF = math.sqrt(0.5)


def _no_kernel(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype.type_name(dt)}'")


def _check_sampled_dtype(dt, kind, p=None):
    """torch's error where the distribution `kind` has no kernel for NumPy dtype dt."""
    if kind in _REAL_KERNELS:
        if dt.kind not in "fc":
            raise _no_kernel(_REAL_KERNELS[kind], dt)
    elif dt.kind == "c":
        raise _COMPLEX_ERRORS[kind](dt, p)


def _complex_parts(array):
    """A complex array's real and imaginary parts as a real view of shape + (2,)."""
    return array[..., None].view(np.finfo(array.dtype).dtype)


def _draw(rng, kind, shape, dt):
    """Uniform [0, 1) or standard normal numbers of a floating or complex dtype. As torch's, a
    complex number's parts are independent, each uniform, or normal with variance 1/2 so that
    E|z|^2 = 1."""
    _check_sampled_dtype(dt, kind)
    if dt.kind == "c":
        z = np.empty(shape, dt)
        parts = _complex_parts(z)
        parts[...] = _draw(rng, kind, parts.shape, parts.dtype)
        if kind == "normal":
            parts *= _SQRT_HALF
        return z
    draw = rng.random if kind == "uniform" else rng.standard_normal
    return draw(shape, dtype=np.float64 if dt == np.float16 else dt).astype(dt, copy=False)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    a = _draw(_rng(generator, device), "uniform", _size(size), np.dtype(_float_np(dtype)))
    return _finish(a, dtype, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    a = _draw(_rng(generator, device), "normal", _size(size), np.dtype(_float_np(dtype)))
    return _finish(a, dtype, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high  # randint(high, size)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    dt = np.dtype((_dtype.canonical(dtype) or _dtype.int64).np)
    _check_sampled_dtype(dt, "random")
    a = _integers(_rng(generator, device), low, high, tuple(size)).astype(dt, copy=False)
    return _finish(a, dtype, device, requires_grad)


_SHORT_RANGE = 1 << 32


def _integers(rng, low, high, shape):
    """Integers uniform in [low, high), int64. From a NumPy generator over a range of at most
    2^32, 64 random bits modulo the range, as torch's CPU randint takes them (the bias is under
    2^-32): a third of Generator.integers' time on a minibatch's indices (1.1 against 3.9 us)."""
    span = high - low
    if type(rng) is not np.random.Generator or type(span) is not int or \
            not 0 < span <= _SHORT_RANGE:
        return rng.integers(low, high, size=shape)
    bits = rng.bit_generator.random_raw(shape)
    bits %= np.uint64(span)
    sample = bits.view(np.int64)
    if low:
        sample += low
    return sample


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    dtype = _dtype.canonical(dtype)
    if dtype is not None and dtype.is_complex:
        raise _no_kernel("randperm", dtype.np)
    a = _rng(generator, device).permutation(int(n)).astype((dtype or _dtype.int64).np)
    return _finish(a, dtype, device, requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    out = rand(input.shape, dtype=dtype or input.dtype, device=device or input.device,
               requires_grad=requires_grad)
    return _laid_out_like(out, input._data, memory_format)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    out = randn(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)
    return _laid_out_like(out, input._data, memory_format)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    return randint(low, high, input.shape, dtype=dtype or input.dtype,
                   device=device or input.device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, out=None):
    """normal(mean, std, size) with float arguments, or elementwise with Tensor mean and/or std."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = to_numpy(mean._data) if isinstance(mean, Tensor) else mean
        s = to_numpy(std._data) if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        if (np.asarray(s) < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if np.iscomplexobj(s):
            raise RuntimeError("normal expects standard deviation to be non-complex")
        ref = mean if isinstance(mean, Tensor) else std
        dt = ref._data.dtype
        _check_sampled_dtype(dt, "normal")
        unit = _draw(_rng(generator, ref.device), "normal", shape,
                     np.dtype(np.complex128) if dt.kind == "c" else np.dtype(np.float64))
        return _like_input((unit * np.asarray(s) + np.asarray(m)).astype(dt), ref)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = np.dtype(_float_np(dtype))
    _check_sampled_dtype(dt, "normal")
    if dt.kind == "c":  # as normal_, the mean goes to both parts
        a = _draw(_rng(generator, device), "normal", tuple(size), dt)
        parts = _complex_parts(a)
        parts *= std
        parts += mean
    else:
        a = _rng(generator, device).normal(mean, std, size=tuple(size)).astype(dt)
    return _finish(a.astype(dt, copy=False), dtype, device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    _check_sampled_dtype(input._data.dtype, "bernoulli", input if p is None else p)
    probs = np.asarray(to_numpy(input._data) if p is None else p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("bernoulli_ expects p to be in [0, 1]" if p is not None else
                           "Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draw = _rng(generator, input.device).random(input.shape) < probs
    return _like_input(draw.astype(input._data.dtype), input)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    probs = np.asarray(to_numpy(input._data), dtype=np.float64)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs.reshape(-1, probs.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rng = _rng(generator, input.device)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        out[i] = rng.choice(row.shape[0], size=num_samples, replace=replacement, p=row / total)
    return _like_input(out.reshape(probs.shape[:-1] + (num_samples,)), input)


def _fill_float(rng, array, kind, loc, scale):
    """Uniform [loc, scale) or normal (mean loc, std scale) numbers drawn straight in the array's
    float dtype, in place: no float64 sample and temporaries four times a float32 tensor's size
    (nn.Linear(25088, 4096), VGG's first classifier layer, initialised in 28 s that way)."""
    direct = array.dtype in (np.float32, np.float64) and array.flags.c_contiguous
    out = array if direct else np.empty(array.shape, np.float64 if array.dtype == np.float64
                                        else np.float32)
    if kind == "uniform":
        rng.random(out=out, dtype=out.dtype)
        out *= scale - loc
    else:
        rng.standard_normal(out=out, dtype=out.dtype)
        out *= scale
    out += loc
    if not direct:
        array[...] = out


def _check_probability(p):
    """bernoulli_'s p, a number or a tensor of probabilities, within [0, 1], as torch requires."""
    if isinstance(p, Tensor):
        probs = to_numpy(p._data)
        if not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                               "(Could this error message be improved?  If so, please report an "
                               "enhancement request to PyTorch.)")
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


def _fill_bernoulli(rng, array, p, on_cpu):
    """array[...] = 1 with probability p, else 0, for a float array and a number p: uniforms drawn
    in float32 (float64 for a float64 array) and compared into a host array in one pass. Dropout's
    masks: 524K draws took 2.3 ms through float64 samples, a bool array and a cast, 1.3 ms so.
    A device array gets the same draws (the device streams are host generators too)."""
    dt = np.float64 if array.dtype == np.float64 else np.float32
    drawn = rng.random(array.shape, dtype=dt)
    if on_cpu:
        np.less(drawn, dt(p), out=array)
    else:
        array[...] = to_device((drawn < dt(p)).astype(array.dtype), "cuda", array.device.id)


def fill_(array, kind, generator, *params):
    """Fill an array in place from the distribution `kind` (the Tensor.*_ samplers)."""
    _check_sampled_dtype(array.dtype, kind, *params[:1])
    if kind == "bernoulli":
        _check_probability(params[0])
    if array.dtype.kind == "c":  # each part on its own, a normal one with variance std**2 / 2
        if kind == "normal":
            params = (params[0], params[1] * _SQRT_HALF)
        return fill_(_complex_parts(array), kind, generator, *params)
    on_cpu = is_cpu_array(array)
    rng = _rng(generator, "cpu" if on_cpu else f"cuda:{array.device.id}")
    shape = array.shape
    if kind in ("uniform", "normal") and on_cpu and array.dtype.kind == "f":
        return _fill_float(rng, array, kind, *params)
    if kind == "bernoulli" and array.dtype.kind == "f" and not isinstance(params[0], Tensor):
        return _fill_bernoulli(rng, array, params[0], on_cpu)
    if kind == "uniform":
        a, b = params
        sample = rng.random(shape) * (b - a) + a
    elif kind == "normal":
        mean, std = params
        sample = rng.standard_normal(shape) * std + mean
    elif kind == "bernoulli":
        (p,) = params
        p = to_numpy(p._data) if isinstance(p, Tensor) else p
        sample = rng.random(shape) < p
    elif kind == "random":
        low, high = params
        if high is None:
            low, high = 0, low if low else (2 ** 24 if array.dtype.kind == "f" else 2 ** 31)
        sample = _integers(rng, low, high, shape)
    elif kind == "exponential":
        sample = rng.exponential(1.0 / params[0], size=shape)
    elif kind == "geometric":
        sample = rng.geometric(params[0], size=shape)
    elif kind == "log_normal":
        sample = rng.lognormal(params[0], params[1], size=shape)
    elif kind == "cauchy":
        sample = params[0] + params[1] * rng.standard_cauchy(size=shape)
    else:
        raise ValueError(kind)
    array[...] = sample if on_cpu else to_device(sample.astype(array.dtype), "cuda",
                                                   array.device.id)
