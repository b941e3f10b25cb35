"""Reads and writes the safetensors format with torch alone (no `safetensors` package needed).

A file is: 8 bytes little-endian header length N, N bytes of JSON header
(``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}``,
padded with spaces to a multiple of 8), then the tensors' little-endian bytes.
TensorZoo's checkpoints (``saveCheckpoint`` / ``encodeCheckpoint``) are such files.
"""
import json
import struct

import torch

DTYPES = {
    'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
    'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
    'BOOL': torch.bool,
}
NAMES = {dtype: name for name, dtype in DTYPES.items()}
MAX_HEADER_BYTES = 100_000_000


def encode(tensors, metadata=None):
    """Returns the safetensors bytes of ``tensors`` (a name -> tensor dict) and string ``metadata``."""
    header = {}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        if tensor.dtype not in NAMES:
            raise ValueError(f'safetensors: "{name}" has dtype {tensor.dtype}; supported: {", ".join(map(str, NAMES))}.')
        array = (tensor.view(torch.int16) if tensor.dtype == torch.bfloat16 else tensor).numpy()
        data = array.astype(array.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': NAMES[tensor.dtype], 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        for key, value in metadata.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f'safetensors: metadata must map strings to strings, received {key!r}: {type(value).__name__}.')
        header['__metadata__'] = dict(metadata)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    return struct.pack('<Q', len(text)) + text + b''.join(chunks)


def decode(data):
    """Parses safetensors bytes into ``(tensors, metadata)``; checks the header before reading."""
    data = bytes(data)
    if len(data) < 8:
        raise ValueError(f'safetensors: {len(data)} bytes is too short for a header.')
    (length,) = struct.unpack('<Q', data[:8])
    if length > MAX_HEADER_BYTES or 8 + length > len(data):
        raise ValueError(f'safetensors: header length {length} does not fit the {len(data)}-byte file.')
    header = json.loads(data[8:8 + length].decode('utf-8'))
    metadata = header.pop('__metadata__', None) or {}
    body = data[8 + length:]
    tensors = {}
    for name, entry in header.items():
        dtype = DTYPES.get(entry['dtype'])
        if dtype is None:
            raise ValueError(f'safetensors: "{name}" has unsupported dtype {entry["dtype"]}.')
        begin, end = entry['data_offsets']
        shape = entry['shape']
        count = 1
        for size in shape:
            count *= size
        element = torch.tensor([], dtype=dtype).element_size()
        if not 0 <= begin <= end <= len(body) or end - begin != count * element:
            raise ValueError(f'safetensors: "{name}" offsets {begin}..{end} do not hold {shape} {entry["dtype"]} in {len(body)} bytes.')
        raw = bytearray(body[begin:end])
        if not count:
            tensor = torch.zeros(0, dtype=dtype)
        elif dtype == torch.bool:
            tensor = torch.frombuffer(raw, dtype=torch.uint8).to(torch.bool)
        else:
            tensor = torch.frombuffer(raw, dtype=dtype)  # the file is little-endian, like every host torch supports here
        tensors[name] = tensor.reshape(shape).clone()
    return tensors, metadata


def save_file(tensors, path, metadata=None):
    """Writes ``tensors`` to ``path`` atomically (temp file + rename)."""
    import os
    temporary = f'{path}.tmp-{os.getpid()}'
    with open(temporary, 'wb') as handle:
        handle.write(encode(tensors, metadata))
    os.replace(temporary, path)


def load_file(path):
    """Reads ``path``; returns ``(tensors, metadata)``."""
    with open(path, 'rb') as handle:
        return decode(handle.read())
