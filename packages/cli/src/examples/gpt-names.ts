// A character-level GPT learns to spell English first names (makemore-style), checked against
// the unigram baseline: the entropy of the character distribution.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, type Module } from '@tensorzoo/core';
import { loadFemaleFirstNames, padSequences, sequenceBatches, shuffleSplit, type PaddedSequences } from '@tensorzoo/datasets';
import { maskedCrossEntropy, sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { CharTokenizer, generate } from '@tensorzoo/transformer';
import { hyperparameters, type Example } from '../example';
import { languageModelMetadata } from '../sample';
import { createCharGpt } from './helpers/char-gpt';

/** Settings of the run: a few minutes on the cpu backend, validation loss near 2.2 nats vs the unigram 3.1. */
const CONFIG = {
  /** Share of the 4,951 names held out (after a seeded shuffle: the list is alphabetical). */
  validationFraction: 0.1,
  /** Names scored after every epoch (the validation curve); all held-out names are scored at the end. */
  validationCurveNames: 128,
  /** `<bos>` + up to 15 letters (the longest name) per row. */
  contextLength: 16,
  dModel: 32,
  numHeads: 4,
  numLayers: 2,
  dimFeedforward: 128,
  /** Names per step, drawn at random (with replacement) from the training names. */
  batchSize: 32,
  /** Steps per epoch: short epochs give a detailed loss curve and a cheap `--epochs 5` smoke run. */
  stepsPerEpoch: 8,
  /** AdamW peak learning rate after `warmupSteps`, cosine-decayed to `finalLearningRate` over `scheduleEpochs`. */
  learningRate: 3e-3,
  finalLearningRate: 3e-4,
  warmupSteps: 20,
  /** Fixed, not tied to --epochs, so a resumed run follows the same schedule. */
  scheduleEpochs: 50,
  /** Names sampled after training, and their temperature. */
  samples: 10,
  temperature: 0.8,
} as const;

const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>'];

/** Padded rows as `{ x, y }` int32 tensors `[n, length]`; the caller disposes them. */
function rowTensors(rows: PaddedSequences, count = rows.size): { x: tf.Tensor; y: tf.Tensor } {
  const shape: [number, number] = [count, rows.length];
  return { x: tf.tensor2d(rows.x.subarray(0, count * rows.length), shape, 'int32'), y: tf.tensor2d(rows.y.subarray(0, count * rows.length), shape, 'int32') };
}

/** Exact mean loss per predicted token (letters and `<eos>`) over all rows, in eval mode. */
async function tokenLoss(model: Module, rows: PaddedSequences, padId: number): Promise<number> {
  const { x, y } = rowTensors(rows);
  model.eval();
  try {
    const [total, count] = tf.tidy(() => {
      const perToken = sparseCategoricalCrossEntropy(y, model.call(x), { fromLogits: true, reduction: 'none' }); // [n, T]
      const mask = tf.cast(tf.notEqual(y, padId), 'float32');
      return [tf.sum(tf.mul(perToken, mask)), tf.sum(mask)];
    });
    const [sum, tokens] = [(await total.data())[0], (await count.data())[0]];
    tf.dispose([total, count]);
    return sum / tokens;
  } finally {
    tf.dispose([x, y]);
    model.train();
  }
}

/** Unigram model of the targets (letters and `<eos>`): its entropy on `train`, its cross-entropy on `validation`. */
function unigramBaseline(train: PaddedSequences, validation: PaddedSequences, padId: number, vocabSize: number): { entropy: number; validationLoss: number } {
  const counts = new Float64Array(vocabSize);
  for (const id of train.y) if (id !== padId) counts[id]++;
  const total = counts.reduce((sum, count) => sum + count, 0);
  const probability = Array.from(counts, (count) => count / total);
  const entropy = -probability.reduce((sum, p) => sum + (p > 0 ? p * Math.log(p) : 0), 0);
  let loss = 0;
  let tokens = 0;
  for (const id of validation.y) {
    if (id === padId) continue;
    loss -= Math.log(Math.max(probability[id], 1e-12)); // a letter never seen in training would be infinitely surprising
    tokens++;
  }
  return { entropy, validationLoss: loss / tokens };
}

/** `tensorzoo train gpt-names`: a 2-layer character GPT on 4,951 female first names. */
export const gptNames: Example = {
  name: 'gpt-names',
  description: 'a character-level GPT learns English first names; validation loss vs the unigram baseline, sampled names',
  defaultEpochs: CONFIG.scheduleEpochs,
  async run(context) {
    const { seed, log, train } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [splitRng, initRng, batchRng, sampleRng] = [rng.fork(), rng.fork(), rng.fork(), rng.fork()];
    const names = loadFemaleFirstNames();
    const split = shuffleSplit(names, { validationFraction: CONFIG.validationFraction, rng: splitRng });
    const tokenizer = CharTokenizer.fromText(names.join(''), { specialTokens: SPECIAL_TOKENS });
    const [padId, bosId, eosId] = SPECIAL_TOKENS.map((token) => tokenizer.specialTokenId(token));
    const rows = (list: string[]) => padSequences(list.map((name) => tokenizer.encode(name)), { bosId, eosId, padId, length: CONFIG.contextLength });
    const trainRows = rows(split.train); // x: <bos> name <pad>..., y: name <eos> <pad>... [n, 16]
    const validationRows = rows(split.validation);
    const baseline = unigramBaseline(trainRows, validationRows, padId, tokenizer.size);
    log(`data: ${names.length} names (${split.train.length} train / ${split.validation.length} validation), vocabulary ${tokenizer.size} (${tokenizer.characters.length} characters + ${SPECIAL_TOKENS.join(' ')})`);

    const { config, model, optimizer } = createCharGpt({ ...CONFIG, learningRate, stepsPerEpoch }, tokenizer.size, initRng, log);
    const data = sequenceBatches(trainRows, { batchSize, rng: batchRng, batchesPerEpoch: stepsPerEpoch });
    const validation = rowTensors(validationRows, Math.min(CONFIG.validationCurveNames, validationRows.size));
    try {
      await train(model, data, {
        loss: (targets, logits) => maskedCrossEntropy(targets, logits, { ignoreIndex: padId, fromLogits: true }),
        optimizer,
        rng: batchRng,
        batchSize,
        validationData: validation,
        metadata: languageModelMetadata(config, tokenizer, { prefix: '<bos>', stopTokens: SPECIAL_TOKENS }),
      });
      const validationLoss = await tokenLoss(model, validationRows, padId);
      const below = baseline.entropy - validationLoss;
      log(`validation loss: ${validationLoss.toFixed(4)} nats per character (all ${validationRows.size} held-out names, <eos> included)`);
      log(`unigram baseline: entropy ${baseline.entropy.toFixed(4)} nats (cross-entropy on the held-out names ${baseline.validationLoss.toFixed(4)})`);
      log(`the model is ${below.toFixed(4)} nats below the unigram baseline${below > 0.3 ? '' : ' (NOT clearly below)'}`);
      const known = new Set(names);
      const samples: string[] = [];
      for (let index = 0; index < CONFIG.samples; index++) {
        const ids = await generate(model, [bosId], {
          maxNewTokens: CONFIG.contextLength - 1,
          strategy: 'topK',
          topK: tokenizer.size,
          temperature: CONFIG.temperature,
          seed: sampleRng,
          stopTokens: [eosId, padId, bosId], // <pad> and <bos> are never targets; end the name if one comes up
        });
        const name = tokenizer.decode(ids.filter((id) => id !== eosId && id !== padId && id !== bosId));
        samples.push(name === '' ? '(empty)' : known.has(name) ? `${name} (in the list)` : name);
      }
      log(`sampled names (temperature ${CONFIG.temperature}): ${samples.join(', ')}`);
      return { validationLoss, unigramEntropy: baseline.entropy, unigramValidationLoss: baseline.validationLoss, natsBelowUnigram: below };
    } finally {
      tf.dispose([validation.x, validation.y]);
      model.dispose();
      optimizer.dispose();
    }
  },
};
