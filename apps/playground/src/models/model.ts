// What every screen's model offers the worker (one implementation per file in this folder).
import { fit, type FitOptions, type StepInfo } from '@tensorzoo/core';
import type { ModelInfo, TrainProgress } from '../protocol';

/** Given to {@link ScreenModel.train}. */
export interface TrainContext {
  /** Aborted by the Stop button; training ends at the next step. */
  signal: AbortSignal;
  /** Sends one step's numbers to the page. */
  report(progress: TrainProgress): void;
}

/** A screen's model living in the worker. */
export interface ScreenModel {
  /** Architecture, parameters and step (the backend is added by the worker). */
  info(): Omit<ModelInfo, 'backend' | 'threads'>;
  /** Runs the pretrained or trained model on the screen's input; `emit` streams partial results. */
  infer(input: unknown, emit: (data: unknown) => void): Promise<unknown>;
  /** Trains `steps` more steps (or until aborted), reporting each. */
  train(steps: number, context: TrainContext): Promise<void>;
  /** The weights, optimizer state and metadata as safetensors bytes. */
  save(): Promise<Uint8Array>;
  /** Loads safetensors bytes (from this app or from `tensorzoo train`). */
  load(bytes: Uint8Array): Promise<void>;
  dispose(): void;
}

/** Builds a screen's model: with the shipped pretrained weights, or fresh random ones. */
export type ModelFactory = (options: { weights: 'pretrained' | 'fresh'; baseUrl: string }) => Promise<ScreenModel>;

/** Fetches a static asset below `baseUrl` as bytes, with an error that names it. */
export async function fetchBytes(baseUrl: string, path: string): Promise<Uint8Array> {
  const url = new URL(path, baseUrl);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Yields to the worker's event loop so a Stop message is seen between steps. */
export const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** True for the error `fit`/`GANTrainer` throw when their AbortSignal fires. */
export function isAbort(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'aborted';
}

/**
 * Checkpoint metadata keys shared with `tensorzoo train` / `tensorzoo sample` (packages/cli/src/sample.ts),
 * so files move between the CLI and the app both ways.
 */
export const METADATA_KEYS = Object.freeze({
  model: 'tensorzoo.model',
  tokenizer: 'tensorzoo.tokenizer',
  generation: 'tensorzoo.generation',
} as const);

/** `{ 'tensorzoo.model': '{"architecture": ..., "config": ...}' }`. */
export function modelMetadata(architecture: string, config: unknown): Record<string, string> {
  return { [METADATA_KEYS.model]: JSON.stringify({ architecture, config }) };
}

/**
 * `fit` as every screen trains: each step is reported to the page (`progress` builds the report),
 * the worker yields between steps so Stop is seen, and Stop ends training quietly.
 */
export async function fitWithProgress(
  model: Parameters<typeof fit>[0],
  data: Parameters<typeof fit>[1],
  options: Omit<FitOptions, 'signal' | 'onStep'>,
  context: TrainContext,
  progress: (info: StepInfo) => TrainProgress | Promise<TrainProgress>,
): Promise<void> {
  try {
    await fit(model, data, {
      ...options,
      signal: context.signal,
      onStep: async (info) => {
        context.report(await progress(info));
        await yieldToEvents();
      },
    });
  } catch (error) {
    if (!isAbort(error)) throw error;
  }
}
