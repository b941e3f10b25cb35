import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, Linear, loadCheckpoint, saveCheckpoint } from '@tensorzoo/core';

describe('checkpoint files (Node)', () => {
  it('saves atomically and loads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-ckpt-'));
    const path = join(dir, 'model.safetensors');
    const model = new Linear(3, 2, { rng: 1 });
    await saveCheckpoint(path, model, { step: 12 });
    await saveCheckpoint(path, model, { step: 13 }); // overwrite in place
    expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temp files left
    const copy = new Linear(3, 2, { rng: 2 });
    expect((await loadCheckpoint(path, copy)).step).toBe(13);
    expect(Array.from(await copy.weight.data())).toEqual(Array.from(await model.weight.data()));
    [model, copy].forEach((m) => m.dispose());
  });

  it('names the file when it is garbage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-ckpt-'));
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, Buffer.from('{"not": "a safetensors file"}'));
    const model = new Linear(3, 2);
    const error = await loadCheckpoint(path, model).catch((e) => e);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error.code).toBe('header-too-large');
    expect(error.message.startsWith(`${path}: safetensors:`)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"not": "a safetensors file"}');
    model.dispose();
  });
});
