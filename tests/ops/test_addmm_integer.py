"""The addmm family on integer tensors with float beta/alpha: torch truncates the scalars
(addmm, addmv, baddbmm, addbmm) or refuses them (addr); ember does the same."""
import pytest

import ember

from .parity import same

torch = pytest.importorskip("torch")


def _args(lib):
    L = lib.long
    return dict(c=lib.ones(2, 2, dtype=L), a=lib.arange(6, dtype=L).reshape(2, 3),
                b=lib.arange(6, dtype=L).reshape(3, 2), v=lib.arange(3, dtype=L),
                b1=lib.arange(12, dtype=L).reshape(2, 2, 3),
                b2=lib.arange(12, dtype=L).reshape(2, 3, 2))


@pytest.mark.parametrize("call", [
    lambda lib, t: lib.addmm(t["c"], t["a"], t["b"], beta=0.5, alpha=2.5),
    lambda lib, t: lib.addmv(t["c"][0], t["a"], t["v"], alpha=3.7),
    lambda lib, t: lib.baddbmm(t["c"].expand(2, 2, 2), t["b1"], t["b2"], beta=2.9),
    lambda lib, t: lib.addbmm(t["c"], t["b1"], t["b2"], alpha=1.5),
])
def test_scalars_truncate_as_torch(call):
    got, want = call(ember, _args(ember)), call(torch, _args(torch))
    assert str(got.dtype) == str(want.dtype) and got.tolist() == want.tolist()


@pytest.mark.parametrize("kwargs", [dict(beta=0.5), dict(alpha=1.5)])
def test_addr_refuses_float_scalars_as_torch(kwargs):
    def call(lib):
        t = _args(lib)
        return lib.addr(t["c"], t["v"][:2], t["v"][:2], **kwargs)
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(ember)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype", ["bool", "int64", "float32"])
def test_addmm_with_an_empty_product_takes_any_scalars(dtype):
    """No kernel runs for an empty product: torch returns the empty result whatever the dtype
    and scalars (op fuzzer seed 4242, case 840)."""
    def addmm(lib):
        dt = getattr(lib, dtype)
        return lib.addmm(lib.zeros(2, 0, dtype=dt), lib.ones(2, 1, dtype=dt),
                         lib.zeros(1, 0, dtype=dt), beta=1, alpha=2.0)
    same(addmm)
