"""The "Language Modeling with nn.Transformer" tutorial: a TransformerModel (nn.Embedding scaled by
sqrt(d_model), a PositionalEncoding module with a registered sin/cos buffer, a
TransformerEncoder of TransformerEncoderLayers, a Linear decoder), batchify/get_batch over a
token stream, a causal mask (the tutorial's own generate_square_subsequent_mask, sliced for the
last batch, and nn.Transformer.generate_square_subsequent_mask), CrossEntropyLoss, SGD at lr 5
with clip_grad_norm_ and StepLR(step_size=1.0, gamma=0.95), evaluation under no_grad, the best
model's state_dict saved in a TemporaryDirectory and loaded back, and the test loss.

The data: the tutorial reads WikiText-2 through torchtext; here a seeded grammar writes the text,
a basic_english-like tokenizer splits it and a frequency-ordered vocabulary numbers it. The model
is smaller, dropout is 0 (its masks come from the random generator, which ember does not
reproduce), the starting weights come from numpy's generator, and the progress lines leave out
the timings."""
import math
import os
import random
from collections import Counter
from tempfile import TemporaryDirectory
from typing import Tuple

import numpy as np
import torch
from torch import nn, Tensor
from torch.nn import TransformerEncoder, TransformerEncoderLayer

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')


class TransformerModel(nn.Module):

    def __init__(self, ntoken: int, d_model: int, nhead: int, d_hid: int,
                 nlayers: int, dropout: float = 0.5):
        super().__init__()
        self.model_type = 'Transformer'
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)

        self.init_weights()

    def init_weights(self) -> None:
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
        """
        Arguments:
            src: Tensor, shape ``[seq_len, batch_size]``
            src_mask: Tensor, shape ``[seq_len, seq_len]``

        Returns:
            output Tensor of shape ``[seq_len, batch_size, ntoken]``
        """
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        if src_mask is None:
            """Generate a square causal mask for the sequence. The masked positions are filled with float('-inf').
            Unmasked positions are filled with float(0.0).
            """
            src_mask = nn.Transformer.generate_square_subsequent_mask(len(src)).to(device)
        output = self.transformer_encoder(src, src_mask)
        output = self.linear(output)
        return output


class PositionalEncoding(nn.Module):

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)

        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)

    def forward(self, x: Tensor) -> Tensor:
        """
        Arguments:
            x: Tensor, shape ``[seq_len, batch_size, embedding_dim]``
        """
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)


def generate_square_subsequent_mask(sz: int) -> Tensor:
    """Generates an upper-triangular matrix of ``-inf``, with zeros on ``diag``."""
    return torch.triu(torch.ones(sz, sz) * float('-inf'), diagonal=1)


# ---------------------------------------------------------------- Load and batch data
def synthetic_wikitext(n_lines, seed):
    """Lines of a small grammar standing in for WikiText-2's articles."""
    rnd = random.Random(seed)
    nouns = ["the river", "a castle", "the king", "an army", "the city", "a ship", "the church",
             "the album", "a song", "the team"]
    verbs = ["crossed", "built", "defended", "recorded", "visited", "released", "won", "lost"]
    tails = ["in 1854", "during the war", "after the season", "with the band", "near the coast",
             "for the first time"]
    lines = []
    for _ in range(n_lines):
        if rnd.random() < 0.15:
            lines.append(" = = " + rnd.choice(nouns).title() + " = = ")
            continue
        words = [rnd.choice(nouns), rnd.choice(verbs), rnd.choice(nouns)]
        if rnd.random() < 0.6:
            words.append(rnd.choice(tails))
        sentence = " ".join(words) + rnd.choice([" .", " , and it was @-@ famous .", " ; "])
        lines.append(sentence[0].upper() + sentence[1:])
    return lines


def tokenizer(line):
    """torchtext's basic_english: lower case, punctuation split off, whitespace split."""
    line = line.lower()
    for p in ".,;!?()\"'":
        line = line.replace(p, f" {p} ")
    return line.split()


