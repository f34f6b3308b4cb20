"""The same inputs as ember and torch tensors, and conversions for comparing their results."""
import numpy as np

import ember


def pair(torch, array, requires_grad=True):
    array = np.asarray(array, dtype=np.float64)
    return (ember.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def as_numpy(t):
    return np.asarray(t.detach().numpy())


def components(nt):
    return [as_numpy(c) for c in nt.unbind()]


def assert_same(ours, theirs):
    np.testing.assert_allclose(as_numpy(ours), as_numpy(theirs), rtol=1e-10, atol=1e-12)


def assert_same_components(ours, theirs):
    mine, ref = components(ours), components(theirs)
    assert len(mine) == len(ref)
    for m, r in zip(mine, ref):
        assert m.shape == r.shape
        np.testing.assert_allclose(m, r, rtol=1e-10, atol=1e-12)
