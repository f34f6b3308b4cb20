"""The "translation with a sequence to sequence network and attention" tutorial, in small: an
EncoderRNN (Embedding + batch_first GRU), an AttnDecoderRNN with Bahdanau attention, teacher
forcing with topk(1)/detach, log_softmax + NLLLoss, separate optimisers for encoder and decoder,
and greedy decoding under no_grad; then the tutorial's older one-token-at-a-time form, and the
chatbot tutorial's packed bidirectional encoder, Luong attention and masked NLL loss."""
import itertools
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

SOS, EOS = 0, 1
VOCAB_IN, VOCAB_OUT, HIDDEN, MAX_LEN = 10, 9, 8, 6


def init(m, scale=0.3):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_((ramp * 0.7 + i).sin() * scale)


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS)
        decoder_hidden = encoder_hidden
        decoder_outputs, attentions = [], []
        for i in range(MAX_LEN):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs)
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        return self.out(output), hidden, attn_weights


def pairs():
    # "reverse and shift" translation: target = reversed source tokens mapped into the output vocab
    src = torch.tensor([[2, 3, 4, 5, 6, EOS], [7, 8, 9, 2, 3, EOS],
                        [4, 4, 5, 5, 6, EOS], [9, 7, 5, 3, 2, EOS]])
    body = (src[:, :-1].flip(1) % (VOCAB_OUT - 2)) + 2
    tgt = torch.cat([body, torch.full((src.size(0), 1), EOS, dtype=torch.long)], dim=1)
    return src, tgt


def train_epoch(src, tgt, encoder, decoder, enc_opt, dec_opt, criterion):
    enc_opt.zero_grad()
    dec_opt.zero_grad()
    encoder_outputs, encoder_hidden = encoder(src)
    decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, tgt)
    loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), tgt.view(-1))
    loss.backward()
    enc_opt.step()
    dec_opt.step()
    return loss.item()


def evaluate(encoder, decoder, src):
    with torch.no_grad():
        encoder_outputs, encoder_hidden = encoder(src)
        decoder_outputs, _, attn = decoder(encoder_outputs, encoder_hidden)
        decoded_ids = decoder_outputs.argmax(-1)
    words = []
    for row in decoded_ids.tolist():
        out = []
        for idx in row:
            if idx == EOS:
                out.append("<EOS>")
                break
            out.append(idx)
        words.append(out)
    return words, attn


def greedy_step_by_step(encoder, decoder, src):
    """A hand-written greedy loop, one step at a time, with the decoder's forward_step."""
    with torch.no_grad():
        enc_out, hidden = encoder(src[:1])
        token = torch.tensor([[SOS]])
        result = []
        for _ in range(MAX_LEN):
            logits, hidden, _ = decoder.forward_step(token, hidden, enc_out)
            probs = F.softmax(logits.squeeze(1), dim=1)
            value, index = probs.topk(1)
            result.append((index.item(), round(value.item(), 5)))
            if index.item() == EOS:
                break
            token = index.detach()
    return result


encoder = EncoderRNN(VOCAB_IN, HIDDEN)
decoder = AttnDecoderRNN(HIDDEN, VOCAB_OUT)
init(encoder)
init(decoder, scale=0.25)
# dropout is on in train mode; eval() everywhere keeps the printed numbers independent of the RNG
encoder.eval()
decoder.eval()
src, tgt = pairs()
print("pairs", src.shape, tgt.tolist())

enc_opt = optim.SGD(encoder.parameters(), lr=0.5, momentum=0.5)
dec_opt = optim.Adam(decoder.parameters(), lr=0.02)
criterion = nn.NLLLoss()
for epoch in range(1, 13):
    loss = train_epoch(src, tgt, encoder, decoder, enc_opt, dec_opt, criterion)
    if epoch % 3 == 0:
        print(f"epoch {epoch} loss {loss:.5f}")

words, attn = evaluate(encoder, decoder, src)
print("decoded", words)
print("attention", tuple(attn.shape), f"{attn.sum().item():.4f}", f"{attn[0, 0].max().item():.5f}")
print("greedy", greedy_step_by_step(encoder, decoder, src))

