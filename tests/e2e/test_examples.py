"""The programs in examples/: each one's main() returns what it reports and the tests check those
numbers; each also runs as `python examples/<name>.py`. The tensor and autograd tours print the
same text when `ember` is PyTorch, so their output is compared with torch's line by line."""
import contextlib
import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import ember

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
NAMES = ["tensor_basics", "autograd_basics", "small_network", "digits_classifier",
         "checkpoint_roundtrip"]


def load(name, lib=None):
    """Import examples/<name>.py as a fresh module. With lib (a module such as torch), the
    example's `import ember` binds lib instead, for the duration of the import."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("ember")
    if lib is not None:
        sys.modules["ember"] = lib
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules["ember"] = saved
    return module


def run_main(module, **kwargs):
    """module.main(**kwargs) -> (its return value, what it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = module.main(**kwargs)
    return result, out.getvalue()


def test_examples_folder_holds_exactly_these():
    assert sorted(p.stem for p in EXAMPLES.glob("*.py")) == sorted(NAMES)


@pytest.mark.parametrize("name,args,last_line", [
    ("tensor_basics", [], "precision_2: tensor([0.33])"),
    ("autograd_basics", [], "d/dx x^4 = [0.0, 4.0, 32.0]; d2/dx2 x^4 = [0.0, 12.0, 48.0]"),
    ("small_network", [], "largest weight difference between the two after 10 steps: "),
    ("digits_classifier", ["--epochs", "1", "--save", "digits.pt"], "weights saved to digits.pt"),
    ("checkpoint_roundtrip", [], "torch -> ember: largest output difference "),
])
def test_runs_as_a_script(name, args, last_line, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith(last_line), proc.stdout
    if name == "digits_classifier":
        state = ember.load(tmp_path / "digits.pt", weights_only=True)
        assert {k: tuple(v.shape) for k, v in state.items()} == {
            "conv1.weight": (8, 1, 3, 3), "conv1.bias": (8,),
            "conv2.weight": (16, 8, 3, 3), "conv2.bias": (16,),
            "fc1.weight": (64, 256), "fc1.bias": (64,), "fc2.weight": (10, 64), "fc2.bias": (10,)}


def test_tensor_basics():
    r, out = run_main(load("tensor_basics"))
    made = r["creation"]
    assert made["steps"].tolist() == [0, 3, 6, 9] and made["steps"].dtype == ember.int64
    assert made["grid"].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert made["new_full"].dtype == ember.int64 and made["full"].dtype == ember.int64
    assert made["ones_like"].shape == (2, 2) and made["eye"].trace().item() == 3.0
    assert r["dtypes"] == {"default": ember.float32, "ints": ember.int64, "flags": ember.bool,
                           "mixed": ember.float32, "truncated": [1, 2]}
    # Writes through NumPy and through ember land in one buffer; ember.tensor copied.
    assert r["numpy_sharing"] == {"array": [200.0, 2.0, 4.0, 6.0], "copied": [0.0, 1.0, 2.0, 3.0],
                                  "same_buffer": True}
    assert r["indexing"] == {"board": [[0, 1, 0, 0], [-1, -1, -1, -1], [8, 9, 10, 11]],
                             "evens": [0, 0, 0, 4, 0, 0, 8, 10], "picked": [1, 11]}
    assert r["in_place"] == {"values": [-1.0, -0.5, 2.5, 4.0], "same_storage": True,
                             "abs": [1.0, 0.5, 2.5, 4.0]}
    assert r["printing"] == {"float": "tensor([1.0000, 2.2500])", "int": "tensor([3, 4])",
                             "double": "tensor([0.5000], dtype=torch.float64)",
                             "long": "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
                             "precision_2": "tensor([0.33])"}
    assert "== printing ==" in out
    assert repr(ember.tensor([1 / 3])) == "tensor([0.3333])"  # the example restored the default


def test_autograd_basics():
    r, out = run_main(load("autograd_basics"))
    assert r["tracking"]["names"] == {"w": None, "scaled": "MulBackward0",
                                      "total": "SumBackward0", "exp": "ExpBackward0",
                                      "view": "SliceBackward0"}
    assert r["tracking"]["chain"] == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    assert r["scalar_backward"] == [1.0, 10.0, 25.0]       # 3 x^2 - 2
    assert r["vector_backward"] == {
        "grad": [2.0, 0.0, 60.0], "error": "grad can be implicitly created only for scalar outputs"}
    assert r["accumulation"] == [5.0, 10.0, 15.0, 4.0]
    assert r["without_tracking"] == {"inside no_grad": False, "decorated": False,
                                     "detached": False, "outside": True}
    custom = r["custom_function"]
    assert custom["grad_fn"] == "SoftsignBackward"
    assert custom["grad"] == pytest.approx([1 / 16, 4 / 9, 1.0, 1 / 9], rel=1e-6)
    assert custom["agree"] is True and custom["gradcheck"] is True
    assert r["second_derivative"] == {"first": [0.0, 4.0, 32.0], "second": [0.0, 12.0, 48.0]}


def test_custom_function_gradient_is_checked():
    # gradcheck in the example must be able to fail: a wrong backward is caught.
    example = load("autograd_basics")

    class WrongSoftsign(example.Softsign):
        @staticmethod
        def backward(ctx, grad_output):
            (denominator,) = ctx.saved_tensors
            return grad_output / denominator

    x = ember.randn(5, dtype=ember.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(WrongSoftsign.apply, (x,))


@pytest.mark.parametrize("name", ["tensor_basics", "autograd_basics"])
def test_tours_print_what_torch_prints(name):
    torch = pytest.importorskip("torch")
    _, ours = run_main(load(name))
    _, theirs = run_main(load(name, lib=torch))
    assert ours.splitlines() == theirs.splitlines()


def test_small_network():
    r, out = run_main(load("small_network"))
    assert r["shapes"] == {"features.0.weight": (4, 1, 3, 3), "features.0.bias": (4,),
                           "features.3.weight": (8, 4, 3, 3), "features.3.bias": (8,),
                           "hidden.weight": (32, 128), "hidden.bias": (32,),
                           "out.weight": (3, 32), "out.bias": (3,)}
    assert r["count"] == 4563 and r["logits_shape"] == (12, 3)
    assert r["grad_fn"] == "NllLossBackward0"
    # The hand-written update and optim.SGD's are the same update, step by step.
    assert r["manual"] == pytest.approx(r["optim"], rel=1e-6)
    assert r["gap"] < 1e-6
    assert r["manual"][0] == pytest.approx(1.1, abs=0.1)  # near chance, ln 3
    assert r["manual"][-1] < 0.5 * r["manual"][0]          # and it learns the toy task
    assert out.startswith("PatchNet(\n  (features): Sequential(\n")


def test_digits_classifier():
    r, out = run_main(load("digits_classifier"), epochs=3)
    assert len(r["losses"]) == len(r["accuracies"]) == 3
    assert r["losses"][-1] < 0.5 * r["losses"][0]
    assert r["overall"] >= 0.85 and r["accuracies"][-1] == r["overall"]
    assert [n for _, n in r["per_class"]] == [36, 36, 35, 37, 36, 36, 36, 36, 35, 36]
    assert sum(hits for hits, _ in r["per_class"]) == round(r["overall"] * 359)
    assert all(hits >= 0.6 * n for hits, n in r["per_class"])
    assert len([ln for ln in out.splitlines() if ln.startswith("  digit ")]) == 10
    assert f"test accuracy {r['overall']:.1%} after 3 epochs" in out


def test_checkpoint_roundtrip_without_torch(tmp_path):
    r, out = run_main(load("checkpoint_roundtrip"), use_torch=False, folder=str(tmp_path))
    assert r == {"ember_to_ember": 0.0}
    assert "without torch: the ember <-> torch round trips were skipped" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["from_ember.pt"]


def test_checkpoint_roundtrip_with_torch(tmp_path):
    pytest.importorskip("torch")
    r, _ = run_main(load("checkpoint_roundtrip"), use_torch=True, folder=str(tmp_path))
    assert r["ember_to_ember"] == 0.0
    assert r["ember_to_torch"] < 1e-5 and r["torch_to_ember"] < 1e-5
    assert r["torch_step_moved"] > 1e-3  # the torch -> ember check sees new weights
    assert sorted(p.name for p in tmp_path.iterdir()) == ["from_ember.pt", "from_torch.pt"]
