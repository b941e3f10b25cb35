export {
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  createDecoderCaches,
  type Activation,
  type DecoderCallOptions,
  type DecoderInput,
  type DecoderLayerCache,
  type DecoderLayerCallOptions,
  type EncoderCallOptions,
  type EncoderLayerCallOptions,
  type TransformerCallOptions,
  type TransformerInput,
  type TransformerLayerOptions,
  type TransformerOptions,
  type TransformerStackOptions,
  type TransformerLayerConfig,
  type TransformerStackConfig,
  type TransformerConfig,
} from './transformer';
export {
  Seq2SeqDecodingState,
  Seq2SeqTransformer,
  type GreedyDecodeOptions,
  type Seq2SeqGenerateOptions,
  type Seq2SeqInput,
  type Seq2SeqTransformerOptions,
  type ResolvedSeq2SeqTransformerOptions,
} from './seq2seq';
export { GPT, GPTCache, type GPTCallOptions, type GPTOptions, type ResolvedGPTOptions } from './gpt';
export { GPT2_NAME_MAP, gpt2Options, gpt2StateDictToZoo, loadGPT2, type GPT2Config } from './gpt2';
export { GPT2Tokenizer, gpt2ByteCharacters, type GPT2TokenizerJSON } from './gpt2-tokenizer';
export {
  argmax,
  generate,
  sampleToken,
  streamTokens,
  type AutoregressiveModel,
  type DecodingStrategy,
  type GenerateOptions,
  type GenerationState,
} from './generation';
export {
  CharTokenizer,
  BytePairTokenizer,
  BYTE_TOKENS,
  tokenizerFromJSON,
  type Tokenizer,
  type TokenStreamDecoder,
  type TokenizerJSON,
  type CharTokenizerJSON,
  type BytePairTokenizerJSON,
  type CharTokenizerOptions,
  type BytePairTrainOptions,
} from './tokenizers/index';
export { transformerModels } from './models';
