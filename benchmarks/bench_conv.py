"""conv2d forward + backward at the CIFAR-10 tutorial network's two conv shapes: ember vs torch."""
import numpy as np

import _common

import ember
import ember.nn.functional  # loads ember.nn, used as m.nn.functional

# (name, in channels, out channels, image size, input needs a gradient): conv1 sees the data,
# which needs no gradient; conv2 sees a pooled activation, which does.
SHAPES = [("conv1 3->6 5x5 on 32x32", 3, 6, 32, False),
          ("conv2 6->16 5x5 on 14x14", 6, 16, 14, True)]
TITLE = "bench_conv: conv2d forward + backward"


def make_case(m, batch, c_in, c_out, size, input_grad):
    """One forward + backward of m.nn.functional.conv2d (m is ember or torch), grads reset."""
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((batch, c_in, size, size)).astype(np.float32))
    w = m.tensor(rng.standard_normal((c_out, c_in, 5, 5)).astype(np.float32) * 0.1)
    b = m.tensor(rng.standard_normal(c_out).astype(np.float32))
    x.requires_grad_(input_grad)
    w.requires_grad_()
    b.requires_grad_()
    gy = m.tensor(rng.standard_normal((batch, c_out, size - 4, size - 4)).astype(np.float32))
    conv2d = m.nn.functional.conv2d

    def run():
        x.grad = w.grad = b.grad = None
        conv2d(x, w, b).backward(gy)
    return run


def main():
    args = _common.parser(__doc__).parse_args()
    torch, clock, env, suffix = _common.setup(args)
    rows = []
    for batch in args.batches:
        for name, c_in, c_out, size, input_grad in SHAPES:
            fns = {"ember": make_case(ember, batch, c_in, c_out, size, input_grad)}
            if torch is not None:
                fns["torch"] = make_case(torch, batch, c_in, c_out, size, input_grad)
            t = _common.compare(fns, repeats=args.repeats, min_seconds=0.5, clock=clock)
            rows.append([name, batch] + _common.timing_cells(t))
            print(" | ".join(str(c) for c in rows[-1]), flush=True)
    body = _common.report(
        TITLE + suffix, _common.command_line(), env,
        _common.markdown_table(["shape", "batch"] + _common.timing_headers(torch), rows),
        ["Forward, then backward of a fixed random output gradient; gradients for weight, bias "
         "and (conv2 only) the input. Timed round-robin (NOTE [ Timing on a shared machine ] in "
         "benchmarks/_common.py)."])
    print()
    print(body)
    if args.write:
        _common.write_section(TITLE + suffix, body)


if __name__ == "__main__":
    main()
