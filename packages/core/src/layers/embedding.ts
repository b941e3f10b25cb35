import * as tf from '@tensorflow/tfjs-core';
import { normal, resolveGenerator, type Initializer } from '../init';
import { Module, parameter } from '../module';
import type { Generator } from '../rng';
import { assertInteger, assertShape } from '../shape';

/**
 * Lookup table of learned vectors (PyTorch `nn.Embedding`): int32 ids `[...]` ->
 * `[..., embeddingDim]`. `weight` is `[numEmbeddings, embeddingDim]`, initialised N(0, 1)
 * like PyTorch.
 */
export class Embedding extends Module {
  static override readonly moduleName: string = 'Embedding';
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  weight: tf.Variable;

  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    options: { rng?: Generator | number; init?: Initializer } = {},
  ) {
    super();
    this.numEmbeddings = assertInteger('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = assertInteger('Embedding', 'embeddingDim', embeddingDim);
    const init = options.init ?? normal();
    this.weight = parameter(init([numEmbeddings, embeddingDim], resolveGenerator(options.rng)));
  }

  protected forward(ids: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'ids', ids, ['...'], 'int32');
    const flat = ids.reshape([-1]);
    return tf.gather(this.weight, flat).reshape([...ids.shape, this.embeddingDim]);
  }
}
