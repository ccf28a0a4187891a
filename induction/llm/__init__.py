"""The LLM program sampler: prompts, code extraction, the ``llm-induction`` proposer and its
revision loop. Programs run only in ``induction.sandbox``; the model is reached through
an ``arc_core.LLMClient`` (implemented in ``cluster``)."""

from .extraction import extract_code, normalise, unique_programs
from .prompts import render_chat, revision_prompt, task_prompt
from .proposer import LLMInductionConfig, LLMInductionProposer, RunStats

__all__ = ["LLMInductionConfig", "LLMInductionProposer", "RunStats", "extract_code",
           "normalise", "unique_programs", "render_chat", "revision_prompt", "task_prompt"]