# per-token NLL on the teacher-forced output, the sum form the tutorial's plots use
with torch.no_grad():
    eo, eh = encoder(src)
    out, _, _ = decoder(eo, eh, tgt)
    nll = nn.NLLLoss(reduction="none")(out.transpose(1, 2), tgt)
    print("nll rows", [round(v, 4) for v in nll.sum(1).tolist()])
    print("accuracy", (out.argmax(-1) == tgt).float().mean().item())


# The older, one-token-at-a-time form of the tutorial: an explicit zeros hidden state, attention
# over a fixed-size encoder_outputs buffer, F.relu, a summed loss over target tokens and a Python
# random teacher-forcing ratio (Python's RNG, the same under both frameworks).


class StepEncoder(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size)

    def forward(self, input, hidden):
        embedded = self.embedding(input).view(1, 1, -1)
        return self.gru(embedded, hidden)

    def initHidden(self):
        return torch.zeros(1, 1, self.hidden_size, device="cpu")


class StepAttnDecoder(nn.Module):
    def __init__(self, hidden_size, output_size, max_length=MAX_LEN + 1):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attn = nn.Linear(hidden_size * 2, max_length)
        self.attn_combine = nn.Linear(hidden_size * 2, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, input, hidden, encoder_outputs):
        embedded = self.embedding(input).view(1, 1, -1)
        attn_weights = F.softmax(self.attn(torch.cat((embedded[0], hidden[0]), 1)), dim=1)
        attn_applied = torch.bmm(attn_weights.unsqueeze(0), encoder_outputs.unsqueeze(0))
        output = torch.cat((embedded[0], attn_applied[0]), 1)
        output = F.relu(self.attn_combine(output).unsqueeze(0))
        output, hidden = self.gru(output, hidden)
        output = F.log_softmax(self.out(output[0]), dim=1)
        return output, hidden, attn_weights


def train_pair(input_tensor, target_tensor, encoder, decoder, enc_opt, dec_opt, criterion,
               max_length=MAX_LEN + 1, teacher_forcing_ratio=0.5):
    encoder_hidden = encoder.initHidden()
    enc_opt.zero_grad()
    dec_opt.zero_grad()
    input_length, target_length = input_tensor.size(0), target_tensor.size(0)
    encoder_outputs = torch.zeros(max_length, encoder.hidden_size)
    loss = 0
    for ei in range(input_length):
        encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
        encoder_outputs[ei] = encoder_output[0, 0]
    decoder_input = torch.tensor([[SOS]])
    decoder_hidden = encoder_hidden
    use_teacher_forcing = random.random() < teacher_forcing_ratio
    for di in range(target_length):
        decoder_output, decoder_hidden, _ = decoder(decoder_input, decoder_hidden, encoder_outputs)
        loss += criterion(decoder_output, target_tensor[di])
        if use_teacher_forcing:
            decoder_input = target_tensor[di]
        else:
            topv, topi = decoder_output.topk(1)
            decoder_input = topi.squeeze().detach()
            if decoder_input.item() == EOS:
                break
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(decoder.parameters()), 5.0)
    enc_opt.step()
    dec_opt.step()
    return loss.item() / target_length, use_teacher_forcing


def translate(encoder, decoder, input_tensor, max_length=MAX_LEN + 1):
    with torch.no_grad():
        encoder_hidden = encoder.initHidden()
        encoder_outputs = torch.zeros(max_length, encoder.hidden_size)
        for ei in range(input_tensor.size()[0]):
            encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
            encoder_outputs[ei] += encoder_output[0, 0]
        decoder_input = torch.tensor([[SOS]])
        decoder_hidden = encoder_hidden
        decoded, decoder_attentions = [], torch.zeros(max_length, max_length)
        for di in range(max_length):
            decoder_output, decoder_hidden, decoder_attention = decoder(
                decoder_input, decoder_hidden, encoder_outputs)
            decoder_attentions[di] = decoder_attention.data
            topv, topi = decoder_output.data.topk(1)
            if topi.item() == EOS:
                decoded.append("<EOS>")
                break
            decoded.append(topi.item())
            decoder_input = topi.squeeze().detach()
        return decoded, decoder_attentions[:di + 1]


