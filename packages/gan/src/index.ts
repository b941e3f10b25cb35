export { DCGANGenerator, DCGANDiscriminator, type DCGANGeneratorOptions, type DCGANDiscriminatorOptions } from './dcgan';
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
  type GANTrainOptions,
  type GANStepInfo,
  type GANHistory,
  type DiscriminatorStepResult,
} from './trainer';
