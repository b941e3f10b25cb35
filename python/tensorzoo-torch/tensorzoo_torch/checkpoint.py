"""TensorZoo checkpoints in PyTorch: build a zoo model from a file's metadata, and write files TensorZoo loads.

A TensorZoo checkpoint is a safetensors file whose tensors are the model's ``state_dict`` (PyTorch
names and layouts), optionally ``optimizer/...`` slots, and string metadata:

- ``tensorzoo.architecture``: JSON ``{"name": "GPT", "config": {...}}`` (``saveModel`` /
  ``loadModel`` in ``@tensorzoo/core``; the name is the TypeScript class's ``moduleName``);
- ``tensorzoo.model``: JSON ``{"architecture": "gpt", "config": {...}}`` (the CLI's language models,
  read by ``tensorzoo sample`` with ``tensorzoo.tokenizer`` and ``tensorzoo.generation``);
  ``save`` writes it for a GPT, so both readers accept the file;
- ``tensorzoo``: JSON ``{"version": 1, "step", "epoch", ...}`` (training progress);
- anything else (the CLI stores ``tensorzoo.tokenizer`` and ``tensorzoo.generation``), kept as is.
"""
import hashlib
import json
import os

from . import safetensors_format
from .cnn import LeNet5, MLPClassifier, ResNet, SimpleCNN
from .gan import DCGANDiscriminator, DCGANGenerator
from .gpt import GPT
from .seq2seq import Seq2SeqTransformer
from .vae import ConvVAE, VAE

ARCHITECTURE_KEY = 'tensorzoo.architecture'
LANGUAGE_MODEL_KEY = 'tensorzoo.model'
PROGRESS_KEY = 'tensorzoo'
OPTIMIZER_PREFIX = 'optimizer/'
PLACEHOLDER = '0' * 64

#: Zoo model name -> PyTorch class. Names are the TypeScript classes' ``moduleName``.
MODELS = {'GPT': GPT, 'SimpleCNN': SimpleCNN, 'LeNet5': LeNet5, 'ResNet': ResNet, 'MLPClassifier': MLPClassifier,
          'VAE': VAE, 'ConvVAE': ConvVAE, 'DCGANGenerator': DCGANGenerator, 'DCGANDiscriminator': DCGANDiscriminator,
          'Seq2SeqTransformer': Seq2SeqTransformer}
_ARCHITECTURES = {'gpt': 'GPT'}


def model_name(model):
    """The zoo name of a twin module (its class name, as ``MODELS`` lists it)."""
    name = type(model).__name__
    if name not in MODELS:
        raise ValueError(f'tensorzoo_torch: {name} is not a zoo model; expected one of {", ".join(MODELS)}.')
    return name


def read_model_entry(metadata, path='checkpoint'):
    """``(name, config)`` from a checkpoint's ``tensorzoo.architecture`` (or the CLI's ``tensorzoo.model``) metadata."""
    key = ARCHITECTURE_KEY if ARCHITECTURE_KEY in metadata else LANGUAGE_MODEL_KEY
    if key not in metadata:
        raise ValueError(f'{path}: no "{ARCHITECTURE_KEY}" (or "{LANGUAGE_MODEL_KEY}") metadata, so the model cannot be '
                         'rebuilt; save it with saveModel() or a tensorzoo CLI example, or build the model yourself and '
                         'call load_state_dict.')
    entry = json.loads(metadata[key])
    name = entry.get('name') or _ARCHITECTURES.get(entry.get('architecture'))
    if name not in MODELS:
        raise ValueError(f'{path}: model {entry.get("name") or entry.get("architecture")!r} has no PyTorch twin; '
                         f'supported: {", ".join(MODELS)}.')
    config = entry.get('config')
    if not isinstance(config, dict):
        raise ValueError(f'{path}: "{key}" must hold a config object, received {config!r}.')
    return name, config


def build(name, config):
    """A fresh twin of zoo model ``name`` from its TypeScript config (unknown keys such as ``rng`` are ignored)."""
    import inspect
    cls = MODELS[name]
    accepted = inspect.signature(cls.__init__).parameters
    return cls(**{key: value for key, value in config.items() if key in accepted})