class Vocab:
    """build_vocab_from_iterator(..., specials=['<unk>']) with set_default_index."""

    def __init__(self, iterator, specials):
        counts = Counter(tok for tokens in iterator for tok in tokens)
        self.itos = list(specials) + sorted((t for t in counts if t not in specials),
                                            key=lambda t: (-counts[t], t))
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        self.default = None

    def set_default_index(self, index):
        self.default = index

    def __getitem__(self, token):
        return self.stoi.get(token, self.default)

    def __call__(self, tokens):
        return [self[t] for t in tokens]

    def __len__(self):
        return len(self.itos)


train_iter = synthetic_wikitext(420, seed=0)
vocab = Vocab(map(tokenizer, train_iter), specials=['<unk>'])
vocab.set_default_index(vocab['<unk>'])
print("vocab", len(vocab), vocab.itos[:8], vocab['zebra'])


def data_process(raw_text_iter) -> Tensor:
    """Converts raw text into a flat Tensor."""
    data = [torch.tensor(vocab(tokenizer(item)), dtype=torch.long) for item in raw_text_iter]
    return torch.cat(tuple(filter(lambda t: t.numel() > 0, data)))


train_iter, val_iter, test_iter = (synthetic_wikitext(n, seed) for n, seed in
                                   ((420, 0), (100, 1), (100, 2)))
train_data = data_process(train_iter)
val_data = data_process(val_iter)
test_data = data_process(test_iter)
print("tokens", train_data.shape, val_data.shape, test_data.shape, train_data.dtype,
      train_data[:12].tolist())


def batchify(data: Tensor, bsz: int) -> Tensor:
    """Divides the data into ``bsz`` separate sequences, removing extra elements
    that wouldn't cleanly fit.

    Arguments:
        data: Tensor, shape ``[N]``
        bsz: int, batch size

    Returns:
        Tensor of shape ``[N // bsz, bsz]``
    """
    seq_len = data.size(0) // bsz
    data = data[:seq_len * bsz]
    data = data.view(bsz, seq_len).t().contiguous()
    return data.to(device)


batch_size = 20
eval_batch_size = 10
train_data = batchify(train_data, batch_size)  # shape ``[seq_len, batch_size]``
val_data = batchify(val_data, eval_batch_size)
test_data = batchify(test_data, eval_batch_size)
print("batchified", tuple(train_data.shape), tuple(val_data.shape), tuple(test_data.shape))

bptt = 35


def get_batch(source: Tensor, i: int) -> Tuple[Tensor, Tensor]:
    """
    Args:
        source: Tensor, shape ``[full_seq_len, batch_size]``
        i: int

    Returns:
        tuple (data, target), where data has shape ``[seq_len, batch_size]`` and
        target has shape ``[seq_len * batch_size]``
    """
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i+seq_len]
    target = source[i+1:i+1+seq_len].reshape(-1)
    return data, target


# ---------------------------------------------------------------- Initiate an instance
ntokens = len(vocab)  # size of vocabulary
emsize = 32  # embedding dimension (200 in the tutorial)
d_hid = 48  # dimension of the feedforward network model in ``nn.TransformerEncoder`` (200)
nlayers = 2  # number of ``nn.TransformerEncoderLayer`` in ``nn.TransformerEncoder``
nhead = 2  # number of heads in ``nn.MultiheadAttention``
dropout = 0.0  # dropout probability (0.2)
model = TransformerModel(ntokens, emsize, nhead, d_hid, nlayers, dropout).to(device)


