"""PyTorch-identical tensor printing (placeholder until the printing work lands)."""
import numpy as np


def tensor_repr(t):
    body = np.array2string(np.asarray(t._data), separator=", ")
    extra = ""
    if t.grad_fn is not None:
        extra = f", grad_fn=<{type(t.grad_fn).__name__}>"
    elif t.requires_grad:
        extra = ", requires_grad=True"
    return f"tensor({body}{extra})"
def set_printoptions(**kwargs):
    pass
