import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, BackendError } from './errors';
import { gradientsReady } from '#register-gradients';
import { importCpuBackend, importOptional } from './optional-import';
import { installFastKernels } from './kernels/register';

/** Every backend TensorZoo can select. `'tensorflow'` is libtensorflow through tfjs-node(-gpu). */
export const BACKEND_NAMES = /* @__PURE__ */ Object.freeze(['cpu', 'wasm', 'webgl', 'webgpu', 'tensorflow'] as const);

/** A backend name accepted by {@link setBackend}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Order tried by `setBackend('auto')` in a browser. */
export const BROWSER_AUTO_ORDER: readonly BackendName[] = /* @__PURE__ */ Object.freeze(['webgpu', 'webgl', 'wasm', 'cpu']);
/** Order tried by `setBackend('auto')` in Node. */
export const NODE_AUTO_ORDER: readonly BackendName[] = /* @__PURE__ */ Object.freeze(['tensorflow', 'webgpu', 'cpu']);

/** Options of {@link setBackend}. */
export interface SetBackendOptions {
  /**
   * Receives a line whenever `'auto'` skips a backend (missing package, no adapter).
   * Default: `console.warn` is not called; skipped backends are silent unless you pass one.
   */
  warn?: (message: string) => void;
  /**
   * Accept a software (fallback) WebGPU adapter such as SwiftShader. Default `false` for
   * `'auto'` (a CPU-emulated GPU is slower than the `cpu` backend), `true` when `'webgpu'`
   * is asked for by name.
   */
  allowFallbackAdapter?: boolean;
}

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

/** Package(s) that provide each backend, for error messages. */
function packagesFor(name: BackendName): string {
  switch (name) {
    case 'cpu':
      return '@tensorflow/tfjs-backend-cpu';
    case 'wasm':
      return '@tensorflow/tfjs-backend-wasm';
    case 'webgl':
      return '@tensorflow/tfjs-backend-webgl';
    case 'webgpu':
      return isNode() ? '@tensorflow/tfjs-backend-webgpu and webgpu (Dawn for Node)' : '@tensorflow/tfjs-backend-webgpu';
    case 'tensorflow':
      return '@tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU)';
  }
}

async function tryImport(specifier: string): Promise<unknown | undefined> {
  try {
    return await importOptional(specifier);
  } catch (error) {
    if (isMissingModule(error, specifier)) return undefined;
    throw error;
  }
}

function isMissingModule(error: unknown, specifier: string): boolean {
  const text = String((error as { message?: unknown })?.message ?? error);
  const code = (error as { code?: unknown })?.code;
  return (
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    (text.includes(specifier) && /cannot find|could not resolve|failed to (fetch|resolve)|not found/i.test(text))
  );
}

interface GpuLike {
  requestAdapter(): Promise<{ isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } } | null>;
}

