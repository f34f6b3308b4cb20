"""DistributedSampler: each process of a group reads its own shard of the dataset, with torch's
sizes and padding.

Shuffling permutes the indices with a Generator seeded with seed + epoch, the same on every rank
(call set_epoch each epoch for a new order). ember's generator is not torch's Mersenne Twister,
so the shuffled order differs from torch's; with shuffle=False the shards are torch's exactly.
"""
import math

from ... import _random
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Rank `rank`'s share of `num_replicas` equal shards: rank, rank + num_replicas, ... of the
    (shuffled) indices, padded by repeating from the start, or cut (drop_last), to a multiple of
    num_replicas."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist
            if not dist.is_available() or not dist.is_initialized():
                raise RuntimeError("Requires distributed package to be available")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)  # drop the tail
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return list(range(n))
        generator = _random.Generator().manual_seed(self.seed + self.epoch)
        return _random.randperm(n, generator=generator).tolist()

    def __iter__(self):
        indices = self._order()
        if self.drop_last:
            indices = indices[:self.total_size]
        elif indices:
            missing = self.total_size - len(indices)
            repeats = math.ceil(missing / len(indices))
            indices = indices + (indices * repeats)[:missing]
        shard = indices[self.rank:self.total_size:self.num_replicas]
        assert len(shard) == self.num_samples
        return iter(shard)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """The epoch seeds the shuffle: the same on every rank, a new order each epoch."""
        self.epoch = epoch
