"""What Module's backward hooks run on: identity Functions around a hooked call's tensors.

NOTE [ Module backward hooks ]
A call of a module with full backward hooks or backward pre-hooks passes the tensors among its
positional arguments that require grad, and then the tensors among its outputs that do, through
BackwardHookFunction, an identity whose node is where the hooks see gradients (torch's way, so
grad_fn reads BackwardHookFunctionBackward as in torch):
- the outputs' node gets grad_output first: it runs the pre-hooks, which may replace it, and keeps
  it for the full hooks;
- the inputs' node then gets the gradients with respect to the inputs: it runs the full hooks
  with both and sends on what they return. When no input requires grad that node is not in the
  graph, so the outputs' node runs the full hooks itself, with grad_input all None.
The hooks are taken when the module is called, as torch does: removing one after forward still
fires it for that call. Torch forbids modifying these identities' outputs in place (they are views
made inside a custom Function); ember has no such views, so it checks the version counters
instead: after forward for the inputs, when the gradient arrives for the outputs.
"""
import warnings

from ..._creation import zeros_like
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled
from ..._warnings import user_stacklevel

_NO_INPUT_GRAD = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


def _replaced(hooks, call, grads, who, side):
    """grads after each hook's call(hook, grads), which may return a replacement of the same
    length (torch's error otherwise) or None."""
    for hook in hooks:
        new = call(hook, grads)
        if new is None:
            continue
        if len(new) != len(grads):
            raise RuntimeError(f"{who} returned an invalid number of grad_{side}, got {len(new)}, "
                               f"but expected {len(grads)}")
        grads = new
    return grads


class BackwardHookFunction(Function):
    """The identity; its node calls the `on_grad` its BackwardHook gave it."""

    @staticmethod
    def forward(ctx, *tensors):
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return ctx.on_grad(grads)


def _modified_in_place(position):
    return RuntimeError(
        f"Output {position} of BackwardHookFunction is a view and is being modified inplace. This "
        "view was created inside a custom Function (or because an input was returned as-is) and "
        "the autograd logic to handle view+inplace would override the custom backward associated "
        "with the custom Function, leading to incorrect gradients. This behavior is forbidden. "
        "You can fix this by cloning the output of the custom Function.")


class _Wrapped:
    """The tensors of one side of a call that went through BackwardHookFunction."""
    __slots__ = ("size", "index", "positions", "versions", "zeros")

    def __init__(self, values):
        self.size = len(values)
        tensors = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        self.index = [i for i in tensors if values[i].requires_grad]
        # torch numbers an identity's outputs among all the tensors, and gives the tensors that
        # need no gradient a zero one in grad_input
        self.positions = [tensors.index(i) for i in self.index]
        self.zeros = [(i, values[i]) for i in tensors if not values[i].requires_grad]
        self.versions = None

    def apply(self, values, on_grad):
        """values with the tensors that require grad passed through the identity."""
        out = BackwardHookFunction.apply(*[values[i] for i in self.index])
        out[0].grad_fn.on_grad = on_grad
        self.versions = [(t._vc, t._vc[0]) for t in out]
        new = list(values)
        for i, t in zip(self.index, out):
            new[i] = t
        return tuple(new) if type(values) is tuple else type(values)(*new)

    def check_versions(self):
        for position, (box, version) in zip(self.positions, self.versions):
            if box[0] != version:
                raise _modified_in_place(position)

    def spread(self, grads):
        """One entry per value: the gradients at the wrapped tensors, None elsewhere."""
        full = [None] * self.size
        for i, g in zip(self.index, grads):
            full[i] = g
        return full


class BackwardHook:
    """One hooked call of a module: sets up its identities and runs its hooks (NOTE above)."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.inputs = None   # _Wrapped, None when no input went through the identity
        self.n_inputs = 0
        self.outputs = None

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        wrapped = _Wrapped(args)
        if not (wrapped.index and is_grad_enabled()):
            return args
        self.inputs = wrapped
        return wrapped.apply(args, self._on_grad_inputs)

    def check_inputs(self):
        """Raise torch's error when forward modified an input that went through the identity."""
        if self.inputs is not None:
            self.inputs.check_versions()

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        values = (result,) if single else result
        wrapped = _Wrapped(values)
        if not (wrapped.index and is_grad_enabled()):
            return result
        self.outputs = wrapped
        values = wrapped.apply(values, self._on_grad_outputs)
        values[0].grad_fn.set_materialize_grads(False)  # an unused output's grad_output is None
        return values[0] if single else values

    def _on_grad_outputs(self, grads):
        outputs = self.outputs
        outputs.check_versions()
        grad_outputs = _replaced(self.pre_hooks, lambda hook, g: hook(self.module, g),
                                 tuple(outputs.spread(grads)), "Backward pre hook", "output")
        self.grad_outputs = grad_outputs
        if self.inputs is None:
            warnings.warn(_NO_INPUT_GRAD, stacklevel=user_stacklevel())
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                new = hook(self.module, grad_inputs, grad_outputs)
                if new is not None and not (isinstance(new, tuple)
                                            and all(g is None for g in new)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in outputs.index)

    def _on_grad_inputs(self, grads):
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing the outputs (double backward
            # through the module's inputs): torch runs no hook then.
            return grads
        inputs = self.inputs
        full = inputs.spread(grads)
        for i, t in inputs.zeros:
            full[i] = zeros_like(t)
        grad_inputs = _replaced(self.hooks, lambda hook, g: hook(self.module, g, self.grad_outputs),
                                tuple(full), "Backward hook", "input")
        self.grad_outputs = None
        out = tuple(grad_inputs[i] for i in inputs.index)
        for new, old in zip(out, grads):
            if new is not None and old is not None and new.shape != old.shape:
                raise RuntimeError("hook 'hook' has changed the size of value")
        return out


def warn_non_full(inputs, result, grad_fn):
    """torch's FutureWarnings for the legacy backward hook where it cannot see every gradient:
    it hooks the node of the first output only."""
    tail = "Please use register_full_backward_hook to get the documented behavior."
    if not isinstance(result, Tensor):
        if not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
            return _future("Using non-full backward hooks on a Module that does not return a "
                           "single Tensor or a tuple of Tensors is deprecated and will be removed "
                           "in future versions. This hook will be missing some of the "
                           "grad_output. " + tail)
    else:
        result = (result,)
    if not isinstance(inputs, Tensor):
        if not (isinstance(inputs, tuple) and all(isinstance(i, Tensor) for i in inputs)):
            return _future("Using non-full backward hooks on a Module that does not take as input "
                           "a single Tensor or a tuple of Tensors is deprecated and will be "
                           "removed in future versions. This hook will be missing some of the "
                           "grad_input. " + tail)
    else:
        inputs = (inputs,)
    out_fns = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_fns or (len(out_fns) == 1 and grad_fn not in out_fns):
        _future("Using a non-full backward hook when outputs are nested in python data structure "
                "is deprecated and will be removed in future versions. This hook will be missing "
                "some grad_output.")
    elif len(out_fns) > 1:
        _future("Using a non-full backward hook when outputs are generated by different autograd "
                "Nodes is deprecated and will be removed in future versions. This hook will be "
                "missing some grad_output. " + tail)
    elif {i.grad_fn for i in inputs if i.grad_fn is not None} != \
            {n[0] for n in grad_fn.next_functions}:
        _future("Using a non-full backward hook when the forward contains multiple autograd Nodes "
                "is deprecated and will be removed in future versions. This hook will be missing "
                "some grad_input. " + tail)


def _future(message):
    warnings.warn(message, FutureWarning, stacklevel=user_stacklevel())
