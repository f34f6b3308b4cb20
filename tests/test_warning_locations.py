"""Where warnings point (ember/_warnings.py): at the user's call, as torch's do, through ember's
wrappers and compiled functions alike; and the warnings torch gives once a process: float() and
complex() of a tensor
that requires grad (item(), int() and bool() do not warn, as in torch 2.13), index_reduce's beta
notice, set_default_tensor_type's deprecation, scatter's reduce= with a Tensor src. Each points at
the user's call (the first frame outside ember), as torch's C++ warnings do."""
import subprocess
import sys
import warnings

import pytest

import ember

MESSAGE = ("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
           "behavior.\nConsider using tensor.detach() first.")


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(ember._warnings, "_given", set())


@pytest.mark.parametrize("convert", [float, complex])
def test_warns_once(fresh, convert):
    x = ember.ones(1, requires_grad=True)
    with pytest.warns(UserWarning) as record:
        convert(x * 2)
    assert [str(w.message) for w in record] == [MESSAGE]
    assert record[0].filename == __file__  # points at the conversion, not into ember
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        float(x)
        complex(x)


@pytest.mark.parametrize("convert", [lambda t: t.item(), int, bool, float])
def test_silent_conversions(fresh, convert):
    x = ember.ones(1, requires_grad=convert is not float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        convert(x)


def test_message_is_torchs():
    code = ("import warnings, torch\nwith warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n    float(torch.ones(1, requires_grad=True))\n"
            "print(str(w[0].message))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith(MESSAGE)


@pytest.mark.parametrize("call, match", [
    (lambda: ember.zeros(3).index_reduce(0, ember.tensor([0]), ember.ones(1), "amax"), "in beta"),
    (lambda: ember.set_default_tensor_type(ember.FloatTensor), "is deprecated as of PyTorch 2.1"),
    (lambda: ember.scatter(ember.zeros(3), 0, ember.tensor([0, 1]), ember.ones(2), reduce="add"),
     "The reduce argument of torch.scatter with Tensor src is deprecated"),
    (lambda: ember.zeros(3).scatter_(0, ember.tensor([0, 1]), ember.ones(2), reduce="multiply"),
     "The reduce argument of torch.scatter with Tensor src is deprecated"),
])
def test_other_once_a_process_warnings(fresh, call, match):
    with pytest.warns(UserWarning, match=match) as record:
        call()
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call()


def test_scatter_reduce_with_a_number_does_not_warn(fresh):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.zeros(3).scatter(0, ember.tensor([0, 1]), 2.0, reduce="add")


@pytest.mark.parametrize("call", [
    lambda F: F.log_softmax(ember.zeros(2, 3)),  # implicit dim, through the NumPy-names wrapper
    lambda F: F.affine_grid(ember.eye(2, 3)[None], [1, 1, 4, 4]),  # through _foreign's wrapper
    lambda F: F.nll_loss(ember.zeros(2, 3), ember.tensor([0, 1]), size_average=False),
    lambda F: F.dropout2d(ember.zeros(2, 3)),  # nn.functional wraps its public globals
    lambda F: ember.nn.Dropout2d()(ember.zeros(2, 3, 4)),
    lambda F: ember.autograd.grad(ember.ones(1, requires_grad=True) * 2,
                                  ember.ones(1, requires_grad=True), allow_unused=True,
                                  only_inputs=False),  # from the compiled engine
])
def test_warnings_point_at_the_users_line(call):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        here = sys._getframe().f_lineno + 1  # one frame too far would point at this line
        call(ember.nn.functional)
    assert record and all(w.filename == __file__ and w.lineno != here for w in record), \
        [(w.filename, w.lineno, str(w.message)[:60]) for w in record]


@pytest.mark.parametrize("name, kwargs", [
    ("upsample", {"scale_factor": 2}), ("upsample", {"size": (3, 5), "mode": "bilinear"}),
    ("upsample", {"scale_factor": 2, "mode": "bicubic", "align_corners": True}),
    ("upsample_nearest", {"scale_factor": 2}), ("upsample_bilinear", {"size": 4}),
])
def test_deprecated_upsample_names(name, kwargs):
    """torch keeps F.upsample, upsample_nearest and upsample_bilinear (corners aligned) for old
    programs: interpolate's values, with torch's deprecation warning at the user's line."""
    import numpy as np
    import torch
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    with pytest.warns(UserWarning) as got:
        mine = getattr(ember.nn.functional, name)(ember.tensor(x), **kwargs)
    with pytest.warns(UserWarning) as want:
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x), **kwargs)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)
    assert [str(w.message) for w in got] == [str(w.message) for w in want]
    assert got[0].filename == __file__
