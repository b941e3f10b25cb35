"""PyTorch twins of ``@tensorzoo/cnn`` (packages/cnn/src): SimpleCNN, LeNet5, ResNet, MLPClassifier.

Same fields in the same order as the TypeScript classes, so ``state_dict`` names are TensorZoo's
``namedVariables()`` names; the constructors take the TypeScript config keys (``inputShape``,
``numClasses``, ...). The TypeScript models read channels-last images ``[N, H, W, C]``; these take
PyTorch's ``[N, C, H, W]`` (``images.permute(0, 3, 1, 2)``). Flattening happens in ``C, H, W``
order on both sides, so the dense weights are the same tensors.
"""
import torch
import torch.nn.functional as functional
from torch import nn


class SimpleCNN(nn.Module):
    """(Conv kxk + ReLU + MaxPool 2) per ``channels`` entry, Flatten, Linear ``hidden`` + ReLU, output."""

    def __init__(self, inputShape=(28, 28, 1), channels=(32, 64, 128), kernelSize=3, padding='valid', hidden=512,
                 numClasses=None, output='logits'):
        super().__init__()
        numClasses = numClasses or (2 if output == 'sigmoid' else 10)
        self.config = {'inputShape': list(inputShape), 'channels': list(channels), 'kernelSize': kernelSize,
                       'padding': padding, 'hidden': hidden, 'numClasses': numClasses, 'output': output}
        height, width, in_channels = inputShape
        pad = kernelSize // 2 if padding == 'same' else 0
        layers = []
        for out_channels in channels:
            layers += [nn.Conv2d(in_channels, out_channels, kernelSize, padding=pad), nn.ReLU(), nn.MaxPool2d(2)]
            height = (height + 2 * pad - kernelSize + 1) // 2
            width = (width + 2 * pad - kernelSize + 1) // 2
            in_channels = out_channels
        self.features = nn.Sequential(*layers)
        outputs = 1 if output == 'sigmoid' else numClasses
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(in_channels * height * width, hidden), nn.ReLU(),
                                        nn.Linear(hidden, outputs))

    def forward(self, images):
        scores = self.classifier(self.features(images))  # [N, outputs]
        return torch.sigmoid(scores) if self.config['output'] == 'sigmoid' else scores


class LeNet5(nn.Module):
    """LeNet-5 for 28x28 digits: conv1 pads by 2 (the paper's 32x32 input), two conv + pool stages, three dense layers."""

    def __init__(self, inputShape=(28, 28, 1), channels=(6, 16), hidden=(120, 84), numClasses=10, activation='relu',
                 pooling='max'):
        super().__init__()
        self.config = {'inputShape': list(inputShape), 'channels': list(channels), 'hidden': list(hidden),
                       'numClasses': numClasses, 'activation': activation, 'pooling': pooling}
        height, width, in_channels = inputShape
        self.conv1 = nn.Conv2d(in_channels, channels[0], 5, padding=2)
        self.conv2 = nn.Conv2d(channels[0], channels[1], 5)
        height, width = ((height // 2) - 4) // 2, ((width // 2) - 4) // 2
        self.fc1 = nn.Linear(channels[1] * height * width, hidden[0])
        self.fc2 = nn.Linear(hidden[0], hidden[1])
        self.fc3 = nn.Linear(hidden[1], numClasses)

    def forward(self, images):
        act = torch.relu if self.config['activation'] == 'relu' else torch.tanh
        pool = functional.max_pool2d if self.config['pooling'] == 'max' else functional.avg_pool2d
        x = pool(act(self.conv1(images)), 2)
        x = pool(act(self.conv2(x)), 2)
        x = torch.flatten(x, 1)  # [N, C*H*W]
        return self.fc3(act(self.fc2(act(self.fc1(x)))))


class BasicBlock(nn.Module):
    """ResNet basic block (torchvision names): two 3x3 conv + BN, identity or 1x1 projection shortcut."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + shortcut)


class ResNet(nn.Module):
    """Small ResNet: 3x3 stem, stages of BasicBlocks (stride 2 from the second), global average pool, fc."""

    def __init__(self, inputChannels=1, widths=(16, 32, 64), blocks=(1, 1, 1), numClasses=10):
        super().__init__()
        self.config = {'inputChannels': inputChannels, 'widths': list(widths), 'blocks': list(blocks),
                       'numClasses': numClasses}
        self.conv1 = nn.Conv2d(inputChannels, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        stages = []
        in_channels = widths[0]
        for index, (width, count) in enumerate(zip(widths, blocks)):
            stage = []
            for block in range(count):
                stage.append(BasicBlock(in_channels, width, 2 if index > 0 and block == 0 else 1))
                in_channels = width
            stages.append(nn.Sequential(*stage))
        self.layers = nn.ModuleList(stages)
        self.fc = nn.Linear(in_channels, numClasses)

    def forward(self, images):
        x = torch.relu(self.bn1(self.conv1(images)))
        for stage in self.layers:
            x = stage(x)
        return self.fc(x.mean(dim=(2, 3)))  # [N, numClasses]


class MLPClassifier(nn.Module):
    """Flatten, (Linear + ReLU) per hidden size, Linear to the classes; ``output='softmax'`` returns probabilities."""

    def __init__(self, inputSize=784, hiddenSizes=(2048, 1024), numClasses=10, output='logits'):
        super().__init__()
        self.config = {'inputSize': inputSize, 'hiddenSizes': list(hiddenSizes), 'numClasses': numClasses,
                       'output': output}
        layers = []
        for size in hiddenSizes:
            layers += [nn.Linear(inputSize, size), nn.ReLU()]
            inputSize = size
        layers.append(nn.Linear(inputSize, numClasses))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        logits = self.layers(torch.flatten(x, 1))
        return torch.softmax(logits, dim=-1) if self.config['output'] == 'softmax' else logits
