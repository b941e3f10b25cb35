import type { LossFn } from '@tensorzoo/core';
import { maskedCrossEntropy as maskedCrossEntropyLoss } from '@tensorzoo/losses';

/** `fit`'s loss for language models: mean cross-entropy of logits `[B, T, V]` over the targets that are not `padId`. */
export function maskedCrossEntropy(padId: number): LossFn {
  return (yTrue, logits) => maskedCrossEntropyLoss(yTrue, logits, { ignoreIndex: padId, fromLogits: true });
}
