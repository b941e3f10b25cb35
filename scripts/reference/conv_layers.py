"""Reference fixtures for @tensorzoo/core convolution layers (run: /usr/bin/python3 scripts/reference/conv_layers.py).

Writes packages/core/fixtures/conv-layers.json with, for each case, the torch module's
state_dict (PyTorch names and layouts), an NCHW input, the output, a loss sum(output * w),
and the gradients of the loss for every parameter and for the input. The TypeScript tests
transpose inputs/outputs between NCHW (torch) and NHWC (tfjs) themselves, so the fixture
holds torch's native layout only.

Cases: Conv2d (padding number/pair/'same'/'valid', stride, dilation, no bias),
ConvTranspose2d (stride, padding, output_padding), MaxPool2d, AvgPool2d (count_include_pad),
global average pooling, BatchNorm2d/BatchNorm1d in training mode (two steps: outputs,
gradients and the running statistics torch leaves behind, then eval mode), a small
Conv -> BN -> ReLU -> MaxPool -> Flatten -> Linear classifier loaded strictly from its
state_dict, and a Linear -> view(C, H, W) -> ConvTranspose2d generator head.
"""
import torch
from torch import nn
import torch.nn.functional as F

from common import encode, fixtures_dir, write_json

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def tolist(t):
    # 10 significant digits: far below the float32 tolerance, and a smaller file.
    return encode(t, digits=10)["data"]


def tensor(t):
    return encode(t, digits=10)


def state(module):
    return {k: tensor(v) for k, v in module.state_dict().items()}


def record(module, x, args):
    """Forward + backward of sum(module(x) * w); `args` describes the TypeScript constructor."""
    module.zero_grad()
    x = x.clone().requires_grad_(True)
    before = state(module)
    y = module(x)
    w = torch.randn_like(y)
    loss = (y * w).sum()
    loss.backward()
    return {
        "args": args,
        "state_dict": before,
        "input": tensor(x),
        "output": tensor(y),
        "loss_weights": tensor(w),
        "loss": loss.item(),
        "grads": {k: tolist(p.grad) for k, p in module.named_parameters()},
        "input_grad": tolist(x.grad),
    }


out = {"conv2d": [], "conv_transpose2d": [], "max_pool2d": [], "avg_pool2d": []}

# --- Conv2d ---------------------------------------------------------------------------
conv_cases = [
    dict(inC=3, outC=4, k=3, stride=1, padding=1, dilation=1, bias=True, size=(5, 6)),
    dict(inC=2, outC=3, k=[3, 2], stride=2, padding=[1, 0], dilation=1, bias=True, size=(7, 6)),
    dict(inC=2, outC=3, k=3, stride=1, padding=2, dilation=2, bias=False, size=(6, 5)),
    dict(inC=2, outC=2, k=[2, 3], stride=[1, 2], padding="valid", dilation=1, bias=True, size=(5, 7)),
    dict(inC=3, outC=2, k=[3, 4], stride=1, padding="same", dilation=1, bias=True, size=(5, 5)),
    dict(inC=1, outC=3, k=5, stride=2, padding=2, dilation=1, bias=True, size=(8, 8)),
]
for case in conv_cases:
    padding = case["padding"]
    module = nn.Conv2d(case["inC"], case["outC"], case["k"], stride=case["stride"],
                       padding=padding if isinstance(padding, str) else padding,
                       dilation=case["dilation"], bias=case["bias"])
    x = torch.randn(2, case["inC"], *case["size"])
    out["conv2d"].append(record(module, x, case))

