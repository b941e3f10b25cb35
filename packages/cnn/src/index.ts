export { SimpleCNN, type SimpleCNNConfig, type ResolvedSimpleCNNConfig } from './simple-cnn';
export { LeNet5, type LeNet5Config, type ResolvedLeNet5Config } from './lenet';
export { ResNet, BasicBlock, type ResNetConfig, type ResolvedResNetConfig, type BasicBlockOptions } from './resnet';
export { MLPClassifier, type MLPClassifierConfig, type ResolvedMLPClassifierConfig } from './mlp';
