import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError, Linear, deleteStoredModel, encodeModel, loadModel, saveModel } from '@tensorzoo/core';

async function expectSameOutputs(actual: Linear, expected: Linear): Promise<void> {
  const input = tf.tensor2d([[1, -2, 0.5]]);
  const [a, b] = [actual.call(input), expected.call(input)];
  expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
  tf.dispose([input, a, b]);
}

async function errorOf(promise: Promise<unknown>): Promise<CheckpointError> {
  try {
    await promise;
  } catch (error) {
    return error as CheckpointError;
  }
  throw new Error('expected the promise to reject');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('saveModel / loadModel in the browser', () => {
  it('round-trips through IndexedDB, overwrites, and deletes', async () => {
    const first = new Linear(3, 2, { rng: 1 });
    const second = new Linear(3, 2, { rng: 2 });
    await saveModel(first, 'indexeddb://model-io-test');
    const loaded = await loadModel<Linear>('indexeddb://model-io-test', { models: [Linear] });
    await expectSameOutputs(loaded, first);

    await saveModel(second, 'indexeddb://model-io-test');
    const replaced = await loadModel<Linear>('indexeddb://model-io-test', { models: [Linear] });
    await expectSameOutputs(replaced, second);

    expect(await deleteStoredModel('indexeddb://model-io-test')).toBe(true);
    expect(await deleteStoredModel('indexeddb://model-io-test')).toBe(false);
    const error = await errorOf(loadModel('indexeddb://model-io-test', { models: [Linear] }));
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(
      `loadModel: no model is stored under "indexeddb://model-io-test"; save one with saveModel(model, 'indexeddb://model-io-test').`,
    );
    for (const model of [first, second, loaded, replaced]) model.dispose();
  });

  it('downloads the file through a link with the given file name', async () => {
    const model = new Linear(3, 2, { rng: 3 });
    let clicked: { download: string; bytes: Promise<ArrayBuffer> } | undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      // Read the blob before saveModel revokes its URL.
      clicked = { download: this.download, bytes: fetch(this.href).then((response) => response.arrayBuffer()) };
    });
    await saveModel(model, 'download://linear.safetensors');
    expect(clicked?.download).toBe('linear.safetensors');
    const bytes = new Uint8Array(await clicked!.bytes);
    expect(bytes).toEqual(await encodeModel(model));
    expect(document.querySelectorAll('a[download]').length).toBe(0);
    const copy = await loadModel<Linear>(new File([bytes], 'linear.safetensors'), { models: [Linear] });
    await expectSameOutputs(copy, model);
    model.dispose();
    copy.dispose();
  });

  it('fetches a relative or blob URL string', async () => {
    const model = new Linear(3, 2, { rng: 4 });
    const url = URL.createObjectURL(new Blob([(await encodeModel(model)).slice().buffer]));
    const copy = await loadModel<Linear>(url, { models: [Linear] });
    await expectSameOutputs(copy, model);
    URL.revokeObjectURL(url);
    const missing = await errorOf(loadModel('/no-such-model.safetensors', { models: [Linear] }));
    expect(missing.code).toBe('fetch-failed');
    model.dispose();
    copy.dispose();
  });
});
