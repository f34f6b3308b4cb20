"""DistributedSampler: torch's shards and padding (shuffle=False, against torch), and for
shuffle=True (ember's generator is not torch's) disjoint shards that cover the data, the same
order on every rank for a seed and epoch, a new one per epoch."""
import itertools

import pytest

from ember.utils.data import DistributedSampler

CASES = list(itertools.product([1, 5, 7, 10, 13], [1, 2, 3, 4, 8], [False, True]))


@pytest.mark.parametrize("length, replicas, drop_last", CASES)
def test_unshuffled_shards_match_torch(length, replicas, drop_last):
    pytest.importorskip("torch")
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    for rank in range(replicas):
        ours = DistributedSampler(range(length), replicas, rank, shuffle=False,
                                  drop_last=drop_last)
        theirs = TorchSampler(range(length), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs) and ours.total_size == theirs.total_size


@pytest.mark.parametrize("length, replicas, drop_last", CASES)
def test_shuffled_shards_have_torchs_sizes_and_cover_the_data(length, replicas, drop_last):
    pytest.importorskip("torch")
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    shards = [list(DistributedSampler(range(length), replicas, r, seed=3, drop_last=drop_last))
              for r in range(replicas)]
    sizes = [len(TorchSampler(range(length), replicas, r, drop_last=drop_last))
             for r in range(replicas)]
    assert [len(s) for s in shards] == sizes
    every = [i for s in shards for i in s]
    if drop_last:
        assert len(set(every)) == len(every)  # disjoint, the tail dropped
    else:
        assert set(every) == set(range(length))
        assert len(every) - len(set(every)) == len(every) - length  # padding repeats only


def test_shuffle_follows_seed_and_epoch():
    def order(seed, epoch):
        s = DistributedSampler(range(100), 2, 0, seed=seed)
        s.set_epoch(epoch)
        return list(s)
    assert order(0, 0) == order(0, 0)
    assert order(0, 0) != order(0, 1) and order(0, 0) != order(1, 0)
    assert sorted(order(0, 0)) != order(0, 0)


def test_bad_rank_and_no_process_group():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval "
                                         r"\[0, 1\]"):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        DistributedSampler(range(4))
