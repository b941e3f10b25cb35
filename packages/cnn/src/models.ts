import type { ModelClass } from '@tensorzoo/core';
import { LeNet5 } from './lenet';
import { MLPClassifier } from './mlp';
import { MobileNetV2 } from './mobilenet-v2';
import { ResNet } from './resnet';
import { SimpleCNN } from './simple-cnn';
import { ImageNetResNet } from './torchvision-resnet';

/**
 * The classifier classes of this package, for `loadModel`'s `models` option (a list, not a
 * global registry: importing it registers nothing).
 * @example
 * ```ts
 * import { loadModel } from '@tensorzoo/core';
 * import { cnnModels } from '@tensorzoo/cnn';
 * const model = await loadModel('lenet.safetensors', { models: cnnModels });
 * ```
 */
export const cnnModels: readonly ModelClass[] = [SimpleCNN, LeNet5, ResNet, MLPClassifier, ImageNetResNet, MobileNetV2];
