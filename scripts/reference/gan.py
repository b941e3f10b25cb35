#!/usr/bin/env python3
"""Reference fixtures for @tensorzoo/gan, computed by PyTorch in float64.

Run with Debian's Python (it has python3-torch):

    /usr/bin/python3 scripts/reference/gan.py

It writes packages/gan/fixtures/gan.json, which packages/gan/test/parity.test.ts reads:

- DCGAN generator (with and without batch norm) and discriminator (stride 1 as in seed 001,
  stride 2 with logits), and their class-conditional forms (one-hot labels into the
  generator, a projection discriminator with logits and with a sigmoid), at tiny widths: state_dict, input, output, the loss
  sum(output * weights) and its gradient for every parameter, and the batch-norm buffers
  after the training-mode forward pass;
- the GAN losses (non-saturating from probabilities and from logits, hinge, Wasserstein)
  with their gradients with respect to the discriminator outputs;
- the WGAN-GP gradient penalty for a fixed interpolation epsilon, and its gradient with
  respect to the discriminator parameters (a second-order gradient).

Images are NCHW here and NHWC in TypeScript; the fixture stores NHWC values. Every input and
weight is rounded to float32 first so the float32 tensors of the tests hold exactly these
numbers.
"""
import torch
import torch.nn.functional as F

from common import DTYPE, encode as encode_digits, fixtures_dir, round_module, to_float32, write_json
from tensorzoo_torch import DCGANDiscriminator, DCGANGenerator

SEED = 1
OUTPUT = fixtures_dir('gan') / 'gan.json'

torch.manual_seed(SEED)


def nhwc(tensor):
    return tensor.permute(0, 2, 3, 1) if tensor.dim() == 4 else tensor


def nchw_from(values):
    return values.permute(0, 3, 1, 2)


def encode(tensor):
    """Full precision, every value as a float (the schema gan's parity test reads)."""
    return encode_digits(tensor.detach().to(DTYPE), digits=None)


def state_dict(module):
    return {name: encode(value) for name, value in module.state_dict().items()}


def record(module, inputs, inputs_nhwc, labels=None):
    """Forward in training mode, loss sum(output * weights), gradients of every parameter."""
    before = state_dict(module)
    module.zero_grad()
    output = module(inputs) if labels is None else module(inputs, labels)
    weights = to_float32(torch.randn(nhwc(output).shape, dtype=DTYPE))
    loss = (nhwc(output) * weights).sum()
    loss.backward()
    return {
        'state_dict': before,
        'input': encode(inputs_nhwc),
        'output': encode(nhwc(output)),
        'loss_weights': encode(weights),
        'loss': loss.item(),
        'grads': {name: encode(parameter.grad) for name, parameter in module.named_parameters()},
        'buffers_after': {name: encode(value) for name, value in module.state_dict().items() if 'running' in name},
        **({} if labels is None else {'labels': labels.tolist()}),
    }


out = {}

# Generators: latent 4, channels (4, 3), 8x8 images, kernel 5 (the seed's), batch 3.
for name, batch_norm in [('generator', False), ('generator_batch_norm', True)]:
    generator = round_module(DCGANGenerator(latentDim=4, channels=(4, 3), outChannels=1, imageSize=8, kernelSize=5, batchNorm=batch_norm).to(DTYPE))
    z = to_float32(torch.randn(3, 4, dtype=DTYPE))
    out[name] = record(generator, z, z)
    out[name]['config'] = {'latentDim': 4, 'channels': [4, 3], 'outChannels': 1, 'imageSize': 8, 'kernelSize': 5, 'batchNorm': batch_norm}

# Discriminators: 8x8 images with 2 channels, channels (3, 4), kernel 5, batch 3.
for name, stride, sigmoid in [('discriminator', 1, True), ('discriminator_strided_logits', 2, False)]:
    discriminator = round_module(DCGANDiscriminator(inChannels=2, imageSize=8, channels=(3, 4), kernelSize=5, stride=stride, outputActivation='sigmoid' if sigmoid else 'none').to(DTYPE))
    x_nhwc = to_float32(torch.rand(3, 8, 8, 2, dtype=DTYPE) * 2 - 1)
    out[name] = record(discriminator, nchw_from(x_nhwc), x_nhwc)
    out[name]['config'] = {
        'inChannels': 2, 'imageSize': 8, 'channels': [3, 4], 'kernelSize': 5, 'stride': stride,
        'outputActivation': 'sigmoid' if sigmoid else 'none',
    }


def loss_case(fn, real, fake):
    real = real.clone().requires_grad_(True)
    fake = fake.clone().requires_grad_(True)
    value = fn(real, fake)
    grad_real, grad_fake = torch.autograd.grad(value, [real, fake], allow_unused=True)
    zeros = torch.zeros_like(real)
    return {
        'value': value.item(),
        'grad_real': encode(grad_real if grad_real is not None else zeros),
        'grad_fake': encode(grad_fake if grad_fake is not None else zeros),
    }