def numpy_init(model, seed):
    """The weights torch's generator drew, drawn from numpy's: the tutorial's init_weights ranges
    for the embedding and the decoder, torch's default bounds for the rest, norms left as built."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                continue
            if name in ("embedding.weight", "linear.weight"):
                bound = 0.1
            elif name == "linear.bias" or name.endswith(("in_proj_bias", "out_proj.bias")):
                p.zero_()
                continue
            else:
                bound = 1 / math.sqrt(p.shape[-1] if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


numpy_init(model, seed=0)
print(sum(p.numel() for p in model.parameters()), [n for n, _ in model.named_parameters()][:6])
print("pe", tuple(model.pos_encoder.pe.shape), model.pos_encoder.pe[3, 0, :4].tolist(),
      'pe' in model.state_dict(), len(list(model.buffers())))
mask = generate_square_subsequent_mask(4)
print(mask)
print(torch.equal(mask, nn.Transformer.generate_square_subsequent_mask(4)))

# ---------------------------------------------------------------- Run the model
criterion = nn.CrossEntropyLoss()
lr = 5.0  # learning rate
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)


def train(model: nn.Module) -> None:
    model.train()  # turn on train mode
    total_loss = 0.
    log_interval = 2
    src_mask = generate_square_subsequent_mask(bptt).to(device)

    num_batches = len(train_data) // bptt
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        seq_len = data.size(0)
        if seq_len != bptt:  # only on last batch
            src_mask = src_mask[:seq_len, :seq_len]
        output = model(data, src_mask)
        output_flat = output.view(-1, ntokens)
        loss = criterion(output_flat, targets)

        optimizer.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()

        total_loss += loss.item()
        if batch % log_interval == 0 and batch > 0:
            lr = scheduler.get_last_lr()[0]
            cur_loss = total_loss / log_interval
            ppl = math.exp(cur_loss)
            print(f'| epoch {epoch:3d} | {batch:5d}/{num_batches:5d} batches | '
                  f'lr {lr:02.2f} | grad norm {norm.item():7.3f} | '
                  f'loss {cur_loss:5.2f} | ppl {ppl:8.2f}')
            total_loss = 0


def evaluate(model: nn.Module, eval_data: Tensor) -> float:
    model.eval()  # turn on evaluation mode
    total_loss = 0.
    with torch.no_grad():
        for i in range(0, eval_data.size(0) - 1, bptt):
            data, targets = get_batch(eval_data, i)
            seq_len = data.size(0)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            total_loss += seq_len * criterion(output_flat, targets).item()
    return total_loss / (len(eval_data) - 1)


best_val_loss = float('inf')
epochs = 3

with TemporaryDirectory() as tempdir:
    best_model_params_path = os.path.join(tempdir, "best_model_params.pt")

    for epoch in range(1, epochs + 1):
        train(model)
        val_loss = evaluate(model, val_data)
        val_ppl = math.exp(val_loss)
        print('-' * 89)
        print(f'| end of epoch {epoch:3d} | '
              f'valid loss {val_loss:5.2f} | valid ppl {val_ppl:8.2f} | {val_loss}')
        print('-' * 89)

        if val_loss < best_val_loss:
            best_val_loss = val_loss
            torch.save(model.state_dict(), best_model_params_path)

        scheduler.step()
    print("lr after", scheduler.get_last_lr(), optimizer.param_groups[0]["lr"])
    model.load_state_dict(torch.load(best_model_params_path))  # load best model states

# ------------------------------------------------------ Evaluate the best model on test data
test_loss = evaluate(model, test_data)
test_ppl = math.exp(test_loss)
print('=' * 89)
print(f'| End of training | test loss {test_loss:5.2f} | '
      f'test ppl {test_ppl:8.2f} | {test_loss}')
print('=' * 89)

# The same batches through the model in train mode (no fast path), and the greedy next tokens
model.train()
with torch.no_grad():
    data, targets = get_batch(test_data, 0)
    logits = model(data)
    print("train-mode test loss", criterion(logits.view(-1, ntokens), targets).item())
    print("next tokens", logits[-1].argmax(-1).tolist())
    print("eval == train mode", torch.allclose(logits, model.eval()(data), atol=1e-5))
# (norms: in float32 at lr 5, the runs agree to about 1e-5 relative, which a sum of weights of
# both signs can blow up past the comparison's tolerance; in float64 they agree to 1e-13)
for name, p in model.named_parameters():
    if p.dim() > 1:
        print(name, tuple(p.shape), p.norm().item())

# The same training in float64, where the two libraries agree to ~1e-13 and the weights' sums
# can be compared too.
torch.set_default_dtype(torch.float64)
model = TransformerModel(ntokens, emsize, nhead, d_hid, nlayers, dropout).to(device)
numpy_init(model, seed=0)
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
for epoch in range(1, epochs + 1):
    train(model)
    print(f'| end of epoch {epoch:3d} | valid loss {evaluate(model, val_data)}')
    scheduler.step()
print("float64 test loss", evaluate(model, test_data), model.pos_encoder.pe.dtype)
for name, p in model.named_parameters():
    print(name, tuple(p.shape), p.sum().item(), p.norm().item())
