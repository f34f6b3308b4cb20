# Token batches sliced out of a np.memmap, as a GPT data loader does, fed to an embedding model.
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

path = os.path.join(tempfile.mkdtemp(), "train.bin")
tokens = np.memmap(path, dtype=np.uint16, mode="w+", shape=(200,))
tokens[:] = (np.arange(200) * 7) % 31
tokens.flush()

data = np.memmap(path, dtype=np.uint16, mode="r")
block = 8
ix = torch.tensor([0, 17, 50, 133])
x = torch.stack([torch.from_numpy((data[i:i + block]).astype(np.int64)) for i in ix])
y = torch.stack([torch.from_numpy((data[i + 1:i + 1 + block]).astype(np.int64)) for i in ix])
window = torch.from_numpy(np.memmap(path, dtype=np.uint16, mode="r")[:4].astype(np.int32))
print("batch", x.shape, x.dtype, x[1].tolist(), window.tolist())

emb = nn.Embedding(31, 31)
with torch.no_grad():
    emb.weight.copy_(torch.arange(31 * 31, dtype=torch.float32).reshape(31, 31).sin() / 2)
opt = torch.optim.AdamW(emb.parameters(), lr=0.05)
for step in range(3):
    logits = emb(x)
    loss = F.cross_entropy(logits.view(-1, 31), y.view(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    print("step", step, round(loss.item(), 5))
