/**
 * Loss functions and weight penalties for TensorZoo, matching PyTorch's values and gradients.
 * Every loss is `(yTrue, yPred, options?)`; see the README for the PyTorch equivalents.
 * @packageDocumentation
 */
export { REDUCTIONS } from './reduction';
export type { LossOutput, Reduction, ReductionOptions } from './reduction';
export { huberLoss, meanAbsoluteError, meanSquaredError } from './regression';
export type { HuberLossOptions } from './regression';
export {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  hingeLoss,
  logLoss,
  sparseCategoricalCrossEntropy,
} from './classification';
export type { BinaryCrossEntropyOptions, CrossEntropyOptions, LogLossOptions } from './classification';
export { maskedCrossEntropy } from './masked';
export type { MaskedCrossEntropyOptions } from './masked';
export { klDivergence } from './divergence';
export { cosineSimilarityLoss } from './similarity';
export { l1Penalty, l2Penalty, withWeightPenalty } from './regularizers';
export type { WeightPenaltyOptions } from './regularizers';
