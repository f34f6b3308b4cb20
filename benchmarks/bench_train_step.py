"""One training step of the CIFAR-10 tutorial network: ember vs torch at several batch sizes.

A step is zero_grad, forward, CrossEntropyLoss, backward and an SGD step with momentum, written
once against PyTorch's API and run with `m` bound to ember or to torch.
"""
import numpy as np

import _common
from tests.nn._networks import cifar_net as make_net  # noqa: E402

import ember
import ember.nn  # loads the subpackages used through the `m.` prefix
import ember.optim

# The targets: ember's step time at most this many times torch's.
TARGETS = {4: 1.5, 64: 2.0, 256: 2.0}
TITLE = "bench_train_step: CIFAR-10 tutorial network, one training step"


def make_step(m, batch):
    m.manual_seed(0)
    net = make_net(m)
    criterion = m.nn.CrossEntropyLoss()
    optimizer = m.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    rng = np.random.default_rng(0)
    inputs = m.tensor(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32))
    labels = m.tensor(rng.integers(0, 10, batch))

    def step():
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
    return step


def main():
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    torch, clock, env, suffix = _common.setup(args)
    rows = []
    for batch in args.batches:
        fns = {"ember": make_step(ember, batch)}
        if torch is not None:
            fns["torch"] = make_step(torch, batch)
        t = _common.compare(fns, repeats=args.repeats, min_seconds=1.0, clock=clock)
        target = f"{TARGETS[batch]}x" if batch in TARGETS else "-"
        rows.append([batch] + _common.timing_cells(t) + ([target] if torch is not None else []))
        print(" | ".join(str(c) for c in rows[-1]), flush=True)
    headers = ["batch"] + _common.timing_headers(torch) + (["target"] if torch is not None else [])
    body = _common.report(
        TITLE + suffix, _common.command_line(), env, _common.markdown_table(headers, rows),
        ["zero_grad + forward + CrossEntropyLoss + backward + SGD(lr=0.001, momentum=0.9) step "
         "on random data. Timed round-robin (NOTE [ Timing on a shared machine ] in "
         "benchmarks/_common.py). The targets are the issue's, for the wall-clock ratio."])
    print()
    print(body)
    if args.write:
        _common.write_section(TITLE + suffix, body)


if __name__ == "__main__":
    main()
