import type { ModelClass } from '@tensorzoo/core';
import { DCGANDiscriminator, DCGANGenerator } from './dcgan';

/**
 * The model classes of this package, for `loadModel`'s `models` option (a list, not a global
 * registry: importing it registers nothing).
 * @example
 * ```ts
 * const generator = await loadModel<DCGANGenerator>('generator.safetensors', { models: ganModels });
 * ```
 */
export const ganModels: readonly ModelClass[] = [DCGANGenerator, DCGANDiscriminator];
