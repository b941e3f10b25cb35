// The models whose parameter names are tabulated on the model pages, built from the BUILT
// packages with these exact arguments (so the tables are what a user gets, never hand-copied).

/** @type {Array<{ id: string, title: string, package: string, exportName: string, factory?: boolean, args: unknown[], note: string }>} */
export const MODEL_TABLES = [
  { id: 'simple-cnn', title: 'SimpleCNN', package: '@tensorzoo/cnn', exportName: 'SimpleCNN', args: [{ rng: 0 }], note: '`new SimpleCNN()` (defaults)' },
  { id: 'simple-cnn-binary', title: 'SimpleCNN (binary)', package: '@tensorzoo/cnn', exportName: 'SimpleCNN', args: [{ output: 'sigmoid', rng: 0 }], note: "`new SimpleCNN({ output: 'sigmoid' })` (seed 003)" },
  { id: 'lenet5', title: 'LeNet5', package: '@tensorzoo/cnn', exportName: 'LeNet5', args: [{ rng: 0 }], note: '`new LeNet5()` (defaults)' },
  { id: 'resnet', title: 'ResNet', package: '@tensorzoo/cnn', exportName: 'ResNet', args: [{ rng: 0 }], note: '`new ResNet()` (ResNet-8, defaults)' },
  { id: 'resnet18', title: 'ResNet-18', package: '@tensorzoo/cnn', exportName: 'resnet18', factory: true, args: [{ rng: 0 }], note: '`resnet18()` (1,000 classes)' },
  { id: 'mobilenet-v2', title: 'MobileNetV2', package: '@tensorzoo/cnn', exportName: 'mobilenetV2', factory: true, args: [{ rng: 0 }], note: '`mobilenetV2()` (width 1.0, 1,000 classes)' },
  { id: 'mlp', title: 'MLPClassifier', package: '@tensorzoo/cnn', exportName: 'MLPClassifier', args: [{ rng: 0 }], note: '`new MLPClassifier()` (seed 001, defaults)' },
  { id: 'dcgan-generator', title: 'DCGANGenerator', package: '@tensorzoo/gan', exportName: 'DCGANGenerator', args: [{ rng: 0 }], note: '`new DCGANGenerator()` (defaults)' },
  { id: 'dcgan-discriminator', title: 'DCGANDiscriminator', package: '@tensorzoo/gan', exportName: 'DCGANDiscriminator', args: [{ rng: 0 }], note: '`new DCGANDiscriminator()` (defaults)' },
  { id: 'vae', title: 'VAE', package: '@tensorzoo/vae', exportName: 'VAE', args: [{ rng: 0 }], note: '`new VAE()` (784-400-20, defaults)' },
  { id: 'conv-vae', title: 'ConvVAE', package: '@tensorzoo/vae', exportName: 'ConvVAE', args: [{ rng: 0 }], note: '`new ConvVAE()` (defaults)' },
  {
    id: 'gpt', title: 'GPT', package: '@tensorzoo/transformer', exportName: 'GPT',
    args: [{ vocabSize: 56, contextLength: 16, dModel: 32, numHeads: 4, numLayers: 2, dimFeedforward: 128, rng: 0 }],
    note: 'the `gpt-names` example: `new GPT({ vocabSize: 56, contextLength: 16, dModel: 32, numHeads: 4, numLayers: 2, dimFeedforward: 128 })`',
  },
  {
    id: 'seq2seq', title: 'Seq2SeqTransformer', package: '@tensorzoo/transformer', exportName: 'Seq2SeqTransformer',
    args: [{ sourceVocabSize: 13, targetVocabSize: 13, dModel: 32, numHeads: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64, maxLength: 16, rng: 0 }],
    note: 'a `seq2seq-reverse`-sized model: `new Seq2SeqTransformer({ sourceVocabSize: 13, targetVocabSize: 13, dModel: 32, numHeads: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64, maxLength: 16 })`',
  },
  { id: 'encoder-layer', title: 'TransformerEncoderLayer', package: '@tensorzoo/transformer', exportName: 'TransformerEncoderLayer', args: [{ dModel: 16, numHeads: 4, dimFeedforward: 32, rng: 0 }], note: '`new TransformerEncoderLayer({ dModel: 16, numHeads: 4, dimFeedforward: 32 })`' },
  { id: 'decoder-layer', title: 'TransformerDecoderLayer', package: '@tensorzoo/transformer', exportName: 'TransformerDecoderLayer', args: [{ dModel: 16, numHeads: 4, dimFeedforward: 32, rng: 0 }], note: '`new TransformerDecoderLayer({ dModel: 16, numHeads: 4, dimFeedforward: 32 })`' },
  { id: 'mha', title: 'MultiHeadAttention', package: '@tensorzoo/attention', exportName: 'MultiHeadAttention', args: [16, 4, { rng: 0 }], note: '`new MultiHeadAttention(16, 4)` (packed projections)' },
  { id: 'mha-separate', title: 'MultiHeadAttention (kdim/vdim)', package: '@tensorzoo/attention', exportName: 'MultiHeadAttention', args: [16, 4, { keyDim: 8, valueDim: 12, rng: 0 }], note: '`new MultiHeadAttention(16, 4, { keyDim: 8, valueDim: 12 })` (separate projections)' },
];

/** Option interfaces whose TSDoc becomes the "Options" tables (package -> interface names). */
export const OPTION_TABLES = {
  '@tensorzoo/cnn': ['SimpleCNNConfig', 'LeNet5Config', 'ResNetConfig', 'BasicBlockOptions', 'MLPClassifierConfig', 'ImageNetResNetConfig', 'MobileNetV2Config', 'PreprocessOptions'],
  '@tensorzoo/gan': ['DCGANGeneratorOptions', 'DCGANDiscriminatorOptions', 'GANTrainerOptions'],
  '@tensorzoo/vae': ['VAEOptions', 'ConvVAEOptions', 'ElboOptions'],
  '@tensorzoo/transformer': ['GPTOptions', 'Seq2SeqTransformerOptions', 'TransformerLayerOptions', 'TransformerStackOptions', 'EncoderLayerCallOptions', 'DecoderLayerCallOptions', 'GenerateOptions'],
  '@tensorzoo/attention': ['MultiHeadAttentionOptions', 'MultiHeadAttentionCallOptions'],
};
