#!/usr/bin/env python3
"""Reference fixtures for @tensorzoo/vae, computed by PyTorch in float64.

Run with Debian's Python (it has python3-torch):

    /usr/bin/python3 scripts/reference/vae.py

It writes packages/vae/fixtures/vae.json, which packages/vae/test/parity.test.ts reads. For
the MLP VAE (the PyTorch examples / Kingma & Welling layout, at tiny widths) and the conv VAE
it records the state_dict, an input batch, a FIXED reparameterisation noise epsilon (so
z = mu + exp(logVar / 2) * epsilon is deterministic), the outputs (reconstruction, mu,
logVar), the negative ELBO

    loss = mean over images of [ sum over pixels of BCE(recon, x) (or squared error)
                                 + beta * KL(N(mu, exp(logVar)) || N(0, I)) ]

with its reconstruction and KL terms, and the gradient of the loss for every parameter.

Images are NCHW here and NHWC in TypeScript; the fixture stores NHWC values. Inputs and
weights are rounded to float32 first so the float32 tensors of the tests hold exactly these
numbers.
"""
import torch
import torch.nn.functional as F

import common
from common import DTYPE, fixtures_dir, round_module, to_float32, write_json
from tensorzoo_torch import ConvVAE, VAE

SEED = 2
OUTPUT = fixtures_dir('vae') / 'vae.json'

torch.manual_seed(SEED)


def negative_elbo(recon, x, mu, log_var, reconstruction='bce', beta=1.0):
    count = x.shape[0]
    if reconstruction == 'bce':
        rec = F.binary_cross_entropy(recon, x, reduction='sum') / count
    else:
        rec = ((recon - x) ** 2).sum() / count
    kl = (-0.5 * (1 + log_var - mu ** 2 - log_var.exp()).sum()) / count
    return rec + beta * kl, rec, kl


def encode(tensor):
    return common.encode(tensor, digits=None)


def nhwc(tensor):
    return tensor.permute(0, 2, 3, 1)


def record(module, x_nhwc, epsilon, reconstruction, beta, config):
    module.zero_grad()
    x = x_nhwc.permute(0, 3, 1, 2)
    recon, mu, log_var = module(x, epsilon)
    loss, rec, kl = negative_elbo(recon, x, mu, log_var, reconstruction, beta)
    loss.backward()
    return {
        'config': config,
        'reconstruction_loss': reconstruction,
        'beta': beta,
        'state_dict': {name: encode(value) for name, value in module.state_dict().items()},
        'input': encode(x_nhwc),
        'epsilon': encode(epsilon),
        'reconstruction': encode(nhwc(recon)),
        'mu': encode(mu),
        'log_var': encode(log_var),
        'loss': loss.item(),
        'reconstruction_term': rec.item(),
        'kl_term': kl.item(),
        'grads': {name: encode(parameter.grad) for name, parameter in module.named_parameters()},
    }


out = {}

# MLP VAE on 4x4x1 "images": 16 -> 6 -> 5 -> (mu, logVar) 3, batch 3.
mlp = round_module(VAE(imageShape=(4, 4, 1), hiddenDims=(6, 5), latentDim=3).to(DTYPE))
x = to_float32(torch.rand(3, 4, 4, 1, dtype=DTYPE))
epsilon = to_float32(torch.randn(3, 3, dtype=DTYPE))
config = {'imageShape': [4, 4, 1], 'hiddenDims': [6, 5], 'latentDim': 3}
out['mlp_bce'] = record(mlp, x, epsilon, 'bce', 1.0, config)
out['mlp_mse_beta'] = record(mlp, x, epsilon, 'mse', 4.0, config)

# Conv VAE on 8x8x1 images, channels (2, 3), latent 3, batch 2.
conv = round_module(ConvVAE(inChannels=1, imageSize=8, channels=(2, 3), latentDim=3).to(DTYPE))
x = to_float32(torch.rand(2, 8, 8, 1, dtype=DTYPE))
epsilon = to_float32(torch.randn(2, 3, dtype=DTYPE))
out['conv_bce'] = record(conv, x, epsilon, 'bce', 1.0, {'inChannels': 1, 'imageSize': 8, 'channels': [2, 3], 'latentDim': 3})

write_json(OUTPUT, out)