logits_real = to_float32(torch.randn(5, 1, dtype=DTYPE) * 3)
logits_fake = to_float32(torch.randn(5, 1, dtype=DTYPE) * 3)
# Includes probabilities of exactly 0 and 1 to pin the clamped logs (PyTorch's BCELoss).
probabilities_real = to_float32(torch.tensor([[0.9], [0.3], [1.0], [0.5], [0.01]], dtype=DTYPE))
probabilities_fake = to_float32(torch.tensor([[0.2], [0.0], [0.7], [0.999], [0.5]], dtype=DTYPE))
ones, zeros = torch.ones(5, 1, dtype=DTYPE), torch.zeros(5, 1, dtype=DTYPE)
out['losses'] = {
    'logits': {'real': encode(logits_real), 'fake': encode(logits_fake)},
    'probabilities': {'real': encode(probabilities_real), 'fake': encode(probabilities_fake)},
    # L_D = -[log D(x) + log(1 - D(G(z)))], L_G = -log D(G(z)), batch means (seed 001).
    'non_saturating_discriminator_probabilities': loss_case(
        lambda r, f: F.binary_cross_entropy(r, ones) + F.binary_cross_entropy(f, zeros), probabilities_real, probabilities_fake),
    'non_saturating_generator_probabilities': loss_case(lambda r, f: F.binary_cross_entropy(f, ones), probabilities_real, probabilities_fake),
    'non_saturating_discriminator_logits': loss_case(
        lambda r, f: F.binary_cross_entropy_with_logits(r, ones) + F.binary_cross_entropy_with_logits(f, zeros), logits_real, logits_fake),
    'non_saturating_generator_logits': loss_case(lambda r, f: F.binary_cross_entropy_with_logits(f, ones), logits_real, logits_fake),
    'hinge_discriminator': loss_case(lambda r, f: F.relu(1 - r).mean() + F.relu(1 + f).mean(), logits_real, logits_fake),
    'hinge_generator': loss_case(lambda r, f: -f.mean(), logits_real, logits_fake),
    'wasserstein_discriminator': loss_case(lambda r, f: f.mean() - r.mean(), logits_real, logits_fake),
    'wasserstein_generator': loss_case(lambda r, f: -f.mean(), logits_real, logits_fake),
}

# WGAN-GP: critic = strided discriminator without sigmoid; penalty on x = e*real + (1-e)*fake.
critic = round_module(DCGANDiscriminator(inChannels=1, imageSize=8, channels=(3, 4), kernelSize=5, stride=2, outputActivation='none').to(DTYPE))
real = to_float32(torch.rand(3, 8, 8, 1, dtype=DTYPE) * 2 - 1)
fake = to_float32(torch.rand(3, 8, 8, 1, dtype=DTYPE) * 2 - 1)
epsilon = to_float32(torch.rand(3, 1, 1, 1, dtype=DTYPE))
mixed = (epsilon * real + (1 - epsilon) * fake).requires_grad_(True)
scores = critic(nchw_from(mixed))
(gradient,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
norms = gradient.reshape(3, -1).norm(2, dim=1)
penalty = ((norms - 1) ** 2).mean()
critic.zero_grad()
penalty.backward()
out['gradient_penalty'] = {
    'state_dict': state_dict(critic),
    'config': {'inChannels': 1, 'imageSize': 8, 'channels': [3, 4], 'kernelSize': 5, 'stride': 2, 'outputActivation': 'none'},
    'real': encode(real),
    'fake': encode(fake),
    'epsilon': encode(epsilon.reshape(3)),
    'norms': encode(norms),
    'penalty': penalty.item(),
    # The biases do not change the input gradient: their penalty gradient is zero (None in torch).
    'grads': {
        name: encode(parameter.grad if parameter.grad is not None else torch.zeros_like(parameter))
        for name, parameter in critic.named_parameters()
    },
}

# Class-conditional (3 classes): generator with batch norm; projection discriminators.
LABELS = torch.tensor([2, 0, 2])
generator = round_module(DCGANGenerator(latentDim=4, channels=(4, 3), outChannels=1, imageSize=8, kernelSize=4, batchNorm=True, numClasses=3).to(DTYPE))
z = to_float32(torch.randn(3, 4, dtype=DTYPE))
out['generator_conditional'] = record(generator, z, z, LABELS)
out['generator_conditional']['config'] = generator.config
for name, sigmoid in [('discriminator_projection', False), ('discriminator_projection_sigmoid', True)]:
    discriminator = round_module(DCGANDiscriminator(inChannels=1, imageSize=8, channels=(3, 4), kernelSize=4, stride=2, outputActivation='sigmoid' if sigmoid else 'none', numClasses=3).to(DTYPE))
    with torch.no_grad():  # class vectors at the features' scale, so the projection term matters in the test
        discriminator.classEmbedding.weight.copy_(to_float32(torch.randn(3, 16, dtype=DTYPE)))
    x_nhwc = to_float32(torch.rand(3, 8, 8, 1, dtype=DTYPE) * 2 - 1)
    out[name] = record(discriminator, nchw_from(x_nhwc), x_nhwc, LABELS)
    out[name]['config'] = discriminator.config


write_json(OUTPUT, out)
