# Hogwild-style training in ordinary PyTorch: a model in shared memory, trained by worker
# processes in turn, plus a Queue round trip and torch.multiprocessing.spawn.
import torch
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F


def make_data():
    x = torch.linspace(-1, 1, 96).reshape(24, 4)
    y = (x.sum(1) > 0).long() + (x[:, 0] > 0.5).long()
    return x, y


def make_model():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) + i).reshape(p.shape)
                    * 0.5)
    return model


def train(rank, model, steps):
    x, y = make_data()
    x, y = x[rank::2], y[rank::2]
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()


def loss_of(model):
    x, y = make_data()
    with torch.no_grad():
        return F.cross_entropy(model(x), y).item()


def bump(queue, done):
    t = queue.get()
    t.add_(1)
    done.put("bumped")


def fill(rank, out):
    out[rank] = 10.0 * (rank + 1)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    model = make_model()
    model.share_memory()
    print("shared", all(p.is_shared() for p in model.parameters()))
    print("initial loss", round(loss_of(model), 5))
    for rank in range(2):  # one after the other, so the numbers are reproducible
        p = ctx.Process(target=train, args=(rank, model, 20))
        p.start()
        p.join()
        print("worker", rank, "exit", p.exitcode, "loss", round(loss_of(model), 5))

    t = torch.zeros(3).share_memory_()
    queue, done = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=bump, args=(queue, done))
    p.start()
    queue.put(t)
    print(done.get())
    p.join()
    print("after queue", t.tolist())

    out = torch.zeros(4).share_memory_()
    mp.spawn(fill, args=(out,), nprocs=4)
    print("spawned", out.tolist(), mp.cpu_count() >= 1)
