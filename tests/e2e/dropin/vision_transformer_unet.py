"""Two small vision models. A Vision Transformer: Conv2d patch embedding flattened to tokens, a
learned cls token expanded and concatenated, a positional embedding, a pre-norm GELU
TransformerEncoder, a LayerNorm head and a Module.apply weight init. A U-Net: Conv2d+BatchNorm2d+ReLU
blocks, MaxPool2d, ConvTranspose2d padded to the skip's size, bilinear upsampling (F.interpolate
and nn.Upsample), skip connections through torch.cat, PixelShuffle, Dropout2d in eval mode, a
Dice+BCE loss. Each is trained a few steps with AdamW (no decay on biases, norms and embeddings),
clip_grad_norm_, and a warmup+cosine SequentialLR or StepLR."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.2 + 0.01 * i)


class ViT(nn.Module):
    def __init__(self, img=8, patch=4, dim=12, depth=2, heads=3, classes=5):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        n = (img // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=2 * dim, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.constant_(m.bias, 0.01)

    def forward(self, x):
        tokens = self.patch_embed(x).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        h = torch.cat((cls, tokens), dim=1) + self.pos_embed
        h = self.norm(self.encoder(h))
        return self.head(h[:, 0])


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = block(2, 4)
        self.pool = nn.MaxPool2d(2)
        self.enc2 = block(4, 8)
        self.bottom = block(8, 8)
        self.up2 = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.dec2 = block(16, 8)
        self.dec1 = block(8 + 4, 4)
        self.drop = nn.Dropout2d(0.3)
        self.to_sub = nn.Conv2d(4, 4, 1)
        self.shuffle = nn.PixelShuffle(2)
        self.out = nn.Conv2d(1, 1, 3, padding=1)
        self.side = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottom(self.pool(e2))
        u = self.up2(b)
        # odd sizes: pad the upsampled map to the skip's size, as the original U-Net code does
        dy, dx = e2.size()[2] - u.size()[2], e2.size()[3] - u.size()[3]
        u = F.pad(u, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        d2 = self.dec2(torch.cat([u, e2], dim=1))
        up = F.interpolate(d2, size=e1.shape[2:], mode="bilinear", align_corners=False)
        d1 = self.dec1(torch.cat([up, e1], dim=1)) + self.side(d2)[:, :4]
        return self.out(self.shuffle(self.to_sub(self.drop(d1))))


def param_groups(model):
    # the usual ViT recipe: no weight decay on biases, norms and the cls/pos embeddings
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 or name in ("cls_token", "pos_embed") else decay).append(p)
    return [{"params": decay}, {"params": no_decay, "weight_decay": 0.0}]


def train(model, x, target, loss_fn, sched_fn, steps, name):
    opt = torch.optim.AdamW(param_groups(model), lr=0.01, weight_decay=0.05)
    sched = sched_fn(opt)
    for step in range(steps):
        out = model(x)
        loss = loss_fn(out, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        sched.step()
        print(f"{name} step {step} loss {loss.item():.6f} norm {norm.item():.5f} "
              f"lr {sched.get_last_lr()[0]:.6f} {sched.get_last_lr()[1]:.6f}")
    return out


vit = ViT()
init(vit)
vit.apply(ViT._init_weights)
images = torch.linspace(-2, 2, 2 * 3 * 8 * 8).reshape(2, 3, 8, 8).sin()
labels = torch.tensor([1, 3])


def warmup_cosine(opt):
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=2)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3, eta_min=1e-3)
    return torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[2])


smooth_ce = lambda out, y: F.cross_entropy(out, y, label_smoothing=0.1)
logits = train(vit, images, labels, smooth_ce, warmup_cosine, 5, "vit")
print("vit acc", (logits.argmax(dim=-1) == labels).float().mean().item())
print("vit logits", [round(v, 5) for v in logits[0].tolist()])
print("vit shape", tuple(logits.shape), "pos", tuple(vit.pos_embed.shape))
print("vit keys", len(vit.state_dict()), list(vit.state_dict())[:6])
vit.eval()
with torch.no_grad():
    print("vit eval", [round(v, 5) for v in vit(images)[1].tolist()])
print("vit layer keys", [k for k in vit.state_dict() if k.startswith("encoder.layers.1.")])

unet = UNet()
init(unet)
x = torch.arange(2 * 2 * 10 * 10, dtype=torch.float32).reshape(2, 2, 10, 10).mul(0.05).cos()
mask = (x[:, :1] > 0).float().repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)


def dice_bce(logits, target):
    prob = torch.sigmoid(logits)
    inter = (prob * target).sum(dim=(2, 3))
    dice = 1 - (2 * inter + 1) / (prob.sum(dim=(2, 3)) + target.sum(dim=(2, 3)) + 1)
    return F.binary_cross_entropy_with_logits(logits, target) + dice.mean()


unet.drop.eval()  # eval-mode Dropout2d is the identity; torch's RNG stream differs from ember's
step_lr = lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
out = train(unet, x, mask, dice_bce, step_lr, 4, "unet")
print("unet out", tuple(out.shape), [round(v, 5) for v in out[0, 0, 0, :4].tolist()])
print("unet bn", [round(v, 5) for v in unet.enc1[1].running_var.tolist()],
      unet.enc1[1].num_batches_tracked.item())
unet.eval()
with torch.no_grad():
    pred = unet(x)
print("unet eval", [round(v, 5) for v in pred[1, 0, -1, -4:].tolist()], pred.requires_grad)
print("unet keys", [k for k in unet.state_dict() if k.startswith(("enc1.", "up2."))])
print("unet params", sum(p.numel() for p in unet.parameters()))
