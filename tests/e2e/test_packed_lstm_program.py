"""A variable-length sequence classifier, written once for `torch` (ember or PyTorch): embedded
token sequences packed with pack_padded_sequence (unsorted lengths), a bidirectional two-layer
LSTM over the packed batch, pad_packed_sequence for a mean over each sequence's own steps, and a
linear head on that mean and the final hidden states. Trained a few Adam steps under ember; with
torch installed, it must give torch's losses from the same initial weights."""
import numpy as np
import pytest

import ember

VOCAB, EMBED, HIDDEN, CLASSES = 12, 6, 8, 3
BATCH, LONGEST = 6, 9


def make_model(torch):
    nn = torch.nn

    class SequenceClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, EMBED, padding_idx=0)
            self.lstm = nn.LSTM(EMBED, HIDDEN, num_layers=2, batch_first=True,
                                bidirectional=True)
            self.head = nn.Linear(2 * HIDDEN, CLASSES)

        def forward(self, tokens, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(self.embed(tokens), lengths,
                                                       batch_first=True, enforce_sorted=False)
            out, (h_n, _) = self.lstm(packed)
            padded, steps = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
            mean = padded.sum(1) / steps.unsqueeze(1).to(padded.dtype)
            last = torch.cat([h_n[-2], h_n[-1]], dim=1)  # the top layer, both directions
            return self.head(mean + last)

    return SequenceClassifier()


def batches(steps, pool=3):
    """Token batches (0 pads), their lengths, and labels (which of tokens 1, 2, 3 is commonest):
    a pool of fixed batches, taken in turn."""
    rng = np.random.default_rng(0)
    fixed = []
    for _ in range(pool):
        lengths = rng.integers(1, LONGEST + 1, size=BATCH)
        tokens = np.zeros((BATCH, LONGEST), dtype=np.int64)
        for row, n in enumerate(lengths):
            tokens[row, :n] = rng.integers(1, VOCAB, size=n)
        counts = np.stack([(tokens == k).sum(1) for k in (1, 2, 3)], 1)
        fixed.append((tokens, lengths.tolist(), counts.argmax(1)))
    for step in range(steps):
        yield fixed[step % pool]


def train(torch, model, steps):
    """Adam steps on the synthetic batches; the loss of each step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for tokens, lengths, labels in batches(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(torch.tensor(tokens), lengths), torch.tensor(labels))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_classifier_learns_under_ember():
    ember.manual_seed(0)
    model = make_model(ember)
    losses = train(ember, model, 30)
    assert np.isfinite(losses).all()
    assert np.mean(losses[-6:]) < 0.5 * np.mean(losses[:6])


def test_classifier_gives_torchs_losses():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = make_model(torch)
    ours = make_model(ember)
    ours.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    want = train(torch, theirs, 6)
    got = train(ember, ours, 6)
    np.testing.assert_allclose(got, want, rtol=1e-4)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(ours.get_parameter(name).detach().numpy(),
                                   p.detach().numpy(), rtol=1e-3, atol=1e-5, err_msg=name)
