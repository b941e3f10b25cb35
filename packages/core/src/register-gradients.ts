// tfjs-core's published bundles register neither gradient functions nor the
// chained tensor methods (`x.square()`). These two modules do both; tsup
// inlines them into our dist (see tsup.config.ts) because plain Node cannot
// import tfjs-core's extensionless `dist/*` files. The kernel and gradient
// registries live on globalThis, so this adds code, not a second engine.
// package.json lists this file in `sideEffects`: with `false` esbuild would
// silently drop it.
// tfjs-core's entry must evaluate first: it creates the global engine and registers
// the environment flags (DEBUG, ...) that the registration modules read.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
