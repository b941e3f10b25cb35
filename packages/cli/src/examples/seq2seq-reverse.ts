// An encoder-decoder Transformer learns to reverse digit strings (length 3-8), the classic
// sequence-to-sequence smoke test: exact match on held-out strings with greedy decoding.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, Module, type Batch } from '@tensorzoo/core';
import { maskedCrossEntropy } from '@tensorzoo/losses';
import { adamW, cosineDecay } from '@tensorzoo/optimizers';
import { CharTokenizer, Seq2SeqTransformer, type Seq2SeqTransformerOptions } from '@tensorzoo/transformer';
import { hyperparameters, type Example } from '../example';

/** Settings of the run: a few minutes on the cpu backend for >= 99% exact match. */
const CONFIG = {
  /** Digit strings have `minLength..maxLength` digits, uniformly. */
  minLength: 3,
  maxLength: 8,
  /** Held-out strings (never drawn for training) scored with greedy decoding at the end... */
  testStrings: 1000,
  /** ...of which these are scored (teacher-forced loss) after every epoch. */
  validationCurveStrings: 128,
  dModel: 32,
  numHeads: 4,
  numEncoderLayers: 2,
  numDecoderLayers: 2,
  dimFeedforward: 64,
  /** Fresh random strings per step. */
  batchSize: 32,
  /** Steps per epoch: short epochs give a detailed curve and a cheap `--epochs 5` smoke run. */
  stepsPerEpoch: 10,
  /** AdamW peak learning rate after `warmupSteps`, cosine-decayed to `finalLearningRate` over `scheduleEpochs`. */
  learningRate: 4e-3,
  finalLearningRate: 2e-4,
  warmupSteps: 50,
  /** Fixed, not tied to --epochs, so a resumed run follows the same schedule. 500 steps: >= 99% from about step 300. */
  scheduleEpochs: 50,
} as const;

/** Source positions: the longest string. Decoder positions: `<bos>` + the reversed string (targets: the string + `<eos>`). */
const SOURCE_LENGTH = CONFIG.maxLength;
const TARGET_LENGTH = CONFIG.maxLength + 1;
const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>'];

/**
 * A {@link Seq2SeqTransformer} behind a single-tensor input, the form `fit` trains:
 * `x` int32 `[B, S + T]` is the source followed by the decoder input (teacher forcing).
 *
 * Sources are padded on the left (`<pad><pad>31415`), so output position `t` always copies
 * source position `S - 1 - t` and reaching a `<pad>` means `<eos>`: a fixed alignment the
 * cross-attention learns from the positional encodings alone, in a few hundred steps. The
 * padding is therefore not masked: it is the signal to stop.
 */
class DigitReverser extends Module {
  static override readonly moduleName: string = 'DigitReverser';
  seq2seq: Seq2SeqTransformer;

  constructor(options: Seq2SeqTransformerOptions) {
    super();
    this.seq2seq = new Seq2SeqTransformer(options);
  }

  protected forward(x: tf.Tensor): tf.Tensor {
    const batch = x.shape[0];
    const source = tf.slice(x, [0, 0], [batch, SOURCE_LENGTH]); // [B, S]
    const target = tf.slice(x, [0, SOURCE_LENGTH], [batch, TARGET_LENGTH]); // [B, T]
    return this.seq2seq.call({ source, target }); // [B, T, V]
  }
}

