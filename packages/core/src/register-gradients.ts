/**
 * Gradient and chained-op registration for browsers and bundlers (Vite, webpack, esbuild,
 * Rollup): `@tensorflow/tfjs-core`'s published entry registers neither the gradient
 * functions (`tf.grad`) nor the chained tensor methods (`x.square()`). Bundlers resolve
 * tfjs-core's own registration modules, so they are imported here directly and tfjs-core
 * stays entirely external - one copy of its code, whatever 4.x version the app installs.
 * Plain Node cannot import those files (extensionless relative imports); the package's
 * `imports` map sends Node to `register-gradients-node.ts` instead.
 *
 * package.json lists this module in `sideEffects`; with `false` bundlers would drop it.
 * @internal
 * @packageDocumentation
 */
// tfjs-core's entry must evaluate first: it creates the global engine and registers the
// environment flags (DEBUG, ...) that the registration modules read.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

/** Resolves once gradients and chained ops are registered (already, in bundlers). @internal */
export const gradientsReady: Promise<void> = Promise.resolve();
