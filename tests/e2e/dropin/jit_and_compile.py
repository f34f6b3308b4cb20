# Scripting, tracing and compiling: the model must still give its eager numbers.
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        with torch.no_grad():
            self.fc.weight.copy_(torch.arange(12.0).reshape(3, 4) / 10 - 0.5)
            self.fc.bias.fill_(0.25)

    @torch.jit.ignore
    def describe(self):
        return "block"

    @torch.jit.export
    def double(self, x):
        return 2 * x

    def forward(self, x):
        if torch.jit.is_scripting() or torch.jit.is_tracing():
            return self.fc(x)
        return torch.relu(self.fc(x))


@torch.jit.script
def scaled_tanh(x):
    return torch.tanh(x) * 1.5


model = Block().eval()
x = torch.arange(8.0).reshape(2, 4) / 8
eager = model(x)
print("eager", [round(v, 5) for v in eager.flatten().tolist()])
print("script fn", [round(v, 5) for v in scaled_tanh(x[0]).tolist()])
print("ignore/export", model.describe(), model.double(torch.ones(2)).tolist())
print("scripting flags", torch.jit.is_scripting(), torch.jit.is_tracing())

compiled = torch.compile(model, backend="eager")
print("compiled", [round(v, 5) for v in compiled(x).flatten().tolist()])


@torch.compile(backend="eager")
def square_sum(t):
    return (t * t).sum()


print("compiled fn", round(square_sum(x).item(), 5))
