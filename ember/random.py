"""torch.random: the seeding and RNG-state functions at the path torch keeps them."""
from ._random import (default_generator, get_rng_state, initial_seed, manual_seed, seed,
                      set_rng_state)

__all__ = ["default_generator", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]
