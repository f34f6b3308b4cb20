"""The 60-minute blitz examples in examples/ run end to end as `import ember as torch` programs."""
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ember

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
NAMES = ["tensors", "autograd", "neural_networks", "cifar10_classifier"]


def run_example(name, tmp_path, *args, env=None):
    """Run examples/<name>.py in tmp_path; return its stdout, failing with its stderr."""
    full_env = dict(os.environ, PYTHONPATH=str(REPO), MPLBACKEND="Agg", **(env or {}))
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), *args], cwd=tmp_path,
                          env=full_env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{name}.py failed:\n{proc.stderr}"
    return proc.stdout


@pytest.mark.parametrize("name", NAMES)
def test_only_import_lines_name_ember(name):
    # The claim under test: the tutorial's code, with only its imports changed, runs on ember.
    code = (EXAMPLES / f"{name}.py").read_text()
    body = code.split('"""', 2)[2]
    for line in body.splitlines():
        if "ember" in line:
            assert re.fullmatch(r"import ember(\.[\w.]+)? as \w+", line), line


def test_tensors(tmp_path):
    out = run_example("tensors", tmp_path)
    assert "cat shape: torch.Size([4, 12])" in out
    assert "matmul agree: True" in out
    assert "mul agree: True" in out
    assert "12.0 <class 'float'>" in out
    assert "tensor([[6., 5., 6., 6.]," in out
    assert "torch.Size([4, 4]) torch.Size([16]) torch.Size([2, 8])" in out
    assert "Datatype of tensor: torch.float32" in out
    assert "Device tensor is stored on: cpu" in out
    # The NumPy bridge shares memory both ways.
    assert "numpy after add_: [2. 2. 2. 2. 2.]" in out
    assert "tensor after np.add: tensor([2., 2., 2., 2., 2.], dtype=torch.float64)" in out


def test_autograd(tmp_path):
    out = run_example("autograd", tmp_path)
    assert re.search(r"^<AddBackward0 object at 0x[0-9a-f]+>$", out, re.M)
    assert "tensor(27., grad_fn=<MeanBackward0>)" in out
    assert re.search(r"^<SumBackward0 object at 0x", out, re.M)
    # d(mean(3 (x + 2)^2))/dx at x = 1 is 4.5 everywhere.
    assert "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])" in out
    # The vector-Jacobian product: x.grad = v * 2^k for y = x * 2^k.
    grad = re.findall(r"^tensor\(\[([^\]]+)\]\)$", out, re.M)[-1]
    g = [float(s) for s in grad.split(",")]
    k = g[1]
    assert k >= 512 and math.log2(k).is_integer()
    assert g == pytest.approx([0.1 * k, k, 0.0001 * k], rel=1e-5)
    tail = out.splitlines()[-6:]
    assert tail == ["True", "True", "False", "True", "False", "tensor(True)"]


def test_neural_networks(tmp_path):
    out = run_example("neural_networks", tmp_path)
    assert out.startswith(
        "Net(\n"
        "  (conv1): Conv2d(1, 6, kernel_size=(3, 3), stride=(1, 1))\n"
        "  (conv2): Conv2d(6, 16, kernel_size=(3, 3), stride=(1, 1))\n"
        "  (fc1): Linear(in_features=576, out_features=120, bias=True)\n"
        "  (fc2): Linear(in_features=120, out_features=84, bias=True)\n"
        "  (fc3): Linear(in_features=84, out_features=10, bias=True)\n"
        ")\n10\ntorch.Size([6, 1, 3, 3])\n")
    assert "grad_fn=<AddmmBackward0>" in out
    assert "grad_fn=<MseLossBackward0>)" in out
    # The grad_fn chain: MSE loss <- addmm (fc3) <- AccumulateGrad (fc3.bias, addmm's input 0).
    names = re.findall(r"^<(\w+) object at 0x", out, re.M)
    assert names == ["MseLossBackward0", "AddmmBackward0", "AccumulateGrad"]
    # zero_grad() sets gradients to None; backward fills conv1.bias.grad with 6 numbers.
    assert "conv1.bias.grad before backward\nNone\nconv1.bias.grad after backward\ntensor([" in out
    assert re.search(r"^loss after one SGD step: \d+\.\d{4}$", out, re.M)


@pytest.fixture(scope="module")
def classifier_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cifar")
    return tmp, run_example("cifar10_classifier", tmp, "--fake", "--steps", "20")


def test_classifier_trains_and_reports(classifier_run):
    _, out = classifier_run
    lines = out.splitlines()
    assert re.fullmatch(r"(\w+ *){4}", lines[0])  # the first batch's class names
    losses = [ln for ln in lines if re.fullmatch(r"\[[12], +\d+\] loss: \d+\.\d{3}", ln)]
    assert len(losses) == 8  # every 5 mini-batches, 20 per epoch, 2 epochs
    assert "Finished Training" in lines
    assert any(ln.startswith("GroundTruth: ") for ln in lines)
    assert any(ln.startswith("Predicted: ") for ln in lines)
    assert re.search(r"^Accuracy of the network on the 200 test images: \d+ %$", out, re.M)
    classes = re.findall(r"^Accuracy for class: (\w+) +is \d+\.\d %$", out, re.M)
    assert classes == ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                       "truck"]
    assert lines[-1] == "cpu"


def test_classifier_checkpoint_and_figures(classifier_run):
    tmp, _ = classifier_run
    state = ember.load(tmp / "cifar_net.pth", weights_only=True)
    assert {k: tuple(v.shape) for k, v in state.items()} == {
        "conv1.weight": (6, 3, 5, 5), "conv1.bias": (6,),
        "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
        "fc1.weight": (120, 400), "fc1.bias": (120,),
        "fc2.weight": (84, 120), "fc2.bias": (84,),
        "fc3.weight": (10, 84), "fc3.bias": (10,)}
    for png in ("train_batch.png", "test_batch.png"):
        assert (tmp / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_classifier_fake_from_environment(tmp_path):
    out = run_example("cifar10_classifier", tmp_path, "--steps", "4", "--epochs", "1",
                      env={"EMBER_EXAMPLES_FAKE": "1"})
    assert "[1,     4] loss:" in out and "Finished Training" in out
    assert (tmp_path / "cifar_net.pth").exists()
