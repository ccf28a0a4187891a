"""The LLM grid predictor (``llm-transduction``): prompts that ask a model for the test
output grid, sampling under augmented views, voting after the exact inverse, log-prob
scoring of every candidate under every view, and optional per-task LoRA
(``transduction.lora``). The model is reached through an ``arc_core.LLMClient``."""

from .pooling import Tally, logprob_features, parse_answer, pool_completions
from .prompts import PromptSpec, answer_text, query_prompt, render_chat, task_prompt
from .proposer import LLMTransductionConfig, LLMTransductionProposer, RunStats

__all__ = ["LLMTransductionConfig", "LLMTransductionProposer", "PromptSpec", "RunStats", "Tally",
           "answer_text", "logprob_features", "parse_answer", "pool_completions", "query_prompt", "render_chat",
           "task_prompt"]
