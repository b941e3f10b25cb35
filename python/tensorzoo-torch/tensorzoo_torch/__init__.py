"""tensorzoo-torch: PyTorch twins of the TensorZoo models.

Same parameter names and config keys as the TypeScript packages, and TensorZoo's safetensors
checkpoints, so weights move both ways::

    import tensorzoo_torch
    model = tensorzoo_torch.load('gpt-names.safetensors')   # built from the file's metadata
    ...                                                      # train it with any PyTorch code
    tensorzoo_torch.save(model, 'gpt-names-2.safetensors')  # loads in TypeScript again

``python -m tensorzoo_torch.train`` continues training a GPT checkpoint with DistributedDataParallel.
"""
from .checkpoint import MODELS, build, load, load_checkpoint, read_model_entry, save, verify_checksums
from .cnn import BasicBlock, LeNet5, MLPClassifier, ResNet, SimpleCNN
from .gan import DCGANDiscriminator, DCGANGenerator
from .gpt import GPT, causal_mask, gelu_tanh
from .seq2seq import Seq2SeqTransformer
from .vae import ConvVAE, VAE
from .safetensors_format import decode as decode_safetensors, encode as encode_safetensors, load_file, save_file

__all__ = ['MODELS', 'build', 'load', 'load_checkpoint', 'read_model_entry', 'save', 'verify_checksums', 'BasicBlock', 'LeNet5',
           'MLPClassifier', 'ResNet', 'SimpleCNN', 'DCGANDiscriminator', 'DCGANGenerator', 'VAE', 'ConvVAE', 'GPT', 'Seq2SeqTransformer', 'causal_mask', 'gelu_tanh', 'decode_safetensors',
           'encode_safetensors', 'load_file', 'save_file']
__version__ = '0.1.0'
