export {
  tabularDataset,
  selectRows,
  trainTestSplit,
  fitStandardizer,
  standardize,
  type TabularDataset,
  type TabularDatasetInit,
  type TargetArray,
  type TrainTestSplitOptions,
  type Standardizer,
  type StandardizeOptions,
} from './tabular';
export { batches, batchCount, type Batch, type BatchOptions } from './batching';
export { linearRegressionData, sineData, type LinearRegressionOptions, type SineOptions } from './synthetic';
export { loadBostonHousing, BOSTON_FEATURE_NAMES, type BostonFeatureName, type BostonHousing } from './boston';
export {
  loadMobyDick,
  loadMobyDickChapters,
  loadFemaleFirstNames,
  shuffleSplit,
  splitTokens,
  languageModelBatches,
  languageModelWindows,
  padSequences,
  sequenceBatches,
  type MobyDickChapter,
  type ShuffleSplitOptions,
  type LanguageModelBatch,
  type LanguageModelBatchOptions,
  type LanguageModelBatches,
  type PadSequencesOptions,
  type PaddedSequences,
  type SequenceBatch,
  type SequenceBatchOptions,
} from './text';
