# Mixed precision on the CPU and a look at where the time goes, as a PyTorch script does it.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile, record_function

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 2))
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.7 + i).reshape(p.shape))
x = torch.linspace(-1, 1, 24).reshape(4, 6)
target = torch.tensor([0, 1, 1, 0])

with torch.autocast(device_type="cpu", dtype=torch.float16):
    out = net(x)
    loss = F.cross_entropy(out, target)
print("autocast dtypes", out.dtype, loss.dtype, torch.is_autocast_enabled("cpu"))
print("close to float32", torch.allclose(out.float(), net(x), atol=2e-2))
with torch.autocast(device_type="cpu", dtype=torch.float16, enabled=False):
    print("disabled", net(x).dtype)
print("after", torch.mm(x, x.t()).dtype, torch.is_autocast_enabled("cpu"))

opt = torch.optim.SGD(net.parameters(), lr=0.1)
scaler = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
for step in range(4):
    opt.zero_grad()
    loss = F.cross_entropy(net(x), target)
    if step == 1:
        loss = loss * float("inf")  # an overflow: this step is skipped and the scale backs off
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    print("step", step, "scale", scaler.get_scale())
print("scaler state", sorted(scaler.state_dict().items()))
print("trained loss", round(F.cross_entropy(net(x), target).item(), 5))
off = torch.amp.GradScaler("cpu", enabled=False)
print("disabled scaler", off.scale(loss) is loss, off.get_scale(), off.state_dict())

with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
    for _ in range(3):
        with record_function("forward_pass"):
            net(x).sum()
averages = {e.key: e for e in prof.key_averages()}
print("profiled", averages["forward_pass"].count, "aten::addmm" in averages,
      averages["aten::addmm"].count, averages["aten::relu"].count)
table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=5)
print("table header", table.splitlines()[1].split())
print("first row", table.splitlines()[3].split()[0], "rows", len(table.splitlines()) - 5)
