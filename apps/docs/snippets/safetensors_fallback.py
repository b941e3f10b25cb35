"""save_file / load_file for float32 tensors, for machines without the `safetensors` wheel.

The format (https://github.com/huggingface/safetensors): an unsigned 64-bit little-endian
header length, a JSON header (dtype, shape, data_offsets per tensor; optional __metadata__),
then the little-endian tensor bytes back to back.
"""
import json
import struct

import numpy as np
import torch


def save_file(tensors, path, metadata=None):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load_file(path):
    with open(path, "rb") as file:
        raw = file.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    body = raw[8 + length :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{name}: only F32 is supported here, found {entry['dtype']}"
        start, end = entry["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(body[start:end], dtype="<f4").copy()).reshape(entry["shape"])
    return tensors
