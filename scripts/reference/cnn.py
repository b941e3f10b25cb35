#!/usr/bin/env python3
"""PyTorch reference modules and fixtures for @tensorzoo/cnn.

Run with Debian's Python, which has python3-torch:

    /usr/bin/python3 scripts/reference/cnn.py

The modules below are the PyTorch twins of the TypeScript models in packages/cnn/src: the
same fields in the same order, so `state_dict` names are identical and weights move both
ways (TensorZoo's `namedVariables()` == `state_dict().keys()`). The TypeScript models take
channels-last images `[N, H, W, C]`; these take PyTorch's `[N, C, H, W]`; the fixtures store
inputs channels-last.

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
import pathlib
import struct

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

OUTPUT = pathlib.Path(__file__).resolve().parents[2] / "packages" / "cnn" / "fixtures" / "cnn.json"
torch.manual_seed(20261128)


# ---------------------------------------------------------------------------------------------
# Reference modules (field names = TypeScript field names)
# ---------------------------------------------------------------------------------------------


def activation(name):
    return {"relu": nn.ReLU(), "tanh": nn.Tanh()}[name]


def pool(kind):
    return nn.MaxPool2d(2) if kind == "max" else nn.AvgPool2d(2)


class SimpleCNN(nn.Module):
    """Seed 003's classifier: (Conv 3x3 + ReLU + MaxPool 2) x 3, Flatten, Dense + ReLU, output."""

    def __init__(self, input_shape=(28, 28, 1), channels=(32, 64, 128), kernel_size=3, padding="valid",
                 hidden=512, num_classes=10, output="logits"):
        super().__init__()
        height, width, in_channels = input_shape
        pad = kernel_size // 2 if padding == "same" else 0
        layers = []
        for out_channels in channels:
            layers += [nn.Conv2d(in_channels, out_channels, kernel_size, padding=pad), nn.ReLU(), nn.MaxPool2d(2)]
            height = (height + 2 * pad - kernel_size + 1) // 2
            width = (width + 2 * pad - kernel_size + 1) // 2
            in_channels = out_channels
        self.features = nn.Sequential(*layers)
        outputs = 1 if output == "sigmoid" else num_classes
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(in_channels * height * width, hidden), nn.ReLU(), nn.Linear(hidden, outputs))
        self.output = output

    def forward(self, x):
        logits = self.classifier(self.features(x))
        return torch.sigmoid(logits) if self.output == "sigmoid" else logits


