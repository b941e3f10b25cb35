import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, CheckpointError, Linear, MODEL_METADATA_KEY, encodeModel, loadModel, parseSafetensorsHeader, saveModel } from '@tensorzoo/core';

let folder: string;
let server: Server;
let baseUrl: string;
const served = new Map<string, Uint8Array>();

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tensorzoo-model-io-'));
  server = createServer((request, response) => {
    const body = served.get(request.url ?? '');
    if (!body) {
      response.writeHead(404, 'Not Found').end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(folder, { recursive: true, force: true });
});

async function errorOf(promise: Promise<unknown>): Promise<CheckpointError> {
  try {
    await promise;
  } catch (error) {
    return error as CheckpointError;
  }
  throw new Error('expected the promise to reject');
}

async function expectSameOutputs(actual: Linear, expected: Linear): Promise<void> {
  const input = tf.tensor2d([[1, -2, 0.5]]);
  const [a, b] = [actual.call(input), expected.call(input)];
  expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
  tf.dispose([input, a, b]);
}

describe('saveModel / loadModel in Node', () => {
  it('writes a file atomically (no temp file left) and loads it back from the path', async () => {
    const model = new Linear(3, 2, { rng: 5 });
    const path = join(folder, 'linear.safetensors');
    await saveModel(model, path, { step: 7 });
    expect(await readdir(folder)).toEqual(['linear.safetensors']);
    const bytes = new Uint8Array(await readFile(path));
    expect(bytes).toEqual(await encodeModel(model, { step: 7 }));
    expect(JSON.parse(parseSafetensorsHeader(bytes).metadata[MODEL_METADATA_KEY])).toEqual({ name: 'Linear', config: { inFeatures: 3, outFeatures: 2, bias: true } });
    const copy = await loadModel<Linear>(path, { models: [Linear] });
    expect(copy).toBeInstanceOf(Linear);
    await expectSameOutputs(copy, model);
    const fromFileUrl = await loadModel<Linear>(pathToFileURL(path), { models: [Linear] });
    await expectSameOutputs(fromFileUrl, model);
    fromFileUrl.dispose();
    model.dispose();
    copy.dispose();
  });

  it('loads from an http URL string and a URL object', async () => {
    const model = new Linear(3, 4, { bias: false, rng: 6 });
    served.set('/models/linear.safetensors', await encodeModel(model));
    for (const source of [`${baseUrl}/models/linear.safetensors`, new URL('/models/linear.safetensors', baseUrl)]) {
      const copy = await loadModel<Linear>(source, { models: [Linear] });
      expect(copy.bias).toBeUndefined();
      await expectSameOutputs(copy, model);
      copy.dispose();
    }
    model.dispose();
  });

  it('an HTTP error is a CheckpointError naming the URL and status', async () => {
    const url = `${baseUrl}/missing.safetensors`;
    const error = await errorOf(loadModel(url, { models: [Linear] }));
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error.code).toBe('fetch-failed');
    expect(error.message).toBe(`loadModel: fetching ${url} failed with HTTP 404 Not Found.`);
  });

  it('errors from a file name the file', async () => {
    const path = join(folder, 'plain.safetensors');
    const { saveCheckpoint } = await import('@tensorzoo/core');
    const model = new Linear(1, 1, { rng: 0 });
    await saveCheckpoint(path, model);
    const error = await errorOf(loadModel(path, { models: [Linear] }));
    expect(error.code).toBe('missing-model-metadata');
    expect(error.message.startsWith(`${path}: loadModel: the checkpoint has no "tensorzoo.architecture" metadata`)).toBe(true);
    model.dispose();
  });

  it('IndexedDB and downloads say they need a browser', async () => {
    const model = new Linear(1, 1, { rng: 0 });
    const download = await errorOf(saveModel(model, 'download://linear.safetensors'));
    expect(ArgumentError.isInstance(download)).toBe(true);
    expect(download.message).toBe('saveModel: "download://linear.safetensors" needs a browser page (document); in Node save to a file path.');
    const stored = await errorOf(loadModel('indexeddb://linear', { models: [Linear] }));
    expect(stored.code).toBe('no-indexeddb');
    expect(stored.message).toBe('loadModel: IndexedDB is not available in this environment (Node?); use a file path instead.');
    model.dispose();
  });
});
