"""The modules and names real PyTorch programs reach for first (issue 9, section 2): backends,
accelerator, default device, jit, compile, finfo/iinfo, constants, onnx, bfloat16, device
queries, module paths, and ndarray subclasses (np.memmap) as tensor data."""
import importlib
import math
import warnings

import numpy as np
import pytest

import ember


def test_backends_flags_are_settable_and_say_no_accelerator():
    import ember.backends.cudnn as cudnn
    saved = (cudnn.benchmark, cudnn.deterministic, cudnn.enabled)
    try:
        cudnn.benchmark, cudnn.deterministic, cudnn.enabled = True, True, False
        assert (ember.backends.cudnn.benchmark, ember.backends.cudnn.deterministic,
                ember.backends.cudnn.enabled) == (True, True, False)
    finally:
        cudnn.benchmark, cudnn.deterministic, cudnn.enabled = saved
    assert ember.backends.mps.is_available() is False and ember.backends.mps.is_built() is False
    assert ember.backends.cuda.matmul.allow_tf32 is False
    ember.backends.cuda.matmul.allow_tf32 = True
    assert ember.backends.cuda.matmul.allow_tf32 is True
    ember.backends.cuda.matmul.allow_tf32 = False


def test_accelerator_follows_cuda():
    assert ember.accelerator.is_available() == ember.cuda.is_available()
    assert ember.accelerator.device_count() == ember.cuda.device_count()
    if not ember.cuda.is_available():
        assert ember.accelerator.current_accelerator() is None
    else:
        assert ember.accelerator.current_accelerator() == ember.device("cuda")


def test_default_device_takes_cpu_and_refuses_others():
    ember.set_default_device("cpu")
    ember.set_default_device(None)
    assert ember.get_default_device() == ember.device("cpu")
    with pytest.raises(NotImplementedError, match="pass device= to them"):
        ember.set_default_device("cuda")
    assert ember.ones(1).device == ember.device("cpu")


def test_jit_and_compile_return_what_they_get_and_warnings(monkeypatch):
    monkeypatch.setattr(ember._warnings, "_given", set())
    net = ember.nn.Linear(2, 2)
    with pytest.warns(UserWarning, match="ember does not compile"):
        assert ember.jit.script(net) is net
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.jit.script(net) is net  # once only
    with pytest.warns(UserWarning, match="ember does not compile"):
        assert ember.jit.trace(net, ember.ones(1, 2)) is net
    with pytest.warns(UserWarning, match="torch.compile: ember does not compile"):
        assert ember.compile(net) is net
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.compile(mode="max-autotune")(net) is net

    def f(x):
        return x
    assert ember.jit.ignore(f) is f and ember.jit.ignore(drop=True)(f) is f
    assert ember.jit.unused(f) is f and ember.jit.export(f) is f
    assert ember.jit.is_scripting() is False and ember.jit.is_tracing() is False
    with pytest.raises(NotImplementedError, match="torch.jit.save: ember has no TorchScript"):
        ember.jit.save(net, "m.pt")
    with pytest.raises(NotImplementedError, match="torch.jit.load: ember has no TorchScript"):
        ember.jit.load("m.pt")


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_torch(name):
    torch = pytest.importorskip("torch")
    got, want = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(got, attr) == getattr(want, attr), attr
        assert type(getattr(got, attr)) is type(getattr(want, attr)), attr
    assert repr(got) == repr(want)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name):
    torch = pytest.importorskip("torch")
    got, want = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    assert (got.bits, got.max, got.min, got.dtype) == (want.bits, want.max, want.min, want.dtype)
    assert repr(got) == repr(want)


def test_finfo_iinfo_errors_and_default():
    assert ember.finfo().dtype == "float32"
    with pytest.raises(TypeError, match="requires a floating point input type"):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError, match="requires an integer input type"):
        ember.iinfo(ember.float32)
    with pytest.raises(TypeError, match="torch.bool is not supported by torch.iinfo"):
        ember.iinfo(ember.bool)