def verify_checksums(data, path='checkpoint'):
    """Checks the ``sha256`` / ``headerSha256`` recorded by TensorZoo (when present); raises ValueError on a mismatch."""
    data_start = 8 + int.from_bytes(data[:8], 'little')
    header = bytearray(data[8:data_start])
    progress = json.loads(json.loads(header.decode('utf-8')).get('__metadata__', {}).get(PROGRESS_KEY, '{}'))
    if 'sha256' not in progress or 'headerSha256' not in progress:
        return
    needle = f'\\"headerSha256\\":\\"{progress["headerSha256"]}'.encode()
    position = header.find(needle)
    if position < 0:
        raise ValueError(f'{path}: the headerSha256 field is missing from the header.')
    start = position + len(needle) - 64
    header[start:start + 64] = PLACEHOLDER.encode()
    if hashlib.sha256(header).hexdigest() != progress['headerSha256']:
        raise ValueError(f'{path}: the header does not match its recorded SHA-256; the file was changed or damaged.')
    if hashlib.sha256(data[data_start:]).hexdigest() != progress['sha256']:
        raise ValueError(f'{path}: the tensor data does not match its recorded SHA-256; the file was changed or damaged.')


def load_checkpoint(path):
    """Reads a TensorZoo checkpoint (checksums verified when recorded); returns ``(model, metadata)``
    with the weights loaded, in eval mode."""
    with open(path, 'rb') as handle:
        data = handle.read()
    verify_checksums(data, path)
    tensors, metadata = safetensors_format.decode(data)
    name, config = read_model_entry(metadata, path)
    model = build(name, config)
    weights = {key: value for key, value in tensors.items() if not key.startswith(OPTIMIZER_PREFIX)}
    expected = model.state_dict()
    for key, value in weights.items():
        if key in expected and expected[key].dtype.is_floating_point:
            weights[key] = value.to(expected[key].dtype)
    model.load_state_dict(weights, strict=True)
    return model.eval(), metadata


def load(path):
    """The zoo model stored in a TensorZoo checkpoint (weights loaded, eval mode).

    >>> model = tensorzoo_torch.load('gpt-names.safetensors')
    >>> logits = model(torch.tensor([[1, 5, 7]]))
    """
    return load_checkpoint(path)[0]


def save(model, path, config=None, metadata=None, step=0, epoch=0, checksum=True):
    """Writes ``model`` as a TensorZoo checkpoint (float32 weights + model metadata) that
    ``loadCheckpoint`` / ``loadModel`` / ``tensorzoo sample`` read.

    ``config`` defaults to ``model.config``; ``metadata`` adds string entries (e.g. the source
    file's ``tensorzoo.tokenizer``); ``step``/``epoch`` record training progress; ``checksum`` stores
    SHA-256 checksums of the header and the tensor bytes, which TypeScript verifies on load.
    """
    name = model_name(model)
    config = dict(config if config is not None else model.config)
    entries = dict(metadata or {})
    entries.pop(PROGRESS_KEY, None)
    entries[ARCHITECTURE_KEY] = json.dumps({'name': name, 'config': config})
    architecture = next((key for key, value in _ARCHITECTURES.items() if value == name), None)
    if architecture:
        entries[LANGUAGE_MODEL_KEY] = json.dumps({'architecture': architecture, 'config': config})
    entries['format'] = 'pt'
    progress = {'version': 1, 'step': int(step), 'epoch': int(epoch)}
    if checksum:
        progress.update(sha256=PLACEHOLDER, headerSha256=PLACEHOLDER)
    entries[PROGRESS_KEY] = json.dumps(progress, separators=(',', ':'))
    tensors = {key: value.detach().float() if value.is_floating_point() else value.detach()
               for key, value in model.state_dict().items()}
    data = safetensors_format.encode(tensors, entries)
    if checksum:
        data = write_checksums(data)
    temporary = f'{path}.tmp-{os.getpid()}'
    with open(temporary, 'wb') as handle:
        handle.write(data)
    os.replace(temporary, path)


def write_checksums(data):
    """Fills the ``sha256`` (tensor bytes) and ``headerSha256`` (header, its own field as 64 zeros)
    placeholders the way TensorZoo's ``encodeCheckpoint`` does, so ``decodeCheckpoint`` verifies the file."""
    data = bytearray(data)
    data_start = 8 + int.from_bytes(data[:8], 'little')

    def offset(field):
        needle = f'\\"{field}\\":\\"{PLACEHOLDER}'.encode()
        position = data.find(needle, 8, data_start)
        if position < 0 or data.find(needle, position + 1, data_start) >= 0:
            raise ValueError(f'save: the checksum field {field} is not unique in the header; remove it from your metadata.')
        return position + len(needle) - len(PLACEHOLDER)

    data_offset, header_offset = offset('sha256'), offset('headerSha256')
    data[data_offset:data_offset + 64] = hashlib.sha256(data[data_start:]).hexdigest().encode()
    data[header_offset:header_offset + 64] = hashlib.sha256(data[8:data_start]).hexdigest().encode()
    return bytes(data)
