"""Reference fixtures for grouped and depthwise Conv2d (run: /usr/bin/python3 scripts/reference/torchvision_grouped_conv.py).

Writes packages/cnn/fixtures/torchvision-grouped-conv.json: for each case the torch module's
state_dict (weight [out, in/groups, kh, kw]), an NCHW input, the output, a loss sum(output * w)
and the gradients of that loss for every parameter and for the input, all in float64.
The TypeScript test transposes NCHW <-> NHWC itself.

Cases: grouped (2 and 3 groups, 1x1 and 3x3, stride 2), depthwise (multiplier 1 and 2,
stride 2, dilation 2, no bias) - the shapes MobileNet and ResNeXt use.
"""
import json
import pathlib

import torch
from torch import nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def tolist(t):
    return [float(f"{v:.10g}") for v in t.detach().flatten().tolist()]


def tensor(t):
    return {"shape": list(t.shape), "data": tolist(t)}


cases = [
    dict(inC=4, outC=6, k=3, stride=1, padding=1, dilation=1, groups=2, bias=True, size=(5, 6)),
    dict(inC=6, outC=3, k=1, stride=2, padding=0, dilation=1, groups=3, bias=False, size=(7, 5)),
    dict(inC=6, outC=4, k=[3, 2], stride=2, padding=[1, 0], dilation=1, groups=2, bias=True, size=(6, 7)),
    dict(inC=4, outC=4, k=3, stride=1, padding=1, dilation=1, groups=4, bias=False, size=(6, 5)),
    dict(inC=4, outC=4, k=3, stride=2, padding=1, dilation=1, groups=4, bias=True, size=(7, 8)),
    dict(inC=3, outC=6, k=3, stride=1, padding=1, dilation=1, groups=3, bias=True, size=(5, 5)),
    dict(inC=3, outC=3, k=3, stride=1, padding=2, dilation=2, groups=3, bias=False, size=(6, 6)),
]

out = []
for case in cases:
    module = nn.Conv2d(case["inC"], case["outC"], case["k"], stride=case["stride"], padding=case["padding"],
                       dilation=case["dilation"], groups=case["groups"], bias=case["bias"])
    x = torch.randn(2, case["inC"], *case["size"], requires_grad=True)
    state_dict = {k: tensor(v) for k, v in module.state_dict().items()}
    y = module(x)
    w = torch.randn_like(y)
    (y * w).sum().backward()
    out.append({
        "args": case,
        "state_dict": state_dict,
        "input": tensor(x),
        "output": tensor(y),
        "loss_weights": tensor(w),
        "grads": {k: tolist(p.grad) for k, p in module.named_parameters()},
        "input_grad": tolist(x.grad),
    })

path = pathlib.Path(__file__).resolve().parents[2] / "packages/cnn/fixtures/torchvision-grouped-conv.json"
path.write_text(json.dumps(out))
print("wrote", path, path.stat().st_size, "bytes")
