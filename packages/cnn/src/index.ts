export { SimpleCNN, type SimpleCNNConfig, type ResolvedSimpleCNNConfig } from './simple-cnn';
export { LeNet5, type LeNet5Config, type ResolvedLeNet5Config } from './lenet';
export { ResNet, BasicBlock, type ResNetConfig, type ResolvedResNetConfig, type BasicBlockOptions } from './resnet';
export { MLPClassifier, type MLPClassifierConfig, type ResolvedMLPClassifierConfig } from './mlp';
export {
  ImageNetResNet,
  Bottleneck,
  resnet18,
  resnet34,
  resnet50,
  kaimingNormalFanOut,
  type ImageNetResNetConfig,
  type ResolvedImageNetResNetConfig,
  type BottleneckOptions,
  type ResNetFactoryOptions,
} from './torchvision-resnet';
export { MobileNetV2, InvertedResidual, ReLU6, makeDivisible, mobilenetV2, type MobileNetV2Config, type ResolvedMobileNetV2Config } from './mobilenet-v2';
export { cnnModels } from './models';
export { preprocessImage, topK, IMAGENET_MEAN, IMAGENET_STD, type RgbaImage, type DrawableImage, type PreprocessOptions, type ClassScore } from './preprocess';
export { IMAGENET_CLASSES } from './imagenet-classes';
