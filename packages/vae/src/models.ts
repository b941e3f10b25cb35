import type { ModelClass } from '@tensorzoo/core';
import { ConvVAE, VAE } from './vae';

/**
 * The model classes of this package, for `loadModel`'s `models` option (a list, not a global
 * registry: importing it registers nothing).
 * @example
 * ```ts
 * const vae = await loadModel<VAE>('vae.safetensors', { models: vaeModels });
 * ```
 */
export const vaeModels: readonly ModelClass[] = [VAE, ConvVAE];
