"""Hogwild: two processes train one model whose parameters live in shared memory."""
import pytest

import ember as torch
import ember.multiprocessing as mp
import ember.nn as nn
import ember.nn.functional as F


def _data():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(512, 20, generator=g)
    teacher = torch.randn(20, 10, generator=g)
    return x, (x @ teacher).argmax(1)


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 10))


def _train(rank, model, shards):
    x, y = _data()
    x, y = x[rank::shards], y[rank::shards]
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    for _ in range(4):
        for i in range(0, len(x), 32):
            opt.zero_grad()
            F.cross_entropy(model(x[i:i + 32]), y[i:i + 32]).backward()
            opt.step()


def _loss(model):
    x, y = _data()
    with torch.no_grad():
        return F.cross_entropy(model(x), y).item()


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_hogwild_learns(start_method):
    model = _model()
    model.share_memory()
    assert all(p.is_shared() for p in model.parameters())
    initial = _loss(model)
    assert initial > 2.0
    ctx = mp.get_context(start_method)
    workers = [ctx.Process(target=_train, args=(rank, model, 2)) for rank in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert [w.exitcode for w in workers] == [0, 0]
    assert _loss(model) < 0.6 * initial


def test_hogwild_through_spawn():
    model = _model()
    model.share_memory()
    initial = _loss(model)
    mp.spawn(_train, args=(model, 2), nprocs=2)
    assert _loss(model) < 0.6 * initial
