"""Convolution's dtype checks in torch's order and words: the bias's dtype before any shape (in
C++ type names), then the channels and the bias's size, then a bool input, then the weight's
dtype ("expected scalar type Float but found Double")."""
import pytest
import torch

import ember

CASES = {
    "weight_double": lambda t: ((1, 2, 4, 4), t.float32, (3, 2, 3, 3), t.float64, None),
    "input_double": lambda t: ((1, 2, 4, 4), t.float64, (3, 2, 3, 3), t.float32, None),
    "weight_half": lambda t: ((1, 2, 4, 4), t.float32, (3, 2, 3, 3), t.float16, None),
    "input_long": lambda t: ((1, 2, 4, 4), t.int64, (3, 2, 3, 3), t.float32, None),
    "weight_bool": lambda t: ((1, 2, 4, 4), t.float32, (3, 2, 3, 3), t.bool, None),
    "input_bool": lambda t: ((1, 2, 4, 4), t.bool, (3, 2, 3, 3), t.float32, None),
    "bias_double": lambda t: ((1, 2, 4, 4), t.float32, (3, 2, 3, 3), t.float32, ((3,), t.float64)),
    "half_input_bias_double": lambda t: ((1, 2, 4, 4), t.float16, (3, 2, 3, 3), t.float16,
                                         ((3,), t.float64)),
    "bias_dtype_before_channels": lambda t: ((1, 2, 4, 4), t.float32, (3, 5, 3, 3), t.float32,
                                             ((4,), t.float64)),
    "channels_before_weight_dtype": lambda t: ((1, 2, 4, 4), t.float32, (3, 5, 3, 3), t.float64,
                                               None),
    "bias_size_before_weight_dtype": lambda t: ((1, 2, 4, 4), t.float32, (3, 2, 3, 3),
                                                t.float64, ((4,), t.float32)),
    # a batch of several float32/16 samples takes torch's oneDNN kernel and its older words
    "batch_weight_double": lambda t: ((2, 2, 4, 4), t.float32, (3, 2, 3, 3), t.float64, None),
    "batch_half_weight_double": lambda t: ((2, 2, 4, 4), t.float16, (3, 2, 3, 3), t.float64,
                                           None),
    "batch_double_weight_float": lambda t: ((2, 2, 4, 4), t.float64, (3, 2, 3, 3), t.float32,
                                            None),
    "batch_long_weight_float": lambda t: ((2, 2, 4, 4), t.int64, (3, 2, 3, 3), t.float32, None),
}


def _error(lib, case):
    xs, xd, ws, wd, bias = CASES[case](lib)
    b = None if bias is None else lib.ones(*bias[0], dtype=bias[1])
    with pytest.raises(Exception) as info:
        lib.nn.functional.conv2d(lib.ones(*xs, dtype=xd), lib.ones(*ws, dtype=wd), b)
    return info.type, str(info.value)


def test_an_empty_batch_skips_the_dtype_check():
    for lib in (ember, torch):
        y = lib.nn.functional.conv2d(lib.ones(0, 2, 4, 4), lib.ones(3, 2, 3, 3, dtype=lib.float64))
        assert tuple(y.shape) == (0, 3, 2, 2)


@pytest.mark.parametrize("case", sorted(CASES))
def test_conv_dtype_errors_match_torch(case):
    assert _error(ember, case) == _error(torch, case)