# --- ConvTranspose2d ------------------------------------------------------------------
transpose_cases = [
    dict(inC=3, outC=2, k=4, stride=2, padding=1, outputPadding=0, bias=True, size=(3, 4)),
    dict(inC=2, outC=3, k=3, stride=2, padding=1, outputPadding=1, bias=True, size=(4, 3)),
    dict(inC=2, outC=2, k=[3, 2], stride=[1, 2], padding=[0, 1], outputPadding=[0, 1], bias=False, size=(3, 3)),
    dict(inC=4, outC=1, k=5, stride=1, padding=2, outputPadding=0, bias=True, size=(4, 4)),
]
for case in transpose_cases:
    module = nn.ConvTranspose2d(case["inC"], case["outC"], case["k"], stride=case["stride"], padding=case["padding"],
                                output_padding=case["outputPadding"], bias=case["bias"])
    x = torch.randn(2, case["inC"], *case["size"])
    out["conv_transpose2d"].append(record(module, x, case))

# --- pooling --------------------------------------------------------------------------
pool_cases = [
    dict(k=2, stride=None, padding=0, size=(6, 6)),
    dict(k=3, stride=2, padding=1, size=(7, 6)),
    dict(k=[3, 2], stride=[2, 1], padding=[1, 0], size=(5, 4)),
]
for case in pool_cases:
    x = torch.randn(2, 3, *case["size"])
    stride = case["stride"] if case["stride"] is not None else case["k"]
    out["max_pool2d"].append(record(nn.MaxPool2d(case["k"], stride, case["padding"]), x, case))
    out["avg_pool2d"].append(record(nn.AvgPool2d(case["k"], stride, case["padding"]), x, case))


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return F.adaptive_avg_pool2d(x, 1).flatten(1)


out["global_avg_pool2d"] = record(GlobalAvgPool(), torch.randn(2, 3, 4, 5), {})


# --- BatchNorm (training: two steps, then eval) ----------------------------------------
def batch_norm_steps(module, shape):
    module.train()
    with torch.no_grad():  # non-trivial affine parameters
        module.weight.copy_(torch.rand(module.num_features) + 0.5)
        module.bias.copy_(torch.randn(module.num_features))
    initial = state(module)
    steps = [record(module, torch.randn(*shape) * 2 + 1, {}) for _ in range(2)]
    for step in steps:
        del step["state_dict"]
    after = state(module)
    module.eval()
    x = torch.randn(*shape)
    return {
        "num_features": module.num_features,
        "momentum": module.momentum,
        "initial_state_dict": initial,
        "train_steps": steps,
        "state_dict_after": after,
        "eval_input": tensor(x),
        "eval_output": tensor(module(x)),
    }


out["batch_norm2d"] = batch_norm_steps(nn.BatchNorm2d(3), (4, 3, 3, 2))
out["batch_norm1d"] = batch_norm_steps(nn.BatchNorm1d(4, momentum=0.3), (5, 4))


# --- A small classifier loaded strictly from its state_dict -----------------------------
class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.norm = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 3 * 3, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(F.relu(self.norm(self.conv(x)))), 1))


net = SmallNet()
with torch.no_grad():
    net.norm.running_mean.copy_(torch.randn(4) * 0.1)
    net.norm.running_var.copy_(torch.rand(4) + 0.5)
    net.norm.num_batches_tracked.fill_(7)
    net.norm.weight.copy_(torch.rand(4) + 0.5)
    net.norm.bias.copy_(torch.randn(4) * 0.1)
net.eval()
x = torch.randn(3, 1, 6, 6)
out["small_net"] = {
    "eval": record(net, x, {}),
}
net.train()
train_record = record(net, x, {})
out["small_net"]["train"] = {k: v for k, v in train_record.items() if k != "state_dict"}
out["small_net"]["train"]["state_dict_after"] = state(net)


# --- Generator head: Linear -> view(N, C, H, W) -> ConvTranspose2d -> tanh ----------------
class GeneratorHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 3 * 2 * 2)
        self.up = nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1)

    def forward(self, z):
        return torch.tanh(self.up(self.fc(z).view(-1, 3, 2, 2)))


out["generator_head"] = record(GeneratorHead(), torch.randn(2, 5), {})

write_json(fixtures_dir("core") / "conv-layers.json", out)