def test_constants():
    assert (ember.pi, ember.e) == (math.pi, math.e)
    assert ember.inf == math.inf and math.isnan(ember.nan)


def test_onnx_export_is_refused_by_name():
    with pytest.raises(NotImplementedError, match="torch.onnx.export is not available in ember"):
        ember.onnx.export(ember.nn.Linear(2, 2), (ember.ones(1, 2),), "m.onnx")
    assert ember.onnx.is_in_onnx_export() is False


def test_bfloat16_is_a_name_but_not_a_dtype_to_compute_in():
    assert repr(ember.bfloat16) == "torch.bfloat16" and ember.bfloat16.is_floating_point
    table = {"float32": ember.float32, "bfloat16": ember.bfloat16}  # nanoGPT's start-up table
    assert table["float32"] is ember.float32
    for make in (lambda: ember.zeros(2, dtype=ember.bfloat16),
                 lambda: ember.ones(2).to(ember.bfloat16),
                 lambda: ember.tensor([1.0], dtype=ember.bfloat16)):
        with pytest.raises(TypeError, match="NumPy has no bfloat16 .*'ml_dtypes'"):
            make()


def test_device_queries_on_tensors():
    x = ember.ones(2)
    assert (x.is_xpu, x.is_mps, x.is_meta) == (False, False, False)


@pytest.mark.parametrize("path, name", [
    ("nn.modules.activation", "MultiheadAttention"), ("nn.modules.activation", "ReLU"),
    ("nn.modules.linear", "Linear"), ("nn.modules.conv", "Conv2d"),
    ("nn.modules.batchnorm", "BatchNorm2d"), ("nn.modules.batchnorm", "_BatchNorm"),
    ("nn.modules.normalization", "LayerNorm"), ("nn.modules.module", "Module"),
    ("nn.modules.container", "Sequential"), ("nn.modules.loss", "CrossEntropyLoss"),
    ("nn.modules.transformer", "TransformerEncoderLayer"), ("nn.init", "kaiming_uniform_"),
    ("nn.parameter", "Parameter"), ("nn.utils", "clip_grad_norm_"),
    ("utils.data.dataset", "Dataset"), ("utils.data.dataloader", "DataLoader"),
    ("utils.data.sampler", "RandomSampler"), ("optim.lr_scheduler", "StepLR"),
    ("optim.optimizer", "Optimizer"), ("autograd.function", "Function"),
    ("random", "manual_seed"), ("serialization", "add_safe_globals"),
    ("backends.cudnn", "benchmark"), ("jit", "script"), ("onnx", "export"),
])
def test_modules_at_torchs_paths(path, name):
    module = importlib.import_module("ember." + path)
    assert hasattr(module, name)
    torch = pytest.importorskip("torch")
    assert hasattr(importlib.import_module("torch." + path), name)


def test_ndarray_subclasses_become_plain_cpu_tensors(tmp_path):
    m = np.memmap(tmp_path / "tokens.bin", dtype=np.int64, mode="w+", shape=(64,))
    m[:] = np.arange(64)
    x = ember.from_numpy(m[8:12])
    assert type(x._data) is np.ndarray and x.device == ember.device("cpu")
    assert (x + 1).tolist() == [9, 10, 11, 12]
    m[8] = 100
    assert x[0].item() == 100  # from_numpy shares memory with the memmap
    a = ember.as_tensor(m[:3])
    m[0] = -1
    assert a.tolist() == [-1, 1, 2] and type(a._data) is np.ndarray
    t = ember.tensor(m[:3])
    m[0] = 7
    assert t.tolist() == [-1, 1, 2] and type(t._data) is np.ndarray
    batch = ember.stack([ember.from_numpy(m[i:i + 4].astype(np.int64)) for i in (0, 4)])
    assert batch.shape == (2, 4) and (batch * 2).sum().item() == 2 * int(m[:8].sum())
