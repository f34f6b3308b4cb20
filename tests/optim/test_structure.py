"""How optim is built (NOTE [ Optimizer maths ] in ember/optim/optimizer.py): below nn in the
layers, one step() in Optimizer, and each algorithm's maths and CUDA kernel in its own file."""
import ast
import pathlib

import pytest

import ember
from ember import optim

OPTIM = pathlib.Path(ember.__file__).parent / "optim"
ALGORITHMS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam"]


def _imported_modules(path):
    """The absolute dotted names a file imports from (relative imports resolved in ember.optim)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["ember", "optim"][:3 - node.level] if node.level <= 2 else []
                names.append(".".join(base + ([node.module] if node.module else [])))
            else:
                names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(OPTIM.glob("*.py")), ids=lambda p: p.name)
def test_optim_does_not_import_nn(path):
    assert not [m for m in _imported_modules(path) if m.startswith("ember.nn")]


@pytest.mark.parametrize("name", ALGORITHMS)
def test_algorithms_share_the_optimizer_step(name):
    cls = getattr(optim, name)
    assert "step" not in vars(cls) and cls.step is optim.Optimizer.step
    assert cls._update is not None


def test_fused_kernels_sit_with_their_optimizers():
    from ember import _backend
    from ember.optim import adam, sgd
    assert optim.SGD._fused_update is not None and optim.Adam._fused_update is not None
    assert callable(sgd.sgd_step_) and callable(adam.adam_step_)
    assert not hasattr(_backend, "sgd_step_") and not hasattr(_backend, "adam_step_")


def test_a_subclass_without_maths_refuses_to_step():
    class Bare(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {})
    p = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.ones(2)
    with pytest.raises(NotImplementedError):
        Bare([p]).step()
