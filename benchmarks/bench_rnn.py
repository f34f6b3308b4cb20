"""Recurrent language-model training steps (GRU, Elman RNN, LSTM): ember vs torch, each framework
in its own process.

The model is ../shared/bench/step.py's `lstm` case with the recurrent layer chosen by --cell:
embedding 64, a 2-layer recurrent layer of hidden size 128 over 35 steps of batch 20, a linear
decoder to 1000 tokens, cross entropy, gradient clipping at 0.25 and SGD. The processes alternate
ember, torch (3 pairs) and a ratio is the median of the pair ratios (NOTE [ Timing on a shared
machine ] in benchmarks/_common.py), with torch's default threads here and single-threaded. The
torch processes run TORCH_PYTHON (default: this interpreter).

Run: python benchmarks/bench_rnn.py [--cells gru rnn_tanh lstm] [--iters 20] [--pairs 3]
                                    [--threads 2 1] [--write]
"""
import argparse
import os
import statistics
import sys

import numpy as np

import _common

TITLE = "bench_rnn: recurrent language-model training steps"
CELLS = {"gru": ("GRU", {}), "rnn_tanh": ("RNN", {"nonlinearity": "tanh"}),
         "rnn_relu": ("RNN", {"nonlinearity": "relu"}), "lstm": ("LSTM", {})}
VOCAB, EMBED, HIDDEN, STEPS, BATCH = 1000, 64, 128, 35, 20


def worker(framework, cell, iters):
    """The child process: time one framework's training step; print `median_us=<x>`."""
    if framework == "ember":
        import ember as lib
    else:
        import torch as lib
        lib.set_num_threads(int(os.environ.get("THREADS", "2")))
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(0)
    name, options = CELLS[cell]
    emb, rnn = nn.Embedding(VOCAB, EMBED), getattr(nn, name)(EMBED, HIDDEN, 2, **options)
    dec = nn.Linear(HIDDEN, VOCAB)
    params = list(emb.parameters()) + list(rnn.parameters()) + list(dec.parameters())
    opt = lib.optim.SGD(params, lr=0.1)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.integers(0, VOCAB, (STEPS, BATCH)))
    y = lib.tensor(rng.integers(0, VOCAB, (STEPS, BATCH)))

    def step():
        opt.zero_grad()
        out, _ = rnn(emb(x))
        F.cross_entropy(dec(out).view(-1, VOCAB), y.view(-1)).backward()
        nn.utils.clip_grad_norm_(params, 0.25)
        opt.step()

    _common.print_median_step(step, 3, iters)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", nargs="+", choices=list(CELLS), default=["gru", "rnn_tanh", "lstm"])
    ap.add_argument("--iters", type=int, default=20, help="timed steps per process")
    ap.add_argument("--pairs", type=int, default=3, help="ember/torch process pairs")
    ap.add_argument("--threads", nargs="+", choices=list(_common.THREAD_SETTINGS),
                    default=list(_common.THREAD_SETTINGS), help="thread settings to run")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    ap.add_argument("--worker", nargs=3, metavar=("FRAMEWORK", "CELL", "ITERS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    pythons = (sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    env = _common.process_environment(*pythons)
    env["case"] = (f"embedding {EMBED}, 2 recurrent layers of {HIDDEN}, {STEPS} steps of batch "
                   f"{BATCH}, decoder to {VOCAB} tokens, cross entropy, clip_grad_norm_(0.25), "
                   f"SGD(lr=0.1); {args.iters} timed steps after 3 warm-up steps per process")
    rows = []
    for setting in args.threads:
        label = _common.THREAD_SETTINGS[setting][0]
        for cell in args.cells:
            print(f"== {label}: {cell}", flush=True)
            before = _common.load_average()
            argv = [os.path.abspath(__file__), "--worker", "{fw}", cell, str(args.iters)]
            runs = _common.alternating(pythons, lambda fw: [a.format(fw=fw) for a in argv],
                                       _common.child_env(setting), args.pairs)
            pairs = [(e["median_us"], t["median_us"], e["median_us"] / t["median_us"])
                     for e, t in runs]
            name, options = CELLS[cell]
            layer = name + "".join(f"({k}={v!r})" for k, v in options.items())
            rows.append([label.split(":")[0], layer,
                         f"{statistics.median(p[0] for p in pairs) / 1e3:.2f}",
                         f"{statistics.median(p[1] for p in pairs) / 1e3:.2f}",
                         f"**{statistics.median(p[2] for p in pairs):.2f}x**",
                         ", ".join(f"{p[2]:.2f}" for p in pairs),
                         f"{before} / {_common.load_average()}"])
            print(" | ".join(rows[-1]), flush=True)
    table = _common.markdown_table(
        ["threads", "layer", "ember median ms", "torch median ms", "ratio", "pair ratios",
         "load avg (1, 5, 15 min) before / after"], rows)
    notes = ["Threads: \"2 threads\" is THREADS=2 (torch's default here) with OPENBLAS_NUM_THREADS "
             "unset; \"single-threaded\" is THREADS=1 OPENBLAS_NUM_THREADS=1. One training step: "
             "zero_grad, forward, cross entropy, backward, clipping, SGD step. Each framework in "
             f"its own process, alternating ({args.pairs} pairs); each process's median step; the "
             "ratio is the median of the pair ratios (ember / torch)."]
    body = _common.report(TITLE, _common.command_line(), env, table, notes)
    _common.publish(TITLE, body, args.write)


if __name__ == "__main__":
    main()
