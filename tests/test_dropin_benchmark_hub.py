"""A PyTorch program run unchanged on ember (python -m ember.run) reaches torch.vmap,
torch.utils.benchmark, torch.utils.model_zoo and torch.hub.load as it would in torch."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAM = """
import timeit
import torch
import torch.utils.benchmark as benchmark
from torch.utils.model_zoo import load_url
import ember

assert torch is ember and torch.vmap is torch.func.vmap
assert load_url is torch.hub.load_state_dict_from_url
print(torch.vmap(torch.dot)(torch.ones(2, 3), torch.ones(2, 3)).tolist())

t = benchmark.Timer("x.sum()", setup="x = torch.ones(8)", label="sum", sub_label="ones",
                    description="n=8", timer=timeit.default_timer)
m = t.timeit(5)
print(type(m).__name__, m.number_per_run, m.title)
print(benchmark.Compare([m]).__class__.__name__)

model = torch.hub.load(".", "tiny", source="local", width=4)
print(type(model).__name__, tuple(model.weight.shape), torch.hub.list(".", source="local"))
"""

HUBCONF = """
import torch
dependencies = ["torch"]

def tiny(width=2):
    return torch.nn.Linear(width, 1)
"""


def test_program_uses_vmap_benchmark_and_hub(tmp_path):
    (tmp_path / "prog.py").write_text(textwrap.dedent(PROGRAM))
    (tmp_path / "hubconf.py").write_text(textwrap.dedent(HUBCONF))
    r = subprocess.run([sys.executable, "-m", "ember.run", "prog.py"], capture_output=True,
                       text=True, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=ROOT),
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["[3.0, 3.0]", "Measurement 5 sum: ones", "Compare",
                                     "Linear (1, 4) ['tiny']"]
