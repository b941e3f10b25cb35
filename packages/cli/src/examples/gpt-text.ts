// A small character-level GPT on Moby-Dick (nanoGPT's shakespeare_char recipe, scaled down for
// the cpu backend): validation loss and perplexity as training goes, then a sample.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, evaluate } from '@tensorzoo/core';
import { languageModelBatches, languageModelWindows, loadMobyDick, splitTokens } from '@tensorzoo/datasets';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { CharTokenizer, generate } from '@tensorzoo/transformer';
import { hyperparameters, type Example } from '../example';
import { languageModelMetadata } from '../sample';
import { createCharGpt } from './helpers/char-gpt';

/** Settings of the run: a few minutes on the cpu backend. */
const CONFIG = {
  /** The last 10% of the book is held out (split by position, so no window crosses into it). */
  validationFraction: 0.1,
  /** Validation windows scored after every epoch (spread evenly over the held-out text)... */
  validationCurveWindows: 16,
  /** ...and at the end. */
  finalValidationWindows: 128,
  /** Characters the model sees at once. */
  contextLength: 32,
  dModel: 48,
  numHeads: 4,
  numLayers: 2,
  dimFeedforward: 192,
  /** Random windows per step. */
  batchSize: 16,
  /** Steps per epoch: short epochs give a detailed curve and a cheap `--epochs 5` smoke run. */
  stepsPerEpoch: 5,
  /** AdamW peak learning rate after `warmupSteps`, cosine-decayed to `finalLearningRate` over `scheduleEpochs`. */
  learningRate: 4e-3,
  finalLearningRate: 4e-4,
  warmupSteps: 20,
  /** Fixed, not tied to --epochs, so a resumed run follows the same schedule. */
  scheduleEpochs: 60,
  /** The sample printed at the end. */
  prompt: 'Call me Ishmael. ',
  sampleLength: 200,
  temperature: 0.8,
} as const;

const loss = (yTrue: tf.Tensor, logits: tf.Tensor) => sparseCategoricalCrossEntropy(yTrue, logits, { fromLogits: true });

/** `count` windows spread evenly over `tokens` (x, y int32 `[count, contextLength]`); the caller disposes them. */
function spreadWindows(tokens: Int32Array, count: number): { x: tf.Tensor; y: tf.Tensor } {
  const stride = Math.max(1, Math.floor((tokens.length - CONFIG.contextLength - 1) / (count - 1)));
  const windows = languageModelWindows(tokens.subarray(0, stride * (count - 1) + CONFIG.contextLength + 1), { contextLength: CONFIG.contextLength, stride });
  return { x: windows.x, y: windows.y };
}

/** Entropy (nats) of the token distribution of `tokens`: the loss of a model that ignores context. */
function unigramEntropy(tokens: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize);
  for (const id of tokens) counts[id]++;
  return -Array.from(counts).reduce((sum, count) => (count > 0 ? sum + (count / tokens.length) * Math.log(count / tokens.length) : sum), 0);
}

/** `tensorzoo train gpt-text`: a 2-layer character GPT on Moby-Dick. */
export const gptText: Example = {
  name: 'gpt-text',
  description: 'a small character-level GPT on Moby-Dick; validation loss and perplexity by step, then a sample',
  defaultEpochs: CONFIG.scheduleEpochs,
  async run(context) {
    const { seed, log, train } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [initRng, batchRng, sampleRng] = [rng.fork(), rng.fork(), rng.fork()];
    const text = loadMobyDick();
    const tokenizer = CharTokenizer.fromText(text);
    const tokens = Int32Array.from(tokenizer.encode(text));
    const split = splitTokens(tokens, { validationFraction: CONFIG.validationFraction });
    log(`data: Moby-Dick, ${tokens.length} characters (${split.train.length} train / ${split.validation.length} validation), vocabulary ${tokenizer.size}`);

    const { config, model, optimizer } = createCharGpt({ ...CONFIG, learningRate, stepsPerEpoch }, tokenizer.size, initRng, log);
    const data = languageModelBatches(split.train, { contextLength: CONFIG.contextLength, batchSize, rng: batchRng, batchesPerEpoch: stepsPerEpoch });
    const validation = spreadWindows(split.validation, CONFIG.validationCurveWindows);
    const finalValidation = spreadWindows(split.validation, CONFIG.finalValidationWindows);
    try {
      const history = await train(model, data, {
        loss,
        optimizer,
        rng: batchRng,
        batchSize,
        validationData: validation,
        metadata: languageModelMetadata(config, tokenizer),
      });
      log(`unigram baseline (character frequencies, no context): ${unigramEntropy(split.train, tokenizer.size).toFixed(4)} nats`);
      log('   step   train loss   validation loss   perplexity');
      const every = Math.max(1, Math.round(history.valLoss.length / 10));
      history.valLoss.forEach((valLoss, epoch) => {
        if ((epoch + 1) % every !== 0 && epoch !== history.valLoss.length - 1) return;
        const step = (epoch + 1) * stepsPerEpoch;
        log(`${String(step).padStart(7)}${history.loss[epoch].toFixed(4).padStart(13)}${valLoss.toFixed(4).padStart(18)}${Math.exp(valLoss).toFixed(2).padStart(13)}`);
      });
      const { loss: validationLoss } = await evaluate(model, finalValidation, { loss, batchSize: 64 });
      log(`validation loss on ${CONFIG.finalValidationWindows} windows (${CONFIG.finalValidationWindows * CONFIG.contextLength} characters): ${validationLoss.toFixed(4)} nats, perplexity ${Math.exp(validationLoss).toFixed(2)}`);
      const ids = await generate(model, tokenizer.encode(CONFIG.prompt), {
        maxNewTokens: CONFIG.sampleLength,
        strategy: 'topK',
        topK: tokenizer.size,
        temperature: CONFIG.temperature,
        seed: sampleRng,
      });
      log(`sample (temperature ${CONFIG.temperature}):\n${CONFIG.prompt}${tokenizer.decode(ids)}`);
      return { validationLoss, validationPerplexity: Math.exp(validationLoss) };
    } finally {
      tf.dispose([validation.x, validation.y, finalValidation.x, finalValidation.y]);
      model.dispose();
      optimizer.dispose();
    }
  },
};
