export { sgd, type SgdOptions } from './sgd';
export { adam, adamW, type AdamOptions, type AdamWOptions } from './adam';
export { rmsprop, type RmspropOptions } from './rmsprop';
export { adagrad, type AdagradOptions } from './adagrad';
export type { ConfiguredOptimizer, OptimizerName } from './optimizer';
export {
  constant,
  stepDecay,
  exponentialDecay,
  cosineDecay,
  type CosineDecayOptions,
  type LearningRate,
  type Schedule,
  type ScheduleConfig,
} from './schedules';
export { clipGradientsByValue, clipGradientsByGlobalNorm, type ClipOptions, type GlobalNormClipResult } from './clipping';
