"""scaled_dot_product_attention with keys or values whose sizes do not fit the queries: torch's
RuntimeError and message (ember raised NumPy's ValueError from its attention kernel)."""
import pytest
import torch

import ember


@pytest.mark.parametrize("q,k,v", [((1, 2, 3, 4), (1, 2, 3, 5), (1, 2, 3, 4)),
                                   ((2, 3, 4), (2, 3, 5), (2, 3, 4)),
                                   ((3, 4), (3, 5), (3, 4))])
def test_key_width_mismatch_raises_torchs_error(q, k, v):
    with pytest.raises(RuntimeError) as want:
        torch.nn.functional.scaled_dot_product_attention(torch.zeros(q), torch.zeros(k),
                                                         torch.zeros(v))
    with pytest.raises(RuntimeError) as got:
        ember.nn.functional.scaled_dot_product_attention(ember.zeros(q), ember.zeros(k),
                                                         ember.zeros(v))
    assert str(got.value) == str(want.value)


def test_value_length_mismatch_raises():
    """torch's CPU kernel returns zeros here (it reads past the values' length); ember refuses
    with the message torch's composed path gives."""
    with pytest.raises(RuntimeError, match=r"Expected size for first two dimensions of batch2 "
                       r"tensor to be: \[2, 3\] but got: \[2, 5\]"):
        ember.nn.functional.scaled_dot_product_attention(
            ember.zeros(1, 2, 3, 4), ember.zeros(1, 2, 3, 4), ember.zeros(1, 2, 5, 4))
