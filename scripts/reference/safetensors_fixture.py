"""Reference safetensors files for @tensorzoo/core (run: /usr/bin/python3 scripts/reference/safetensors_fixture.py).

Writes packages/core/fixtures/torch-linear.json: safetensors files holding PyTorch tensors, as
base64, plus the expected element bit patterns, so the TypeScript decoder is checked against
bytes that PyTorch produced, and the TypeScript encoder against a second, independent writer.

The `safetensors` package is not installed here, so the format is written by hand from its spec
(https://github.com/huggingface/safetensors): an unsigned 64-bit little-endian header length,
the JSON header padded with spaces to a multiple of 8 bytes, then the tensors' little-endian
bytes packed back to back. Tensors are ordered as the reference writer orders them: by dtype
alignment (largest first, in the reference's Dtype order), then by name.

Files:
  linear: the state_dict of a module holding `fc = nn.Linear(4, 3)` (`fc.weight` [3, 4],
          `fc.bias` [3]) with `__metadata__` {"format": "pt"}, plus an input and its output.
  mixed:  one tensor per dtype torch and numpy can produce (BOOL, U8, I8, I32, I64, F16, BF16,
          F32, F64), with NaN, -0, infinities, subnormals and extreme integers, a scalar
          (shape []) and an empty tensor (shape [0, 3]).
"""
import base64
import json
import struct

import numpy as np
import torch
from torch import nn

from common import fixtures_dir

# The reference's Dtype enum order (increasing alignment).
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
TORCH_DTYPES = {
    torch.bool: ("BOOL", np.dtype("u1")),
    torch.uint8: ("U8", np.dtype("u1")),
    torch.int8: ("I8", np.dtype("i1")),
    torch.int16: ("I16", np.dtype("<i2")),
    torch.float16: ("F16", np.dtype("<f2")),
    torch.bfloat16: ("BF16", np.dtype("<u2")),  # numpy has no bfloat16: write the raw bits
    torch.int32: ("I32", np.dtype("<i4")),
    torch.float32: ("F32", np.dtype("<f4")),
    torch.float64: ("F64", np.dtype("<f8")),
    torch.int64: ("I64", np.dtype("<i8")),
}
UNSIGNED_OF_SIZE = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4"), 8: np.dtype("<u8")}


def little_endian_bytes(tensor):
    dtype, numpy_dtype = TORCH_DTYPES[tensor.dtype]
    tensor = tensor.detach().contiguous().cpu()
    if dtype == "BF16":
        array = tensor.view(torch.int16).numpy().view(np.uint16)
    elif dtype == "BOOL":
        array = tensor.numpy().astype(np.uint8)
    else:
        array = tensor.numpy()
    return dtype, np.ascontiguousarray(array.astype(numpy_dtype)).tobytes()


def write_safetensors(tensors, metadata=None):
    """Serialises {name: torch.Tensor} exactly as the reference writer lays files out."""
    prepared = {name: little_endian_bytes(t) for name, t in tensors.items()}
    names = sorted(prepared, key=lambda name: (-DTYPE_ORDER.index(prepared[name][0]), name))
    header = {}
    if metadata:
        header["__metadata__"] = {key: metadata[key] for key in sorted(metadata)}
    offset = 0
    for name in names:
        dtype, data = prepared[name]
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(prepared[name][1] for name in names)


def expected(tensors):
    """Per tensor: dtype, shape and each element's bit pattern as an unsigned decimal string."""
    result = {}
    for name, tensor in tensors.items():
        dtype, data = little_endian_bytes(tensor)
        size = np.dtype(TORCH_DTYPES[tensor.dtype][1]).itemsize
        bits = np.frombuffer(data, dtype=UNSIGNED_OF_SIZE[size])
        result[name] = {"dtype": dtype, "shape": list(tensor.shape), "bits": [str(int(b)) for b in bits]}
    return result


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x)


torch.manual_seed(0)
model = Model()
x = torch.randn(2, 4)
with torch.no_grad():
    y = model(x)
linear_tensors = dict(model.state_dict())
linear_metadata = {"format": "pt"}

nan, inf = float("nan"), float("inf")
mixed_tensors = {
    "mask": torch.tensor([[True, False, True], [False, False, True]]),
    "pixels": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
    "signed": torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8),
    "counts": torch.tensor([-(2**31), -1, 0, 2**31 - 1], dtype=torch.int32),
    "step": torch.tensor(2**40 + 3, dtype=torch.int64),
    "ids": torch.tensor([-(2**63), -1, 0, 2**53 + 1, 2**63 - 1], dtype=torch.int64),
    "half": torch.tensor([1.0, -2.5, 65504.0, -0.0, inf, nan, 6e-8], dtype=torch.float16),
    "brain": torch.tensor([1.0, -2.5, 3.0e38, -0.0, -inf], dtype=torch.bfloat16),
    "single": torch.tensor([nan, -0.0, inf, -inf, 1e-45, 3.4028234663852886e38, 0.1], dtype=torch.float32),
    "double": torch.tensor([[3.141592653589793, -0.0], [5e-324, -inf]], dtype=torch.float64),
    "empty": torch.zeros(0, 3),
}
mixed_metadata = {"producer": "scripts/reference/safetensors_fixture.py", "format": "pt"}

out = {
    "torch": torch.__version__,
    "linear": {
        "base64": base64.b64encode(write_safetensors(linear_tensors, linear_metadata)).decode("ascii"),
        "metadata": linear_metadata,
        "tensors": expected(linear_tensors),
        "values": {name: t.flatten().double().tolist() for name, t in linear_tensors.items()},
        "input": {"shape": list(x.shape), "data": x.flatten().double().tolist()},
        "output": {"shape": list(y.shape), "data": y.flatten().double().tolist()},
    },
    "mixed": {
        "base64": base64.b64encode(write_safetensors(mixed_tensors, mixed_metadata)).decode("ascii"),
        "metadata": mixed_metadata,
        "tensors": expected(mixed_tensors),
    },
}

path = fixtures_dir("core") / "torch-linear.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
