"""nn.init's deprecated names without the trailing underscore: each warns as torch 2.13 does
(FutureWarning, same message, pointing at the caller) and runs the in-place initialiser."""
import warnings

import numpy as np
import pytest

import ember

CASES = [("constant", (3, 4), (0.5,)), ("normal", (3, 4), ()), ("uniform", (3, 4), (-1.0, 2.0)),
         ("xavier_normal", (3, 4), ()), ("xavier_uniform", (3, 4), ()),
         ("kaiming_normal", (3, 4), ()), ("kaiming_uniform", (3, 4), ()),
         ("orthogonal", (3, 4), ()), ("dirac", (2, 2, 3), ()), ("eye", (3, 4), ())]


@pytest.mark.parametrize("name,shape,args", CASES)
def test_alias_warns_like_torch_and_fills_in_place(torch, name, shape, args):
    results = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        target = lib.empty(*shape)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            returned = getattr(lib.nn.init, name)(target, *args)
        assert returned is target
        assert len(caught) == 1 and caught[0].filename == __file__
        results[lib.__name__] = (caught[0].category, str(caught[0].message), target)
    t_cat, t_msg, _ = results["torch"]
    e_cat, e_msg, e_target = results["ember"]
    assert (e_cat, e_msg) == (t_cat, t_msg)
    # the values are the in-place initialiser's, from the same seed
    ember.manual_seed(0)
    expected = getattr(ember.nn.init, name + "_")(ember.empty(*shape), *args)
    np.testing.assert_array_equal(e_target.numpy(), expected.numpy())


def test_alias_passes_keyword_arguments():
    with pytest.warns(FutureWarning, match=r"`nn\.init\.constant` is now deprecated"):
        t = ember.nn.init.constant(ember.empty(2), val=3.0)
    assert t.tolist() == [3.0, 3.0]


def test_alias_raises_the_in_place_errors(torch):
    for lib in (torch, ember):
        with pytest.warns(FutureWarning), pytest.raises(ValueError, match="2 dimensions"):
            lib.nn.init.eye(lib.empty(2, 2, 2))
