"""The shared probs-or-logits parametrization (ember/distributions/_probs_logits.py) against torch
2.13: the batch shape when a tensor total_count meets a number probs, and the computed twin."""
import numpy as np
import pytest

import ember


@pytest.mark.parametrize("name", ["Binomial", "NegativeBinomial"])
@pytest.mark.parametrize("given", ["probs", "logits"])
def test_number_param_broadcast_with_tensor_total_count(torch, name, given):
    e = getattr(ember.distributions, name)(ember.tensor([3.0, 4.0]), **{given: 0.25})
    t = getattr(torch.distributions, name)(torch.tensor([3.0, 4.0]), **{given: 0.25})
    assert tuple(e.batch_shape) == tuple(t.batch_shape) == (2,)
    assert tuple(e.param_shape) == tuple(t.param_shape)
    np.testing.assert_allclose(e.probs.numpy(), t.probs.numpy(), rtol=1e-6)
    np.testing.assert_allclose(e.logits.numpy(), t.logits.numpy(), rtol=1e-6)
    assert e.total_count.dtype == ember.float32
