"""A minimal safetensors writer for the torchvision reference scripts (the `safetensors`
package is not installed here): u64 little-endian header length, the JSON header padded with
spaces to a multiple of 8 bytes, then the tensors' little-endian bytes. F32 and I64 only."""
import json
import struct

import numpy as np
import torch


def write_safetensors(tensors, metadata):
    """Serialises {name: torch.Tensor} (float32 or int64) with `metadata` to safetensors bytes."""
    kinds = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    for name, tensor in tensors.items():
        dtype, numpy_dtype = kinds[tensor.dtype]
        data = np.ascontiguousarray(tensor.detach().numpy().astype(numpy_dtype)).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(chunks)
