"""A sequence model: padded tokens through an embedding with padding_idx, a packed bidirectional
2-layer GRU, multi-head attention with a key padding mask, a causal transformer decoder layer
and scaled_dot_product_attention; AdamW with OneCycleLR, label smoothing, clip_grad_value_."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.2 + 0.01 * i)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 6, padding_idx=0)
        self.gru = nn.GRU(6, 5, batch_first=True, bidirectional=True, num_layers=2)
        self.attn = nn.MultiheadAttention(10, 2, batch_first=True)
        self.dec = nn.TransformerDecoderLayer(10, 2, dim_feedforward=16, dropout=0.0,
                                              batch_first=True)
        self.out = nn.Linear(10, 12)

    def forward(self, tokens, lengths):
        x = self.emb(tokens)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.gru(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=tokens.shape[1])
        pad = tokens == 0
        a, w = self.attn(h, h, h, key_padding_mask=pad)
        causal = nn.Transformer.generate_square_subsequent_mask(tokens.shape[1])
        d = self.dec(a, h, tgt_mask=causal, memory_key_padding_mask=pad)
        q = d.unsqueeze(1)
        s = F.scaled_dot_product_attention(q, q, q, is_causal=True).squeeze(1)
        return self.out(s), w


model = Model()
init(model)
tokens = torch.tensor([[3, 5, 7, 2, 0, 0], [1, 4, 4, 9, 11, 6], [8, 2, 0, 0, 0, 0]])
lengths = torch.tensor([4, 6, 2])
opt = torch.optim.AdamW(model.parameters(), lr=0.01)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=5)
for step in range(5):
    logits, w = model(tokens, lengths)
    loss = F.cross_entropy(logits.reshape(-1, 12), tokens.roll(-1, 1).reshape(-1), ignore_index=0,
                           label_smoothing=0.1)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(model.parameters(), 0.5)
    opt.step()
    sched.step()
    print(f"step {step} loss {loss.item():.6f} attn {w.sum().item():.5f} "
          f"lr {sched.get_last_lr()[0]:.6f}")
