"""cluster: Ray (local or a cluster) running given functions over work items, and LLM engines.

The only package that imports ``ray`` or ``vllm``; it imports no solving package.
"""

from .runtime import Failure, Job, Part, PartDone, RayConfig, RayRuntime

__all__ = ["Failure", "Job", "Part", "PartDone", "RayConfig", "RayRuntime"]