class LeNet5(nn.Module):
    """LeNet-5 for 28x28 digits: conv1 pads by 2 (the 32x32 input of the paper)."""

    def __init__(self, input_shape=(28, 28, 1), channels=(6, 16), hidden=(120, 84), num_classes=10,
                 activation="relu", pooling="max"):
        super().__init__()
        height, width, in_channels = input_shape
        self.conv1 = nn.Conv2d(in_channels, channels[0], 5, padding=2)
        self.conv2 = nn.Conv2d(channels[0], channels[1], 5)
        height, width = ((height // 2) - 4) // 2, ((width // 2) - 4) // 2
        self.fc1 = nn.Linear(channels[1] * height * width, hidden[0])
        self.fc2 = nn.Linear(hidden[0], hidden[1])
        self.fc3 = nn.Linear(hidden[1], num_classes)
        self.act = activation
        self.pooling = pooling

    def forward(self, x):
        act = torch.relu if self.act == "relu" else torch.tanh
        down = (lambda t: F.max_pool2d(t, 2)) if self.pooling == "max" else (lambda t: F.avg_pool2d(t, 2))
        x = down(act(self.conv1(x)))
        x = down(act(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(act(self.fc2(act(self.fc1(x)))))


class BasicBlock(nn.Module):
    """ResNet basic block (torchvision names): two 3x3 conv + BN, identity or 1x1 projection shortcut."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + shortcut)


class ResNet(nn.Module):
    """Small ResNet for 28x28 images: 3x3 stem, stages of BasicBlocks (stride 2 from the second), global average pool, fc."""

    def __init__(self, input_channels=1, widths=(16, 32, 64), blocks=(1, 1, 1), num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        stages = []
        in_channels = widths[0]
        for index, (width, count) in enumerate(zip(widths, blocks)):
            stage = []
            for block in range(count):
                stride = 2 if index > 0 and block == 0 else 1
                stage.append(BasicBlock(in_channels, width, stride))
                in_channels = width
            stages.append(nn.Sequential(*stage))
        self.layers = nn.ModuleList(stages)
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        for stage in self.layers:
            x = stage(x)
        return self.fc(x.mean(dim=(2, 3)))


class MLPClassifier(nn.Module):
    """Seed 001's MLP: flatten, (Linear + ReLU) per hidden size, Linear to the classes."""

    def __init__(self, input_size=784, hidden_sizes=(2048, 1024), num_classes=10, output="logits"):
        super().__init__()
        layers = []
        for size in hidden_sizes:
            layers += [nn.Linear(input_size, size), nn.ReLU()]
            input_size = size
        layers.append(nn.Linear(input_size, num_classes))
        self.layers = nn.Sequential(*layers)
        self.output = output

    def forward(self, x):
        logits = self.layers(torch.flatten(x, 1))
        return torch.softmax(logits, dim=-1) if self.output == "softmax" else logits


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


def values(tensor):
    return tensor.detach().double().flatten().tolist()


def to_float32(tensor):
    return tensor.to(torch.float32).to(torch.float64)


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
    return {name: {"shape": list(t.shape), "values": values(t)} for name, t in model.state_dict().items()}


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
        "input": {"shape": list(x.permute(0, 2, 3, 1).shape), "values": values(x.permute(0, 2, 3, 1))},
        "output": {"shape": list(y.shape), "values": values(y)},
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
    SimpleCNN(input_shape=(22, 24, 2), channels=(3, 4, 5), hidden=6, num_classes=3), simple, (2, 2, 22, 24))

binary = {"inputShape": [8, 10, 1], "channels": [2, 3, 4], "kernelSize": 3, "padding": "same", "hidden": 5, "numClasses": 2, "output": "sigmoid"}
out["simple_cnn_binary"] = record(
    SimpleCNN(input_shape=(8, 10, 1), channels=(2, 3, 4), padding="same", hidden=5, output="sigmoid"), binary, (2, 1, 8, 10))

lenet = {"inputShape": [16, 16, 1], "channels": [3, 4], "hidden": [6, 5], "numClasses": 3, "activation": "relu", "pooling": "max"}
out["lenet5"] = record(LeNet5(input_shape=(16, 16, 1), channels=(3, 4), hidden=(6, 5), num_classes=3), lenet, (2, 1, 16, 16))

lenet_tanh = {"inputShape": [12, 12, 2], "channels": [3, 4], "hidden": [6, 5], "numClasses": 3, "activation": "tanh", "pooling": "avg"}
out["lenet5_tanh"] = record(
    LeNet5(input_shape=(12, 12, 2), channels=(3, 4), hidden=(6, 5), num_classes=3, activation="tanh", pooling="avg"), lenet_tanh, (2, 2, 12, 12))

resnet = {"inputChannels": 2, "widths": [3, 4, 5], "blocks": [2, 1, 1], "numClasses": 3}
out["resnet"] = record(ResNet(input_channels=2, widths=(3, 4, 5), blocks=(2, 1, 1), num_classes=3), resnet, (2, 2, 8, 8), has_batch_norm=True)

mlp = {"inputSize": 16, "hiddenSizes": [6, 5], "numClasses": 3, "output": "logits"}
out["mlp"] = record(MLPClassifier(input_size=16, hidden_sizes=(6, 5), num_classes=3), mlp, (2, 1, 4, 4))

mlp_softmax = {"inputSize": 12, "hiddenSizes": [5], "numClasses": 4, "output": "softmax"}
out["mlp_softmax"] = record(MLPClassifier(input_size=12, hidden_sizes=(5,), num_classes=4, output="softmax"), mlp_softmax, (2, 3, 2, 2))

# A float32 ResNet state_dict as PyTorch would save it, and its float32 eval-mode output.
float_model = prepare(ResNet(input_channels=1, widths=(2, 3, 4), blocks=(1, 1, 1), num_classes=3)).float().eval()
x = torch.rand(2, 1, 9, 7)
with torch.no_grad():
    y = float_model(x)
out["safetensors"] = {
    "config": {"inputChannels": 1, "widths": [2, 3, 4], "blocks": [1, 1, 1], "numClasses": 3},
    "base64": base64.b64encode(write_safetensors(dict(float_model.state_dict()))).decode("ascii"),
    "names": list(float_model.state_dict().keys()),
    "conv1_weight": {"shape": list(float_model.conv1.weight.shape), "values": values(float_model.conv1.weight)},
    "input": {"shape": list(x.permute(0, 2, 3, 1).shape), "values": values(x.permute(0, 2, 3, 1))},
    "eval_output": values(y),
}

OUTPUT.parent.mkdir(parents=True, exist_ok=True)
OUTPUT.write_text(json.dumps(out) + "\n")
print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KB)")
