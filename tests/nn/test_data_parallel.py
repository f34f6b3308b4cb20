"""DataParallel on one device: a pass-through with torch's `module.` state_dict keys."""
import numpy as np

import ember


def test_data_parallel_forwards_and_prefixes_state_dict(torch):
    lin = ember.nn.Linear(3, 2)
    dp = ember.nn.DataParallel(lin, device_ids=[0])
    assert dp.module is lin and ember.nn.parallel.DataParallel is ember.nn.DataParallel
    x = ember.randn(4, 3)
    np.testing.assert_array_equal(dp(x).detach().numpy(), lin(x).detach().numpy())
    dp(x).sum().backward()
    assert lin.weight.grad is not None
    tdp = torch.nn.DataParallel(torch.nn.Linear(3, 2), device_ids=[0])
    assert list(dp.state_dict()) == list(tdp.state_dict()) == ["module.weight", "module.bias"]
    assert dp.device_ids == tdp.device_ids == []
    assert [n for n, _ in dp.named_parameters()] == ["module.weight", "module.bias"]
    fresh = ember.nn.DataParallel(ember.nn.Linear(3, 2))
    fresh.load_state_dict(dp.state_dict())
    np.testing.assert_array_equal(fresh.module.weight.detach().numpy(),
                                  lin.weight.detach().numpy())
    out = ember.nn.parallel.data_parallel(lin, x)
    np.testing.assert_array_equal(out.detach().numpy(), lin(x).detach().numpy())
