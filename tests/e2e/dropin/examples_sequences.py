"""Three pytorch/examples programs shrunk to tiny sizes, their code structure kept:
time_sequence_prediction (two LSTMCells over sine waves in double precision, future prediction,
LBFGS with a closure), mnist_rnn (an LSTM over image rows, BatchNorm1d, Dropout2d, log_softmax,
nll_loss, Adadelta with StepLR, argmax accuracy) and regression (polynomial features, a manual
gradient step on .data, smooth_l1_loss, a formatted polynomial)."""
import io
import math
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR



def init(m, scale=0.2):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=p.dtype).reshape(p.shape)
            p.copy_(ramp.sin() * scale + 0.01 * i)


# ---------------------------------------------------------------- time_sequence_prediction
HIDDEN = 51


class Sequence(nn.Module):
    def __init__(self):
        super(Sequence, self).__init__()
        self.lstm1 = nn.LSTMCell(1, HIDDEN)
        self.lstm2 = nn.LSTMCell(HIDDEN, HIDDEN)
        self.linear = nn.Linear(HIDDEN, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
        c_t = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)

        for i, input_t in enumerate(input.chunk(input.size(1), dim=1)):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):  # if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.cat(outputs, dim=1)
        return outputs


def sine_data(n=6, length=16, period=20):
    # generate_sine_wave.py draws the shifts with np.random; fixed shifts keep it deterministic
    x = np.empty((n, length), 'int64')
    x[:] = np.array(range(length)) + np.arange(n).reshape(n, 1) * 7 - 10
    return np.sin(x / 1.0 / period).astype('float64')


def time_sequence_prediction(steps=2):
    # generate_sine_wave.py saves the NumPy array with torch.save; train.py loads it back
    f = io.BytesIO()
    torch.save(sine_data(), f)
    f.seek(0)
    data = torch.load(f, weights_only=False)
    print('data', type(data).__name__, data.dtype, data.shape)
    input = torch.from_numpy(data[3:, :-1])
    target = torch.from_numpy(data[3:, 1:])
    test_input = torch.from_numpy(data[:3, :-1])
    test_target = torch.from_numpy(data[:3, 1:])
    seq = Sequence()
    seq.double()
    init(seq, 0.1)  # after double(): float32 sines would differ in the last bit between libraries
    print('dtypes:', {p.dtype for p in seq.parameters()}, input.dtype)
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    for i in range(steps):
        print('STEP: ', i)

        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            print('loss: %.8f' % loss.item())
            loss.backward()
            return loss
        print('first loss: %.8f' % optimizer.step(closure).item())
        with torch.no_grad():
            future = 5
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print('test loss: %.8f' % loss.item())
            y = pred.detach().numpy()
        print('prediction', y.shape, np.round(y[:, -3:], 5).tolist())
    state = optimizer.state[optimizer._params[0]]
    print('lbfgs state', state['func_evals'], state['n_iter'], len(state['old_dirs']))


# ---------------------------------------------------------------- mnist_rnn
class Net(nn.Module):
    def __init__(self, p1=0.25, p2=0.5):
        super(Net, self).__init__()
        self.rnn = nn.LSTM(input_size=8, hidden_size=12, batch_first=True)
        self.batchnorm = nn.BatchNorm1d(12)
        self.dropout1 = nn.Dropout2d(p1)
        self.dropout2 = nn.Dropout2d(p2)
        self.fc1 = nn.Linear(12, 10)
        self.fc2 = nn.Linear(10, 4)

    def forward(self, input):
        # Shape of input is (batch_size, 1, 8, 8); the rows become time steps
        input = input.reshape(-1, 8, 8)
        output, hidden = self.rnn(input)

        # Get last output of RNN
        output = output[:, -1, :]
        output = self.batchnorm(output)
        output = self.dropout1(output)
        output = self.fc1(output)
        output = F.relu(output)
        output = self.dropout2(output)
        output = self.fc2(output)
        output = F.log_softmax(output, dim=1)
        return output


def digit_images():
    # four classes of 8x8 "digits": bars in distinct positions plus a per-sample ramp
    n = 24
    images = torch.zeros(n, 1, 8, 8)
    target = torch.arange(n) % 4
    for k in range(n):
        c = int(target[k])
        images[k, 0, 2 * c:2 * c + 2, :] = 1.0
        images[k, 0, :, (k * 3) % 8] += 0.5
    images += torch.linspace(-0.2, 0.2, 64).view(1, 1, 8, 8) * torch.cos(torch.arange(n) * 1.0).view(n, 1, 1, 1)
    return images, target


def mnist_rnn_train(model, device, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        print('Train Epoch: {} [{}/{}]\tLoss: {:.6f}'.format(
            epoch, batch_idx * len(data), len(loader.dataset), loss.item()))


def mnist_rnn_test(model, device, loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(loader.dataset)
    print('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(
        test_loss, correct, len(loader.dataset), 100. * correct / len(loader.dataset)))


def mnist_rnn():
    images, target = digit_images()
    dataset = torch.utils.data.TensorDataset(images, target)
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=False)
    # dropout draws differ between RNGs: a stochastic forward shows only its shape, and that
    # Dropout2d on (N, C) drops single elements (scaled by 1/(1-p)), warning that 2-D is deprecated
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dropped = nn.Dropout2d(0.5)(torch.ones(6, 5))
    print('dropout forward', tuple(Net()(images).shape), set(dropped.unique().tolist()) <= {0.0, 2.0},
          [(w.category.__name__, str(w.message).split('.')[0]) for w in caught])
    if torch.accelerator.is_available():
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")
    model = Net(0.0, 0.0).to(device)
    init(model)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    for epoch in range(1, 5):
        mnist_rnn_train(model, device, loader, optimizer, epoch)
        mnist_rnn_test(model, device, loader)
        scheduler.step()
        print('lr', scheduler.get_last_lr())
    print('running stats', model.batchnorm.running_mean[:3].tolist(),
          model.batchnorm.num_batches_tracked.item())


# ---------------------------------------------------------------- regression
POLY_DEGREE = 4
W_target = torch.tensor([[1.5], [-0.8], [0.4], [0.3]])
b_target = torch.tensor([0.7])


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    """Approximated function."""
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = 'y = '
    for i, w in enumerate(W):
        result += '{:+.2f} x^{} '.format(w, i + 1)
    result += '{:+.2f}'.format(b[0])
    return result


def get_batch(batch_idx, batch_size=32):
    """Builds a batch i.e. (x, f(x)) pair."""
    # the example draws torch.randn; a phase-shifted sine sweeps the same range deterministically
    random = torch.sin(torch.arange(batch_size) * 0.37 + batch_idx) * 1.2
    x = make_features(random)
    y = f(x)
    return x, y


def regression():
    fc = torch.nn.Linear(W_target.size(0), 1)
    init(fc)
    for batch_idx in range(1, 301):
        batch_x, batch_y = get_batch(batch_idx)
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        # Apply gradients
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        if batch_idx % 100 == 0:
            print('batch {} loss {:.6f}'.format(batch_idx, loss))
        if loss < 1e-3:
            break
    # the same step written the other common way
    with torch.no_grad():
        for param in fc.parameters():
            param -= 0.1 * param.grad
    print('Loss: {:.6f} after {} batches'.format(loss, batch_idx))
    print('==> Learned function:\t' + poly_desc(fc.weight.view(-1), fc.bias))
    print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))
    print('weights {:.5f} {:.5f}'.format(fc.weight[0, 0], fc.bias.item()), math.isfinite(loss))


time_sequence_prediction()
mnist_rnn()
regression()
