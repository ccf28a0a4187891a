"""The per-task network of ``ttt-net``: a small residual dilated CNN over cells.

Input ``[batch, channels, H, W]`` canvas features, output ``[batch, 10, H, W]``
colour logits per cell. Each block adds ``relu(conv3x3_dilated(h) + linear(mean(h)))``
to the residual stream, so every cell also sees a summary of the whole grid.
Weights are initialised from an explicit ``torch.Generator`` (no global seed).
"""

from __future__ import annotations

import math

import torch
from torch import nn


class CellNet(nn.Module):
    """Fully convolutional cell-wise colour classifier."""

    def __init__(self, in_channels: int, hidden: int, dilations: tuple[int, ...]):
        super().__init__()
        self.inp = nn.Conv2d(in_channels, hidden, 1)
        self.convs = nn.ModuleList(nn.Conv2d(hidden, hidden, 3, padding=d, dilation=d) for d in dilations)
        self.glob = nn.ModuleList(nn.Linear(hidden, hidden) for _ in dilations)
        self.out = nn.Conv2d(hidden, 10, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.inp(x))
        for conv, glob in zip(self.convs, self.glob):
            context = glob(h.mean(dim=(2, 3)))[:, :, None, None]
            h = h + torch.relu(conv(h) + context)
        return self.out(h)

    def macs_per_cell(self) -> int:
        """Multiply-accumulates of one forward pass per canvas cell."""
        total = self.inp.in_channels * self.inp.out_channels + self.out.in_channels * 10
        total += sum(c.in_channels * c.out_channels * 9 for c in self.convs)
        return total


def build_model(in_channels: int, hidden: int, dilations: tuple[int, ...], seed: int) -> CellNet:
    """A ``CellNet`` whose weights depend only on ``seed``."""
    model = CellNet(in_channels, hidden, dilations)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                bound = 1.0 / math.sqrt(fan_in)
                module.weight.uniform_(-bound * math.sqrt(3), bound * math.sqrt(3), generator=gen)
                module.bias.uniform_(-bound, bound, generator=gen)
        # Residual branches start small so the stack is near the identity.
        for conv in model.convs:
            conv.weight.mul_(0.5)
    return model
