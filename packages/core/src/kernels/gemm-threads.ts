/**
 * Worker threads for the WebAssembly matrix product (simd-gemm.ts): the product's panels
 * (column blocks) or row tiles are split between the calling thread and up to 7 workers that
 * run the same compiled module on the same shared memory, so every kernel built on the GEMM
 * (`BatchMatMul`, the Linear and convolution kernels, on `cpu` and `wasm`) uses several
 * cores. Each element of `C` is still computed by exactly one thread in the same order, so
 * the results are bit-identical for every thread count.
 *
 * Off by default (one thread, no workers); {@link setNumThreads} turns it on. Needs
 * `SharedArrayBuffer` and shared WebAssembly memory, and a way to start a worker:
 * - Node: `worker_threads`, found with `process.getBuiltinModule` (Node 20.16+), so no
 *   bundler sees an import of a Node module;
 * - browsers: a `Worker` from a `blob:` URL, only where the page is cross-origin isolated
 *   (`crossOriginIsolated`, the COOP/COEP headers) and the content security policy allows
 *   `blob:` workers.
 *
 * Protocol, on an `Int32Array` over a `SharedArrayBuffer` (not the wasm memory, which may
 * grow): the caller writes a product's arguments and cuts its panels (or row tiles) into a
 * few chunks, then bumps `SEQUENCE` and wakes the workers (`Atomics.notify`). Every thread,
 * the caller included, takes the next chunk with a compare-and-swap on `COUNTER` (tagged with
 * the product's sequence number, so a worker that wakes late never takes a chunk of the next
 * product) until none is left, and counts the chunks it finished in `COMPLETED`; the caller
 * returns when all are done. A worker that is slow to wake (another process has the core)
 * costs nothing: the caller takes its chunks. Idle workers spin briefly, then block in
 * `Atomics.wait`; so does a waiting caller, except on a browser's main thread, which may not
 * block and keeps spinning. Workers are unreferenced in Node: an idle pool never keeps a
 * process alive.
 * @internal
 * @packageDocumentation
 */

/** Control block slots: the product's sequence number, chunk counter, finished chunks, failure flag, function, its 9 arguments, units, chunks, split; then one readiness flag per worker. */
const SEQUENCE = 0, COUNTER = 1, COMPLETED = 2, FAILED = 3, FUNCTION = 4, ARGUMENTS = 5, UNITS = 14, CHUNKS = 15, BY_PANELS = 16, READY = 17;
/** `FUNCTION` value that ends the workers' loops. */
const STOP = -1;
/** Spins of an idle worker before it blocks (catches back-to-back products). */
const WORKER_SPINS = 4000;
/** Spins of a waiting caller before it blocks. */
const CALLER_SPINS = 20000;

/** The most threads {@link setNumThreads} accepts (one caller plus 7 workers). */
export const MAX_THREADS = 8;

/**
 * Takes and runs chunks of the current product until none is left (the same code runs in the
 * workers, from its source text, and in the caller). Chunk `index` of `chunks` covers units
 * `[⌊units·index/chunks⌉, ⌊units·(index+1)/chunks⌉)`: panels of 8 columns, or row tiles of 4.
 * Slots are literals here (1 `COUNTER`, 2 `COMPLETED`, 3 `FAILED`, 4 `FUNCTION`, 5-13
 * `ARGUMENTS`, 14 `UNITS`, 15 `CHUNKS`, 16 `BY_PANELS`): the workers run this function's source.
 */
function takeChunks(control: Int32Array, sequence: number, products: ReadonlyArray<(...args: number[]) => void>): number {
  const tag = (sequence & 0x7fff) << 16;
  let taken = 0;
  for (;;) {
    const counter = Atomics.load(control, 1);
    if ((counter & ~0xffff) !== tag) return taken; // a later product: not ours to take
    const index = counter & 0xffff;
    const chunks = control[15];
    if (index >= chunks) return taken;
    if (Atomics.compareExchange(control, 1, counter, counter + 1) !== counter) continue;
    taken++;
    const units = control[14];
    const product = products[control[4]]; // read after taking the chunk: this product's loop order
    const from = Math.round((units * index) / chunks), to = Math.round((units * (index + 1)) / chunks);
    const a = control[5], aRowStride = control[6], aDepthStride = control[7], b = control[8], c = control[9], ldc = control[10], rows = control[11], panels = control[12], depth = control[13];
    try {
      if (control[16] === 1) product(a, aRowStride, aDepthStride, b + from * depth * 32, c + from * 32, ldc, rows, to - from, depth);
      else product(a + 4 * from * aRowStride, aRowStride, aDepthStride, b, c + 4 * from * ldc, ldc, 4 * (to - from), panels, depth);
    } catch {
      Atomics.store(control, 3, 1);
    }
    if (Atomics.add(control, 2, 1) + 1 === chunks) Atomics.notify(control, 2);
  }
}

