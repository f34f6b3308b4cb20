"""torch.autograd's re-exports of torch.overrides (has_torch_function, handle_torch_function,
is_tensor_like) and the multithreading switch, against torch 2.13."""
import pytest

import ember


def _foreign(lib, answer):
    class Foreign:
        calls = []

        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            cls.calls.append((func, types, args, kwargs))
            return answer
    return Foreign


def test_has_torch_function_matches_torch(torch):
    for lib in (torch, ember):
        Foreign = _foreign(lib, 1)
        has = lib.autograd.has_torch_function
        assert has((Foreign(),)) and has([1, Foreign()])
        assert not has([lib.ones(1), lib.nn.Parameter(lib.ones(1)), 2.0])
        assert not has([[Foreign()]])  # nested containers are not looked into
        assert not has(())


def test_is_tensor_like_matches_torch(torch):
    for lib in (torch, ember):
        Foreign = _foreign(lib, 1)
        like = lib.autograd.is_tensor_like
        assert like(lib.ones(1)) and like(lib.nn.Parameter(lib.ones(1)))
        assert like(Foreign()) and like(Foreign)
        assert not like(1) and not like([lib.ones(1)])


def test_handle_torch_function_calls_the_override(torch):
    for lib in (torch, ember):
        Foreign = _foreign(lib, "answered")
        x = Foreign()
        assert lib.autograd.handle_torch_function(lib.add, (x,), x, 2, alpha=3) == "answered"
        func, types, args, kwargs = Foreign.calls[-1]
        assert func is lib.add and types == (Foreign,)
        assert args == (x, 2) and kwargs == {"alpha": 3}


def test_handle_torch_function_asks_subclasses_first(torch):
    for lib in (torch, ember):
        order = []

        class Base:
            @classmethod
            def __torch_function__(cls, func, types, args=(), kwargs=None):
                order.append(cls.__name__)
                return NotImplemented if cls is Sub else cls.__name__

        class Sub(Base):
            pass
        got = lib.autograd.handle_torch_function(lib.exp, (Base(), Sub()), Base())
        assert got == "Base" and order == ["Sub", "Base"]


def test_handle_torch_function_with_no_answer_raises_type_error(torch):
    for lib in (torch, ember):
        Refuses = _foreign(lib, NotImplemented)
        with pytest.raises(TypeError, match="no implementation found for .* on types that "
                                            "implement __torch_function__"):
            lib.autograd.handle_torch_function(lib.add, (Refuses(),), Refuses(), 1)


def test_multithreading_switch_follows_torch(torch):
    for lib in (torch, ember):
        ag = lib.autograd
        assert ag.is_multithreading_enabled()
        switch = ag.set_multithreading_enabled(False)
        assert not ag.is_multithreading_enabled()  # a call sets it
        with switch:
            assert not ag.is_multithreading_enabled()
        assert ag.is_multithreading_enabled()  # leaving the block restores it
        with ag.set_multithreading_enabled(False):
            with ag.set_multithreading_enabled(True):
                assert ag.is_multithreading_enabled()
            assert not ag.is_multithreading_enabled()
        assert ag.is_multithreading_enabled()

        seen = []
        decorator = ag.set_multithreading_enabled(False)
        decorator.__exit__(None, None, None)

        @decorator
        def run():
            seen.append(ag.is_multithreading_enabled())
        assert ag.is_multithreading_enabled()
        run()
        assert seen == [False] and ag.is_multithreading_enabled()


def test_backward_gives_the_same_gradient_with_the_switch_off():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.autograd.set_multithreading_enabled(False):
        (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
