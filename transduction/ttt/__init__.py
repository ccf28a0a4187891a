"""ttt-net: the CPU transduction proposer (a small network trained per task at test time)."""

from .config import TTTConfig
from .proposer import TTTNetProposer

__all__ = ["TTTConfig", "TTTNetProposer"]
