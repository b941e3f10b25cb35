import type { Generator, Optimizer } from '@tensorzoo/core';
import { adamW, cosineDecay } from '@tensorzoo/optimizers';
import { GPT } from '@tensorzoo/transformer';
import type { GPTConfig } from '../../sample';

/** The settings the character-level GPT examples share. */
export interface CharGptSettings {
  contextLength: number;
  dModel: number;
  numHeads: number;
  numLayers: number;
  dimFeedforward: number;
  /** AdamW peak step size after `warmupSteps`, cosine-decayed to `finalLearningRate` over `scheduleEpochs · stepsPerEpoch` steps. */
  learningRate: number;
  finalLearningRate: number;
  warmupSteps: number;
  scheduleEpochs: number;
  stepsPerEpoch: number;
}

/**
 * The GPT (no dropout) and its optimizer (AdamW, weight decay 0.01, global-norm clipping at 1,
 * warmup + cosine decay fixed by `settings`, so a resumed run follows it) for `vocabSize`
 * tokens; logs the model's size.
 */
export function createCharGpt(
  settings: CharGptSettings,
  vocabSize: number,
  rng: Generator,
  log: (line: string) => void,
): { config: GPTConfig; model: GPT; optimizer: Optimizer } {
  const { contextLength, dModel, numHeads, numLayers, dimFeedforward } = settings;
  const config: GPTConfig = { vocabSize, contextLength, dModel, numHeads, numLayers, dimFeedforward, dropout: 0 };
  const model = new GPT({ ...config, rng });
  log(`model: GPT, ${numLayers} layers, dModel ${dModel}, ${numHeads} heads, context ${contextLength}: ${model.parameterCount()} parameters`);
  const lr = cosineDecay(settings.learningRate, settings.scheduleEpochs * settings.stepsPerEpoch, {
    warmupSteps: settings.warmupSteps,
    minLr: Math.min(settings.finalLearningRate, settings.learningRate),
  });
  return { config, model, optimizer: adamW({ lr, weightDecay: 0.01, clip: { globalNorm: 1 } }) };
}
