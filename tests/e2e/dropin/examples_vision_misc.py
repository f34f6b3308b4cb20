"""Four pytorch/examples programs shrunk to tiny sizes, their code structure kept:
super_resolution (orthogonal init with a ReLU gain, PixelShuffle, Adam, PSNR), fast_neural_style
(TransformerNet with reflection padding, affine InstanceNorm2d, residual blocks, nearest
upsampling; a frozen feature net returning a namedtuple, Gram matrices, normalize_batch),
siamese_network (a shared encoder cut from a Sequential's children, BCELoss on a Sigmoid,
Adadelta with StepLR, torch.where accuracy) and forward_forward (layer-local goodness losses,
per-layer Adam optimisers, detach between layers, label overlays)."""
import io
import random
import re
from collections import namedtuple
from math import log10

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset, TensorDataset


def ramp_init(m, scale=0.2):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=p.dtype).reshape(p.shape)
            p.copy_(ramp.sin() * scale + 0.01 * i)


def images(n, c, h, w, phase=0.0, dtype=torch.float32):
    grid = torch.arange(n * c * h * w, dtype=dtype).view(n, c, h, w)
    return 0.5 + 0.4 * torch.sin(grid * 0.13 + phase)


# ---------------------------------------------------------------- super_resolution
class SuperResolutionNet(nn.Module):
    def __init__(self, upscale_factor):
        super(SuperResolutionNet, self).__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


def is_orthogonal(weight, gain):
    # the draws differ between RNGs; the property orthogonal_ promises does not
    flat = weight.detach().reshape(weight.size(0), -1)
    small = flat @ flat.t() if flat.size(0) <= flat.size(1) else flat.t() @ flat
    eye = torch.eye(small.size(0))
    return bool((small - gain ** 2 * eye).abs().max() < 1e-4)


def super_resolution():
    upscale_factor = 2
    model = SuperResolutionNet(upscale_factor)
    gain = init.calculate_gain('relu')
    print('gain %.6f' % gain, [is_orthogonal(c.weight, g) for c, g in
                               ((model.conv1, gain), (model.conv2, gain), (model.conv3, gain),
                                (model.conv4, 1.0))])
    ramp_init(model, 0.1)
    target = images(8, 1, 8, 8)
    input = F.avg_pool2d(target, upscale_factor)
    loader = DataLoader(TensorDataset(input, target), batch_size=4)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(1, 4):
        epoch_loss = 0
        for iteration, batch in enumerate(loader, 1):
            input, target = batch[0], batch[1]
            optimizer.zero_grad()
            loss = criterion(model(input), target)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
        print("===> Epoch {} Complete: Avg. Loss: {:.6f}".format(epoch, epoch_loss / len(loader)))
        avg_psnr = 0
        with torch.no_grad():
            for batch in loader:
                prediction = model(batch[0])
                mse = criterion(prediction, batch[1])
                psnr = 10 * log10(1 / mse.item())
                avg_psnr += psnr
        print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr / len(loader)), tuple(prediction.shape))
    # main.py checkpoints the whole model; super_resolve.py loads it and writes the Y channel
    checkpoint = io.BytesIO()
    torch.save(model, checkpoint)
    checkpoint.seek(0)
    model = torch.load(checkpoint, weights_only=False)
    out = model(input[:1]).cpu()
    out_img_y = out[0].detach().numpy()
    out_img_y *= 255.0  # the NumPy view shares the tensor's memory
    out_img_y = out_img_y.clip(0, 255)
    print('super-resolved', type(model).__name__, np.uint8(out_img_y[0]).shape,
          round(float(out_img_y.sum()), 2), round(out[0, 0, 0, 0].item(), 3))


# ---------------------------------------------------------------- fast_neural_style
class ConvLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super(ConvLayer, self).__init__()
        reflection_padding = kernel_size // 2
        self.reflection_pad = torch.nn.ReflectionPad2d(reflection_padding)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        out = self.reflection_pad(x)
        out = self.conv2d(out)
        return out