/** The body each worker runs: instantiate the shared module, then take chunks of each product until told to stop. */
const WORKER_LOOP = `
const takeChunks = ${takeChunks.toString()};
function serve({ module, memory, control, index }) {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const products = [exports.gemm, exports.gemm_panels, exports.gemm_store, exports.gemm_panels_store];
  let seen = 0;
  Atomics.store(control, ${READY} + index, 1);
  for (;;) {
    for (let spins = 0; Atomics.load(control, ${SEQUENCE}) === seen && spins < ${WORKER_SPINS}; spins++) {}
    Atomics.wait(control, ${SEQUENCE}, seen);
    const sequence = Atomics.load(control, ${SEQUENCE});
    if (sequence === seen) continue;
    seen = sequence;
    const which = control[${FUNCTION}];
    if (which === ${STOP}) return;
    if (which >= 0 && which <= 3) takeChunks(control, sequence, products);
  }
}
`;

/** A started worker, however the platform starts it. */
interface WorkerHandle {
  terminate(): void;
}

/** What a pool needs from the platform: a way to start a worker running {@link WORKER_LOOP}. */
type WorkerStarter = (data: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: Int32Array; index: number }) => WorkerHandle;

/** The product function's signature (byte addresses; see simd-gemm.ts). */
export type ProductFunction = (a: number, aRowStride: number, aDepthStride: number, b: number, c: number, ldc: number, rows: number, panels: number, depth: number) => void;

/**
 * Why TensorZoo's matrix products cannot use worker threads here, or `undefined` when they
 * can (see `setNumThreads`): no `SharedArrayBuffer` (a browser page that is not cross-origin
 * isolated), no WebAssembly, or no way to start a worker (Node before 20.16).
 * @example
 * ```ts
 * import { threadsUnavailableReason } from '@tensorzoo/core';
 * threadsUnavailableReason(); // undefined on Node 20.16+
 * ```
 */
export function threadsUnavailableReason(): string | undefined {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return 'SharedArrayBuffer and Atomics are unavailable (in a browser, the page must be cross-origin isolated)';
  if (typeof WebAssembly !== 'object') return 'WebAssembly is unavailable';
  if (workerStarter() === undefined) {
    return isNode()
      ? `worker_threads is unreachable (process.getBuiltinModule needs Node 20.16 or later; this is ${nodeVersion()})`
      : 'Worker is unavailable, or the page is not cross-origin isolated (COOP/COEP headers)';
  }
  return undefined;
}

function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === 'string';
}

function nodeVersion(): string {
  return `Node ${(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ?? '?'}`;
}

let starter: WorkerStarter | null | undefined;

/** How to start a worker on this platform, or `undefined` where none can be started. */
function workerStarter(): WorkerStarter | undefined {
  if (starter === undefined) starter = findWorkerStarter() ?? null;
  return starter ?? undefined;
}

function findWorkerStarter(): WorkerStarter | undefined {
  if (isNode()) {
    const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
    const threads = process?.getBuiltinModule?.('node:worker_threads') as
      | { Worker: new (code: string, options: { eval: true; workerData: unknown }) => WorkerHandle & { unref(): void } }
      | undefined;
    if (!threads?.Worker) return undefined;
    return (data) => {
      const worker = new threads.Worker(`${WORKER_LOOP}\nserve(require('node:worker_threads').workerData);`, { eval: true, workerData: data });
      worker.unref();
      return worker;
    };
  }
  const scope = globalThis as { Worker?: new (url: string) => WorkerHandle & { postMessage(data: unknown): void }; crossOriginIsolated?: boolean; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof scope.Worker !== 'function' || scope.crossOriginIsolated !== true || !scope.Blob || !scope.URL?.createObjectURL) return undefined;
  return (data) => {
    const url = scope.URL!.createObjectURL(new scope.Blob!([`${WORKER_LOOP}\nonmessage = (event) => serve(event.data);`], { type: 'text/javascript' }));
    const worker = new scope.Worker!(url);
    worker.postMessage(data);
    return worker;
  };
}

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
let mayBlock: boolean | undefined;
function canBlock(): boolean {
  if (mayBlock === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      mayBlock = true;
    } catch {
      mayBlock = false;
    }
  }
  return mayBlock;
}

