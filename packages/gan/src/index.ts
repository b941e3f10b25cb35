export {
  DCGANGenerator,
  DCGANDiscriminator,
  type DCGANCallOptions,
  type DCGANGeneratorOptions,
  type DCGANDiscriminatorOptions,
  type DCGANGeneratorConfig,
  type DCGANDiscriminatorConfig,
} from './dcgan';
export { ganModels } from './models';
export {
  nonSaturatingDiscriminatorLoss,
  nonSaturatingGeneratorLoss,
  hingeDiscriminatorLoss,
  wassersteinDiscriminatorLoss,
  criticGeneratorLoss,
  gradientPenalty,
  registerSecondOrderGradients,
  nonSaturatingGANLoss,
  hingeGANLoss,
  wassersteinGPLoss,
  type NonSaturatingOptions,
  type WassersteinGPOptions,
  type GANLoss,
  type DiscriminatorLossInputs,
} from './losses';
export {
  GANTrainer,
  GANPair,
  type GANTrainerOptions,
  type GeneratorEmaOptions,
  type GANTrainOptions,
  type LabeledBatch,
  type GANStepInfo,
  type GANHistory,
  type DiscriminatorStepResult,
} from './trainer';
