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
import os

import numpy as np

import _common

TITLE = "bench_rnn: recurrent language-model training steps"
CELLS = {"gru": ("GRU", {}), "rnn_tanh": ("RNN", {"nonlinearity": "tanh"}),
         "rnn_relu": ("RNN", {"nonlinearity": "relu"}), "lstm": ("LSTM", {})}
VOCAB, EMBED, HIDDEN, STEPS, BATCH = 1000, 64, 128, 35, 20


def _layer(cell):
    """The layer a cell names, as its row shows it: RNN(nonlinearity='tanh') ..."""
    name, options = CELLS[cell]
    return name + "".join(f"({k}={v!r})" for k, v in options.items())


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
    args = _common.case_arguments(__doc__.splitlines()[0], "--cells", list(CELLS),
                                  ["gru", "rnn_tanh", "lstm"], 20)
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    about = {"case": f"embedding {EMBED}, 2 recurrent layers of {HIDDEN}, {STEPS} steps of "
                     f"batch {BATCH}, decoder to {VOCAB} tokens, cross entropy, "
                     f"clip_grad_norm_(0.25), SGD(lr=0.1); {args.iters} timed steps after 3 "
                     "warm-up steps per process"}
    _common.run_cases(TITLE, os.path.abspath(__file__), args, about,
                      "One training step: zero_grad, forward, cross entropy, backward, clipping, "
                      "SGD step.", _layer)

if __name__ == "__main__":
    main()