/** `tensorzoo train seq2seq-reverse`: a 2+2-layer pre-norm Transformer reverses digit strings. */
export const seq2seqReverse: Example = {
  name: 'seq2seq-reverse',
  description: 'an encoder-decoder Transformer learns to reverse digit strings (3-8 digits); exact match on held-out strings',
  defaultEpochs: CONFIG.scheduleEpochs,
  async run(context) {
    const { seed, log, train } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [testRng, initRng, batchRng] = [rng.fork(), rng.fork(), rng.fork()];
    const tokenizer = CharTokenizer.fromText('0123456789', { specialTokens: SPECIAL_TOKENS });
    const [padId, bosId, eosId] = SPECIAL_TOKENS.map((token) => tokenizer.specialTokenId(token));
    const randomDigits = (generator: Generator) =>
      Array.from({ length: CONFIG.minLength + generator.integer(CONFIG.maxLength - CONFIG.minLength + 1) }, () => String(generator.integer(10))).join('');
    const testSet = new Set<string>();
    while (testSet.size < CONFIG.testStrings) testSet.add(randomDigits(testRng));
    const tests = [...testSet];

    /** Source ids padded on the left to `SOURCE_LENGTH`: `<pad><pad><pad>31415`. */
    const sourceIds = (digits: string) => [...new Array<number>(SOURCE_LENGTH - digits.length).fill(padId), ...tokenizer.encode(digits)];
    /** `{ x: [n, S + T], y: [n, T] }` int32 for strings: x = <pad>... source | <bos> reversed <pad>..., y = reversed <eos> <pad>... */
    const encodeBatch = (strings: string[]): Batch => {
      const x = new Int32Array(strings.length * (SOURCE_LENGTH + TARGET_LENGTH)).fill(padId);
      const y = new Int32Array(strings.length * TARGET_LENGTH).fill(padId);
      strings.forEach((digits, row) => {
        const reversed = tokenizer.encode(digits).reverse();
        x.set(sourceIds(digits), row * (SOURCE_LENGTH + TARGET_LENGTH));
        x.set([bosId, ...reversed], row * (SOURCE_LENGTH + TARGET_LENGTH) + SOURCE_LENGTH);
        y.set([...reversed, eosId], row * TARGET_LENGTH);
      });
      return {
        x: tf.tensor2d(x, [strings.length, SOURCE_LENGTH + TARGET_LENGTH], 'int32'), // [n, 17]
        y: tf.tensor2d(y, [strings.length, TARGET_LENGTH], 'int32'), // [n, 9]
      };
    };
    // Every loop over `data` is one epoch of fresh random strings (none from the test set).
    const data: Iterable<Batch> = {
      *[Symbol.iterator]() {
        for (let step = 0; step < stepsPerEpoch; step++) {
          const strings: string[] = [];
          while (strings.length < batchSize) {
            const digits = randomDigits(batchRng);
            if (!testSet.has(digits)) strings.push(digits);
          }
          const batch = encodeBatch(strings);
          try {
            yield batch;
          } finally {
            tf.dispose([batch.x, batch.y]);
          }
        }
      },
    };

    const model = new DigitReverser({
      sourceVocabSize: tokenizer.size,
      targetVocabSize: tokenizer.size,
      dModel: CONFIG.dModel,
      numHeads: CONFIG.numHeads,
      numEncoderLayers: CONFIG.numEncoderLayers,
      numDecoderLayers: CONFIG.numDecoderLayers,
      dimFeedforward: CONFIG.dimFeedforward,
      dropout: 0,
      maxLength: TARGET_LENGTH,
      normFirst: true,
      rng: initRng,
    });
    // PyTorch's nn.Embedding starts at N(0, 1); scaled by √dModel that drowns the positional
    // encoding (amplitude 1) the alignment is learned from. Start at N(0, 1/dModel), as in the
    // original Transformer, so positions count from the first step.
    for (const embedding of [model.seq2seq.source_embedding, model.seq2seq.target_embedding]) {
      const initial = tf.tensor(initRng.normalArray(embedding.weight.size, 0, 1 / Math.sqrt(CONFIG.dModel)), embedding.weight.shape);
      embedding.weight.assign(initial);
      initial.dispose();
    }
    log(`data: random strings of ${CONFIG.minLength}-${CONFIG.maxLength} digits, ${batchSize} per step; ${tests.length} held-out strings never trained on`);
    log(`model: Seq2SeqTransformer, ${CONFIG.numEncoderLayers}+${CONFIG.numDecoderLayers} layers, dModel ${CONFIG.dModel}, ${CONFIG.numHeads} heads: ${model.parameterCount()} parameters`);
    const totalSteps = CONFIG.scheduleEpochs * stepsPerEpoch;
    const lr = cosineDecay(learningRate, totalSteps, { warmupSteps: CONFIG.warmupSteps, minLr: Math.min(CONFIG.finalLearningRate, learningRate) });
    const optimizer = adamW({ lr, weightDecay: 0.01 });
    const validation = encodeBatch(tests.slice(0, CONFIG.validationCurveStrings));
    const source = tf.tensor2d(tests.flatMap(sourceIds), [tests.length, SOURCE_LENGTH], 'int32'); // [1000, 8]
    try {
      await train(model, data, { loss: (targets, logits) => maskedCrossEntropy(targets, logits, { ignoreIndex: padId, fromLogits: true }), optimizer, rng: batchRng, batchSize, validationData: validation });
      const outputs = await model.seq2seq.greedyDecode(source, { maxNewTokens: TARGET_LENGTH, startToken: bosId, stopTokens: [eosId] });
      const predictions = outputs.map((ids) => (ids.at(-1) === eosId ? tokenizer.decode(ids.slice(0, -1)) : `${tokenizer.decode(ids)} (no <eos>)`));
      const expected = tests.map((digits) => [...digits].reverse().join(''));
      const correct = predictions.filter((prediction, index) => prediction === expected[index]).length;
      const accuracy = correct / tests.length;
      for (const index of [0, 1, 2, 3, 4]) log(`${tests[index].padStart(CONFIG.maxLength)} -> ${predictions[index]}`);
      const wrong = predictions.map((prediction, index) => [index, prediction] as const).filter(([index, prediction]) => prediction !== expected[index]);
      for (const [index, prediction] of wrong.slice(0, 3)) log(`wrong: ${tests[index]} -> ${prediction} (expected ${expected[index]})`);
      log(`exact match on ${tests.length} held-out strings (greedy decoding): ${(100 * accuracy).toFixed(1)}%${accuracy >= 0.99 ? ' (>= 99%)' : ' (NOT >= 99%)'}`);
      return { exactMatch: accuracy };
    } finally {
      tf.dispose([validation.x, validation.y, source]);
      model.dispose();
      optimizer.dispose();
    }
  },
};
