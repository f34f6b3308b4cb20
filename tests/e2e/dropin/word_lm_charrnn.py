"""The PyTorch examples' word_language_model, in small: an RNNModel (LSTM, tied weights,
init_hidden via weight.new_zeros), batchify with narrow/view/t/contiguous, get_batch, hidden-state
repackaging, clip_grad_norm_, a manual SGD update on p.data, perplexity, a state_dict round trip
through a temporary file; then a char-RNN with nn.RNN, nn.GRUCell and nn.LSTMCell stepped in a
Python loop, and deterministic temperature sampling."""
import math
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F


def init(m, scale=0.2):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_((ramp * 0.37 + i).sin() * scale)


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ["LSTM", "GRU"]:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


NTOKENS, BPTT, CLIP = 17, 5, 0.25
corpus = ((torch.arange(203) * 7 + (torch.arange(203) // 11)) % NTOKENS).long()
train_data = batchify(corpus[:150], 4)
val_data = batchify(corpus[150:], 2)
print("batchified", tuple(train_data.shape), tuple(val_data.shape), train_data.is_contiguous(),
      train_data[:3].tolist())

criterion = nn.NLLLoss()


def evaluate(model, data_source, eval_batch_size):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, BPTT):
            data, targets = get_batch(data_source, i, BPTT)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train_epoch(model, lr):
    model.train()
    total_loss = 0.0
    hidden = model.init_hidden(4)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, BPTT)):
        data, targets = get_batch(train_data, i, BPTT)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
    return total_loss / (batch + 1)


model = RNNModel("LSTM", NTOKENS, 8, 8, 2, dropout=0.0, tie_weights=True)
init(model)
print("tied", model.decoder.weight is model.encoder.weight,
      len(list(model.parameters())), len(model.state_dict()))
hidden = model.init_hidden(4)
print("hidden", type(hidden).__name__, [tuple(h.shape) for h in hidden], hidden[0].dtype)

lr, best_val_loss = 5.0, None
for epoch in range(1, 5):
    train_loss = train_epoch(model, lr)
    val_loss = evaluate(model, val_data, 2)
    print(f"| epoch {epoch} | lr {lr:.2f} | loss {train_loss:.5f} | ppl {math.exp(train_loss):8.4f}"
          f" | valid loss {val_loss:.5f} | valid ppl {math.exp(val_loss):8.4f}")
    if best_val_loss is None or val_loss < best_val_loss:
        best_val_loss = val_loss
    else:
        lr /= 4.0

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.pt")
    with open(path, "wb") as f:
        torch.save(model.state_dict(), f)
    reloaded = RNNModel("LSTM", NTOKENS, 8, 8, 2, dropout=0.0, tie_weights=True)
    with open(path, "rb") as f:
        missing = reloaded.load_state_dict(torch.load(f))
    reloaded.rnn.flatten_parameters()
print("reload", missing, reloaded.decoder.weight is reloaded.encoder.weight)
print(f"reloaded valid ppl {math.exp(evaluate(reloaded, val_data, 2)):.4f}")



class LegacyRNNModel(RNNModel):
    """The example's older init_hidden: the legacy weight.new(...) constructor, then zero_()."""

    def init_hidden(self, bsz):
        weight = next(self.parameters()).data
        if self.rnn_type == "LSTM":
            return (weight.new(self.nlayers, bsz, self.nhid).zero_(),
                    weight.new(self.nlayers, bsz, self.nhid).zero_())
        return weight.new(self.nlayers, bsz, self.nhid).zero_()


# Other rnn types of the same model: GRU and RNN_RELU, untied
for rnn_type in ("GRU", "RNN_TANH", "RNN_RELU", "LSTM"):
    m = LegacyRNNModel(rnn_type, NTOKENS, 6, 5, 2, dropout=0.0)
    init(m, 0.3)
    for _ in range(2):
        loss = train_epoch(m, 1.0)
    print(f"{rnn_type} loss {loss:.5f} valid ppl {math.exp(evaluate(m, val_data, 2)):.4f}")

