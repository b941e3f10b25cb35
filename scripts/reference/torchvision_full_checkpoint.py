"""A full-size torchvision checkpoint for a manual strict-load check (too big to commit):
writes <out>/<model>.safetensors (torchvision's state_dict, random weights from seed 0, after
one train-mode forward so BatchNorm buffers are not trivial) and <out>/<model>.json (its
eval-mode float32 logits on a [1, 3, 224, 224] input from the formula 1.5·sin(0.05·i + 0.3)).

Run: /usr/bin/python3 scripts/reference/torchvision_full_checkpoint.py [out=/tmp] [model=resnet18]
then: node bench/vision-load-check.mjs [out=/tmp] [model=resnet18]
"""
import json
import pathlib
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from torchvision_safetensors import write_safetensors  # noqa: E402

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
name = sys.argv[2] if len(sys.argv) > 2 else "resnet18"
torch.manual_seed(0)
model = getattr(torchvision.models, name)()
model.train()
with torch.no_grad():
    model(torch.rand(2, 3, 224, 224))
model.eval()
count = 3 * 224 * 224
x = torch.from_numpy((1.5 * np.sin(0.05 * np.arange(count, dtype=np.float64) + 0.3)).reshape(1, 3, 224, 224)).float()
with torch.no_grad():
    logits = model(x)
(out / f"{name}.safetensors").write_bytes(write_safetensors(model.state_dict(), {"format": "pt"}))
(out / f"{name}.json").write_text(json.dumps({"logits": logits.flatten().tolist(), "top5": logits.topk(5).indices.flatten().tolist()}))
print("wrote", out / f"{name}.safetensors", (out / f"{name}.safetensors").stat().st_size, "bytes")
