export type { Tokenizer, TokenStreamDecoder, TokenizerJSON, CharTokenizerJSON, BytePairTokenizerJSON } from './tokenizer';
export { tokenizerFromJSON } from './from-json';
export { CharTokenizer, type CharTokenizerOptions } from './char-tokenizer';
export { BytePairTokenizer, BYTE_TOKENS, type BytePairTrainOptions } from './byte-pair-tokenizer';