# generate.py: feed back the most likely word; multinomial only for shapes
with torch.no_grad():
    hidden = model.init_hidden(1)
    input = torch.tensor([[3]], dtype=torch.long)
    words = []
    for _ in range(8):
        output, hidden = model(input, hidden)
        word_weights = output.squeeze().div(0.8).exp()
        word_idx = torch.argmax(word_weights).item()
        input.fill_(word_idx)
        words.append(word_idx)
    sampled = torch.multinomial(word_weights, 3)
print("generated", words, tuple(sampled.shape), sampled.dtype)


# char-RNN: an nn.RNN over the whole sequence, and cells stepped in a Python loop
text = "hello world, hello ember; the quick brown fox jumps over the lazy dog."
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
itos = {i: c for c, i in stoi.items()}
encoded = torch.tensor([stoi[c] for c in text], dtype=torch.long)
V = len(chars)
print("chars", V, encoded[:10].tolist())


class CharRNN(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.rnn = nn.RNN(hidden, hidden, num_layers=1, nonlinearity="tanh", batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, h=None):
        out, h = self.rnn(self.embed(x), h)
        return self.head(out), h


class CellCharModel(nn.Module):
    """A GRUCell feeding an LSTMCell, stepped one character at a time."""

    def __init__(self, vocab, hidden):
        super().__init__()
        self.hidden = hidden
        self.embed = nn.Embedding(vocab, hidden)
        self.gru = nn.GRUCell(hidden, hidden)
        self.lstm = nn.LSTMCell(hidden, hidden)
        self.head = nn.Linear(hidden, vocab)

    def init_state(self, bsz):
        z = torch.zeros(bsz, self.hidden)
        return z, (z.clone(), z.clone())

    def step(self, x, state):
        hg, (hl, cl) = state
        hg = self.gru(self.embed(x), hg)
        hl, cl = self.lstm(hg, (hl, cl))
        return self.head(hl), (hg, (hl, cl))

    def forward(self, x):
        state = self.init_state(x.size(0))
        logits = []
        for t in range(x.size(1)):
            out, state = self.step(x[:, t], state)
            logits.append(out)
        return torch.stack(logits, dim=1), state


def char_batches(seq_len=12, batch=3):
    starts = torch.arange(batch) * ((len(encoded) - seq_len - 1) // batch)
    idx = starts.unsqueeze(1) + torch.arange(seq_len + 1)
    windows = encoded[idx]
    return windows[:, :-1], windows[:, 1:]


def sample(step_fn, state, start, n, temperature):
    out = [start]
    x = torch.tensor([stoi[start]])
    with torch.no_grad():
        for _ in range(n):
            logits, state = step_fn(x, state)
            probs = (logits[-1] / temperature).softmax(-1)
            idx = probs.argmax(-1, keepdim=True)
            out.append(itos[idx.item()])
            x = idx.view(1)
    return "".join(out), probs


x, y = char_batches()
print("char batch", tuple(x.shape), tuple(y.shape))
for name, net in (("rnn", CharRNN(V, 12)), ("cells", CellCharModel(V, 12))):
    init(net, 0.3)
    opt = torch.optim.Adam(net.parameters(), lr=0.02)
    for it in range(1, 31):
        logits, _ = net(x)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), max_norm=1.0, norm_type=2)
        opt.step()
        if it % 10 == 0:
            print(f"{name} iter {it} loss {loss.item():.5f} bpc {loss.item() / math.log(2):.5f}")
    if name == "rnn":
        def step_fn(c, h):
            logits, h = net(c.view(1, 1), h)
            return logits[0], h
        state = None
    else:
        step_fn, state = net.step, net.init_state(1)
    for temp in (0.5, 1.0, 2.0):
        s, probs = sample(step_fn, state, "h", 10, temp)
        print(f"  {name} T={temp} {s!r} pmax {probs.max().item():.5f} "
              f"ent {-(probs * probs.log()).sum().item():.5f}")
    drawn = torch.multinomial(probs.squeeze(0), num_samples=4, replacement=True)
    print(f"  {name} multinomial", tuple(drawn.shape), drawn.dtype)
