"""What tests/vision/test_models.py compares ember's models with: torchvision 0.28's state-dict
entries, repr and eval-mode outputs for every model (data/torchvision_models.json, written by
make_torchvision_reference.py where torchvision is installed), and the deterministic weights and
inputs both sides use."""
import json
import math
import os

import numpy as np

REFERENCE = os.path.join(os.path.dirname(__file__), "data", "torchvision_models.json")
NUM_CLASSES = 10  # the reference models' heads: small, so the VGG and AlexNet heads stay cheap
# each model's input side (square, batch 2, 3 channels): the smallest its architecture takes well
INPUT_SIDE = {"resnet18": 64, "resnet34": 64, "resnet50": 64, "alexnet": 64,
              "vgg11": 32, "vgg11_bn": 32, "vgg16": 32, "vgg16_bn": 32,
              "mobilenet_v2": 32, "squeezenet1_0": 64, "squeezenet1_1": 64}


def load_reference():
    with open(REFERENCE) as f:
        return json.load(f)


def seeded_weights(entries, seed=1234):
    """{key: float32/int64 array} for state-dict entries [(key, shape, dtype name)], in order:
    He-scaled normal kernels, norm weights near 1, small biases and running means, running
    variances in [0.5, 1.5), counters 0; the same on both sides of a comparison."""
    rng = np.random.default_rng(seed)
    out = {}
    for key, shape, dtype in entries:
        name = key.rsplit(".", 1)[-1]
        if dtype == "int64":
            out[key] = np.zeros(shape, np.int64)
            continue
        if name == "running_var":
            a = rng.random(shape, dtype=np.float32)
            a += 0.5
        else:
            a = _normal(rng, shape)
            if len(shape) >= 2:
                a *= math.sqrt(2.0 / math.prod(shape[1:]))
            elif name == "weight":
                a *= 0.1
                a += 1.0
            else:
                a *= 0.1
        out[key] = a
    return out


def _normal(rng, shape, period=1_000_003):
    """Standard normal float32 values of `shape`; past `period` (a prime, so rows do not line
    up with it) the draws repeat: the VGG heads hold 100M values, and drawing them all would
    take seconds for nothing a comparison needs."""
    n = math.prod(shape)
    draws = rng.standard_normal(min(n, period), dtype=np.float32)
    return draws.reshape(shape) if n <= period else np.resize(draws, shape)


def seeded_input(name, seed=0):
    side = INPUT_SIDE[name]
    return np.random.default_rng(seed).standard_normal((2, 3, side, side)).astype(np.float32)
