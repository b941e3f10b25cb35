"""PyTorch twins of ``@tensorzoo/gan`` (packages/gan/src/dcgan.ts): ``DCGANGenerator``, ``DCGANDiscriminator``.

Same parameter names (``layers.N...``, ``classEmbedding.weight``) and config keys; images
``[N, C, H, W]`` here, channels-last in TypeScript. With ``numClasses > 0`` both are
class-conditional: the generator reads ``cat([z, one_hot(labels)])`` (Mirza & Osindero 2014)
and the discriminator adds a projection term ``<embed(y), h>`` to its logit (Miyato & Koyama
2018); ``forward`` then takes the int64 labels ``[N]`` as a second argument.
"""
import torch
import torch.nn.functional as F
from torch import nn


def _check_labels(where, num_classes, labels, count):
    if not num_classes:
        if labels is not None:
            raise ValueError(f'{where}: labels given, but the model is unconditional (numClasses 0)')
        return None
    if labels is None or labels.shape != (count,):
        raise ValueError(f'{where}: expected labels of shape [{count}] in [0, {num_classes}), '
                         f'received {None if labels is None else list(labels.shape)}')
    return labels


def doubling_padding(kernel):
    """(padding, output_padding) so a stride-2 ConvTranspose2d exactly doubles the size."""
    return ((kernel - 2) // 2, 0) if kernel % 2 == 0 else ((kernel - 1) // 2, 1)


class DCGANGenerator(nn.Module):
    """z -> Linear -> [BN1d] -> ReLU -> (C0, s, s) -> [ConvT(stride 2) -> [BN2d] -> ReLU]* -> ConvT(stride 2) -> tanh."""

    def __init__(self, latentDim=100, channels=(256, 128), outChannels=1, imageSize=28, kernelSize=5, batchNorm=False,
                 numClasses=0):
        super().__init__()
        self.config = {'latentDim': latentDim, 'channels': list(channels), 'outChannels': outChannels,
                       'imageSize': imageSize, 'kernelSize': kernelSize, 'batchNorm': batchNorm,
                       'numClasses': numClasses}
        base = imageSize // 2 ** len(channels)
        padding, output_padding = doubling_padding(kernelSize)
        layers = [nn.Linear(latentDim + numClasses, channels[0] * base * base, bias=not batchNorm)]
        if batchNorm:
            layers.append(nn.BatchNorm1d(channels[0] * base * base))
        layers += [nn.ReLU(), nn.Unflatten(1, (channels[0], base, base))]
        for in_channels, out_channels in zip(channels, channels[1:]):
            layers.append(nn.ConvTranspose2d(in_channels, out_channels, kernelSize, 2, padding, output_padding,
                                             bias=not batchNorm))
            if batchNorm:
                layers.append(nn.BatchNorm2d(out_channels))
            layers.append(nn.ReLU())
        layers += [nn.ConvTranspose2d(channels[-1], outChannels, kernelSize, 2, padding, output_padding), nn.Tanh()]
        self.layers = nn.Sequential(*layers)

    def forward(self, z, labels=None):
        labels = _check_labels('DCGANGenerator', self.config['numClasses'], labels, z.shape[0])
        if labels is not None:
            z = torch.cat([z, F.one_hot(labels, self.config['numClasses']).to(z.dtype)], 1)
        return self.layers(z)  # [N, outChannels, imageSize, imageSize]


class DCGANDiscriminator(nn.Module):
    """[Conv(stride) -> LeakyReLU]* -> Flatten -> h -> Linear(1)(h) [+ <classEmbedding(y), h>] -> [Sigmoid]."""

    def __init__(self, inChannels=1, imageSize=28, channels=(32, 64), kernelSize=5, stride=1, negativeSlope=0.01,
                 outputActivation='sigmoid', numClasses=0):
        super().__init__()
        self.config = {'inChannels': inChannels, 'imageSize': imageSize, 'channels': list(channels),
                       'kernelSize': kernelSize, 'stride': stride, 'negativeSlope': negativeSlope,
                       'outputActivation': outputActivation, 'numClasses': numClasses}
        padding = (kernelSize - 1) // 2
        layers, width, size = [], inChannels, imageSize
        for out_channels in channels:
            layers += [nn.Conv2d(width, out_channels, kernelSize, stride, padding), nn.LeakyReLU(negativeSlope)]
            size = (size + 2 * padding - kernelSize) // stride + 1
            width = out_channels
        layers += [nn.Flatten(), nn.Linear(width * size * size, 1)]
        if outputActivation == 'sigmoid':
            layers.append(nn.Sigmoid())
        self.layers = nn.Sequential(*layers)
        if numClasses:
            # The projection's class vectors, at the output layer's weight scale.
            self.classEmbedding = nn.Embedding(numClasses, width * size * size)
            nn.init.normal_(self.classEmbedding.weight, std=0.02)

    def forward(self, images, labels=None):
        labels = _check_labels('DCGANDiscriminator', self.config['numClasses'], labels, images.shape[0])
        if labels is None:
            return self.layers(images)  # [N, 1]
        head = len(self.layers) - (2 if self.config['outputActivation'] == 'sigmoid' else 1)
        features = self.layers[:head](images)  # [N, F]
        score = self.layers[head](features) + (self.classEmbedding(labels) * features).sum(1, keepdim=True)
        return torch.sigmoid(score) if self.config['outputActivation'] == 'sigmoid' else score