class ResidualBlock(torch.nn.Module):
    def __init__(self, channels):
        super(ResidualBlock, self).__init__()
        self.conv1 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in2 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        residual = x
        out = self.relu(self.in1(self.conv1(x)))
        out = self.in2(self.conv2(out))
        out = out + residual
        return out


class UpsampleConvLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, upsample=None):
        super(UpsampleConvLayer, self).__init__()
        self.upsample = upsample
        reflection_padding = kernel_size // 2
        self.reflection_pad = torch.nn.ReflectionPad2d(reflection_padding)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        x_in = x
        if self.upsample:
            x_in = torch.nn.functional.interpolate(x_in, mode='nearest', scale_factor=self.upsample)
        out = self.reflection_pad(x_in)
        out = self.conv2d(out)
        return out


class TransformerNet(torch.nn.Module):
    def __init__(self):
        super(TransformerNet, self).__init__()
        # Initial convolution layers
        self.conv1 = ConvLayer(3, 4, kernel_size=5, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(4, affine=True)
        self.conv2 = ConvLayer(4, 6, kernel_size=3, stride=2)
        self.in2 = torch.nn.InstanceNorm2d(6, affine=True)
        self.conv3 = ConvLayer(6, 8, kernel_size=3, stride=2)
        self.in3 = torch.nn.InstanceNorm2d(8, affine=True)
        # Residual layers
        self.res1 = ResidualBlock(8)
        self.res2 = ResidualBlock(8)
        # Upsampling Layers
        self.deconv1 = UpsampleConvLayer(8, 6, kernel_size=3, stride=1, upsample=2)
        self.in4 = torch.nn.InstanceNorm2d(6, affine=True)
        self.deconv2 = UpsampleConvLayer(6, 4, kernel_size=3, stride=1, upsample=2)
        self.in5 = torch.nn.InstanceNorm2d(4, affine=True)
        self.deconv3 = ConvLayer(4, 3, kernel_size=5, stride=1)
        # Non-linearities
        self.relu = torch.nn.ReLU()

    def forward(self, X):
        y = self.relu(self.in1(self.conv1(X)))
        y = self.relu(self.in2(self.conv2(y)))
        y = self.relu(self.in3(self.conv3(y)))
        y = self.res1(y)
        y = self.res2(y)
        y = self.relu(self.in4(self.deconv1(y)))
        y = self.relu(self.in5(self.deconv2(y)))
        y = self.deconv3(y)
        return y


class FeatureNet(torch.nn.Module):
    """Vgg16's shape in miniature: slices of a frozen feature stack, outputs in a namedtuple."""
    def __init__(self, requires_grad=False):
        super(FeatureNet, self).__init__()
        features = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(inplace=True),
                                 nn.Conv2d(6, 6, 3, padding=1), nn.ReLU(inplace=True),
                                 nn.MaxPool2d(kernel_size=2, stride=2),
                                 nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(inplace=True))
        ramp_init(features, 0.3)
        self.slice1 = torch.nn.Sequential()
        self.slice2 = torch.nn.Sequential()
        for x in range(4):
            self.slice1.add_module(str(x), features[x])
        for x in range(4, 7):
            self.slice2.add_module(str(x), features[x])
        if not requires_grad:
            for param in self.parameters():
                param.requires_grad = False

    def forward(self, X):
        h = self.slice1(X)
        h_relu1_2 = h
        h = self.slice2(h)
        h_relu2_2 = h
        vgg_outputs = namedtuple("VggOutputs", ['relu1_2', 'relu2_2'])
        out = vgg_outputs(h_relu1_2, h_relu2_2)
        return out


def gram_matrix(y):
    (b, ch, h, w) = y.size()
    features = y.view(b, ch, w * h)
    features_t = features.transpose(1, 2)
    gram = features.bmm(features_t) / (ch * h * w)
    return gram


