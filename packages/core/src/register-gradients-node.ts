/**
 * Gradient and chained-op registration for plain Node (ESM and CommonJS).
 *
 * tfjs-core's Node entry (`dist/tf-core.node.js`) registers no gradients and no chained ops,
 * and its registration modules (`dist/register_all_gradients.js`, ...) are ES modules with
 * extensionless relative imports that Node's resolver rejects. Rather than copying
 * tfjs-core's code into our dist, a module-resolution hook (Node's `module.register`) lets
 * Node load tfjs-core's OWN files: inside `@tensorflow/tfjs-core/dist/` only, it adds the
 * missing `.js` / `/index.js` and reads the files as ES modules. Everything else resolves as
 * before. The engine, kernel and gradient registries live on `globalThis`, so the ES-module
 * copy registers into the same engine as `require('@tensorflow/tfjs-core')`.
 *
 * ES module builds wait for the registration at import (top-level `await` in the ESM
 * variant); CommonJS cannot, so there {@link gradientsReady} resolves a moment later and
 * `setBackend` awaits it.
 * @internal
 * @packageDocumentation
 */
import * as nodeModule from 'node:module';
import '@tensorflow/tfjs-core';

/** The hook, as a `data:` URL so it also works from bundled Node builds. */
const RESOLVE_HOOK = `
const DIST = '/@tensorflow/tfjs-core/dist/';
export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL || '';
  if (parent.includes(DIST) && (specifier.startsWith('./') || specifier.startsWith('../')) && !/\\.[cm]?js$/.test(specifier)) {
    try { return await nextResolve(specifier + '.js', context); }
    catch { return nextResolve(specifier + '/index.js', context); }
  }
  return nextResolve(specifier, context);
}
export async function load(url, context, nextLoad) {
  if (url.includes(DIST) && url.endsWith('.js') && !/\\/tf-core[^/]*\\.js$/.test(url) && !url.includes('/miniprogram/')) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
`;

const GRADIENTS = '@tensorflow/tfjs-core/dist/register_all_gradients.js';
const CHAINED_OPS = '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

async function registerFromTfjsCore(): Promise<void> {
  const register = (nodeModule as { register?: (specifier: string) => void }).register;
  if (typeof register !== 'function') {
    throw new Error(
      `@tensorzoo/core: this runtime has no node:module register() (Node >= 20.6 needed), so tfjs-core's gradients cannot be registered; running Node ${process.versions.node}.`,
    );
  }
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
  // Computed specifiers: a Node bundle (esbuild/webpack for node) must not try to inline them.
  const load = (specifier: string) => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
  await load(GRADIENTS);
  await load(CHAINED_OPS);
}

/** Resolves once tfjs-core's gradients and chained ops are registered. @internal */
export const gradientsReady: Promise<void> = registerFromTfjsCore();
// An unhandled rejection would crash the process at import; setBackend re-throws it instead.
gradientsReady.catch(() => undefined);
