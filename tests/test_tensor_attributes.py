"""Tensor attributes and Python protocols: shape, strides, conversion, autograd flags, vs torch."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(data, **kw):
    return ember.tensor(data, **kw), torch.tensor(data, **kw)


# -- shape and layout ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3), (2, 1, 3), (1, 2, 3, 4)])
def test_shape_size_dim_numel(shape):
    e, t = ember.zeros(shape), torch.zeros(shape)
    assert e.shape == t.shape and isinstance(e.shape, ember.Size)
    assert repr(e.shape) == repr(t.shape)
    assert e.size() == t.size() and e.dim() == t.dim() == e.ndim == e.ndimension()
    assert e.numel() == t.numel() == e.nelement() == ember.numel(e)
    for d in range(-len(shape), len(shape)):
        assert e.size(d) == t.size(d)


def test_size_out_of_range():
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.zeros(2, 3).size(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.zeros(2, 3).size(-3)


def test_size_object():
    s = ember.zeros(2, 3, 4).shape
    assert s == (2, 3, 4) and s[1] == 3 and isinstance(s[1:], ember.Size)
    assert s.numel() == 24 and repr(s[1:]) == "torch.Size([3, 4])"
    assert isinstance(s + (5,), ember.Size) and tuple(s + (5,)) == (2, 3, 4, 5)


def test_dtype_and_device():
    x = ember.ones(2)
    assert x.dtype == ember.float32
    assert x.device == ember.device("cpu") and str(x.device) == "cpu"
    assert repr(x.device) == repr(torch.ones(2).device) == "device(type='cpu')"
    assert x.device.type == "cpu" and x.device.index is None
    assert x.is_cpu and not x.is_cuda and x.get_device() == -1


@pytest.mark.parametrize("shape", [(2, 3, 4), (3, 1), (5,)])
def test_stride_and_contiguity(shape):
    e, t = ember.zeros(shape), torch.zeros(shape)
    assert e.stride() == t.stride()
    for d in range(-len(shape), len(shape)):
        assert e.stride(d) == t.stride(d)
    assert e.is_contiguous() and e.contiguous() is e


def test_non_contiguous_views():
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    e = ember.from_numpy(a[:, ::2])
    t = torch.from_numpy(a.copy())[:, ::2]
    assert e.stride() == t.stride() and not e.is_contiguous()
    c = e.contiguous()
    assert c.is_contiguous() and c.stride() == t.contiguous().stride()
    assert c.tolist() == t.tolist()


def test_transpose_strides():
    e, t = ember.zeros(2, 3), torch.zeros(2, 3)
    assert e.t().stride() == t.t().stride() and not e.t().is_contiguous()
    assert e.t().contiguous().is_contiguous()


def test_T_and_mT():
    data = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    e, t = ember.tensor(data[0]), torch.tensor(data[0])
    assert e.T.shape == t.T.shape and e.T.tolist() == t.T.tolist()
    e3, t3 = ember.tensor(data), torch.tensor(data)
    assert e3.mT.shape == t3.mT.shape == (2, 4, 3) and e3.mT.tolist() == t3.mT.tolist()
    assert ember.arange(3).T.shape == (3,)
    with pytest.raises(RuntimeError):
        torch.arange(3).mT
    with pytest.raises(RuntimeError):
        ember.arange(3).mT


# -- conversion to Python and NumPy ----------------------------------------------------------------

ITEMS = {"float": 2.5, "float32_inexact": 0.1, "int": 3, "bool": True, "one_elem": [[7.0]],
         "negative_int": -4}


@pytest.mark.parametrize("name", list(ITEMS))
def test_item(name):
    e, t = _pair(ITEMS[name])
    assert e.item() == t.item() and type(e.item()) is type(t.item())


def test_item_of_many_elements_raises():
    with pytest.raises(RuntimeError, match="a Tensor with 6 elements cannot be converted to "
                                           "Scalar"):
        ember.ones(2, 3).item()
    with pytest.raises(RuntimeError, match="a Tensor with 0 elements"):
        ember.ones(0).item()


@pytest.mark.parametrize("data", [[[1, 2], [3, 4]], 1.5, [True, False], [[0.1, 2.0]], []])
def test_tolist(data):
    e, t = _pair(data)
    assert e.tolist() == t.tolist()
    assert type(e.tolist()) is type(t.tolist())


def test_python_number_conversions():
    assert int(ember.tensor(2.7)) == int(torch.tensor(2.7)) == 2
    assert float(ember.tensor(3)) == 3.0 and isinstance(float(ember.tensor(3)), float)
    assert [10, 20, 30][ember.tensor(1)] == 20
    with pytest.raises(TypeError):
        [10, 20, 30][ember.tensor(1.0)]


@pytest.mark.parametrize("convert", [float, int, complex])
@pytest.mark.parametrize("data", [[1.0, 2.0], []])
def test_python_number_conversion_of_many_elements_is_a_value_error(convert, data):
    e, t = _pair(data)
    with pytest.raises(ValueError) as t_err:
        convert(t)
    with pytest.raises(ValueError) as e_err:
        convert(e)
    assert str(e_err.value) == str(t_err.value)


def test_numpy_shares_memory():
    x = ember.zeros(3)
    n = x.numpy()
    assert n.dtype == np.float32
    n[0] = 5.0
    assert x.tolist()[0] == 5.0
    x.add_(1.0)
    assert n[1] == 1.0
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        ember.ones(2, requires_grad=True).numpy()
    assert ember.ones(2, requires_grad=True).detach().numpy().tolist() == [1.0, 1.0]
    assert ember.ones(2, requires_grad=True).numpy(force=True).tolist() == [1.0, 1.0]


def test_array_protocol():
    x = ember.tensor([1.0, 2.0])
    a = np.asarray(x)
    assert a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.array(x).tolist() == [1.0, 2.0]
    assert np.shares_memory(np.asarray(x), x.numpy())
    assert not np.shares_memory(np.array(x, copy=True), x.numpy())


def test_array_protocol_refuses_requires_grad():
    with pytest.raises(RuntimeError):
        np.asarray(torch.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(ember.ones(2, requires_grad=True))


def test_format():
    assert f"{ember.tensor(3.14159):.2f}" == f"{torch.tensor(3.14159):.2f}" == "3.14"
    assert f"{ember.tensor(7):>4d}" == "   7"
    assert f"{ember.tensor(1.5, requires_grad=True):.1f}" == "1.5"
    assert f"{ember.tensor([1.5])}" == f"{torch.tensor([1.5])}" == "tensor([1.5000])"
    with pytest.raises(TypeError):
        f"{ember.tensor([1.5]):.2f}"


# -- protocols -------------------------------------------------------------------------------------

def test_len():
    assert len(ember.ones(4, 2)) == len(torch.ones(4, 2)) == 4
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(ember.tensor(1.0))


def test_iteration():
    e, t = _pair([[1, 2], [3, 4]])
    rows = list(e)
    assert [r.tolist() for r in rows] == [r.tolist() for r in t]
    assert all(isinstance(r, ember.Tensor) and r.shape == (2,) for r in rows)
    assert [v.item() for v in ember.tensor([5, 6])] == [5, 6]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ember.tensor(1.0))


def test_bool():
    assert bool(ember.tensor([1.0])) and not bool(ember.tensor(0))
    assert bool(ember.tensor(True)) and not bool(ember.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is "
                                           "ambiguous"):
        bool(ember.ones(2))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(ember.ones(0))


# -- copies and autograd attributes ----------------------------------------------------------------

def test_clone_copies_and_records_graph():
    x = ember.tensor([1.0, 2.0])
    c = x.clone()
    c.numpy()[0] = 9.0
    assert x.tolist() == [1.0, 2.0]
    r = ember.tensor([1.0, 2.0], requires_grad=True)
    rc = r.clone()
    assert type(rc.grad_fn).__name__ == "CloneBackward0" and not rc.is_leaf
    rc.sum().backward()
    assert r.grad.tolist() == [1.0, 1.0]


def test_detach_shares_memory_and_drops_history():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d.numpy()[0] = 10.0
    assert y.tolist()[0] == 10.0
    x.detach().numpy()[1] = 5.0
    assert x.tolist()[1] == 5.0


def test_requires_grad_flags():
    x = ember.ones(2)
    assert not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        ember.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        ember.tensor([1, 2]).requires_grad = True
    y = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables"):
        y.requires_grad = False


def test_is_leaf_grad_fn_and_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert x.is_leaf and x.grad_fn is None and x.grad is None
    assert ember.ones(2).is_leaf and (ember.ones(2) * 2).is_leaf
    y = x * x
    assert not y.is_leaf and type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0] and x.grad.dtype == ember.float32
    assert y.grad is None
    x.grad = None
    assert x.grad is None
    with pytest.raises(RuntimeError, match="assigned grad has data of a different size"):
        x.grad = ember.zeros(3)


def test_data_read_and_assign():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.is_leaf
    d.mul_(3.0)  # in place through .data: not recorded, but visible in x
    assert x.tolist() == [3.0, 6.0] and x.requires_grad and x.grad_fn is None
    x.data = ember.zeros(3)
    assert x.shape == (3,) and x.requires_grad and x.is_leaf
    y = (x * 2).data
    assert y.grad_fn is None and y.tolist() == [0.0, 0.0, 0.0]


def test_misc_attributes():
    x = ember.ones(2, 3, dtype=ember.float64)
    t = torch.ones(2, 3, dtype=torch.float64)
    assert x.element_size() == t.element_size() == x.itemsize
    assert x.nbytes == t.nbytes
    assert not x.is_complex() and x.is_floating_point()
    assert x.output_nr == 0 and x.data_ptr() == x.data.data_ptr()


def test_new_factories_take_dtype_and_device_from_self():
    torch = pytest.importorskip("torch")
    for m in (ember, torch):
        x = m.ones(2, dtype=m.float64)
        assert str(x.new_zeros(2, 3).dtype) == "torch.float64"
        assert x.new_zeros((2, 3)).shape == (2, 3)
        assert x.new_full((2,), 3.0).tolist() == [3.0, 3.0]
        assert str(x.new_tensor([1, 2]).dtype) == "torch.float64"
        assert str(x.new_ones(1, dtype=m.int32).dtype) == "torch.int32"
        assert x.new_empty(4).shape == (4,)


@pytest.mark.parametrize("name", ["is_sparse", "is_sparse_csr", "is_quantized", "is_mkldnn",
                                  "is_meta", "is_ipu", "is_maia", "is_mtia", "is_vulkan",
                                  "is_xla", "is_xpu", "is_mps", "is_nested"])
def test_layout_and_backend_flags_are_false_as_for_torchs_dense_cpu_tensors(name):
    assert getattr(torch.zeros(2), name) is False
    assert getattr(ember.zeros(2), name) is False


def test_version_is_an_int_that_in_place_writes_bump_as_torchs():
    for lib in (torch, ember):
        x = lib.zeros(3)
        before = x._version
        x.add_(1)
        x[0] = 2.0
        view = x[1:]
        view.mul_(2)
        assert (before, x._version, view._version) == (0, 3, 3)
        assert type(x._version) is int
