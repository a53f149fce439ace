"""Random draws that anyone can check afterwards: the sample is a function of
the sorted pool and a stored seed only (the weekly meeting draw, 回头看)."""

import random
import secrets
from collections.abc import Iterable


def draw_new_seed() -> int:
    return secrets.randbits(64)


def draw_sample(*, seed: int | str, pool_ids: Iterable[int], count: int) -> list[int]:
    """`count` ids (at most the pool's size) drawn from the sorted pool with
    `random.Random(int(seed))`, in drawing order; the same for the same input."""
    pool = sorted(pool_ids)
    return random.Random(int(seed)).sample(pool, min(count, len(pool)))