def normalize_batch(batch):
    # normalize using imagenet mean and std
    mean = batch.new_tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
    std = batch.new_tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)
    batch = batch.div_(255.0)
    return (batch - mean) / std


def fast_neural_style(batch_size=2):
    # double precision: Adam turns float32 rounding in the gradients of the conv biases that
    # InstanceNorm cancels into full-size steps, so torch's own float32 run drifts from float64
    transformer = TransformerNet().double()
    ramp_init(transformer, 0.1)
    optimizer = optim.Adam(transformer.parameters(), 1e-2)
    mse_loss = torch.nn.MSELoss()
    vgg = FeatureNet(requires_grad=False).double()
    style = images(1, 3, 12, 12, phase=1.0, dtype=torch.double) * 255
    style = style.repeat(batch_size, 1, 1, 1)
    features_style = vgg(normalize_batch(style))
    gram_style = [gram_matrix(y) for y in features_style]
    print('style', style.max().item() <= 1.0, gram_style[0].dtype, [tuple(g.shape) for g in gram_style])
    train = TensorDataset(images(4, 3, 12, 12, dtype=torch.double) * 255, torch.zeros(4))
    train_loader = DataLoader(train, batch_size=batch_size)
    content_weight, style_weight = 1.0, 50.0
    for e in range(2):
        transformer.train()
        agg_content_loss = 0.
        agg_style_loss = 0.
        count = 0
        for batch_id, (x, _) in enumerate(train_loader):
            n_batch = len(x)
            count += n_batch
            optimizer.zero_grad()
            y = transformer(x)
            y = normalize_batch(y)
            x = normalize_batch(x)
            features_y = vgg(y)
            features_x = vgg(x)
            content_loss = content_weight * mse_loss(features_y.relu2_2, features_x.relu2_2)
            style_loss = 0.
            for ft_y, gm_s in zip(features_y, gram_style):
                gm_y = gram_matrix(ft_y)
                style_loss += mse_loss(gm_y, gm_s[:n_batch, :, :])
            style_loss *= style_weight
            total_loss = content_loss + style_loss
            total_loss.backward()
            optimizer.step()
            agg_content_loss += content_loss.item()
            agg_style_loss += style_loss.item()
            print("Epoch {}:\t[{}/{}]\tcontent: {:.6f}\tstyle: {:.6f}\ttotal: {:.6f}".format(
                e + 1, count, len(train), agg_content_loss / (batch_id + 1),
                agg_style_loss / (batch_id + 1), (agg_content_loss + agg_style_loss) / (batch_id + 1)))
    transformer.eval()
    with torch.no_grad():
        output = transformer(images(1, 3, 12, 12, phase=2.0, dtype=torch.double) * 255)
    img = output[0].clone().clamp(0, 255).numpy()
    img = img.transpose(1, 2, 0).astype("uint8")
    print('stylized', img.shape, img.dtype, round(float(output.clamp(0, 255).sum()), 3), [round(v, 4) for v in output[0, :, 0, 0].tolist()])
    # stylize(): a checkpoint from an old InstanceNorm that tracked running stats loads after
    # its deprecated running_* keys are removed
    transformer.eval().cpu()
    state_dict = transformer.state_dict()
    state_dict['in1.running_mean'] = torch.zeros(4, dtype=torch.double)
    state_dict['in1.running_var'] = torch.ones(4, dtype=torch.double)
    for k in list(state_dict.keys()):
        if re.search(r'in\d+\.running_(mean|var)$', k):
            del state_dict[k]
    with torch.no_grad():
        style_model = TransformerNet().double()
        print(style_model.load_state_dict(state_dict))
        style_model.eval()
        same = torch.equal(style_model(images(1, 3, 12, 12, 2.0, torch.double) * 255), output)
    print('reloaded', same, len(state_dict))


