"""A small transformer language model, written once for `torch` (ember or PyTorch): token and
learned position embeddings, nn.Transformer (encoder over the source sentence, decoder over the
target shifted right under a causal mask, padded source positions masked out), and a linear head
predicting each next token. Synthetic text: sentences of a tiny grammar, variable length. Trained
a few Adam steps under ember; with torch installed, it must give torch's losses from the same
initial weights (dropout 0)."""
import numpy as np
import pytest

import ember

WORDS = ["<pad>", "<bos>", "the", "a", "cat", "dog", "bird", "sees", "chases", "likes", "red",
         "small", "."]
VOCAB, D_MODEL, LONGEST, BATCH = len(WORDS), 16, 8, 6
PAD, BOS = 0, 1


def make_model(torch):
    nn = torch.nn

    class TinyTransformerLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, D_MODEL, padding_idx=PAD)
            self.position = nn.Parameter(torch.randn(LONGEST, D_MODEL) * 0.1)
            self.transformer = nn.Transformer(D_MODEL, nhead=2, num_encoder_layers=1,
                                              num_decoder_layers=1, dim_feedforward=32,
                                              dropout=0.0, batch_first=True)
            self.head = nn.Linear(D_MODEL, VOCAB)

        def forward(self, src, tgt, src_padding):
            steps = tgt.shape[1]
            causal = nn.Transformer.generate_square_subsequent_mask(steps)
            out = self.transformer(self.embed(src) + self.position[:src.shape[1]],
                                   self.embed(tgt) + self.position[:steps],
                                   tgt_mask=causal, tgt_is_causal=True,
                                   src_key_padding_mask=src_padding,
                                   memory_key_padding_mask=src_padding)
            return self.head(out)

    return TinyTransformerLM()


def sentence(rng):
    """'the small cat chases a bird .': determiner, optional adjective, noun, verb, object."""
    def noun_phrase():
        words = [rng.choice(["the", "a"])]
        if rng.random() < 0.5:
            words.append(rng.choice(["red", "small"]))
        return words + [rng.choice(["cat", "dog", "bird"])]
    words = noun_phrase() + [rng.choice(["sees", "chases", "likes"])] + noun_phrase() + ["."]
    return [WORDS.index(w) for w in words[:LONGEST]]


def batches(steps, pool=3):
    """(source, decoder input, next-token labels, source padding) batches: the decoder reads the
    sentence shifted right after <bos> and predicts it; a pool of fixed batches, in turn."""
    rng = np.random.default_rng(0)
    fixed = []
    for _ in range(pool):
        src = np.full((BATCH, LONGEST), PAD, dtype=np.int64)
        for row in range(BATCH):
            words = sentence(rng)
            src[row, :len(words)] = words
        tgt_in = np.concatenate([np.full((BATCH, 1), BOS), src[:, :-1]], axis=1)
        fixed.append((src, tgt_in, src, src == PAD))
    for step in range(steps):
        yield fixed[step % pool]


def train(torch, model, steps):
    """Adam steps on the synthetic batches; the loss of each step (padding ignored)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD)
    losses = []
    for src, tgt_in, labels, padding in batches(steps):
        optimizer.zero_grad()
        logits = model(torch.tensor(src), torch.tensor(tgt_in), torch.tensor(padding))
        loss = loss_fn(logits.reshape(-1, VOCAB), torch.tensor(labels).reshape(-1))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_language_model_learns_under_ember():
    ember.manual_seed(0)
    model = make_model(ember)
    losses = train(ember, model, 30)
    assert np.isfinite(losses).all()
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])


def test_language_model_gives_torchs_losses():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = make_model(torch)
    ours = make_model(ember)
    ours.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    want = train(torch, theirs, 6)
    got = train(ember, ours, 6)
    np.testing.assert_allclose(got, want, rtol=1e-4)
    for name, p in theirs.named_parameters():
        got, want = ours.get_parameter(name).detach().numpy(), p.detach().numpy()
        if name.endswith("in_proj_bias"):
            # The key bias adds the same score to every key of a query, which softmax cancels:
            # its gradient is rounding noise, which Adam scales up to full-size steps.
            got, want = np.delete(got, np.s_[D_MODEL:2 * D_MODEL]), np.delete(
                want, np.s_[D_MODEL:2 * D_MODEL])
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-5, err_msg=name)
