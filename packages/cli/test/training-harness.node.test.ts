// The training harness's checkpoint writes: the first finished epoch at once, then at most
// once a second, the last epoch at the end, and the last finished epoch when the run stops.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TrainingError } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import type { CustomTraining } from '../src/example';
import { runTraining, type TrainingRun } from '../src/training-harness';
import { temporaryFolders } from './temporary-folders';

const folder = temporaryFolders();

/** A fake training whose checkpoint is the text `epoch <n>`; `during(epoch)` runs inside each epoch. */
function fakeTraining(during: (epoch: number) => Promise<void> | void = () => {}): CustomTraining {
  return {
    async trainEpoch(epoch) {
      await during(epoch);
      return { loss: 10 - epoch, steps: (epoch + 1) * 3 };
    },
    save: async ({ epoch }) => new TextEncoder().encode(`epoch ${epoch}`),
    load: async () => 0,
  };
}

async function setup(epochs = 5, signal?: AbortSignal): Promise<TrainingRun> {
  const checkpoint = join(await folder(), 'checkpoint.safetensors');
  return { example: 'fake', seed: 0, hyperparameters: {}, epochs, checkpoint, progress: 'none', signal };
}

const onDisk = (path: string) => readFile(path, 'utf8').catch(() => 'missing');

describe('runTraining checkpoints', () => {
  it.each([
    [Number.POSITIVE_INFINITY, ['missing', 'epoch 1', 'epoch 1', 'epoch 1', 'epoch 1']],
    [0, ['missing', 'epoch 1', 'epoch 2', 'epoch 3', 'epoch 4']],
  ])('interval %s ms: the first epoch is written at once, later ones when due, the last one at the end', async (interval, expected) => {
    const seen: string[] = [];
    const run = { ...(await setup(5)), checkpointIntervalMs: interval };
    const history = await runTraining(fakeTraining(async () => void seen.push(await onDisk(run.checkpoint))), run);
    expect(seen).toEqual(expected); // what the checkpoint held when each epoch started
    expect(await onDisk(run.checkpoint)).toBe('epoch 5');
    expect(history).toMatchObject({ loss: [10, 9, 8, 7, 6], steps: 15 });
  });

  it('on abort writes the last finished epoch and says how to resume', async () => {
    const controller = new AbortController();
    const run = await setup(5, controller.signal);
    const training = fakeTraining((epoch) => {
      if (epoch === 2) {
        controller.abort(new Error('Ctrl-C'));
        throw new TrainingError('aborted', 'fit: aborted at step 7 (epoch 2).');
      }
    });
    const failure = runTraining(training, run);
    await expect(failure).rejects.toMatchObject({ name: 'TrainingError', code: 'aborted' });
    await expect(failure).rejects.toThrow(`fake: stopped during epoch 3 of 5; ${run.checkpoint} holds the state after epoch 2: continue with --resume ${run.checkpoint}.`);
    expect(await onDisk(run.checkpoint)).toBe('epoch 2');
  });

  it('on any other error writes the last finished epoch and rethrows the error unchanged', async () => {
    const run = await setup(5);
    const broken = new TrainingError('non-finite-loss', 'fit: loss is NaN at step 8; parameters were not updated.');
    await expect(runTraining(fakeTraining((epoch) => { if (epoch === 2) throw broken; }), run)).rejects.toBe(broken);
    expect(await onDisk(run.checkpoint)).toBe('epoch 2');
    expect((await readdir(join(run.checkpoint, '..'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('an abort before the first epoch ends writes nothing and names the checkpoint resumed from', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await setup(5, controller.signal);
    await expect(runTraining(fakeTraining(), run)).rejects.toThrow('fake: stopped during epoch 1 of 5 before finishing an epoch, so no checkpoint was written.');
    await expect(stat(run.checkpoint)).rejects.toThrow(/ENOENT/);
    const resumed = { ...run, resume: { path: '/runs/old/checkpoint.safetensors', bytes: new Uint8Array(), seed: 0, hyperparameters: {}, loss: [3, 2], valLoss: [] } };
    const training = { ...fakeTraining(), load: async () => 2 };
    await expect(runTraining(training, resumed)).rejects.toThrow(
      'fake: stopped during epoch 3 of 5 before finishing an epoch; /runs/old/checkpoint.safetensors still holds epoch 2: continue with --resume /runs/old/checkpoint.safetensors.',
    );
  });
});