# ---------------------------------------------------------------- siamese_network
class SiameseNetwork(nn.Module):
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        backbone = nn.Sequential(nn.Conv2d(1, 6, kernel_size=3, stride=2, padding=1, bias=False),
                                 nn.BatchNorm2d(6), nn.ReLU(inplace=True),
                                 nn.Conv2d(6, 8, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                                 nn.AdaptiveAvgPool2d((1, 1)), nn.Linear(8, 1000))
        self.fc_in_features = backbone[-1].in_features
        # remove the last layer of the backbone (the classifier after the average pool)
        self.resnet = torch.nn.Sequential(*(list(backbone.children())[:-1]))
        # add linear layers to compare between the features of the two images
        self.fc = nn.Sequential(
            nn.Linear(self.fc_in_features * 2, 12),
            nn.ReLU(inplace=True),
            nn.Linear(12, 1),
        )
        self.sigmoid = nn.Sigmoid()
        # initialize the weights
        self.resnet.apply(self.init_weights)
        self.fc.apply(self.init_weights)

    def init_weights(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            m.bias.data.fill_(0.01)

    def forward_once(self, x):
        output = self.resnet(x)
        output = output.view(output.size()[0], -1)
        return output

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        output = torch.cat((output1, output2), 1)
        output = self.fc(output)
        output = self.sigmoid(output)
        return output


class APP_MATCHER(Dataset):
    """The example's pair dataset over a tiny uint8 "MNIST" of three classes: the first image
    from a random class, the second from the same class (target 1) or another (target 0). The
    draws come from Python's random module, seeded, which torch and ember share."""
    def __init__(self, n=16):
        super(APP_MATCHER, self).__init__()
        self.targets = torch.arange(n) % 3
        pixels = images(n, 8, 8, 1).squeeze(3) * 80 * (self.targets.view(-1, 1, 1) + 1)  # stays below 255
        self.data = pixels.to(torch.uint8).unsqueeze(1).clone()
        self.group_examples()

    def group_examples(self):
        """Groups the indices of the examples by their class."""
        np_arr = np.array(self.targets.clone())
        self.grouped_examples = {}
        for i in range(0, 3):
            self.grouped_examples[i] = np.where((np_arr == i))[0]

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        selected_class = random.randint(0, 2)
        random_index_1 = random.randint(0, self.grouped_examples[selected_class].shape[0] - 1)
        index_1 = self.grouped_examples[selected_class][random_index_1]
        image_1 = self.data[index_1].clone().float()
        # same class
        if index % 2 == 0:
            random_index_2 = random.randint(0, self.grouped_examples[selected_class].shape[0] - 1)
            while random_index_2 == random_index_1:
                random_index_2 = random.randint(0, self.grouped_examples[selected_class].shape[0] - 1)
            index_2 = self.grouped_examples[selected_class][random_index_2]
            image_2 = self.data[index_2].clone().float()
            target = torch.tensor(1, dtype=torch.float)
        # different class
        else:
            other_selected_class = random.randint(0, 2)
            while other_selected_class == selected_class:
                other_selected_class = random.randint(0, 2)
            random_index_2 = random.randint(0, self.grouped_examples[other_selected_class].shape[0] - 1)
            index_2 = self.grouped_examples[other_selected_class][random_index_2]
            image_2 = self.data[index_2].clone().float()
            target = torch.tensor(0, dtype=torch.float)
        return image_1 / 255, image_2 / 255, target


def siamese_network():
    if torch.accelerator.is_available():
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")
    model = SiameseNetwork().to(device)
    bias = [m.bias for m in model.fc if isinstance(m, nn.Linear)]
    print('init bias', [b.data.tolist()[0] for b in bias], model.fc_in_features, len(model.resnet))
    ramp_init(model, 0.3)
    random.seed(0)
    dataset = APP_MATCHER()
    print('groups', {k: v.tolist() for k, v in dataset.grouped_examples.items()}, dataset.data.dtype)
    loader = DataLoader(dataset, batch_size=8)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    criterion = nn.BCELoss()
    for epoch in range(1, 4):
        model.train()
        for batch_idx, (images_1, images_2, targets) in enumerate(loader):
            images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
            optimizer.zero_grad()
            outputs = model(images_1, images_2).squeeze()
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            print('Train Epoch: {} [{}/{}]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(images_1), len(loader.dataset), loss.item()))
        model.eval()
        test_loss = 0
        correct = 0
        with torch.no_grad():
            for (images_1, images_2, targets) in loader:
                outputs = model(images_1, images_2).squeeze()
                test_loss += criterion(outputs, targets).sum().item()  # sum up batch loss
                pred = torch.where(outputs > 0.5, 1, 0)
                correct += pred.eq(targets.view_as(pred)).sum().item()
        test_loss /= len(loader.dataset)
        print('Test set: Average loss: {:.4f}, Accuracy: {}/{}'.format(
            test_loss, correct, len(loader.dataset)), pred.dtype)
        scheduler.step()


# ---------------------------------------------------------------- forward_forward
def overlay_y_on_x(x, y):
    x_ = x.clone()
    x_[:, :10] *= 0.0
    x_[range(x.shape[0]), y] = x.max()
    return x_


class FFNet(torch.nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.layers = []
        for d in range(len(dims) - 1):
            self.layers = self.layers + [Layer(dims[d], dims[d + 1]).to('cpu')]

    def predict(self, x):
        goodness_per_label = []
        for label in range(10):
            h = overlay_y_on_x(x, label)
            goodness = []
            for layer in self.layers:
                h = layer(h)
                goodness = goodness + [h.pow(2).mean(1)]
            goodness_per_label += [sum(goodness).unsqueeze(1)]
        goodness_per_label = torch.cat(goodness_per_label, 1)
        return goodness_per_label.argmax(1)

    def train(self, x_pos, x_neg):
        h_pos, h_neg = x_pos, x_neg
        for i, layer in enumerate(self.layers):
            print("training layer: ", i)
            h_pos, h_neg = layer.train(h_pos, h_neg)


class Layer(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        ramp_init(self)
        self.relu = torch.nn.ReLU()
        self.opt = optim.Adam(self.parameters(), lr=0.03)
        self.threshold = 2.0
        self.num_epochs = 40

    def forward(self, x):
        x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0))

    def train(self, x_pos, x_neg):
        for i in range(self.num_epochs):
            g_pos = self.forward(x_pos).pow(2).mean(1)
            g_neg = self.forward(x_neg).pow(2).mean(1)
            # The following loss pushes pos (neg) samples to
            # values larger (smaller) than the self.threshold.
            loss = torch.log(1 + torch.exp(torch.cat([
                -g_pos + self.threshold,
                g_neg - self.threshold]))).mean()
            self.opt.zero_grad()
            # this backward just compute the derivative and hence
            # is not considered backpropagating.
            loss.backward()
            self.opt.step()
            if i % 10 == 0:
                print("Loss: %.6f" % loss.item())
        return self.forward(x_pos).detach(), self.forward(x_neg).detach()


def forward_forward():
    x = images(20, 1, 4, 5).view(20, -1)
    y = torch.arange(20) % 10
    net = FFNet([20, 16, 16])
    x_pos = overlay_y_on_x(x, y)
    rnd = torch.arange(x.size(0)).roll(3)  # the example draws torch.randperm
    x_neg = overlay_y_on_x(x, y[rnd])
    net.train(x_pos, x_neg)
    print("train error: %.6f" % (1.0 - net.predict(x).eq(y).float().mean().item()))
    print("goodness", [round(v, 5) for v in net.layers[0](x_pos).pow(2).mean(1)[:4].tolist()])


super_resolution()
fast_neural_style()
siamese_network()
forward_forward()
