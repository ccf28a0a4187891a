"""torch's thread count for a block of work, the caller's restored after.

Proposers run one per core (Ray schedules them so), so their torch work takes one thread;
setting it for the whole process would change it for everything else running there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """torch's intra-op thread count set to ``n`` inside the block."""
    import torch  # transduction.lora imports torch only when it trains

    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)
