"""ember.utils.checkpoint: trade compute for memory by running a block's forward again in backward.

checkpoint(function, *args) runs `function` without recording a graph (its intermediates are
freed at once), keeps only its inputs and the RNG state, and in backward runs it again with grad
enabled and the same RNG state (so dropout masks repeat), then back-propagates through that
fresh graph: the gradients are those of function(*args) without checkpointing. Tensors the
function closes over (a module's parameters) get their gradients accumulated into `.grad` during
that inner backward, so use `.backward()`; `autograd.grad(..., inputs=params)` sees only the
explicit inputs. use_reentrant=True, as torch's, gives outputs that need no grad when no input
does; use_reentrant=False still records the block then, so parameters inside it learn. Both
show grad_fn CheckpointFunctionBackward (torch's non-reentrant form shows the block's last op).
"""
import warnings

from .. import _random
from .._tensor import Tensor
from ..autograd import Function, backward as _backward, enable_grad, no_grad
from .._warnings import user_stacklevel

__all__ = ["checkpoint", "checkpoint_sequential"]


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, anchor, *args):
        ctx.run_function = run_function
        ctx.rng_state = _random.get_rng_state() if preserve_rng_state else None
        ctx.inputs = [a.detach() if isinstance(a, Tensor) else a for a in args]
        ctx.input_requires_grad = [isinstance(a, Tensor) and a.requires_grad for a in args]
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        inputs = []
        for a, needs in zip(ctx.inputs, ctx.input_requires_grad):
            if isinstance(a, Tensor):
                a = a.detach()
                a.requires_grad_(needs)
            inputs.append(a)
        saved = None
        if ctx.rng_state is not None:
            saved = _random.get_rng_state()
            _random.set_rng_state(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*inputs)
        finally:
            if saved is not None:
                _random.set_rng_state(saved)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, None) + tuple(a.grad if isinstance(a, Tensor) else None
                                          for a in inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """function(*args, **kwargs), with its intermediates recomputed in backward (see above)."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. use_reentrant=False is recommended, but if you need to "
                      "preserve the current default behavior, you can pass use_reentrant=True.",
                      stacklevel=user_stacklevel())
        use_reentrant = True
    if context_fn is not None and use_reentrant:
        raise ValueError("Passing `context_fn` or `debug` is only supported when "
                         "use_reentrant=False.")
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    run = function
    if kwargs:
        def run(*a):
            return function(*a, **kwargs)
    anchor = None
    if use_reentrant:
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          stacklevel=user_stacklevel())
    else:
        from .._creation import zeros
        anchor = zeros((), requires_grad=True)  # records the block even without input grads
    return CheckpointFunction.apply(run, preserve_rng_state, anchor, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run the modules of `functions` (a Sequential or list) in `segments` checkpointed chunks;
    the last chunk runs normally, as in torch."""
    if isinstance(functions, Tensor):
        raise TypeError("checkpoint_sequential: functions must be a Sequential or a list")
    functions = list(functions.children()) if hasattr(functions, "children") else \
        list(functions)
    size = len(functions) // segments
    end = -1

    def run_segment(start, stop):
        def forward(x):
            for f in functions[start:stop + 1]:
                x = f(x)
            return x
        return forward

    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run_segment(start, end), input, use_reentrant=use_reentrant,
                           **kwargs)
    return run_segment(end + 1, len(functions) - 1)(input)
