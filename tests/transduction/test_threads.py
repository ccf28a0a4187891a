"""torch's thread count is set for a block of work only."""

from __future__ import annotations

import pytest
import torch

from transduction.threads import torch_threads


def test_the_callers_thread_count_comes_back_even_after_an_error():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), torch_threads(1):
            raise RuntimeError("training failed")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
