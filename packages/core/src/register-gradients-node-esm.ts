/**
 * ES-module variant of `register-gradients-node.ts` for plain Node: waits for the
 * registration at import (top-level `await`), so `tf.grad` and `x.square()` work on the
 * line after `import '@tensorzoo/core'`.
 * @internal
 * @packageDocumentation
 */
import { gradientsReady } from './register-gradients-node';

await gradientsReady;

export { gradientsReady };
