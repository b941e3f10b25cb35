import * as tf from '@tensorflow/tfjs-core';
import { normal, resolveGenerator, type Initializer } from '../init';
import { Module, parameter } from '../module';
import type { Generator } from '../rng';
import { ArgumentError } from '../errors';
import { assertInteger, assertShape, formatShape } from '../shape';
import { nanUnless, readValueRange } from '../value-range';

/**
 * Lookup table of learned vectors (PyTorch `nn.Embedding`): int32 ids `[...]` ->
 * `[..., embeddingDim]`. `weight` is `[numEmbeddings, embeddingDim]`, initialised N(0, 1)
 * like PyTorch.
 *
 * Ids outside `[0, numEmbeddings)` throw an `ArgumentError` naming the module path, the id and
 * the vocabulary size (tfjs's gather would fail with a raw `GatherV2` error, or on some
 * backends silently return zeros). The check reads the ids' min and max (see `readValueRange`:
 * free on cpu/wasm/tensorflow, a pipeline stall on webgl/webgpu); set
 * {@link Embedding.validateIds} to `false` to skip it. Where the backend cannot read
 * synchronously (webgpu), bad ids give NaN vectors instead (a loud NaN loss).
 *
 * @example
 * ```ts
 * const embedding = new Embedding(10, 4, { rng: 0 });
 * embedding.call(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32')); // [1, 3, 4]
 * embedding.call(tf.tensor1d([12], 'int32')); // ArgumentError: Embedding: token id 12 is outside the vocabulary [0, 10) ...
 * ```
 */
export class Embedding extends Module {
  static override readonly moduleName: string = 'Embedding';
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  weight: tf.Variable;
  /**
   * Check that every id is in `[0, numEmbeddings)` before the lookup (one min/max read per
   * call). Default `true`; set `false` on a GPU backend when the ids are known to be valid and
   * every millisecond counts, e.g. `gpt.token_embedding.validateIds = false`.
   */
  validateIds = true;

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

  /** The constructor arguments, `{ numEmbeddings, embeddingDim }` (no rng or initializer). */
  getConfig(): { numEmbeddings: number; embeddingDim: number } {
    return { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim };
  }

  /** Builds an Embedding (fresh random weights) from {@link Embedding.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { numEmbeddings: number; embeddingDim: number }): Embedding {
    return new Embedding(config.numEmbeddings, config.embeddingDim);
  }

  protected forward(ids: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'ids', ids, ['...'], 'int32');
    const checked = !this.validateIds || this.assertIdsInVocabulary(ids);
    if (checked) return tf.gather(this.weight, ids.reshape([-1])).reshape([...ids.shape, this.embeddingDim]);
    // The backend cannot read the ids synchronously: look bad ids up as 0 and give NaN
    // rows for the bad ones, so the mistake is loud (a NaN loss) instead of a wrong lookup.
    return tf.tidy(() => {
      const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, this.numEmbeddings)); // [...]
      const safe = tf.where(valid, ids, tf.zerosLike(ids)); // any valid id; its row becomes NaN
      const vectors = tf.gather(this.weight, safe.reshape([-1])).reshape([...ids.shape, this.embeddingDim]);
      return nanUnless(valid, vectors);
    });
  }

  /**
   * Throws an `ArgumentError` (`'id-out-of-range'`) naming the first bad bound, the path and the
   * vocabulary. Returns false when the backend cannot read the ids synchronously.
   */
  private assertIdsInVocabulary(ids: tf.Tensor): boolean {
    const range = readValueRange(ids);
    if (!range) return false;
    if (range.min >= 0 && range.max < this.numEmbeddings) return true;
    const id = range.min < 0 ? range.min : range.max;
    throw new ArgumentError(
      'id-out-of-range',
      `${this.path}: token id ${id} (in ids ${formatShape(ids.shape)}) is outside the vocabulary [0, ${this.numEmbeddings}). ` +
        `Check the tokenizer: its ids must be below the model's vocabulary size ${this.numEmbeddings}.`,
    );
  }
}
