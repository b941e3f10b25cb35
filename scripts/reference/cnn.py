#!/usr/bin/env python3
"""PyTorch reference modules and fixtures for @tensorzoo/cnn.

Run with Debian's Python, which has python3-torch:

    /usr/bin/python3 scripts/reference/cnn.py

The PyTorch twins of the TypeScript models in packages/cnn/src are `tensorzoo_torch.cnn`
(python/tensorzoo-torch): the same fields in the same order and the same config keys, so
`state_dict` names are identical and weights move both ways (TensorZoo's `namedVariables()`
== `state_dict().keys()`); each case below builds its twin from the TypeScript config. The
TypeScript models take channels-last images `[N, H, W, C]`; the twins take PyTorch's
`[N, C, H, W]`; the fixtures store inputs channels-last.

It writes packages/cnn/fixtures/cnn.json with, per case (tiny widths, batch 2):
- `config`: the TypeScript model's config;
- `state_dict`: every parameter and buffer (PyTorch layouts: conv weight [out, in, kh, kw]);
- `input` (NHWC), the training-mode `output`, `loss = sum(output * loss_weights)` and the
  gradient of every parameter; for BatchNorm models also the running statistics after that
  forward pass and the eval-mode `eval_output` that uses them.
Weights and inputs are rounded to float32 first, then everything runs in float64.

`safetensors` holds the float32 ResNet state_dict (conv, BatchNorm and int64
`num_batches_tracked` tensors) as a safetensors file (base64), written by hand as in
scripts/reference/safetensors_fixture.py, with the float32 eval-mode output of PyTorch.
"""
import base64
import json
import struct

import numpy as np
import torch
from torch import nn

from common import fixtures_dir, to_float32
from tensorzoo_torch import LeNet5, MLPClassifier, ResNet, SimpleCNN

OUTPUT = fixtures_dir("cnn") / "cnn.json"
torch.manual_seed(20261128)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


def values(tensor):
    return tensor.detach().double().flatten().tolist()


def prepare(model):
    """float64 model whose parameters (and random BatchNorm statistics) are exactly float32 numbers."""
    model = model.double()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):  # not the defaults, so every term is exercised
                module.weight.copy_(1 + 0.2 * torch.randn_like(module.weight))
                module.bias.copy_(0.1 * torch.randn_like(module.bias))
                module.running_mean.copy_(0.1 * torch.randn_like(module.running_mean))
                module.running_var.copy_(0.5 + torch.rand_like(module.running_var))
                module.num_batches_tracked.fill_(3)
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(to_float32(tensor))
    return model


def state(model):
    return {name: {"shape": list(t.shape), "data": values(t)} for name, t in model.state_dict().items()}


def record(model, config, input_shape_nchw, has_batch_norm=False):
    model = prepare(model)
    x = to_float32(torch.rand(*input_shape_nchw, dtype=torch.float64))
    before = state(model)
    model.train()
    model.zero_grad()
    y = model(x)
    loss_weights = to_float32(torch.randn_like(y))
    loss = (y * loss_weights).sum()
    loss.backward()
    case = {
        "config": config,
        "state_dict": before,
        "input": {"shape": list(x.permute(0, 2, 3, 1).shape), "data": values(x.permute(0, 2, 3, 1))},
        "output": {"shape": list(y.shape), "data": values(y)},
        "loss_weights": values(loss_weights),
        "loss": loss.item(),
        "grads": {name: values(p.grad) for name, p in model.named_parameters()},
    }
    if has_batch_norm:
        case["buffers_after"] = {name: values(t) for name, t in model.state_dict().items() if "running" in name or "num_batches" in name}
        model.eval()
        with torch.no_grad():
            case["eval_output"] = values(model(x))
    return case


# Hand-written safetensors writer (format spec: 8-byte little-endian header length, JSON header
# padded with spaces to a multiple of 8, then the tensors' bytes), as in safetensors_fixture.py.
DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def write_safetensors(tensors):
    order = sorted(tensors, key=lambda name: (0 if tensors[name].dtype == torch.int64 else 1, name))
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in order:
        dtype, numpy_dtype = DTYPES[tensors[name].dtype]
        data = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype(numpy_dtype)).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(blobs)


out = {"torch": torch.__version__}

simple = {"inputShape": [22, 24, 2], "channels": [3, 4, 5], "kernelSize": 3, "padding": "valid", "hidden": 6, "numClasses": 3, "output": "logits"}
out["simple_cnn"] = record(
    SimpleCNN(**simple), simple, (2, 2, 22, 24))

binary = {"inputShape": [8, 10, 1], "channels": [2, 3, 4], "kernelSize": 3, "padding": "same", "hidden": 5, "numClasses": 2, "output": "sigmoid"}
out["simple_cnn_binary"] = record(
    SimpleCNN(**binary), binary, (2, 1, 8, 10))

lenet = {"inputShape": [16, 16, 1], "channels": [3, 4], "hidden": [6, 5], "numClasses": 3, "activation": "relu", "pooling": "max"}
out["lenet5"] = record(LeNet5(**lenet), lenet, (2, 1, 16, 16))

lenet_tanh = {"inputShape": [12, 12, 2], "channels": [3, 4], "hidden": [6, 5], "numClasses": 3, "activation": "tanh", "pooling": "avg"}
out["lenet5_tanh"] = record(
    LeNet5(**lenet_tanh), lenet_tanh, (2, 2, 12, 12))

resnet = {"inputChannels": 2, "widths": [3, 4, 5], "blocks": [2, 1, 1], "numClasses": 3}
out["resnet"] = record(ResNet(**resnet), resnet, (2, 2, 8, 8), has_batch_norm=True)

mlp = {"inputSize": 16, "hiddenSizes": [6, 5], "numClasses": 3, "output": "logits"}
out["mlp"] = record(MLPClassifier(**mlp), mlp, (2, 1, 4, 4))

mlp_softmax = {"inputSize": 12, "hiddenSizes": [5], "numClasses": 4, "output": "softmax"}
out["mlp_softmax"] = record(MLPClassifier(**mlp_softmax), mlp_softmax, (2, 3, 2, 2))

# A float32 ResNet state_dict as PyTorch would save it, and its float32 eval-mode output.
float_model = prepare(ResNet(inputChannels=1, widths=(2, 3, 4), blocks=(1, 1, 1), numClasses=3)).float().eval()
x = torch.rand(2, 1, 9, 7)
with torch.no_grad():
    y = float_model(x)
out["safetensors"] = {
    "config": {"inputChannels": 1, "widths": [2, 3, 4], "blocks": [1, 1, 1], "numClasses": 3},
    "base64": base64.b64encode(write_safetensors(dict(float_model.state_dict()))).decode("ascii"),
    "names": list(float_model.state_dict().keys()),
    "conv1_weight": {"shape": list(float_model.conv1.weight.shape), "data": values(float_model.conv1.weight)},
    "input": {"shape": list(x.permute(0, 2, 3, 1).shape), "data": values(x.permute(0, 2, 3, 1))},
    "eval_output": values(y),
}

OUTPUT.parent.mkdir(parents=True, exist_ok=True)
OUTPUT.write_text(json.dumps(out) + "\n")
print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KB)")
