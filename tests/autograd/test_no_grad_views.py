"""Views made in no_grad mode, modified in place with grad mode on: torch's refusal (ember went
on and gave the base a zero gradient), and the cases torch allows (NOTE [ Views made in no_grad
mode ] in ember/_tensor.py)."""
import pytest
import torch

import ember


def _outcome(fn, lib):
    try:
        r = fn(lib)
    except RuntimeError as exc:
        return str(exc)
    return r.tolist()


def _base_requiring_grad(lib):
    return lib.zeros(4, requires_grad=True).clone()


def _no_grad_view(lib, base):
    with lib.no_grad():
        return base[:2]


CASES = {
    "value_requires_grad": lambda lib: _no_grad_view(lib, _base_requiring_grad(lib)).mul_(
        lib.tensor([1.0, 2.0], requires_grad=True)),
    "base_requires_grad": lambda lib: _no_grad_view(lib, _base_requiring_grad(lib)).mul_(2),
    "plain_base_value_requires_grad": lambda lib: _no_grad_view(lib, lib.zeros(4)).mul_(
        lib.tensor([1.0, 2.0], requires_grad=True)),
    "slice_of_the_view": lambda lib: _no_grad_view(lib, _base_requiring_grad(lib))[:1].mul_(2),
    "view_of_the_view": lambda lib: _no_grad_view(lib, _base_requiring_grad(lib)).view(2).mul_(2),
    "plain_base_plain_value": lambda lib: _no_grad_view(lib, lib.zeros(4)).mul_(2),
    "relu_on_the_view": lambda lib: _no_grad_view(lib, _base_requiring_grad(lib)).relu_(),
}


@pytest.mark.parametrize("name", CASES)
def test_like_torch(name):
    assert _outcome(CASES[name], ember) == _outcome(CASES[name], torch)


def test_in_place_inside_no_grad_is_allowed():
    for lib in (ember, torch):
        base = _base_requiring_grad(lib)
        view = _no_grad_view(lib, base)
        with lib.no_grad():
            view.add_(1)
        assert base.tolist() == [1.0, 1.0, 0.0, 0.0]
