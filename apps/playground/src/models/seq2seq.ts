// Seq2seq reverse: the encoder-decoder Transformer of `tensorzoo train seq2seq-reverse` reverses
// digit strings (greedy and beam decoding); "train here" fits a fresh one on random strings.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, Module, decodeCheckpoint, encodeCheckpoint, type Batch, type Optimizer } from '@tensorzoo/core';
import { adamW, cosineDecay } from '@tensorzoo/optimizers';
import { CharTokenizer, Seq2SeqTransformer, type Seq2SeqTransformerOptions } from '@tensorzoo/transformer';
import { maskedCrossEntropy } from './masked-loss';
import { fetchBytes, fitWithProgress, type ModelFactory, modelMetadata, type ScreenModel, type TrainContext } from './model';

const MIN_LENGTH = 3;
const MAX_LENGTH = 8;
const SOURCE_LENGTH = MAX_LENGTH;
const TARGET_LENGTH = MAX_LENGTH + 1;
const BATCH_SIZE = 32;
const tokenizer = CharTokenizer.fromText('0123456789', { specialTokens: ['<pad>', '<bos>', '<eos>'] });
const [PAD, BOS, EOS] = ['<pad>', '<bos>', '<eos>'].map((token) => tokenizer.specialTokenId(token));

/** The seq2seq-reverse example's model (packages/cli/src/examples/seq2seq-reverse.ts). */
const CONFIG: Omit<Seq2SeqTransformerOptions, 'rng'> = {
  sourceVocabSize: tokenizer.size,
  targetVocabSize: tokenizer.size,
  dModel: 32,
  numHeads: 4,
  numEncoderLayers: 2,
  numDecoderLayers: 2,
  dimFeedforward: 64,
  dropout: 0,
  maxLength: TARGET_LENGTH,
  normFirst: true,
};

/** The CLI's wrapper: x `[B, S + T]` = source then decoder input (its variables are `seq2seq.*`). */
class DigitReverser extends Module {
  seq2seq: Seq2SeqTransformer;

  constructor(rng: Generator) {
    super();
    this.seq2seq = new Seq2SeqTransformer({ ...CONFIG, rng });
    // As the CLI: embeddings start at N(0, 1/dModel) so positions count from the first step.
    for (const embedding of [this.seq2seq.source_embedding, this.seq2seq.target_embedding]) {
      const initial = tf.tensor(rng.normalArray(embedding.weight.size, 0, 1 / Math.sqrt(CONFIG.dModel!)), embedding.weight.shape);
      embedding.weight.assign(initial);
      initial.dispose();
    }
  }

  protected forward(x: tf.Tensor): tf.Tensor {
    const batch = x.shape[0];
    const source = tf.slice(x, [0, 0], [batch, SOURCE_LENGTH]);
    const target = tf.slice(x, [0, SOURCE_LENGTH], [batch, TARGET_LENGTH]);
    return this.seq2seq.call({ source, target });
  }
}

/** Source ids padded on the left: `<pad><pad><pad>31415`. */
const sourceIds = (digits: string) => [...new Array<number>(SOURCE_LENGTH - digits.length).fill(PAD), ...tokenizer.encode(digits)];

function encodeBatch(strings: string[]): Batch {
  const x = new Int32Array(strings.length * (SOURCE_LENGTH + TARGET_LENGTH)).fill(PAD);
  const y = new Int32Array(strings.length * TARGET_LENGTH).fill(PAD);
  strings.forEach((digits, row) => {
    const reversed = tokenizer.encode(digits).reverse();
    x.set(sourceIds(digits), row * (SOURCE_LENGTH + TARGET_LENGTH));
    x.set([BOS, ...reversed], row * (SOURCE_LENGTH + TARGET_LENGTH) + SOURCE_LENGTH);
    y.set([...reversed, EOS], row * TARGET_LENGTH);
  });
  return { x: tf.tensor2d(x, [strings.length, SOURCE_LENGTH + TARGET_LENGTH], 'int32'), y: tf.tensor2d(y, [strings.length, TARGET_LENGTH], 'int32') };
}

const newOptimizer = () => adamW({ lr: cosineDecay(4e-3, 1000, { warmupSteps: 10, minLr: 2e-4 }), weightDecay: 0.01 });

class ReverseModel implements ScreenModel {
  private readonly model = new DigitReverser(new Generator(8));
  private optimizer: Optimizer = newOptimizer();
  private readonly rng = new Generator(9);
  private step = 0;

  info() {
    return { description: `Seq2SeqTransformer 2+2 layers, dModel 32, ${this.model.parameterCount().toLocaleString('en')} parameters; reverses ${MIN_LENGTH}-${MAX_LENGTH} digits`, step: this.step };
  }

  /** Greedy and beam (width 4) outputs for a digit string. */
  async infer(input: unknown): Promise<{ greedy: string; beam: string }> {
    const digits = String(input);
    if (!new RegExp(`^[0-9]{1,${MAX_LENGTH}}$`).test(digits)) throw new Error(`type 1 to ${MAX_LENGTH} digits (received "${digits}")`);
    const ids = sourceIds(digits);
    const source = tf.tensor2d(ids, [1, SOURCE_LENGTH], 'int32');
    this.model.eval();
    try {
      const [greedyIds] = await this.model.seq2seq.greedyDecode(source, { maxNewTokens: TARGET_LENGTH, startToken: BOS, stopTokens: [EOS] });
      const beamIds: number[] = [];
      for await (const token of this.model.seq2seq.generate(ids, { startToken: BOS, stopTokens: [EOS], maxNewTokens: TARGET_LENGTH, strategy: 'beam', beamWidth: 4 })) beamIds.push(token);
      const text = (tokens: number[]) => tokenizer.decode(tokens.filter((token) => token !== EOS && token !== PAD && token !== BOS));
      return { greedy: text(greedyIds), beam: text(beamIds) };
    } finally {
      source.dispose();
    }
  }

  async train(steps: number, { signal, report }: TrainContext): Promise<void> {
    const rng = this.rng;
    const randomDigits = () => Array.from({ length: MIN_LENGTH + rng.integer(MAX_LENGTH - MIN_LENGTH + 1) }, () => String(rng.integer(10))).join('');
    const batches: Iterable<Batch> = {
      *[Symbol.iterator]() {
        for (let index = 0; index < steps; index++) {
          const batch = encodeBatch(Array.from({ length: BATCH_SIZE }, randomDigits));
          try {
            yield batch;
          } finally {
            tf.dispose([batch.x, batch.y]);
          }
        }
      },
    };
    try {
      await fitWithProgress(this.model, batches, { loss: maskedCrossEntropy(PAD), optimizer: this.optimizer }, { signal, report }, async (info) => ({
        step: ++this.step,
        loss: info.loss, metrics: {}, samplesPerSecond: info.samplesPerSecond,
      }));
    } finally {
      this.model.eval();
    }
  }

  save(): Promise<Uint8Array> {
    return encodeCheckpoint(this.model, { optimizer: this.optimizer, step: this.step, metadata: modelMetadata('Seq2SeqTransformer', CONFIG) });
  }

  async load(bytes: Uint8Array): Promise<void> {
    const info = await decodeCheckpoint(bytes, this.model);
    this.optimizer.dispose();
    this.optimizer = newOptimizer();
    this.step = info.step;
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

export const createReverseModel: ModelFactory = async ({ weights, baseUrl }) => {
  const model = new ReverseModel();
  if (weights === 'pretrained') await model.load(await fetchBytes(baseUrl, 'models/seq2seq-reverse.safetensors'));
  return model;
};
