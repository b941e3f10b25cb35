"""PyTorch twins of ``@tensorzoo/gan`` (packages/gan/src/dcgan.ts): ``DCGANGenerator``, ``DCGANDiscriminator``.

Same parameter names (``layers.N...``) and config keys; images ``[N, C, H, W]`` here,
channels-last in TypeScript.
"""
from torch import nn


def doubling_padding(kernel):
    """(padding, output_padding) so a stride-2 ConvTranspose2d exactly doubles the size."""
    return ((kernel - 2) // 2, 0) if kernel % 2 == 0 else ((kernel - 1) // 2, 1)


class DCGANGenerator(nn.Module):
    """z -> Linear -> [BN1d] -> ReLU -> (C0, s, s) -> [ConvT(stride 2) -> [BN2d] -> ReLU]* -> ConvT(stride 2) -> tanh."""

    def __init__(self, latentDim=100, channels=(256, 128), outChannels=1, imageSize=28, kernelSize=5, batchNorm=False):
        super().__init__()
        self.config = {'latentDim': latentDim, 'channels': list(channels), 'outChannels': outChannels,
                       'imageSize': imageSize, 'kernelSize': kernelSize, 'batchNorm': batchNorm}
        base = imageSize // 2 ** len(channels)
        padding, output_padding = doubling_padding(kernelSize)
        layers = [nn.Linear(latentDim, channels[0] * base * base, bias=not batchNorm)]
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

    def forward(self, z):
        return self.layers(z)  # [N, outChannels, imageSize, imageSize]


class DCGANDiscriminator(nn.Module):
    """[Conv(stride) -> LeakyReLU]* -> Flatten -> Linear(1) -> [Sigmoid]."""

    def __init__(self, inChannels=1, imageSize=28, channels=(32, 64), kernelSize=5, stride=1, negativeSlope=0.01,
                 outputActivation='sigmoid'):
        super().__init__()
        self.config = {'inChannels': inChannels, 'imageSize': imageSize, 'channels': list(channels),
                       'kernelSize': kernelSize, 'stride': stride, 'negativeSlope': negativeSlope,
                       'outputActivation': outputActivation}
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

    def forward(self, images):
        return self.layers(images)  # [N, 1]
