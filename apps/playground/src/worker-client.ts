// The page's side of the worker protocol: promise-returning requests and event listeners.
import type { Request, TrainProgress, WorkerMessage } from './protocol';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** One worker for the whole page (see src/worker.ts). */
export class WorkerClient {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly progressListeners = new Set<(progress: TrainProgress) => void>();
  private readonly tokenListeners = new Set<(data: unknown) => void>();

  constructor() {
    this.start();
  }

  /**
   * Replaces the worker with a new one (a fresh tfjs engine). Switching backends does this: tensors
   * cached by a model package on the old backend would otherwise be moved between backends, which
   * tfjs 4.22 does not always survive (webgl -> webgpu loses the WebGPU device). Pending requests reject.
   */
  restart(): void {
    this.worker.terminate();
    for (const waiting of this.pending.values()) waiting.reject(new Error('the worker was restarted'));
    this.pending.clear();
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      if ('event' in message) {
        if (message.event === 'progress') this.progressListeners.forEach((listener) => listener(message.data));
        else this.tokenListeners.forEach((listener) => listener(message.data));
        return;
      }
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiting?.resolve(message.result);
      else waiting?.reject(new Error(message.error));
    });
  }

  /** Sends `request`; resolves with the worker's result or rejects with its error message. */
  call<Result = unknown>(request: Request, transfer: Transferable[] = []): Promise<Result> {
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  /** Calls `listener` with every training step; returns the unsubscribe function. */
  onProgress(listener: (progress: TrainProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Calls `listener` with every streamed inference piece (e.g. a generated character). */
  onToken(listener: (data: unknown) => void): () => void {
    this.tokenListeners.add(listener);
    return () => this.tokenListeners.delete(listener);
  }
}
