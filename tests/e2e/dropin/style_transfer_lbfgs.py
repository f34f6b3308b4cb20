"""Neural style transfer in the style of the PyTorch tutorial: a frozen convolutional feature
extractor walked through named_children(), forward hooks that capture features, Gram matrices
with mm and bmm, a normalisation module, content/style/total-variation losses, and the input image
optimised directly with LBFGS and a closure that clamps the pixels in place."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.1 + 0.01 * i)


class Normalization(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = torch.tensor(mean).view(-1, 1, 1)
        self.std = torch.tensor(std).view(-1, 1, 1)

    def forward(self, img):
        return (img - self.mean) / self.std


def gram(feat):
    b, c, h, w = feat.size()
    flat = feat.view(b * c, h * w)
    return torch.mm(flat, flat.t()).div(b * c * h * w)


def gram_batched(feat):
    b, c, h, w = feat.shape
    flat = feat.reshape(b, c, h * w)
    return torch.bmm(flat, flat.transpose(1, 2)) / (c * h * w)


def tv_loss(img):
    dh = (img[:, :, 1:, :] - img[:, :, :-1, :]).abs().mean()
    dw = (img[:, :, :, 1:] - img[:, :, :, :-1]).abs().mean()
    return dh + dw


cnn = nn.Sequential(
    nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(inplace=False), nn.Conv2d(6, 6, 3, padding=1),
    nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU())
init(cnn)
cnn.eval().requires_grad_(False)
print("frozen", all(not p.requires_grad for p in cnn.parameters()))

# Rebuild the extractor with tutorial-style names, as the tutorial does with VGG's children.
model = nn.Sequential(Normalization([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]))
conv_i = 0
for layer in cnn.children():
    if isinstance(layer, nn.Conv2d):
        conv_i += 1
        name = f"conv_{conv_i}"
    elif isinstance(layer, nn.ReLU):
        name = f"relu_{conv_i}"
        layer = nn.ReLU(inplace=False)
    else:
        name = f"pool_{conv_i}"
    model.add_module(name, layer)
print("layers", [name for name, _ in model.named_children()])
print("children", [type(m).__name__ for m in model.children()][:4], len(model))

features = {}


def capture(name):
    def hook(module, inputs, output):
        features[name] = output
    return hook


style_layers = ["conv_1", "conv_2", "conv_3", "conv_4"]
content_layer = "conv_3"
handles = [getattr(model, name).register_forward_hook(capture(name)) for name in style_layers]

size = 12
ramp = torch.arange(3 * size * size, dtype=torch.float32).reshape(1, 3, size, size)
content_img = (ramp * 0.07).sin() * 0.4 + 0.5
style_img = (ramp * 0.31).cos().abs()

with torch.no_grad():
    model(content_img)
    content_target = features[content_layer].detach()
    model(style_img)
    style_targets = {n: gram(features[n]).detach() for n in style_layers}
    batched = gram_batched(torch.cat([features["conv_2"], features["conv_2"] * 2]))
print("gram", tuple(style_targets["conv_1"].shape), f"{style_targets['conv_4'].sum().item():.6f}")
print("gram bmm", tuple(batched.shape), torch.allclose(batched[0], style_targets["conv_2"]),
      f"{batched[1].trace().item():.6f}")

img = content_img.clone()
img.requires_grad_(True)
# A modest lr: larger first steps overshoot, and LBFGS then magnifies float32 rounding (in torch
# as in ember) past the comparison's tolerance.
optimizer = torch.optim.LBFGS([img], lr=0.3, max_iter=4, history_size=5)
style_weight, content_weight, tv_weight = 1e3, 1.0, 1e-2
calls = [0]


def make_closure(img, optimizer, targets, content_target):
    def closure():
        with torch.no_grad():
            img.data.clamp_(0, 1)
        optimizer.zero_grad()
        model(img)
        style = sum(F.mse_loss(gram(features[n]), targets[n]) for n in style_layers)
        content = F.mse_loss(features[content_layer], content_target)
        loss = style_weight * style + content_weight * content + tv_weight * tv_loss(img)
        loss.backward()
        calls[0] += 1
        return loss
    return closure


closure = make_closure(img, optimizer, style_targets, content_target)
for step in range(4):
    loss = optimizer.step(closure)
    print(f"step {step} loss {loss.item():.6f} calls {calls[0]} "
          f"grad {img.grad.abs().sum().item():.6f}")

# Refine in double precision with the strong-Wolfe line search; hooks survive model.double().
model.double()
img64 = img.detach().double().requires_grad_(True)
refine = torch.optim.LBFGS([img64], max_iter=3, line_search_fn="strong_wolfe")
closure = make_closure(img64, refine, {n: t.double() for n, t in style_targets.items()},
                       content_target.double())
for step in range(2):
    loss = refine.step(closure)
    print(f"refine {step} loss {loss.item():.8f} calls {calls[0]} dtype {loss.dtype}")

with torch.no_grad():
    img64.clamp_(0, 1)
print("pixels", [round(v, 5) for v in img64[0, 0, 0, :5].tolist()])
print("pixels blue", [round(v, 5) for v in img64[0, 2, -1, -4:].tolist()])
state = optimizer.state[img]
print("lbfgs state", state["func_evals"], state["n_iter"], len(state["old_dirs"]))
print("cnn grads", [p.grad is None for p in cnn.parameters()][:3], img64.is_leaf,
      cnn[0].weight.dtype)
for h in handles:
    h.remove()
features.clear()
model(img64)
print("hooks removed", len(features), len(model.conv_1._forward_hooks))
