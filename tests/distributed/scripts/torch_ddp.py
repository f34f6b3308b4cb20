"""An unmodified torch DDP script (gloo, torchrun's variables, DistributedSampler), for
`emberrun --dropin`."""
import os
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

dist.init_process_group("gloo")
rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
assert int(os.environ["LOCAL_RANK"]) == rank == dist.get_rank() and world == 2
torch.manual_seed(0)
data = TensorDataset(torch.randn(10, 4), torch.randn(10, 1))
sampler = DistributedSampler(data, shuffle=False)
model = DDP(nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in DataLoader(data, batch_size=5, sampler=sampler):
    opt.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    opt.step()
weights = [None, None]
dist.all_gather_object(weights, model.module.weight.tolist())
assert weights[0] == weights[1]
print(f"rank {rank} of {world}: {torch.__name__} {list(sampler)} {sys.argv[1:]}")
dist.destroy_process_group()
