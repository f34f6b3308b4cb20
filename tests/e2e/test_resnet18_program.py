"""A ResNet-18 program of our own: torch writes a torchvision-layout checkpoint (a plain torch.nn
ResNet-18 with torchvision's names, running statistics that are not the identity), ember loads it
into ember.vision.models.resnet18, and the same program runs under both libraries: an eval-mode
prediction, SGD-momentum training steps in train mode, and a final prediction. Every loss,
prediction, final weight and running statistic equals torch's.

In float32 two steps are compared (within 1e-4): from the fourth step on this trajectory is
chaotic in torch itself (a 1e-7 relative nudge of the weights moves the fourth loss by 3e-4, as
far as ember's differs: a ReLU or max-pool decision flips), and ember's fourth loss is the one
torch gives in float64. In float64 the rounding vanishes and three steps agree within 1e-7.
"""
import numpy as np
import pytest

import ember
import ember.optim  # noqa: F401
from ember.vision import models
from tests.vision._torch_resnet import torch_resnet18

CLASSES = 10
CASES = {"float32": (np.float32, 2, 1e-4), "float64": (np.float64, 3, 1e-7)}  # steps, tolerance


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the machine is shared; one thread is faster and deterministic
    yield torch
    torch.set_num_threads(threads)


def program(lib, model, images, labels):
    """Predict, fine-tune for STEPS steps, predict again; returns what a user would look at."""
    model.eval()
    with lib.no_grad():
        before = model(lib.tensor(images[0]))
    model.train()
    opt = lib.optim.SGD(model.parameters(), lr=0.002, momentum=0.9, weight_decay=1e-4)
    criterion = lib.nn.CrossEntropyLoss()
    losses = []
    for x, y in zip(images, labels):
        opt.zero_grad()
        loss = criterion(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with lib.no_grad():
        after = model(lib.tensor(images[0]))
    return {"before": before.numpy(), "after": after.numpy(), "losses": np.array(losses),
            "state": {k: v.numpy() for k, v in model.state_dict().items()}}


@pytest.mark.parametrize("dtype", list(CASES))
def test_resnet18_program_gives_torchs_numbers(torch, tmp_path, dtype):
    np_dtype, steps, tol = CASES[dtype]
    torch.manual_seed(7)
    reference = torch_resnet18(torch, CLASSES)
    with torch.no_grad():
        for m in reference.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    checkpoint = tmp_path / "resnet18-torchvision-layout.pth"
    torch.save(reference.state_dict(), checkpoint)

    model = models.resnet18(num_classes=CLASSES)
    model.load_state_dict(ember.load(checkpoint))
    model.to(getattr(ember, dtype))
    reference.to(getattr(torch, dtype))

    rng = np.random.default_rng(3)
    images = rng.standard_normal((steps, 4, 3, 64, 64)).astype(np_dtype)
    labels = rng.integers(0, CLASSES, (steps, 4))
    ours = program(ember, model, images, labels)
    theirs = program(torch, reference, images, labels)

    for key in ("before", "after"):
        assert ours[key].dtype == np_dtype
        np.testing.assert_allclose(ours[key], theirs[key], rtol=tol,
                                   atol=tol * np.abs(theirs[key]).max(), err_msg=key)
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=tol)
    assert not np.allclose(ours["before"], ours["after"])  # the program did train
    assert list(ours["state"]) == list(theirs["state"])
    for key, expected in theirs["state"].items():
        got = ours["state"][key]
        assert got.dtype == expected.dtype and got.shape == expected.shape, key
        scale = max(np.abs(expected).max(), 1e-12)
        assert np.abs(got - expected).max() / scale < tol, key
