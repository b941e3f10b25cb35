export {
  VariationalAutoencoder,
  VAE,
  ConvVAE,
  type VAEOptions,
  type ConvVAEOptions,
  type VAEConfig,
  type ConvVAEConfig,
  type VAEOutput,
  type VAEForwardOptions,
} from './vae';
export { elbo, elboLoss, type ElboOptions, type ElboTerms } from './elbo';
export { vaeModels } from './models';