/** Products below this many multiply-adds (2 M: ~50-100 µs on one thread) stay on one thread: waking a worker costs ~10-50 µs (a GPT generating token by token was 16% slower with 512 K). */
export const PARALLEL_MIN_WORK = 1 << 21;

/** Chunks per thread: small enough that a late or slower thread's share is taken by the others. */
const CHUNKS_PER_THREAD = 4;

/**
 * A pool of workers sharing one WebAssembly memory with the caller.
 * @internal
 */
export class GemmThreadPool {
  readonly #control: Int32Array;
  readonly #workers: WorkerHandle[] = [];
  #sequence = 0;
  readonly #activity = { products: 0, chunks: 0, chunksByWorkers: 0 };

  /**
   * @param module the compiled product module, importing `env.memory`.
   * @param memory the shared memory both the caller's instance and the workers' use.
   * @param workers how many workers to start (threads minus the caller).
   */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, workers: number) {
    const start = workerStarter();
    if (!start) throw new Error(`GemmThreadPool: ${threadsUnavailableReason()}`);
    this.#control = new Int32Array(new SharedArrayBuffer((READY + workers) * 4));
    for (let index = 0; index < workers; index++) this.#workers.push(start({ module, memory, control: this.#control, index }));
  }

  /** Workers that have started their loop (only they take chunks). */
  readyWorkers(): number {
    let ready = 0;
    for (let index = 0; index < this.#workers.length; index++) ready += Atomics.load(this.#control, READY + index);
    return ready;
  }

  /**
   * Runs product `which` (0: `gemm`, 1: `gemm_panels`, 2: `gemm_store`, 3: `gemm_panels_store`; `locals`: the caller's instances) in
   * chunks of panels when there are enough of them, else of row tiles of 4, taken by the
   * caller and the workers; small products run on the caller alone.
   */
  run(which: 0 | 1 | 2 | 3, locals: readonly [ProductFunction, ProductFunction, ProductFunction, ProductFunction], a: number, aRowStride: number, aDepthStride: number, b: number, c: number, ldc: number, rows: number, panels: number, depth: number): void {
    const threads = rows * panels * 8 * depth >= PARALLEL_MIN_WORK ? 1 + this.readyWorkers() : 1;
    const tiles = rows / 4;
    const byPanels = panels >= 2 * threads || panels >= tiles;
    const units = byPanels ? panels : tiles;
    const chunks = Math.min(units, CHUNKS_PER_THREAD * threads);
    if (threads <= 1 || chunks <= 1) {
      locals[which](a, aRowStride, aDepthStride, b, c, ldc, rows, panels, depth);
      return;
    }
    const control = this.#control;
    const sequence = (this.#sequence = (this.#sequence + 1) & 0x7fff || 1);
    control[FUNCTION] = which;
    control.set([a, aRowStride, aDepthStride, b, c, ldc, rows, panels, depth, units, chunks, byPanels ? 1 : 0], ARGUMENTS);
    Atomics.store(control, COMPLETED, 0);
    Atomics.store(control, FAILED, 0);
    Atomics.store(control, COUNTER, sequence << 16);
    Atomics.store(control, SEQUENCE, sequence);
    Atomics.notify(control, SEQUENCE);
    const taken = takeChunks(control, sequence, locals);
    this.#awaitChunks(chunks);
    this.#activity.products++;
    this.#activity.chunks += chunks;
    this.#activity.chunksByWorkers += chunks - taken;
    if (Atomics.load(control, FAILED) !== 0) throw new Error('GemmThreadPool: a chunk of the matrix product failed (out-of-bounds memory access?)');
  }

  #awaitChunks(chunks: number): void {
    const control = this.#control;
    for (let spins = 0; spins < CALLER_SPINS; spins++) if (Atomics.load(control, COMPLETED) === chunks) return;
    const block = canBlock();
    for (let done = Atomics.load(control, COMPLETED); done !== chunks; done = Atomics.load(control, COMPLETED)) {
      if (block) Atomics.wait(control, COMPLETED, done, 1000);
    }
  }

  /** Products split so far, their chunks, and how many of those the workers took (tests, diagnostics). */
  activity(): { products: number; chunks: number; chunksByWorkers: number } {
    return { ...this.#activity };
  }

  /** Stops and discards the workers. */
  terminate(): void {
    this.#control[FUNCTION] = STOP;
    Atomics.store(this.#control, SEQUENCE, (this.#sequence = (this.#sequence + 1) & 0x7fff || 1));
    Atomics.notify(this.#control, SEQUENCE);
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
  }
}