random.seed(3)
step_enc, step_dec = StepEncoder(VOCAB_IN, HIDDEN), StepAttnDecoder(HIDDEN, VOCAB_OUT)
init(step_enc, 0.4)
init(step_dec, 0.3)
enc_opt = optim.SGD(step_enc.parameters(), lr=0.1)
dec_opt = optim.SGD(step_dec.parameters(), lr=0.1)
print_loss_total = 0
for it in range(1, 17):
    s, t = src[(it - 1) % 4].view(-1, 1), tgt[(it - 1) % 4].view(-1, 1)
    loss, forced = train_pair(s, t, step_enc, step_dec, enc_opt, dec_opt, nn.NLLLoss())
    print_loss_total += loss
    if it % 4 == 0:
        print(f"iter {it} avg loss {print_loss_total / 4:.5f} forced {forced}")
        print_loss_total = 0
decoded, attentions = translate(step_enc, step_dec, src[1].view(-1, 1))
print("translated", decoded, tuple(attentions.shape), f"{attentions.sum().item():.4f}")


# The chatbot tutorial's pieces: zip_longest padding into LongTensor/BoolTensor, a bidirectional
# encoder over packed sequences whose halves are summed, Luong "general"/"concat"/"dot" attention,
# a masked NLL loss with gather/masked_select, and GreedySearchDecoder's growing token tensor.
PAD = 2


def zeroPadding(seqs, fillvalue=PAD):
    return list(itertools.zip_longest(*seqs, fillvalue=fillvalue))


def binaryMatrix(padded):
    return [[0 if token == PAD else 1 for token in seq] for seq in padded]


class BiEncoder(nn.Module):
    def __init__(self, hidden_size, embedding, n_layers=2):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = embedding
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, dropout=0.1, bidirectional=True)

    def forward(self, input_seq, input_lengths, hidden=None):
        embedded = self.embedding(input_seq)
        packed = nn.utils.rnn.pack_padded_sequence(embedded, input_lengths)
        outputs, hidden = self.gru(packed, hidden)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs)
        outputs = outputs[:, :, :self.hidden_size] + outputs[:, :, self.hidden_size:]
        return outputs, hidden


class LuongAttn(nn.Module):
    def __init__(self, method, hidden_size):
        super().__init__()
        self.method = method
        if method == "general":
            self.attn = nn.Linear(hidden_size, hidden_size)
        elif method == "concat":
            self.attn = nn.Linear(hidden_size * 2, hidden_size)
            self.v = nn.Parameter(torch.FloatTensor(hidden_size))

    def forward(self, hidden, encoder_outputs):
        if self.method == "general":
            energies = torch.sum(hidden * self.attn(encoder_outputs), dim=2)
        elif self.method == "concat":
            expanded = hidden.expand(encoder_outputs.size(0), -1, -1)
            energy = self.attn(torch.cat((expanded, encoder_outputs), 2)).tanh()
            energies = torch.sum(self.v * energy, dim=2)
        else:
            energies = torch.sum(hidden * encoder_outputs, dim=2)
        return F.softmax(energies.t(), dim=1).unsqueeze(1)


class LuongDecoder(nn.Module):
    def __init__(self, method, embedding, hidden_size, output_size, n_layers=2):
        super().__init__()
        self.n_layers = n_layers
        self.embedding = embedding
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, dropout=0.1)
        self.concat = nn.Linear(hidden_size * 2, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)
        self.attn = LuongAttn(method, hidden_size)

    def forward(self, input_step, last_hidden, encoder_outputs):
        embedded = self.embedding(input_step)
        rnn_output, hidden = self.gru(embedded, last_hidden)
        attn_weights = self.attn(rnn_output, encoder_outputs)
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1))
        rnn_output, context = rnn_output.squeeze(0), context.squeeze(1)
        concat_output = torch.tanh(self.concat(torch.cat((rnn_output, context), 1)))
        return F.softmax(self.out(concat_output), dim=1), hidden


