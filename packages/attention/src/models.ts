import type { ModelClass } from '@tensorzoo/core';
import { MultiHeadAttention } from './multi-head-attention';
import { LearnedPositionalEncoding, RotaryPositionalEncoding, SinusoidalPositionalEncoding } from './positional-encoding';

/**
 * The module classes of this package, for `loadModel`'s `models` option (a list, not a global
 * registry: importing it registers nothing).
 * @example
 * ```ts
 * const attention = await loadModel<MultiHeadAttention>(bytes, { models: attentionModels });
 * ```
 */
export const attentionModels: readonly ModelClass[] = [MultiHeadAttention, LearnedPositionalEncoding, SinusoidalPositionalEncoding, RotaryPositionalEncoding];
