export {
  VariationalAutoencoder,
  VAE,
  ConvVAE,
  type VAEOptions,
  type ConvVAEOptions,
  type VAEOutput,
  type VAEForwardOptions,
} from './vae';
export { elbo, elboLoss, type ElboOptions, type ElboTerms } from './elbo';
