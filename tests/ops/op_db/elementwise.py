"""OpInfo entries for ember/ops/elementwise.py."""
import numpy as np

from . import OpInfo

OPS = [
    OpInfo("add", lambda m, a, b: m.add(a, b), [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3))],
           ref=np.add, grad_fn="AddBackward0"),
    OpInfo("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), [((3, 4), (4,))],
           ref=lambda a, b: a + 2.5 * b, grad_fn="AddBackward0"),
    OpInfo("mul", lambda m, a, b: a * b, [((3, 4), (3, 4)), ((2, 1, 3), (4, 1))],
           ref=np.multiply, grad_fn="MulBackward0"),
    OpInfo("mul_scalar", lambda m, a: a * 2, [((5,),)], ref=lambda a: a * 2,
           grad_fn="MulBackward0"),
    OpInfo("div", lambda m, a, b: a / b, [((3, 4), (3, 4))], domain=(0.5, 2.0),
           ref=np.divide, grad_fn="DivBackward0"),
    OpInfo("rsub", lambda m, a: 1 - a, [((3,),)], ref=lambda a: 1 - a, grad_fn="RsubBackward1"),
    OpInfo("exp", lambda m, a: a.exp(), [((3, 4),), ((),)], ref=np.exp, grad_fn="ExpBackward0"),
    OpInfo("log", lambda m, a: m.log(a), [((3, 4),)], domain=(0.5, 3.0), ref=np.log,
           grad_fn="LogBackward0"),
]
