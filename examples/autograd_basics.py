"""Automatic differentiation in ember: which tensors are tracked, the graph each result points
back to, backward() with and without a gradient argument, how gradients accumulate, switching
tracking off, writing your own differentiable function, and taking a derivative twice.

Run with `python examples/autograd_basics.py`. `main()` returns the numbers the script reports.
"""
import ember


def tracking():
    """Only tensors made with requires_grad=True (and results computed from them) are tracked."""
    w = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)   # a leaf we want gradients for
    c = ember.tensor([0.5, 0.5, 0.5])                         # a constant: not tracked
    scaled = w * c
    total = scaled.sum()
    # Every tracked result knows the backward node that made it; leaves have none.
    names = {"w": w.grad_fn, "scaled": type(scaled.grad_fn).__name__,
             "total": type(total.grad_fn).__name__,
             "exp": type(w.exp().grad_fn).__name__, "view": type(w[1:].grad_fn).__name__}
    print(f"w.requires_grad={w.requires_grad}, c.requires_grad={c.requires_grad}, "
          f"scaled.requires_grad={scaled.requires_grad}, w.is_leaf={w.is_leaf}")
    print(f"grad_fn names: {names}")
    # Each node lists the nodes of its inputs: the chain back to w ends in AccumulateGrad.
    chain, node = [], total.grad_fn
    while node is not None:
        chain.append(type(node).__name__)
        node = next((n for n, _ in node.next_functions if n is not None), None)
    print(f"from total back to w: {' -> '.join(chain)}")
    return {"names": names, "chain": chain}


def scalar_backward():
    """A scalar result needs no argument: backward() starts from d(result)/d(result) = 1."""
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    cubic = (x ** 3 - 2 * x).sum()          # d/dx = 3 x^2 - 2
    cubic.backward()
    print(f"d/dx sum(x^3 - 2x) at {x.tolist()}: {x.grad.tolist()}")
    return x.grad.tolist()


def vector_backward():
    """A non-scalar result needs the weights v of a vector-Jacobian product: x.grad = v^T J."""
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    squares = x * x                           # J is diagonal, 2 x
    v = ember.tensor([1.0, 0.0, 10.0])        # weight each output's gradient
    squares.backward(v)
    try:
        (x * x).backward()                     # without v there is nothing to start from
        message = ""
    except RuntimeError as err:
        message = str(err)
    print(f"backward(v) with v={v.tolist()}: {x.grad.tolist()}")
    print(f"backward() on a vector: RuntimeError: {message}")
    return {"grad": x.grad.tolist(), "error": message}


def accumulation():
    """Gradients add up across backward calls until you zero them."""
    x = ember.tensor(2.0, requires_grad=True)
    seen = []
    for _ in range(3):
        (5 * x).backward()
        seen.append(x.grad.item())           # 5, 10, 15
    x.grad.zero_()                           # what optimizers' zero_grad does for each parameter
    (x * x).backward()
    seen.append(x.grad.item())               # 4: only the last backward counts now
    print(f"x.grad after each backward: {seen}")
    return seen


def without_tracking():
    """no_grad() (a context or a decorator) and detach() make results that are not tracked."""
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        inside = x * 2

    @ember.no_grad()
    def halve(t):
        return t / 2

    flags = {"inside no_grad": inside.requires_grad, "decorated": halve(x).requires_grad,
             "detached": x.detach().requires_grad, "outside": (x * 2).requires_grad}
    print(f"requires_grad of results: {flags}")
    return flags


class Softsign(ember.autograd.Function):
    """softsign(x) = x / (1 + |x|), with its derivative 1 / (1 + |x|)^2 written by hand.

    forward() runs on plain tensors (nothing is tracked inside it); ctx carries what backward()
    needs. backward() receives d(loss)/d(output) and returns d(loss)/d(input)."""

    @staticmethod
    def forward(ctx, x):
        denominator = 1 + x.abs()
        ctx.save_for_backward(denominator)
        return x / denominator

    @staticmethod
    def backward(ctx, grad_output):
        (denominator,) = ctx.saved_tensors
        return grad_output / denominator ** 2


def custom_function():
    """Softsign.apply joins the graph like any built-in op; check it two ways."""
    x = ember.tensor([-3.0, -0.5, 0.0, 2.0], requires_grad=True)
    y = Softsign.apply(x)
    y.sum().backward()
    by_hand = x.grad.clone()
    # The same function composed from built-ins, differentiated by autograd.
    x.grad = None
    (x / (1 + x.abs())).sum().backward()
    agree = ember.allclose(by_hand, x.grad)
    # gradcheck compares backward() with finite differences (float64 keeps them accurate).
    x64 = ember.randn(6, dtype=ember.float64, requires_grad=True)
    passed = ember.autograd.gradcheck(Softsign.apply, (x64,))
    print(f"{type(y.grad_fn).__name__}: gradient {by_hand.tolist()}")
    print(f"agrees with autograd of the formula: {agree}; gradcheck passed: {passed}")
    return {"grad_fn": type(y.grad_fn).__name__, "grad": by_hand.tolist(), "agree": agree,
            "gradcheck": passed}


def second_derivative():
    """create_graph=True makes the gradient itself differentiable, so it can be differentiated."""
    x = ember.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y = (x ** 4).sum()
    (first,) = ember.autograd.grad(y, x, create_graph=True)     # 4 x^3, still tracked
    (second,) = ember.autograd.grad(first.sum(), x)             # 12 x^2
    print(f"d/dx x^4 = {first.tolist()}; d2/dx2 x^4 = {second.tolist()}")
    return {"first": first.tolist(), "second": second.tolist()}


def main():
    results = {}
    for part in (tracking, scalar_backward, vector_backward, accumulation, without_tracking,
                 custom_function, second_derivative):
        print(f"== {part.__name__} ==")
        results[part.__name__] = part()
    return results


if __name__ == "__main__":
    main()
