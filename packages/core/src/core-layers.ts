import type { ModelClass } from './model-io';
import { GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from './layers/activations';
import { BatchNorm1d, BatchNorm2d } from './layers/batch-norm';
import { Dropout } from './layers/dropout';
import { Embedding } from './layers/embedding';
import { LayerNorm } from './layers/layer-norm';
import { Linear } from './layers/linear';
import { AvgPool2d, GlobalAvgPool2d, MaxPool2d } from './layers/pooling';
import { Flatten, Reshape, Unflatten } from './layers/reshape';
import { Sequential } from './layers/sequential';

/**
 * Core's layer classes that `loadModel` can rebuild from a config (every layer with
 * `getConfig()` / `fromConfig()`), for its `models` option: a plain list, not a global
 * registry, so importing it registers nothing.
 * @example
 * ```ts
 * const mlp = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
 * await saveModel(mlp, 'indexeddb://mlp');
 * const copy = await loadModel<Sequential>('indexeddb://mlp', { models: coreLayers });
 * ```
 */
export const coreLayers: readonly ModelClass[] = [
  Sequential,
  Linear,
  Embedding,
  LayerNorm,
  Dropout,
  BatchNorm1d,
  BatchNorm2d,
  ReLU,
  LeakyReLU,
  Sigmoid,
  Tanh,
  GELU,
  Softmax,
  Flatten,
  Reshape,
  Unflatten,
  MaxPool2d,
  AvgPool2d,
  GlobalAvgPool2d,
];
