// Names GPT: the character-level GPT of `tensorzoo train gpt-names` writes first names token by
// token; "train here" fits a fresh one on the same 4,951 names. Checkpoints carry the model
// config, tokenizer and generation hints the CLI's `tensorzoo sample` reads (and writes).
import { Generator, decodeCheckpoint, encodeModel, parseSafetensorsHeader, type Optimizer } from '@tensorzoo/core';
import { loadFemaleFirstNames, padSequences, sequenceBatches } from '@tensorzoo/datasets';
import { adamW, cosineDecay } from '@tensorzoo/optimizers';
import { CharTokenizer, GPT, streamTokens, tokenizerFromJSON, type GPTOptions, type Tokenizer } from '@tensorzoo/transformer';
import { maskedCrossEntropy } from './masked-loss';
import { fetchBytes, fitWithProgress, METADATA_KEYS, type ModelFactory, type ScreenModel, type TrainContext } from './model';

type GPTConfig = Omit<GPTOptions, 'rng'>;
const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>'];
/** gpt-names' model (packages/cli/src/examples/gpt-names.ts), for a fresh model. */
const FRESH_CONFIG = { contextLength: 16, dModel: 32, numHeads: 4, numLayers: 2, dimFeedforward: 128, dropout: 0 };
const BATCH_SIZE = 32;

/** What the page asks for: sampling settings and how many names. */
export interface GenerateRequest {
  count: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

const newOptimizer = () => adamW({ lr: cosineDecay(3e-3, 1000, { warmupSteps: 5, minLr: 3e-4 }), weightDecay: 0.01, clip: { globalNorm: 1 } });

class NamesModel implements ScreenModel {
  private optimizer: Optimizer = newOptimizer();
  private step = 0;
  private batchRng = new Generator(6);

  constructor(
    private model: GPT,
    private config: GPTConfig,
    private tokenizer: Tokenizer,
    private generation: { prefix: string; stopTokens: string[] },
  ) {}

  info() {
    const { numLayers, dModel, numHeads } = this.config;
    return { description: `character GPT, ${numLayers} layers, dModel ${dModel}, ${numHeads} heads, ${this.model.parameterCount().toLocaleString('en')} parameters, vocabulary ${this.tokenizer.size}`, step: this.step };
  }

  /** Streams names: each piece of text as `{ name, text }`; returns the finished names. */
  async infer(input: unknown, emit: (data: unknown) => void): Promise<string[]> {
    const request = input as GenerateRequest;
    const stopIds = this.generation.stopTokens.map((token) => this.tokenizer.specialTokenId(token));
    const prompt = this.tokenizer.encode(this.generation.prefix);
    const rng = new Generator(request.seed);
    const names: string[] = [];
    this.model.eval();
    for (let name = 0; name < request.count; name++) {
      const decoder = this.tokenizer.streamDecoder();
      let text = '';
      const stream = streamTokens(this.model, prompt, {
        maxNewTokens: this.config.contextLength - prompt.length,
        strategy: 'topK',
        temperature: request.temperature,
        topK: request.topK,
        topP: request.topP,
        seed: rng,
        stopTokens: stopIds,
      });
      for await (const token of stream) {
        if (stopIds.includes(token)) break;
        const piece = decoder.write(token);
        text += piece;
        emit({ name, text: piece });
      }
      text += decoder.end();
      names.push(text);
    }
    return names;
  }

  async train(steps: number, { signal, report }: TrainContext): Promise<void> {
    const [padId, bosId, eosId] = SPECIAL_TOKENS.map((token) => this.tokenizer.specialTokenId(token));
    const names = loadFemaleFirstNames();
    const rows = padSequences(names.map((name) => this.tokenizer.encode(name)), { bosId, eosId, padId, length: this.config.contextLength });
    const data = sequenceBatches(rows, { batchSize: BATCH_SIZE, rng: this.batchRng, batchesPerEpoch: steps });
    try {
      await fitWithProgress(this.model, data, { loss: maskedCrossEntropy(padId), optimizer: this.optimizer }, { signal, report }, async (info) => ({
        step: ++this.step,
        loss: info.loss, metrics: {}, samplesPerSecond: info.samplesPerSecond,
      }));
    } finally {
      this.model.eval();
    }
  }

  save(): Promise<Uint8Array> {
    return encodeModel(this.model, { optimizer: this.optimizer, step: this.step, metadata: languageModelMetadata(this.config, this.tokenizer, this.generation) });
  }

  async load(bytes: Uint8Array): Promise<void> {
    const { config, tokenizer, generation } = readLanguageModel(bytes);
    const model = new GPT({ ...config, rng: 0 });
    try {
      const info = await decodeCheckpoint(bytes, model);
      this.step = info.step;
    } catch (error) {
      model.dispose();
      throw error;
    }
    this.model.dispose();
    this.optimizer.dispose();
    Object.assign(this, { model, config, tokenizer, generation, optimizer: newOptimizer() });
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

function languageModelMetadata(config: GPTConfig, tokenizer: Tokenizer, generation: { prefix: string; stopTokens: string[] }): Record<string, string> {
  return {
    [METADATA_KEYS.model]: JSON.stringify({ architecture: 'gpt', config }),
    [METADATA_KEYS.tokenizer]: JSON.stringify(tokenizer.toJSON()),
    [METADATA_KEYS.generation]: JSON.stringify(generation),
  };
}

/** The GPT config, tokenizer and generation hints of a checkpoint written by gpt-names (or this app). */
function readLanguageModel(bytes: Uint8Array): { config: GPTConfig; tokenizer: Tokenizer; generation: { prefix: string; stopTokens: string[] } } {
  const { metadata } = parseSafetensorsHeader(bytes);
  const missing = Object.values(METADATA_KEYS).filter((key) => !(key in metadata));
  if (missing.length > 0) throw new Error(`this checkpoint has no ${missing.join(', ')} metadata; load one written by "tensorzoo train gpt-names" or by this page`);
  const model = JSON.parse(metadata[METADATA_KEYS.model]) as { architecture?: string; config?: GPTConfig };
  if (model.architecture !== 'gpt' || !model.config) throw new Error(`this checkpoint holds a ${String(model.architecture)} model, not a GPT`);
  return { config: model.config, tokenizer: tokenizerFromJSON(metadata[METADATA_KEYS.tokenizer]), generation: JSON.parse(metadata[METADATA_KEYS.generation]) };
}

export const createNamesModel: ModelFactory = async ({ weights, baseUrl }) => {
  if (weights === 'pretrained') {
    const bytes = await fetchBytes(baseUrl, 'models/gpt-names.safetensors');
    const { config, tokenizer, generation } = readLanguageModel(bytes);
    const model = new NamesModel(new GPT({ ...config, rng: 0 }), config, tokenizer, generation);
    await model.load(bytes);
    return model;
  }
  const names = loadFemaleFirstNames();
  const tokenizer = CharTokenizer.fromText(names.join(''), { specialTokens: SPECIAL_TOKENS });
  const config: GPTConfig = { vocabSize: tokenizer.size, ...FRESH_CONFIG };
  return new NamesModel(new GPT({ ...config, rng: 7 }), config, tokenizer, { prefix: '<bos>', stopTokens: SPECIAL_TOKENS });
};
