"""torch.BFloat16Tensor: the legacy typed constructor of a dtype ember names but cannot compute in
(NumPy has no bfloat16), so building one raises bfloat16's TypeError, as ember.zeros(dtype=bfloat16)
does, while programs may still hold and compare the class."""
import pytest

import ember

NO_BFLOAT16 = "NumPy has no bfloat16 .*'ml_dtypes'"


def test_the_class_carries_bfloat16_like_torchs():
    torch = pytest.importorskip("torch")
    assert str(ember.BFloat16Tensor.dtype) == str(torch.BFloat16Tensor.dtype) == "torch.bfloat16"
    assert ember.BFloat16Tensor.__name__ == torch.BFloat16Tensor.__name__ == "BFloat16Tensor"


def test_no_ember_tensor_is_a_bfloat16_tensor():
    for dtype in (ember.float32, ember.float16, ember.int64):
        assert not isinstance(ember.zeros(2, dtype=dtype), ember.BFloat16Tensor)
    assert isinstance(ember.zeros(2), ember.FloatTensor)  # the check above is not vacuous


@pytest.mark.parametrize("args", [(2, 3), ([1.5, 2.0],), (), (ember.Size([2]),)],
                         ids=["sizes", "data", "empty", "size"])
def test_building_one_raises_bfloat16s_error(args):
    with pytest.raises(TypeError, match=NO_BFLOAT16):
        ember.BFloat16Tensor(*args)


@pytest.mark.parametrize("spec", [ember.BFloat16Tensor, "torch.BFloat16Tensor"],
                         ids=["class", "name"])
def test_converting_to_it_raises_bfloat16s_error(spec):
    with pytest.raises(TypeError, match=NO_BFLOAT16):
        ember.ones(2).type(spec)