async function ensureNodeWebGpu(): Promise<string | undefined> {
  const scope = globalThis as { navigator?: { gpu?: GpuLike } };
  if (scope.navigator?.gpu) return undefined;
  const dawn = (await tryImport('webgpu')) as
    | { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> }
    | undefined;
  if (!dawn) return 'the npm package "webgpu" (Dawn for Node) is not installed';
  // Dawn's Vulkan loader complains on stderr when XDG_RUNTIME_DIR is unset; give it a default.
  if (typeof process !== 'undefined' && !process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = '/tmp';
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 21+ defines a read-only navigator; extend it instead of replacing it.
  if (scope.navigator) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return undefined;
}

/** True when the backend's package has already registered it (imported by the app). */
const isRegistered = (name: BackendName): boolean => tf.findBackendFactory(name) !== null;

/** Imports a backend package unless it is registered already; returns a reason when it cannot. */
async function importBackend(name: BackendName, specifier: string): Promise<string | undefined> {
  if (isRegistered(name)) return undefined;
  return (await tryImport(specifier)) ? undefined : 'package missing';
}

/** Loads a backend's package; returns a reason string when it cannot be used here. */
async function load(name: BackendName, options: SetBackendOptions, byName: boolean): Promise<string | undefined> {
  switch (name) {
    case 'cpu':
      if (!isRegistered('cpu')) await importCpuBackend();
      return undefined;
    case 'wasm':
      return importBackend('wasm', '@tensorflow/tfjs-backend-wasm');
    case 'webgl':
      if (isNode()) return 'WebGL needs a browser';
      return importBackend('webgl', '@tensorflow/tfjs-backend-webgl');
    case 'webgpu': {
      if (isNode()) {
        const problem = await ensureNodeWebGpu();
        if (problem) return problem;
      }
      const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
      if (!gpu) return 'this environment has no navigator.gpu (WebGPU)';
      const adapter = await gpu.requestAdapter();
      if (!adapter) return 'navigator.gpu.requestAdapter() found no adapter';
      const fallback = adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? false;
      if (fallback && !(options.allowFallbackAdapter ?? byName))
        return 'only a software (fallback) adapter exists; pass { allowFallbackAdapter: true } to use it';
      return importBackend('webgpu', '@tensorflow/tfjs-backend-webgpu');
    }
    case 'tensorflow': {
      if (!isNode()) return 'tfjs-node needs Node';
      if (isRegistered('tensorflow')) return undefined;
      if (await tryImport('@tensorflow/tfjs-node-gpu')) return undefined;
      if (await tryImport('@tensorflow/tfjs-node')) return undefined;
      return 'package missing';
    }
  }
}

function describeMissing(name: BackendName, reason: string): string {
  if (reason !== 'package missing') return reason;
  if (isNode() || name === 'tensorflow') return `install ${packagesFor(name)}`;
  // In a bundled app a package is only there if the app imports it.
  return `not loaded: install ${packagesFor(name)} and add \`import '${packagesFor(name)}'\` to your app before setBackend (bundlers only include packages the app imports)`;
}

/**
 * Selects the tensor backend, loading its package on first use.
 *
 * `'auto'` tries, in a browser: webgpu, webgl, wasm, cpu; in Node: tensorflow
 * (tfjs-node-gpu, then tfjs-node), webgpu (the `webgpu` package with a hardware adapter), cpu.
 *
 * Loading: a backend whose package the app has imported (it registers itself) is used as
 * is. Otherwise Node imports the package by name when it is installed. Bundled browser apps
 * must import the optional backends they want, because bundlers include only what the app
 * imports: `import '@tensorflow/tfjs-backend-webgpu'` (and for wasm also `setWasmPaths`).
 * `cpu` always works: `@tensorflow/tfjs-backend-cpu` is a dependency, loaded on first use.
 *
 * Selecting `cpu`, `wasm` or `webgpu` installs TensorZoo's faster kernels for it
 * ({@link installFastKernels}); {@link restoreStockKernels} puts tfjs's back.
 *
 * @returns the backend now active.
 * @throws {BackendError} naming the package to install and the backends that are available.
 * @example
 * ```ts
 * await setBackend('auto');      // best available
 * await setBackend('webgpu');    // or fail with what to install
 * ```
 */
export async function setBackend(name: BackendName | 'auto', options: SetBackendOptions = {}): Promise<BackendName> {
  await gradientsReady;
  if (name !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new ArgumentError(
      'unknown-backend',
      `setBackend: unsupported backend ${JSON.stringify(name)}. Should be one of: auto, ${BACKEND_NAMES.join(', ')}.`,
    );
  }
  const candidates = name === 'auto' ? (isNode() ? NODE_AUTO_ORDER : BROWSER_AUTO_ORDER) : [name];
  const skipped: string[] = [];
  for (const candidate of candidates) {
    const reason = await load(candidate, options, name !== 'auto');
    if (reason === undefined && (await tf.setBackend(candidate))) {
      await tf.ready();
      await afterBackendSelected(candidate);
      return candidate;
    }
    const why = reason === undefined ? 'initialisation failed' : describeMissing(candidate, reason);
    skipped.push(`${candidate}: ${why}`);
    if (name === 'auto') options.warn?.(`setBackend('auto'): skipped ${candidate} (${why})`);
  }
  const available = await availableBackends();
  throw new BackendError(
    'backend-unavailable',
    `setBackend(${JSON.stringify(name)}): ${skipped.join('; ')}. Available here: ${available.join(', ') || 'none'}.`,
  );
}

async function afterBackendSelected(name: BackendName): Promise<void> {
  if (name === 'cpu' && isNode()) {
    // tfjs-backend-cpu prints an "install tfjs-node" banner on first use in Node. setBackend's
    // own errors and docs already say how to get the 'tensorflow' backend, so mark it shown.
    const backend = tf.backend() as { firstUse?: boolean };
    if (typeof backend.firstUse === 'boolean') backend.firstUse = false;
  }
  // Opt-in by design: importing TensorZoo changes no kernel; selecting a CPU-class backend
  // through setBackend installs the faster kernels for it (restoreStockKernels undoes it).
  installFastKernels(name);
}

/** The active backend's name (`tf.getBackend()`), e.g. `'cpu'`. */
export function getBackend(): string {
  return tf.getBackend();
}

/**
 * Backends whose packages and devices are present here, in `'auto'` order
 * (software WebGPU adapters count as available).
 */
export async function availableBackends(): Promise<BackendName[]> {
  const order = isNode() ? NODE_AUTO_ORDER.concat(['wasm']) : BROWSER_AUTO_ORDER;
  const found: BackendName[] = [];
  for (const candidate of order) {
    if ((await load(candidate, { allowFallbackAdapter: true }, true)) === undefined) found.push(candidate);
  }
  return found;
}
