"""Training utilities around one loop: knowledge distillation (temperature-scaled KL mixed with
cross-entropy), parametrizations (weight_norm, spectral_norm, a custom symmetric one), activation
checkpointing, gradient accumulation with clip_grad_norm_, BatchNorm running statistics across
train()/eval(), LambdaLR then ReduceLROnPlateau, the optimizer's state_dict, and an EMA of the
weights through AveragedModel with a custom multi_avg_fn."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm, weight_norm
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from torch.utils.checkpoint import checkpoint


def init(m, scale=0.3):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * scale + 0.01 * i)


def r(t, n=5):
    return [round(v, n) for v in t.flatten().tolist()]


xs = torch.stack([torch.linspace(-1, 1, 24).sin(), torch.linspace(0, 3, 24).cos(),
                  torch.linspace(-2, 2, 24), torch.linspace(1, -1, 24) ** 2], dim=1)
ys = torch.tensor([i % 3 for i in range(24)])


class Symmetric(nn.Module):
    def forward(self, w):
        return w.triu() + w.triu(1).transpose(0, 1)


teacher = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
init(teacher, 0.5)
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)


class Student(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 6)
        self.bn = nn.BatchNorm1d(6)
        self.mid = nn.Linear(6, 6)
        self.drop = nn.Dropout(p=0.0)
        self.out = nn.Linear(6, 3)

    def block(self, h):
        return torch.tanh(self.mid(h))

    def forward(self, x):
        h = F.relu(self.bn(self.inp(x)))
        h = checkpoint(self.block, h, use_reentrant=False)
        return self.out(self.drop(h))


student = Student()
init(student)
weight_norm(student.inp)
spectral_norm(student.out)
parametrize.register_parametrization(student.mid, "weight", Symmetric())
print("parametrized", parametrize.is_parametrized(student.inp), parametrize.is_parametrized(
    student.mid, "weight"), sorted(n for n, _ in student.named_parameters()))
w = student.mid.weight
print("symmetric", torch.equal(w, w.T), "g", r(student.inp.parametrizations.weight.original0))

T = 2.0


def distill_loss(s_logits, t_logits, target, alpha=0.7):
    soft = F.kl_div(F.log_softmax(s_logits / T, 1), F.softmax(t_logits / T, 1),
                    reduction="batchmean") * T * T
    return alpha * soft + (1 - alpha) * F.cross_entropy(s_logits, target)


opt = torch.optim.SGD(student.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
warmup = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: min(1.0, (e + 1) / 3))
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=0,
                                                     threshold=0.15)
steps_seen = []
opt.register_step_post_hook(lambda o, args, kwargs: steps_seen.append(o.param_groups[0]["lr"]))
opt.register_state_dict_post_hook(lambda o, sd: {**sd, "note": "distill"})
ema = AveragedModel(student, multi_avg_fn=get_ema_multi_avg_fn(0.8))
ema_custom = AveragedModel(student, avg_fn=lambda avg, new, n: avg + (new - avg) / (n + 1))

micro = 3
for epoch in range(6):
    student.train()
    opt.zero_grad()
    total = 0.0
    for chunk_x, chunk_y in zip(xs.chunk(micro), ys.chunk(micro)):
        with torch.no_grad():
            t_logits = teacher(chunk_x)
        loss = distill_loss(student(chunk_x), t_logits, chunk_y) / micro
        loss.backward()
        total += loss.item()
    norm = nn.utils.clip_grad_norm_(student.parameters(), max_norm=0.5)
    opt.step()
    ema.update_parameters(student)
    ema_custom.update_parameters(student)
    if epoch < 3:
        warmup.step()
    else:
        plateau.step(total)
    print(f"epoch {epoch} loss {total:.6f} norm {norm.item():.6f} "
          f"lr {opt.param_groups[0]['lr']:.6f}")

print("bn running", r(student.bn.running_mean), r(student.bn.running_var),
      student.bn.num_batches_tracked.item())
student.eval()
with torch.no_grad():
    ev = student(xs)
student.train()
with torch.no_grad():
    tr = student(xs)
print("eval vs train differ", not torch.allclose(ev, tr), "eval acc",
      round((ev.argmax(1) == ys).float().mean().item(), 6))
print("sigma", round(torch.linalg.matrix_norm(student.out.weight, 2).item(), 4))
print("mid sym", torch.allclose(student.mid.weight, student.mid.weight.T))

sd = opt.state_dict()
print("steps hooked", len(steps_seen), [round(v, 6) for v in steps_seen])
print("state keys", sorted(sd.keys()), len(sd["state"]), sorted(sd["state"][0].keys()))
print("param_groups", sorted(k for k in sd["param_groups"][0] if k != "params"),
      sd["param_groups"][0]["params"])
print("plateau", plateau.state_dict()["best"] is not None, plateau.num_bad_epochs,
      round(plateau.get_last_lr()[0], 6))

print("ema n", ema.n_averaged.item(), ema_custom.n_averaged.item())
ema_w = dict(ema.module.named_parameters())
print("ema out", r(ema_w["out.parametrizations.weight.original"][0]))
print("ema custom inp g", r(dict(ema_custom.module.named_parameters())[
    "inp.parametrizations.weight.original0"]))
print("ema bn buffer", r(ema.module.bn.running_mean))


class Skew(nn.Module):
    def forward(self, a):
        return torch.matrix_exp(a.triu(1) - a.triu(1).T)

    def right_inverse(self, w):
        return torch.zeros_like(w)


ortho = nn.Linear(3, 3, bias=False)
parametrize.register_parametrization(ortho, "weight", Skew())
init(ortho)
with parametrize.cached():
    q = ortho.weight
    print("cached same", q is ortho.weight, "orthogonal",
          torch.allclose(q @ q.T, torch.eye(3), atol=1e-5))
print("ortho", r(ortho.weight[1]))

clone = Student()
weight_norm(clone.inp)
spectral_norm(clone.out)
parametrize.register_parametrization(clone.mid, "weight", Symmetric())
missing = clone.load_state_dict(student.state_dict())
clone.eval()
student.eval()
print("reloaded", missing.missing_keys, torch.allclose(clone(xs), student(xs), atol=1e-6))
print("sd keys", [k for k in student.state_dict() if "parametrizations" in k])

opt2 = torch.optim.SGD(clone.parameters(), lr=0.5, momentum=0.9)
opt2.register_load_state_dict_pre_hook(lambda o, sd: {k: v for k, v in sd.items() if k != "note"})
opt2.load_state_dict(opt.state_dict())
# (inp.bias feeds BatchNorm: its gradient is rounding noise, so a later parameter is shown)
out_w = clone.out.parametrizations.weight.original
print("opt2 lr", opt2.param_groups[0]["lr"], round(opt2.state[out_w]["momentum_buffer"].abs().sum()
                                                   .item(), 5))
vec = nn.utils.parameters_to_vector(clone.parameters())
nn.utils.vector_to_parameters(vec * 0.5, clone.parameters())
print("vec", vec.numel(), round(vec.sum().item(), 5), round(
    nn.utils.parameters_to_vector(clone.parameters()).sum().item(), 5))
clone.train()
F.cross_entropy(clone(xs), ys).backward()
grads = [p.grad for p in clone.parameters()]
print("total norms", round(nn.utils.get_total_norm(grads).item(), 5),
      round(nn.utils.get_total_norm(grads, norm_type=float("inf")).item(), 5))
inf_norm = nn.utils.clip_grad_norm_(clone.parameters(), 0.1, norm_type="inf")
print("inf clip", round(inf_norm.item(), 5), round(max(g.abs().max().item() for g in grads), 5))
nn.utils.clip_grads_with_norm_(clone.parameters(), 0.05, nn.utils.get_total_norm(grads))
print("after clip", round(nn.utils.get_total_norm(grads).item(), 5))
nn.utils.clip_grad_value_(clone.parameters(), 0.001)
print("value clip", round(nn.utils.get_total_norm(grads).item(), 6))

parametrize.remove_parametrizations(student.mid, "weight", leave_parametrized=True)
print("removed", parametrize.is_parametrized(student.mid), r(student.mid.weight[0]))
print("warmup sd", sorted(k for k in warmup.state_dict() if k != "lr_lambdas"),
      plateau.state_dict()["num_bad_epochs"], plateau.state_dict()["_last_lr"])
