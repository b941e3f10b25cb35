"""Reference fixtures for @tensorzoo/cnn's ImageNet preprocessing
(run: /usr/bin/python3 scripts/reference/torchvision_preprocess.py; needs python3-torchvision).

The pipeline is torchvision's on float tensors: uint8 / 255, `F.resize(size, bilinear,
antialias=True)` (shorter side to `size`), `F.center_crop`, `F.normalize(ImageNet mean/std)`,
computed in float64. Images are RGBA bytes from a formula (alpha ignored) so the big case
needs no stored input. Writes packages/cnn/fixtures/torchvision-preprocess.json with, per
case, the output [3, crop, crop] values in CHW order (every `stride`-th value for the big case).
"""
import json
import pathlib

import numpy as np
import torch
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def rgba(height, width):
    """RGBA bytes: channel c of pixel (y, x) is (x·7 + y·13 + c·50 + (x·y) % 11) % 256, alpha 255."""
    y, x = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    planes = [(x * 7 + y * 13 + c * 50 + (x * y) % 11) % 256 for c in range(3)]
    return np.stack(planes + [np.full_like(x, 255)], axis=-1).astype(np.uint8)  # [H, W, 4]


def preprocess(pixels, size, crop):
    image = torch.from_numpy(pixels[..., :3].astype(np.float64) / 255.0).permute(2, 0, 1)  # [3, H, W]
    image = F.resize(image, size, interpolation=InterpolationMode.BILINEAR, antialias=True)
    image = F.center_crop(image, crop)
    return F.normalize(image, MEAN, STD)


cases = []
for height, width, size, crop, stride in [(37, 50, 20, 16, 1), (11, 9, 24, 20, 1), (40, 40, 32, 27, 1), (30, 17, 17, 12, 1), (300, 400, 256, 224, 97)]:
    out = preprocess(rgba(height, width), size, crop)
    flat = out.flatten()[::stride]
    cases.append({"height": height, "width": width, "resize": size, "crop": crop, "stride": stride,
                  "shape": list(out.shape), "samples": [float(f"{v:.10g}") for v in flat.tolist()]})
path = pathlib.Path(__file__).resolve().parents[2] / "packages/cnn/fixtures/torchvision-preprocess.json"
path.write_text(json.dumps(cases))
print("wrote", path, path.stat().st_size, "bytes")
