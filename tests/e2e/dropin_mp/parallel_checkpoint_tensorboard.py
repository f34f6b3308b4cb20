# DataParallel, activation checkpointing and TensorBoard logging in an ordinary training script.
import os
import tempfile

import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 6)
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def make_block():
    block = Block()
    with torch.no_grad():
        for i, p in enumerate(block.parameters()):
            p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 1.3 + i)
                    .reshape(p.shape))
    return block


x = torch.linspace(-2, 2, 12).reshape(4, 3)
model = nn.DataParallel(make_block())
print("state keys", list(model.state_dict().keys()))
print("wrapped", type(model.module).__name__, [round(v, 5) for v in model(x).sum(0).tolist()])

grads = []
for use_checkpoint in (False, True):
    block = make_block()
    inp = x.clone().requires_grad_()
    out = checkpoint(block, inp, use_reentrant=False) if use_checkpoint else block(inp)
    (out ** 2).sum().backward()
    grads.append([round(v, 5) for v in block.fc1.weight.grad.flatten().tolist()[:6]]
                 + [round(v, 5) for v in inp.grad.flatten().tolist()[:4]])
    print("checkpoint" if use_checkpoint else "plain", grads[-1])
print("same gradients", grads[0] == grads[1])

try:
    from torch.utils.tensorboard import SummaryWriter
except ImportError:
    print("tensorboard not installed")
else:
    with tempfile.TemporaryDirectory() as logdir:
        writer = SummaryWriter(log_dir=logdir)
        for step in range(3):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
            writer.add_scalars("acc", {"train": 0.5 + step * 0.1, "val": 0.4}, step)
        writer.add_histogram("fc1.weight", make_block().fc1.weight, 0)
        writer.add_text("notes", "checkpointed run", 0)
        writer.close()
        runs = sorted(os.path.relpath(root, logdir) for root, _, files in os.walk(logdir)
                      if any(f.startswith("events.out.tfevents") for f in files))
        print("event runs", runs)
