"""Checkpoints between ember and PyTorch: ember.save writes PyTorch's file format, so a
state_dict saved by ember loads in torch, and one saved by torch loads in ember.

The script builds one network definition in both libraries (the same code, handed either
module), moves weights across in each direction through a file, and compares the two
libraries' outputs on the same input. Without torch installed it does the ember-only round
trip and says so.

Run with `python examples/checkpoint_roundtrip.py`. `main()` returns the largest output
differences it prints.
"""
import importlib.util
import os
import tempfile

import numpy as np

import ember


def build(lib):
    """A small network with weights and buffers (BatchNorm's running statistics), written once
    for any library with PyTorch's API: `lib` is the ember or the torch module."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 6, 3), nn.BatchNorm2d(6), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
        nn.Flatten(), nn.Linear(24, 5))


def warm_up(lib, model, batch):
    """One training-mode forward pass, so the BatchNorm buffers hold something other than their
    initial values, then evaluation mode (which uses those buffers)."""
    model.train()
    with lib.no_grad():
        model(lib.from_numpy(batch))
    model.eval()


def outputs(lib, model, batch):
    with lib.no_grad():
        return model(lib.from_numpy(batch)).numpy()


def largest_difference(a, b):
    return float(np.abs(a - b).max())


def main(use_torch=None, folder=None):
    """use_torch: None to use torch when it is installed, False to skip it. folder: where the
    checkpoint files go (a temporary folder by default)."""
    if use_torch is None:
        use_torch = importlib.util.find_spec("torch") is not None
    rng = np.random.default_rng(0)
    batch = rng.standard_normal((4, 3, 8, 8)).astype(np.float32)   # the input both libraries see
    with tempfile.TemporaryDirectory() as scratch:
        folder = folder or scratch
        ember.manual_seed(0)
        mine = build(ember)
        warm_up(ember, mine, batch)
        expected = outputs(ember, mine, batch)
        path = os.path.join(folder, "from_ember.pt")
        ember.save(mine.state_dict(), path)
        print(f"ember saved {len(mine.state_dict())} entries to {os.path.basename(path)}: "
              f"{', '.join(mine.state_dict())}")

        # 1. ember -> ember: a fresh model takes the saved weights and gives the same outputs.
        again = build(ember)
        again.load_state_dict(ember.load(path, weights_only=True))
        again.eval()
        results = {"ember_to_ember": largest_difference(outputs(ember, again, batch), expected)}
        print(f"ember -> ember: largest output difference {results['ember_to_ember']:.2e}")
        if not use_torch:
            print("without torch: the ember <-> torch round trips were skipped")
            return results
        import torch

        # 2. ember -> torch: torch.load reads ember's file; weights_only=True refuses code.
        theirs = build(torch)
        theirs.load_state_dict(torch.load(path, weights_only=True))
        theirs.eval()
        results["ember_to_torch"] = largest_difference(outputs(torch, theirs, batch), expected)
        print(f"ember -> torch: largest output difference {results['ember_to_torch']:.2e}")

        # 3. torch -> ember: train the torch copy one step so the weights differ, save it with
        #    torch, load it into ember, and compare with torch's own outputs.
        optimizer = torch.optim.SGD(theirs.parameters(), lr=0.1)
        theirs.train()
        theirs(torch.from_numpy(batch)).square().mean().backward()
        optimizer.step()
        theirs.eval()
        torch_path = os.path.join(folder, "from_torch.pt")
        torch.save(theirs.state_dict(), torch_path)
        mine.load_state_dict(ember.load(torch_path, weights_only=True))
        torch_out = outputs(torch, theirs, batch)
        results["torch_to_ember"] = largest_difference(outputs(ember, mine, batch), torch_out)
        results["torch_step_moved"] = largest_difference(torch_out, expected)
        print(f"torch -> ember: largest output difference {results['torch_to_ember']:.2e} "
              f"(torch's step itself moved the outputs by {results['torch_step_moved']:.2e})")
    return results


if __name__ == "__main__":
    main()