def maskNLLLoss(inp, target, mask):
    nTotal = mask.sum()
    crossEntropy = -torch.log(torch.gather(inp, 1, target.view(-1, 1)).squeeze(1))
    loss = crossEntropy.masked_select(mask).mean()
    return loss, nTotal.item()


class GreedySearchDecoder(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def forward(self, input_seq, input_length, max_length):
        encoder_outputs, encoder_hidden = self.encoder(input_seq, input_length)
        decoder_hidden = encoder_hidden[:self.decoder.n_layers]
        decoder_input = torch.ones(1, 1, device="cpu", dtype=torch.long) * SOS
        all_tokens = torch.zeros([0], device="cpu", dtype=torch.long)
        all_scores = torch.zeros([0], device="cpu")
        for _ in range(max_length):
            decoder_output, decoder_hidden = self.decoder(decoder_input, decoder_hidden,
                                                          encoder_outputs)
            decoder_scores, decoder_input = torch.max(decoder_output, dim=1)
            all_tokens = torch.cat((all_tokens, decoder_input), dim=0)
            all_scores = torch.cat((all_scores, decoder_scores), dim=0)
            decoder_input = torch.unsqueeze(decoder_input, 0)
        return all_tokens, all_scores


sentences = [[3, 4, 5, 6, 7, EOS], [8, 9, 3, EOS], [5, 5, EOS]]
replies = [[6, 5, 4, EOS], [3, 4, 5, 6, 7, EOS], [7, EOS]]
lengths = torch.tensor([len(s) for s in sentences])
inp = torch.LongTensor(zeroPadding(sentences))
out_pad = zeroPadding(replies)
mask = torch.BoolTensor(binaryMatrix(out_pad))
target = torch.LongTensor(out_pad)
max_target_len = max(len(r) for r in replies)
print("batch", tuple(inp.shape), tuple(target.shape), mask.sum().item(), lengths.tolist())

for method in ("dot", "general", "concat"):
    embedding = nn.Embedding(VOCAB_IN, HIDDEN)
    enc = BiEncoder(HIDDEN, embedding)
    dec = LuongDecoder(method, embedding, HIDDEN, VOCAB_IN)
    init(enc, 0.3)
    init(dec, 0.3)
    enc.train()
    dec.train()
    enc.gru.dropout = dec.gru.dropout = 0.0  # keep the RNG out of the printed numbers
    enc_opt = optim.Adam(enc.parameters(), lr=0.01)
    dec_opt = optim.Adam(dec.parameters(), lr=0.05)
    for it in range(4):
        enc_opt.zero_grad()
        dec_opt.zero_grad()
        encoder_outputs, encoder_hidden = enc(inp, lengths)
        decoder_input = torch.LongTensor([[SOS for _ in range(len(sentences))]])
        decoder_hidden = encoder_hidden[:dec.n_layers]
        loss, print_losses, n_totals = 0, [], 0
        for t in range(max_target_len):
            decoder_output, decoder_hidden = dec(decoder_input, decoder_hidden, encoder_outputs)
            decoder_input = target[t].view(1, -1)
            mask_loss, nTotal = maskNLLLoss(decoder_output, target[t], mask[t])
            loss += mask_loss
            print_losses.append(mask_loss.item() * nTotal)
            n_totals += nTotal
        loss.backward()
        nn.utils.clip_grad_norm_(enc.parameters(), 1.0)
        nn.utils.clip_grad_norm_(dec.parameters(), 1.0)
        enc_opt.step()
        dec_opt.step()
    print(f"luong {method} loss {sum(print_losses) / n_totals:.5f}")
    enc.eval()
    dec.eval()
    searcher = GreedySearchDecoder(enc, dec)
    with torch.no_grad():
        tokens, scores = searcher(inp[:, :1][:lengths[0]], lengths[:1], 5)
    print(f"  greedy {tokens.tolist()} {[round(s, 5) for s in scores.tolist()]}")
