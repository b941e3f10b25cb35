// The worker: owns the tensor backend and the current screen's model, so training and
// inference never block the page. One request at a time per kind; `stop` interrupts `train`.
import { getBackend, getNumThreads, setBackend, setNumThreads } from '@tensorzoo/core';
import type { ModelFactory, ScreenModel } from './models/model';
import { PICKER_BACKENDS, type BackendStatus, type ModelInfo, type PickerBackend, type Request, type ScreenName, type WorkerMessage } from './protocol';

/** Each screen's model code is its own chunk, loaded when the screen opens. */
const factories: Record<ScreenName, () => Promise<ModelFactory>> = {
  digits: () => import('./models/digits').then((module) => module.createDigitsModel),
  gpt: () => import('./models/gpt').then((module) => module.createNamesModel),
  vae: () => import('./models/vae').then((module) => module.createVaeModel),
  dcgan: () => import('./models/dcgan').then((module) => module.createDcganModel),
  seq2seq: () => import('./models/seq2seq').then((module) => module.createReverseModel),
  regression: () => import('./models/regression').then((module) => module.createRegressionModel),
  classifier: () => import('./models/classifier').then((module) => module.createClassifierModel),
};

// Where the page is cross-origin isolated (COOP/COEP headers, as vite.config.ts serves it),
// the matrix products on cpu and wasm use worker threads: up to 4, one per core.
if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) setNumThreads(Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1)));

let model: ScreenModel | undefined;
let training: AbortController | undefined;

const post = (message: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

function currentModel(): ScreenModel {
  if (!model) throw new Error('no model is open: pick a screen first');
  return model;
}

function info(): ModelInfo {
  return { ...currentModel().info(), backend: getBackend(), threads: getNumThreads() };
}

/**
 * Each backend package is its own chunk, imported only when that backend is chosen (core's
 * setBackend uses the backends the app has imported). wasm also needs its .wasm files, which
 * Vite emits as assets: setWasmPaths points the backend at them.
 */
const backendPackages: Record<PickerBackend, () => Promise<unknown>> = {
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: async () => {
    const [{ setWasmPaths }, plain, simd, threaded] = await Promise.all([
      import('@tensorflow/tfjs-backend-wasm'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
    ]);
    setWasmPaths({
      'tfjs-backend-wasm.wasm': plain.default,
      'tfjs-backend-wasm-simd.wasm': simd.default,
      'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
    });
  },
};

type GpuAdapter = { info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null;

/** Whether each backend can run here, found without loading any backend package. */
async function probe(name: PickerBackend): Promise<BackendStatus> {
  switch (name) {
    case 'webgpu': {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapter> } }).gpu;
      if (!gpu) return { name, available: false, reason: 'this browser has no WebGPU (navigator.gpu)' };
      const adapter = await gpu.requestAdapter();
      if (!adapter) return { name, available: false, reason: 'no WebGPU adapter' };
      const software = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
      return { name, available: true, reason: software ? 'software adapter only: correct but slow' : undefined };
    }
    case 'webgl': {
      if (typeof OffscreenCanvas === 'undefined') return { name, available: false, reason: 'no OffscreenCanvas in workers' };
      const canvas = new OffscreenCanvas(1, 1);
      const context = canvas.getContext('webgl2');
      if (!context) return { name, available: false, reason: 'no WebGL2 context (GPU blocked or absent)' };
      context.getExtension('WEBGL_lose_context')?.loseContext();
      return { name, available: true };
    }
    case 'wasm':
      return typeof WebAssembly === 'object' ? { name, available: true } : { name, available: false, reason: 'no WebAssembly' };
    case 'cpu':
      return { name, available: true };
  }
}

let statuses: Promise<BackendStatus[]> | undefined;
const backendStatuses = () => (statuses ??= Promise.all(PICKER_BACKENDS.map(probe)));

/**
 * Selects a backend through core's setBackend. `'auto'` takes the first of webgpu (a hardware
 * adapter only, as core's own 'auto'), webgl, wasm, cpu that starts.
 */
async function selectBackend(name: PickerBackend | 'auto'): Promise<string> {
  if (name !== 'auto') {
    await backendPackages[name]();
    return setBackend(name);
  }
  for (const status of await backendStatuses()) {
    if (!status.available || (status.name === 'webgpu' && status.reason)) continue;
    try {
      await backendPackages[status.name]();
      return await setBackend(status.name);
    } catch {
      // try the next one
    }
  }
  await backendPackages.cpu();
  return setBackend('cpu');
}

async function handle(request: Request): Promise<unknown> {
  switch (request.type) {
    case 'backends':
      return backendStatuses();
    case 'setBackend':
      return selectBackend(request.name);
    case 'open': {
      model?.dispose();
      model = undefined;
      const factory = await factories[request.screen]();
      model = await factory({ weights: request.weights, baseUrl: request.baseUrl });
      return info();
    }
    case 'infer':
      return currentModel().infer(request.input, (data) => post({ event: 'token', data }));
    case 'train': {
      const target = currentModel();
      training = new AbortController();
      const started = performance.now();
      await target.train(request.steps, { signal: training.signal, report: (data) => post({ event: 'progress', data }) });
      training = undefined;
      return { ...info(), seconds: (performance.now() - started) / 1000 };
    }
    case 'stop':
      training?.abort();
      return null;
    case 'save':
      return currentModel().save();
    case 'load':
      await currentModel().load(request.bytes);
      return info();
  }
}

/** Requests run one at a time, in order; `stop` (and the abort that opening or switching implies) acts at once. */
let queue: Promise<unknown> = Promise.resolve();

self.addEventListener('message', (event: MessageEvent<Request & { id: number }>) => {
  const { id, ...request } = event.data;
  if (request.type === 'stop' || request.type === 'open' || request.type === 'setBackend') training?.abort();
  const run = async () => {
    try {
      const result = await handle(request as Request);
      post({ id, ok: true, result }, result instanceof Uint8Array ? [result.buffer] : []);
    } catch (error) {
      post({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  if (request.type === 'stop') void run();
  else queue = queue.then(run);
});
