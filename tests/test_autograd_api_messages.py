"""Warnings and error messages of the autograd API and factories, against torch: reading .grad of
a non-leaf, an unused input of autograd.grad, requires_grad=True on an integer factory, einsum's
output subscripts."""
import warnings

import pytest
import torch

import ember


def _message(fn, lib):
    try:
        fn(lib)
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return type(exc).__name__, str(exc)
    return None


def _same_error(fn):
    got, want = _message(fn, ember), _message(fn, torch)
    assert want is not None and got == want


def _grad_warnings(lib):
    x = lib.ones(2, requires_grad=True)
    y, z = x * 2, x * 3
    z.retain_grad()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y.grad  # a non-leaf that retains no gradient: torch warns
        x.grad, z.grad  # a leaf, and a non-leaf that retains its gradient: no warning
    return [(w.category, str(w.message).split(" (Triggered")[0]) for w in caught]


def test_reading_grad_of_a_non_leaf_warns_as_torch():
    got = _grad_warnings(ember)
    assert got == _grad_warnings(torch) and len(got) == 1


def test_autograd_grad_names_the_unused_input():
    _same_error(lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(),
                                              [lib.ones(1, requires_grad=True)]))

    def second_unused(lib):
        x, w = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        return lib.autograd.grad((x * 2).sum(), [x, w])
    _same_error(second_unused)


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.full((2,), 1, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.arange(3, requires_grad=True),
    lambda lib: lib.asarray([1, 2], requires_grad=True),
    lambda lib: lib.randint(0, 3, (2,), requires_grad=True),
    lambda lib: lib.empty_strided((2,), (1,), dtype=lib.int32, requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_()])
def test_integer_tensors_refuse_requires_grad_in_torchs_words(make):
    _same_error(make)


@pytest.mark.parametrize("equation", ["ij->k", "ij->ii", "ij->kk", "ij->jij"])
def test_einsum_output_subscript_errors(equation):
    _same_error(lambda lib: lib.einsum(equation, lib.ones(2, 3)))


def test_function_ctx_is_the_class_of_a_functions_ctx():
    from ember.autograd.function import FunctionCtx
    seen = []

    class Double(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(isinstance(ctx, FunctionCtx))
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2
    Double.apply(ember.ones(2, requires_grad=True))
    assert seen == [True]
