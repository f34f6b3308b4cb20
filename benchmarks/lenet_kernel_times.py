"""Where ember's CIFAR LeNet training step goes, by kernel: wall time a step inside the
convolution kernels (forward, input and weight gradients) and max pooling (forward, backward),
the rest of the step beside them. Ember alone (no ratio): run it once per thread setting and
compare, e.g. `OPENBLAS_NUM_THREADS=1 THREADS=1` against `THREADS=2` to see what ember's kernel
threads buy (NOTE [ Kernel threads ] in ember/ops/_threads.py). The model and step are
../shared/bench/step.py's `lenet`.

Run: THREADS=2 python benchmarks/lenet_kernel_times.py [BATCH] [--steps 100]
"""
import argparse
import collections
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import _common  # noqa: E402
import ember  # noqa: E402
from ember.ops import conv, pool  # noqa: E402

KERNELS = {conv: ("_conv_forward", "_conv_input_grad", "_conv_weight_grad"),
           pool: ("_max_pool", "_max_pool_grad")}


def timed(totals):
    """Wrap each kernel of KERNELS so that its wall time adds up in totals."""
    for module, names in KERNELS.items():
        for name in names:
            def wrapper(*args, _kernel=getattr(module, name), _name=name, **kwargs):
                start = time.perf_counter()
                try:
                    return _kernel(*args, **kwargs)
                finally:
                    totals[_name] += time.perf_counter() - start
            setattr(module, name, wrapper)


def lenet_step(batch):
    net, loss_fn = _common.lenet(ember), ember.nn.CrossEntropyLoss()
    opt = ember.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32))
    y = ember.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("batch", nargs="?", type=int, default=64)
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args()
    ember.set_num_threads(int(os.environ.get("THREADS", "2")))
    totals = collections.defaultdict(float)
    timed(totals)
    step = lenet_step(args.batch)
    for _ in range(10):
        step()
    totals.clear()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    per_step = (time.perf_counter() - start) / args.steps
    print(f"lenet {args.batch}, THREADS={os.environ.get('THREADS', '2')} OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}: step {per_step * 1e3:.2f} ms")
    for name, total in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:18s} {total / args.steps * 1e3:.3f} ms")
    print(f"  {'rest':18s} {(per_step - sum(totals.values()) / args.steps) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
