"""Reference fixtures for @tensorzoo/core layers (run: /usr/bin/python3 scripts/reference/core_layers.py).

Writes packages/core/fixtures/layers.json: state_dicts (PyTorch names and layouts), inputs,
outputs and parameter gradients of a small MLP with LayerNorm, GELU, an Embedding-based
model, so the TypeScript layers can be checked against torch.nn numerically.
"""
import torch
from torch import nn

from common import encode, fixtures_dir, write_json

torch.manual_seed(0)
out = {}


def tolist(t):
    return encode(t, digits=None)["data"]


def record(model, inputs, loss_fn):
    model.zero_grad()
    y = model(inputs)
    loss = loss_fn(y)
    loss.backward()
    return {
        "state_dict": {k: encode(v, digits=None) for k, v in model.state_dict().items()},
        "input": encode(inputs, digits=None),
        "output": encode(y, digits=None),
        "loss": loss.item(),
        "grads": {k: tolist(p.grad.flatten()) for k, p in model.named_parameters()},
    }


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, 4), nn.GELU(), nn.Linear(4, 2))
        self.norm = nn.LayerNorm(2)

    def forward(self, x):
        return self.norm(self.layers(x))


mlp = MLP().double()
x = torch.randn(6, 3, dtype=torch.float64)
weights = torch.randn(6, 2, dtype=torch.float64)
out["mlp"] = record(mlp, x, lambda y: (y * weights).sum())
out["mlp"]["loss_weights"] = tolist(weights.flatten())


class Embed(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(7, 3)
        self.head = nn.Linear(3, 2, bias=False)

    def forward(self, ids):
        return torch.tanh(self.head(self.embed(ids)))


embed = Embed().double()
ids = torch.tensor([[0, 3, 6, 3], [1, 1, 2, 5]])
out["embedding"] = record(embed, ids, lambda y: (y ** 2).sum())

write_json(fixtures_dir("core") / "layers.json", out)
