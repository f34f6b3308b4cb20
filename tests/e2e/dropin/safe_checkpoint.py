# A checkpoint that keeps its run configuration beside the weights, loaded with weights_only=True
# after allowlisting the configuration class.
import dataclasses
import os
import sys
import tempfile

import torch
import torch.nn as nn
import torch.serialization


@dataclasses.dataclass
class RunConfig:
    width: int = 4
    lr: float = 0.05
    name: str = "tiny"


net = nn.Linear(3, 2)
with torch.no_grad():
    net.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
    net.bias.zero_()

path = os.path.join(tempfile.mkdtemp(), "run.pt")
torch.save({"config": RunConfig(width=8), "model": net.state_dict(), "step": 12}, path)

try:
    torch.load(path, weights_only=True)
except Exception as e:
    print("refused without allowlist:", type(e).__name__, "RunConfig" in str(e))

with torch.serialization.safe_globals([RunConfig]):
    print("inside:", RunConfig in torch.serialization.get_safe_globals())
    ck = torch.load(path, weights_only=True)
print("after:", RunConfig in torch.serialization.get_safe_globals())
print("config", ck["config"], ck["step"])

torch.serialization.add_safe_globals([RunConfig])
again = torch.load(path, weights_only=True)
torch.serialization.clear_safe_globals()
restored = nn.Linear(3, 2)
restored.load_state_dict(again["model"])
print("restored", restored(torch.ones(1, 3)).tolist(), again["config"] == ck["config"])
sys.exit(0)
