"""PyTorch twins of ``@tensorzoo/vae`` (packages/vae/src/vae.ts): ``VAE`` (MLP) and ``ConvVAE``.

Same parameter names (``encoder.N``, ``mu``, ``logVar``, ``decoder.N``) and config keys. Images
are ``[N, C, H, W]`` here, channels-last in TypeScript. ``forward(images, epsilon=None)`` returns
``(reconstruction, mu, log_var)``: with ``epsilon`` (or in training mode, which draws it)
``z = mu + exp(log_var / 2) * epsilon``; in eval mode without it ``z = mu``, as TypeScript.
"""
import torch
from torch import nn


class _Reparameterised(nn.Module):
    def latent(self, mu, log_var, epsilon):
        if epsilon is None and self.training:
            epsilon = torch.randn_like(mu)
        return mu if epsilon is None else mu + torch.exp(0.5 * log_var) * epsilon


class VAE(_Reparameterised):
    """MLP VAE: flatten -> [Linear -> ReLU]* -> (mu, logVar); z -> [Linear -> ReLU]* -> Linear -> sigmoid."""

    def __init__(self, imageShape=(28, 28, 1), hiddenDims=(400,), latentDim=20):
        super().__init__()
        height, width, channels = imageShape
        self.config = {'imageShape': list(imageShape), 'hiddenDims': list(hiddenDims), 'latentDim': latentDim}
        self.image_shape = (channels, height, width)
        input_dim = channels * height * width
        encoder, size = [], input_dim
        for hidden in hiddenDims:
            encoder += [nn.Linear(size, hidden), nn.ReLU()]
            size = hidden
        self.encoder = nn.Sequential(*encoder)
        self.mu = nn.Linear(size, latentDim)
        self.logVar = nn.Linear(size, latentDim)
        decoder, size = [], latentDim
        for hidden in reversed(hiddenDims):
            decoder += [nn.Linear(size, hidden), nn.ReLU()]
            size = hidden
        decoder += [nn.Linear(size, input_dim), nn.Sigmoid()]
        self.decoder = nn.Sequential(*decoder)

    def encode(self, images):
        hidden = self.encoder(images.flatten(1))  # [N, hidden]
        return self.mu(hidden), self.logVar(hidden)  # [N, latent] each

    def decode(self, z):
        return self.decoder(z).view(-1, *self.image_shape)  # [N, C, H, W]

    def forward(self, images, epsilon=None):
        mu, log_var = self.encode(images)
        return self.decode(self.latent(mu, log_var, epsilon)), mu, log_var


class ConvVAE(_Reparameterised):
    """Conv VAE: [Conv(4, stride 2, pad 1) -> ReLU]* -> Flatten -> (mu, logVar);
    z -> Linear -> ReLU -> Unflatten -> [ConvT(4, 2, 1) -> ReLU]* -> ConvT(4, 2, 1) -> sigmoid."""

    def __init__(self, inChannels=1, imageSize=28, channels=(32, 64), latentDim=20):
        super().__init__()
        self.config = {'inChannels': inChannels, 'imageSize': imageSize, 'channels': list(channels), 'latentDim': latentDim}
        base = imageSize // 2 ** len(channels)
        encoder, width = [], inChannels
        for out_channels in channels:
            encoder += [nn.Conv2d(width, out_channels, 4, 2, 1), nn.ReLU()]
            width = out_channels
        encoder.append(nn.Flatten())
        self.encoder = nn.Sequential(*encoder)
        features = channels[-1] * base * base
        self.mu = nn.Linear(features, latentDim)
        self.logVar = nn.Linear(features, latentDim)
        decoder = [nn.Linear(latentDim, features), nn.ReLU(), nn.Unflatten(1, (channels[-1], base, base))]
        widths = list(reversed(channels))
        for in_width, out_width in zip(widths, widths[1:]):
            decoder += [nn.ConvTranspose2d(in_width, out_width, 4, 2, 1), nn.ReLU()]
        decoder += [nn.ConvTranspose2d(widths[-1], inChannels, 4, 2, 1), nn.Sigmoid()]
        self.decoder = nn.Sequential(*decoder)

    def forward(self, images, epsilon=None):
        hidden = self.encoder(images)  # [N, C*h*w]
        mu, log_var = self.mu(hidden), self.logVar(hidden)
        return self.decoder(self.latent(mu, log_var, epsilon)), mu, log_var
