"""The 60-minute blitz "Autograd" tutorial, run on ember: only the import lines differ."""
import ember as torch

# A tensor with requires_grad=True records every operation on it.
x = torch.ones(2, 2, requires_grad=True)
print(x)

y = x + 2
print(y)
# y came from an operation, so it has a grad_fn; x was made by the user, so it has none.
print(y.grad_fn)

z = y * y * 3
out = z.mean()
print(z, out)

# requires_grad_() flips the flag in place; it defaults to False for user-made tensors.
a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)

# out is a scalar, so backward() needs no argument: d(out)/dx = 3 * (x + 2) / 2 = 4.5.
out.backward()
print(x.grad)

# For a non-scalar y, backward(v) computes the vector-Jacobian product v^T . J.
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)

v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)

# no_grad() stops the recording; detach() gives a tensor with the same values and no history.
print(x.requires_grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)

print(x.requires_grad)
y = x.detach()
print(y.requires_grad)
print(x.eq(y).all())
