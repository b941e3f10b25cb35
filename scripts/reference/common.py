"""Helpers shared by the reference scripts (run them with Debian's Python: /usr/bin/python3).

Every script computes golden numbers with PyTorch and writes JSON fixtures that the TypeScript
tests read; this module holds what they have in common:

- paths: ``ROOT``, ``fixtures_dir(package)``; ``tensorzoo_torch`` (python/tensorzoo-torch) is importable
  once this module is imported;
- exact inputs: ``to_float32`` rounds a float64 tensor to float32 values, so float32 TypeScript
  tensors hold exactly the numbers torch used; ``randn`` draws such values;
- one fixture schema: ``encode(tensor)`` -> ``{"shape": [...], "data": [...]}`` (bools, ints,
  or floats with ``digits`` significant digits), ``state_dict(module)`` encodes every entry;
- ``randomize(module)``: random weights (LayerNorm/BatchNorm weights around 1) so every parameter matters;
- ``write_json(path, content)``: writes the fixture (compact JSON, folder created).
"""
import json
import pathlib
import sys

import torch

DTYPE = torch.float64
ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'python' / 'tensorzoo-torch'))


def fixtures_dir(package):
    """``packages/<package>/fixtures``."""
    return ROOT / 'packages' / package / 'fixtures'


def to_float32(tensor, dtype=DTYPE):
    """The nearest float32 values, held in ``dtype`` (float64 by default)."""
    return tensor.to(torch.float32).to(dtype)


def randn(*shape, scale=1.0, generator=None):
    """N(0, scale²) samples rounded to float32, as float64."""
    return to_float32(torch.randn(*shape, dtype=DTYPE, generator=generator) * scale)


def encode(tensor, digits=10):
    """The fixture form of a tensor, the one schema every fixture uses (read by
    ``@tensorzoo/core/testing``'s ``readFixture`` / ``fixtureTensor``):
    ``{"shape": [...], "data": [...]}`` in row-major order.

    Floats keep ``digits`` significant digits (10: exact for float32 inputs, small files), or full
    precision with ``digits=None``; integers and bools are written as such."""
    tensor = tensor.detach()
    if tensor.dtype == torch.bool:
        values = [bool(x) for x in tensor.reshape(-1).tolist()]
    elif not tensor.is_floating_point():
        values = [int(x) for x in tensor.reshape(-1).tolist()]
    elif digits is None:
        values = [float(x) for x in tensor.reshape(-1).tolist()]
    else:
        values = [float(f'%.{digits}g' % x) for x in tensor.reshape(-1).tolist()]
    return {'shape': list(tensor.shape), 'data': values}


def state_dict(module, digits=10):
    """Every ``state_dict`` entry of ``module``, encoded."""
    return {name: encode(value, digits) for name, value in module.state_dict().items()}


def randomize(module, scale=0.3):
    """Random float32-exact weights; normalisation weights (names with 'norm') around 1."""
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            value = randn(*parameter.shape, scale=scale)
            if 'norm' in name and name.endswith('weight'):
                value = to_float32(1 + value)
            parameter.copy_(value)


def round_module(module):
    """Rounds every floating-point parameter and buffer of ``module`` to float32 values, in place."""
    with torch.no_grad():
        for value in module.state_dict().values():
            if value.is_floating_point():
                value.copy_(to_float32(value, value.dtype))
    return module


def write_json(path, content, newline=False):
    """Writes ``content`` as compact JSON to ``path`` (creating the folder); prints where."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content) + ('\n' if newline else ''))
    print(f'wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)')
