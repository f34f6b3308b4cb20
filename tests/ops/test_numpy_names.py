"""NumPy's `axis=` and `keepdims=` on torch's functions and methods (NOTE [ NumPy names ])."""
import numpy as np
import pytest

import ember

DATA = np.arange(12.0).reshape(3, 4) % 5 - 1.5
INDEX = [[0], [2], [1]]

# name -> (call on a torch-like module `m`, an input `x` and an index `i`)
CALLS = {
    "sum keepdims": lambda m, x, i: x.sum(axis=1, keepdims=True),
    "mean keepdims": lambda m, x, i: m.mean(x, 0, keepdims=True),
    "std keepdims": lambda m, x, i: x.std(axis=0, keepdims=True, unbiased=False),
    "max keepdims": lambda m, x, i: x.max(axis=1, keepdims=True).values,
    "amax keepdims": lambda m, x, i: x.amax(axis=(0, 1), keepdims=True),
    "logsumexp keepdims": lambda m, x, i: m.logsumexp(x, axis=1, keepdims=True),
    "quantile keepdims": lambda m, x, i: x.quantile(0.5, axis=1, keepdims=True),
    "vector_norm keepdims": lambda m, x, i: m.linalg.vector_norm(x, axis=1, keepdims=True),
    "cat": lambda m, x, i: m.cat([x, x], axis=1),
    "stack": lambda m, x, i: m.stack([x, x], axis=1),
    "chunk": lambda m, x, i: x.chunk(2, axis=1)[1],
    "unbind": lambda m, x, i: x.unbind(axis=1)[2],
    "narrow": lambda m, x, i: x.narrow(axis=1, start=1, length=2),
    "softmax": lambda m, x, i: x.softmax(axis=1),
    "log_softmax": lambda m, x, i: m.log_softmax(x, axis=0),
    "sort": lambda m, x, i: x.sort(axis=1, descending=True).values,
    "argsort": lambda m, x, i: x.argsort(axis=0, stable=True),
    "topk": lambda m, x, i: x.topk(2, axis=1).values,
    "gather": lambda m, x, i: x.gather(axis=1, index=i),
    "take_along_dim": lambda m, x, i: m.take_along_dim(x, i, axis=1),
    "index_select": lambda m, x, i: x.index_select(axis=1, index=i[:, 0]),
    "scatter_": lambda m, x, i: x.clone().scatter_(axis=1, index=i, value=0.0),
    "diff": lambda m, x, i: m.diff(x, axis=1),
    "trapezoid": lambda m, x, i: m.trapezoid(x, axis=1),
    "repeat_interleave": lambda m, x, i: x.repeat_interleave(2, axis=1),
    "cosine_similarity": lambda m, x, i: m.cosine_similarity(x, x.flip(0), axis=1),
    "rfft": lambda m, x, i: m.fft.rfft(x, axis=0).abs(),
    "unsqueeze": lambda m, x, i: x.unsqueeze(axis=1),
    "squeeze": lambda m, x, i: m.squeeze(x[:1], axis=0),
    "select": lambda m, x, i: x.select(axis=1, index=2),
    "unsqueeze_": lambda m, x, i: x.unsqueeze_(axis=1),
    "unsqueeze_dim_keyword": lambda m, x, i: x.unsqueeze_(dim=0),
    "squeeze_": lambda m, x, i: x[:1].squeeze_(axis=0),
    "squeeze_dim_keyword": lambda m, x, i: x[:1].squeeze_(dim=0),
    "squeeze_several": lambda m, x, i: x[:1, :1].squeeze_(0, 1),
}


@pytest.mark.parametrize("name", CALLS)
def test_numpy_names_match_torch(torch, name):
    call = CALLS[name]
    got = call(ember, ember.tensor(DATA), ember.tensor(INDEX))
    want = call(torch, torch.tensor(DATA), torch.tensor(INDEX))
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-9)


def test_dim_given_twice_is_refused(torch):
    with pytest.raises(TypeError):
        torch.tensor(DATA).amax(dim=0, axis=1)
    with pytest.raises(TypeError, match="multiple values for argument 'dim'"):
        ember.cat([ember.tensor(DATA)], dim=0, axis=1)
    with pytest.raises(TypeError, match="multiple values for argument 'keepdim'"):
        ember.tensor(DATA).amax(0, keepdim=True, keepdims=True)
