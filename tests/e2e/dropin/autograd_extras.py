"""Autograd beyond backward(): forward-mode tangents, saved-tensor hooks, hooks on several
gradients, gradient edges, torch.func.linearize."""
import torch
import torch.autograd.forward_ad as fwAD
from torch.autograd.graph import get_gradient_edge, register_multi_grad_hook, saved_tensors_hooks

x = torch.linspace(-1, 1, 5)
w = torch.linspace(0.5, 2.0, 20).reshape(4, 5)


def f(v):
    return torch.tanh(w @ v).pow(2).sum() + v.exp().mean()


with fwAD.dual_level():
    out = f(fwAD.make_dual(x, torch.ones(5)))
    primal, tangent = fwAD.unpack_dual(out)
print("jvp", round(primal.item(), 6), round(tangent.item(), 6))

_, jvp_fn = torch.func.linearize(f, x)
print("linearize", round(jvp_fn(torch.ones(5)).item(), 6))

packed = []
v = x.clone().requires_grad_()
with saved_tensors_hooks(lambda t: packed.append(tuple(t.shape)) or t, lambda t: t):
    y = f(v)
y.backward()
print("hooks packed", len(packed) > 0, "grad", [round(g, 6) for g in v.grad.tolist()])

a = torch.linspace(0.1, 0.4, 4).requires_grad_()
b = torch.linspace(1.0, 2.5, 4).requires_grad_()
seen = []
handle = register_multi_grad_hook((a, b), lambda grads: seen.append(
    [None if g is None else round(g.sum().item(), 6) for g in grads]))
(a * b).sum().backward()
(a * 3).sum().backward()
handle.remove()
print("multi grad hook", seen)

hidden = a * b
edge = get_gradient_edge(hidden)
g, = torch.autograd.grad((hidden ** 2).sum(), edge)
print("edge grad", [round(t, 6) for t in g.tolist()])
