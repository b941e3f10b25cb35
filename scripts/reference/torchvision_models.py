"""Reference fixtures for the torchvision-compatible models of @tensorzoo/cnn
(run: /usr/bin/python3 scripts/reference/torchvision_models.py; needs python3-torchvision).

Nothing can be downloaded here, so weights are not pretrained: every parameter and buffer is
filled from a closed-form formula (`deterministic_value` below), implemented identically in
packages/cnn/test/deterministic-weights.ts, so the fixture holds only outputs.

Writes, under packages/cnn/fixtures/:
  torchvision-models.json  for resnet18/34/50 and mobilenet_v2 (16 classes, input [2, 3, 64, 64]):
                           eval-mode logits, and for resnet18 the train-mode logits and the
                           running statistics of a few BatchNorm layers after that one forward.
  torchvision-state-dicts.json  the state_dict keys, shapes and dtypes of torchvision's
                           resnet18/34/50, resnext50_32x4d, wide_resnet50_2 and mobilenet_v2 at
                           widths 0.35/0.5/0.75/1.0/1.4 (1,000 classes), in order.
  torchvision-mobilenet_v2-tiny.safetensors  a real torchvision state_dict (mobilenet_v2,
                           width_mult 0.1, 5 classes, seed 0, one train-mode forward so the
                           BatchNorm buffers are not trivial; num_batches_tracked is int64),
  torchvision-mobilenet_v2-tiny.json  its eval-mode logits for a [2, 3, 32, 32] input.
"""
import json
import math
import pathlib
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from torchvision_safetensors import write_safetensors  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "packages/cnn/fixtures"
NUM_CLASSES = 16


def name_seed(name):
    """A number per tensor name: sum of (character code * position), mod 9973."""
    return sum(ord(char) * (index + 1) for index, char in enumerate(name)) % 9973


def deterministic_value(name, shape):
    """The closed-form weights shared with the TypeScript test (float64, PyTorch layout)."""
    count = int(np.prod(shape)) if shape else 1
    base = np.sin(0.7 * np.arange(count, dtype=np.float64) + 0.013 * name_seed(name) + 1.0)
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_mean":
        values = 0.1 * base
    elif leaf == "running_var":
        values = 1.0 + 0.5 * base * base
    elif len(shape) == 1 and leaf == "weight":  # BatchNorm scale
        values = 0.3 + 0.1 * base
    elif leaf == "bias":
        values = 0.1 * base
    else:  # Conv2d / Linear weight [out, in, ...]: variance 1 / fan-in
        fan_in = int(np.prod(shape[1:]))
        values = base * math.sqrt(2.0 / fan_in)
    return values.reshape(shape)


def fill(model):
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            tensor.copy_(torch.from_numpy(deterministic_value(name, list(tensor.shape))))


def deterministic_input(shape):
    count = int(np.prod(shape))
    return torch.from_numpy((1.5 * np.sin(0.05 * np.arange(count, dtype=np.float64) + 0.3)).reshape(shape))


def values(t):
    return [float(f"{v:.10g}") for v in t.detach().double().flatten().tolist()]


torch.set_default_dtype(torch.float64)
builders = {
    "resnet18": lambda: torchvision.models.resnet18(num_classes=NUM_CLASSES),
    "resnet34": lambda: torchvision.models.resnet34(num_classes=NUM_CLASSES),
    "resnet50": lambda: torchvision.models.resnet50(num_classes=NUM_CLASSES),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(num_classes=NUM_CLASSES),
}
input_shape = [2, 3, 64, 64]
x = deterministic_input(input_shape)
models = {}
for key, build in builders.items():
    model = build().double()
    fill(model)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    models[key] = {"logits": {"shape": list(logits.shape), "data": values(logits)}}
    print(key, "logits range", float(logits.min()), float(logits.max()))

# ResNet-18 in training mode: batch statistics, running statistics updated once.
model = builders["resnet18"]().double()
fill(model)
model.train()
with torch.no_grad():
    train_logits = model(x)
watched = ["bn1", "layer1.0.bn2", "layer2.0.downsample.1", "layer3.1.bn1", "layer4.1.bn2"]
state = model.state_dict()
models["resnet18"]["train"] = {
    "logits": values(train_logits),
    "buffers_after": {
        f"{layer}.{buffer}": values(state[f"{layer}.{buffer}"]) if buffer != "num_batches_tracked" else [int(state[f"{layer}.{buffer}"])]
        for layer in watched
        for buffer in ["running_mean", "running_var", "num_batches_tracked"]
    },
}
(FIXTURES / "torchvision-models.json").write_text(
    json.dumps({"num_classes": NUM_CLASSES, "input_shape": input_shape, "models": models}))

# State-dict keys and shapes of the real models (float32, default 1,000 classes).
torch.set_default_dtype(torch.float32)
specs = {
    "resnet18": torchvision.models.resnet18,
    "resnet34": torchvision.models.resnet34,
    "resnet50": torchvision.models.resnet50,
    "resnext50_32x4d": torchvision.models.resnext50_32x4d,
    "wide_resnet50_2": torchvision.models.wide_resnet50_2,
}
for width in [0.35, 0.5, 0.75, 1.0, 1.4]:
    specs[f"mobilenet_v2_{width}"] = (lambda w: (lambda: torchvision.models.mobilenet_v2(width_mult=w)))(width)
state_dicts = {}
for key, build in specs.items():
    sd = build().state_dict()
    state_dicts[key] = [[name, list(t.shape), str(t.dtype).replace("torch.", "")] for name, t in sd.items()]
(FIXTURES / "torchvision-state-dicts.json").write_text(json.dumps(state_dicts, separators=(",", ":")))

# A real (tiny) torchvision state_dict as safetensors, and its eval logits.
torch.manual_seed(0)
tiny = torchvision.models.mobilenet_v2(width_mult=0.1, num_classes=5)
tiny.train()
with torch.no_grad():
    tiny(torch.randn(4, 3, 32, 32))
    for module in tiny.modules():  # non-trivial affine BatchNorm parameters
        if isinstance(module, torch.nn.BatchNorm2d):
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.1, 0.1)
tiny.eval()
tiny_input = deterministic_input([2, 3, 32, 32]).float()
with torch.no_grad():
    tiny_logits = tiny.double()(tiny_input.double())
tiny = tiny.float()
(FIXTURES / "torchvision-mobilenet_v2-tiny.safetensors").write_bytes(write_safetensors(tiny.state_dict(), {"format": "pt"}))
(FIXTURES / "torchvision-mobilenet_v2-tiny.json").write_text(json.dumps({
    "config": {"widthMultiplier": 0.1, "numClasses": 5},
    "input_shape": [2, 3, 32, 32],
    "logits": {"shape": list(tiny_logits.shape), "data": values(tiny_logits)},
}))
for path in sorted(FIXTURES.glob("torchvision-*")):
    print("wrote", path, path.stat().st_size, "bytes")
