// Image classifier: a torchvision ResNet-18/34/50 or MobileNetV2 checkpoint that the user supplies
// (ImageNet weights cannot ship with the app), an image, and its top-5 classes. The architecture,
// class count and MobileNetV2 width are read from the file's tensor names and shapes, then the
// file loads strictly (decodeCheckpoint), exactly as `loadCheckpoint(file, resnet18())` does.
import * as tf from '@tensorflow/tfjs-core';
import { decodeCheckpoint, decodeSafetensors, encodeCheckpoint, type Module } from '@tensorzoo/core';
import { IMAGENET_CLASSES, ImageNetResNet, makeDivisible, mobilenetV2, preprocessImage, topK } from '@tensorzoo/cnn';
import type { ModelFactory, ScreenModel } from './model';

/** What the screen sends to classify: the pixels of an image, RGBA. */
export interface ClassifierInput {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Widths torchvision's MobileNetV2 is commonly trained at, tried in this order. */
const MOBILENET_WIDTHS = [1.0, 0.75, 0.5, 0.35, 1.4, 1.3, 0.25, 0.1];

interface Recognised {
  description: string;
  build: () => Module<tf.Tensor, tf.Tensor, never>;
  numClasses: number;
}

/** Which torchvision architecture a state_dict's names and shapes describe. */
function recognise(shapes: Map<string, number[]>): Recognised {
  const fc = shapes.get('fc.weight');
  const stem = shapes.get('conv1.weight');
  if (fc && stem) {
    const layers = [1, 2, 3, 4].map((stage) => {
      const blocks = new Set<number>();
      for (const name of shapes.keys()) {
        const match = name.match(new RegExp(`^layer${stage}\\.(\\d+)\\.`));
        if (match) blocks.add(Number(match[1]));
      }
      return blocks.size;
    });
    const block = shapes.has('layer1.0.conv3.weight') ? 'bottleneck' : 'basic';
    const [numClasses, inputChannels] = [fc[0], stem[1]];
    const depth = block === 'basic' ? 2 + 2 * layers.reduce((a, b) => a + b, 0) : 2 + 3 * layers.reduce((a, b) => a + b, 0);
    return {
      description: `ResNet-${depth} (${block} blocks ${layers.join('/')}), ${numClasses} classes`,
      build: () => new ImageNetResNet({ block, layers, numClasses, inputChannels, rng: 0 }) as unknown as Module<tf.Tensor, tf.Tensor, never>,
      numClasses,
    };
  }
  const classifier = shapes.get('classifier.1.weight');
  const first = shapes.get('features.0.0.weight');
  if (classifier && first) {
    const [numClasses, lastChannels] = classifier;
    // Several widths share the stem and final channel counts (0.1 and 0.25 both round to 8): the
    // width is the one whose every parameter shape matches the file.
    const build = (width: number) => mobilenetV2({ widthMultiplier: width, numClasses, inputChannels: first[1], rng: 0 }) as unknown as Module<tf.Tensor, tf.Tensor, never>;
    const width = MOBILENET_WIDTHS.filter((candidate) => makeDivisible(32 * candidate) === first[0] && makeDivisible(1280 * Math.max(1, candidate)) === lastChannels).find((candidate) => {
      const model = build(candidate);
      const matches = model.namedVariables().every(([name, variable]) => shapes.get(name)?.join() === variable.shape.join());
      model.dispose();
      return matches;
    });
    if (width === undefined) throw new Error(`a MobileNetV2 state_dict (${first[0]} stem channels, ${lastChannels} final channels) of none of the widths ${MOBILENET_WIDTHS.join(', ')}.`);
    return { description: `MobileNetV2 (width ${width}), ${numClasses} classes`, build: () => build(width), numClasses };
  }
  throw new Error('not a torchvision ResNet or MobileNetV2 state_dict: expected fc.weight and conv1.weight, or classifier.1.weight and features.0.0.weight.');
}

export const createClassifierModel: ModelFactory = async () => {
  let network: Module<tf.Tensor, tf.Tensor, never> | undefined;
  let description = 'no checkpoint yet: load a torchvision state_dict saved as .safetensors';
  let labels: readonly string[] = IMAGENET_CLASSES;

  const model: ScreenModel = {
    info: () => ({ description, step: 0 }),
    async infer(input) {
      if (!network) throw new Error('load a torchvision checkpoint first (Load a file).');
      const image = input as ClassifierInput;
      const batch = preprocessImage({ data: image.data, width: image.width, height: image.height }); // [1, 224, 224, 3]
      const logits = network.call(batch); // [1, numClasses]
      try {
        const [top] = await topK(logits, Math.min(5, labels.length), labels);
        return top.map(({ index, label, probability }) => ({ index, label, probability }));
      } finally {
        tf.dispose([batch, logits]);
      }
    },
    async train() {
      throw new Error('ImageNet models are not trained in the page: load a torchvision checkpoint and classify images.');
    },
    async save() {
      if (!network) throw new Error('nothing to save: no checkpoint is loaded.');
      return encodeCheckpoint(network);
    },
    async load(bytes) {
      const { tensors } = decodeSafetensors(bytes);
      const recognised = recognise(new Map(Object.entries(tensors).map(([name, tensor]) => [name, tensor.shape])));
      const candidate = recognised.build().eval();
      try {
        await decodeCheckpoint(bytes, candidate); // strict: every name, shape and dtype
      } catch (error) {
        candidate.dispose();
        throw error;
      }
      network?.dispose();
      network = candidate;
      description = recognised.description;
      labels = recognised.numClasses === IMAGENET_CLASSES.length ? IMAGENET_CLASSES : Array.from({ length: recognised.numClasses }, (_, index) => `class ${index}`);
    },
    dispose() {
      network?.dispose();
    },
  };
  return model;
};
