export {
  BLOCKED_SCORE,
  additiveMask,
  attentionWeights,
  causalMask,
  scaledDotProductAttention,
} from './scaled-dot-product-attention';
export type { AttentionMaskOptions, ScaledDotProductAttentionOptions } from './scaled-dot-product-attention';
export { MultiHeadAttention } from './multi-head-attention';
export type { AttentionInput, MultiHeadAttentionCallOptions, MultiHeadAttentionConfig, MultiHeadAttentionOptions } from './multi-head-attention';
export {
  LearnedPositionalEncoding,
  RotaryPositionalEncoding,
  SinusoidalPositionalEncoding,
  rotaryTables,
  sinusoidalPositionalEncoding,
} from './positional-encoding';
export type { LearnedPositionalEncodingOptions, PositionOptions } from './positional-encoding';
export { KVCache } from './kv-cache';
export type { KVCacheMode, KVCacheOptions } from './kv-cache';
export { attentionModels } from './models';
