"""The order of the hooks a node runs before its backward, against torch: its outputs' tensor
hooks, then their retain_grad (which sees what the hooks made of the gradient, whenever it was
called), then the node's own pre-hooks."""
import pytest
import torch

import ember


@pytest.mark.parametrize("retain_first", [True, False])
def test_tensor_hooks_then_retain_grad_then_node_pre_hooks(retain_first):
    def run(lib):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.grad_fn.register_prehook(lambda gs: (log.append(("node", gs[0].tolist())),
                                               (gs[0] * 10,))[1])
        if retain_first:
            y.retain_grad()
        y.register_hook(lambda g: (log.append(("t1", g.tolist())), g * 100)[1])
        y.register_hook(lambda g: log.append(("t2", g.tolist())))
        if not retain_first:
            y.retain_grad()
        y.sum().backward()
        return log, y.grad.tolist(), x.grad.tolist()
    assert run(ember) == run(torch)
