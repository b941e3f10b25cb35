// Interrupting the real `tensorzoo` process (issue 10 item 7): Ctrl-C part-way leaves a
// checkpoint that resumes bit-exactly, and kill -9 during a save leaves the previous
// checkpoint loadable (the next save removes the dead writer's temp file).
//
// These tests run the BUILT code as child processes (dist/bin.cjs, and @tensorzoo/core's
// dist through fixtures/save-checkpoints.mjs), as a user would: build first with
// `pnpm turbo run build --filter=@tensorzoo/cli...` (`pnpm test` does).
import { spawn, type ChildProcess } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSafetensors, readFileBytes, tempFilePattern } from '@tensorzoo/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryFolders } from './temporary-folders';

const folder = temporaryFolders();
const bin = fileURLToPath(new URL('../dist/bin.cjs', import.meta.url));
const saver = fileURLToPath(new URL('./fixtures/save-checkpoints.mjs', import.meta.url));

beforeAll(async () => {
  await access(bin).catch(() => {
    throw new Error(`${bin} is missing: build the CLI first with "pnpm turbo run build --filter=@tensorzoo/cli...".`);
  });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `node <args>`; `whenOutput(text, child)` sees the stdout so far after every chunk.
 * Resolves when the process ends.
 */
function run(args: string[], whenOutput?: (stdout: string, child: ChildProcess) => void): Promise<Exit> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    whenOutput?.(stdout, child);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const train = (...args: string[]) => [bin, 'train', 'regression', '--backend', 'cpu', ...args];

describe('tensorzoo train interrupted by Ctrl-C', () => {
  it('saves the last finished epoch, exits with 130, and --resume matches an uninterrupted run bit for bit', async () => {
    const [interrupted, resumed, straight] = [await folder(), await folder(), await folder()];
    // Far more epochs than it gets to: SIGINT goes out as soon as the first epoch is reported.
    let sent = false;
    const stopped = await run(train('--epochs', '1000', '--seed', '3', '--out', interrupted), (stdout, child) => {
      if (!sent && /epoch +1\/1000/.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(stopped.code).toBe(130);
    const checkpoint = join(interrupted, 'checkpoint.safetensors');
    const match = new RegExp(
      `^\\ninterrupted \\(SIGINT\\)\\. regression: stopped during epoch (\\d+) of 1000; ${checkpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds the state after epoch (\\d+): continue with --resume `,
    ).exec(stopped.stderr);
    expect(match, stopped.stderr).not.toBeNull();
    const savedEpoch = Number(match![2]);
    expect(savedEpoch).toBe(Number(match![1]) - 1);
    expect(savedEpoch).toBeGreaterThanOrEqual(1);
    expect(savedEpoch).toBeLessThan(1000);
    expect((await readdir(interrupted)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    // Two more epochs from the checkpoint vs. the same total in one go (the seed comes from the checkpoint).
    const total = String(savedEpoch + 2);
    const [continued, reference] = await Promise.all([
      run(train('--epochs', total, '--out', resumed, '--resume', checkpoint)),
      run(train('--epochs', total, '--seed', '3', '--out', straight)),
    ]);
    expect(continued.code, continued.stderr).toBe(0);
    expect(reference.code, reference.stderr).toBe(0);
    const history = async (dir: string) => JSON.parse(await readFile(join(dir, 'history.json'), 'utf8')) as { loss: number[]; valLoss: number[]; steps: number };
    const [after, expected] = [await history(resumed), await history(straight)];
    expect(after.loss).toHaveLength(savedEpoch + 2);
    expect(after.loss).toEqual(expected.loss);
    expect(after.valLoss).toEqual(expected.valLoss);
    expect(after.steps).toBe(expected.steps);
    const bytes = (dir: string) => readFile(join(dir, 'checkpoint.safetensors'));
    expect(Buffer.compare(await bytes(resumed), await bytes(straight))).toBe(0); // weights, optimizer, generator, history
  });
});

describe('kill -9 during a checkpoint save', () => {
  it('leaves the previous checkpoint complete and loadable; the next save removes the dead temp file', async () => {
    const directory = await folder();
    const path = join(directory, 'checkpoint.safetensors');
    const pattern = tempFilePattern('checkpoint.safetensors');
    // 8 MB saves: the temp file exists for a good part of every save. Kill as soon as one is
    // seen after at least one complete save.
    let killed = false;
    const watch = async (child: ChildProcess) => {
      while (!killed) {
        if ((await readdir(directory)).some((name) => pattern.test(name))) {
          killed = true;
          child.kill('SIGKILL');
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    let watching: Promise<void> | undefined;
    const exit = await run([saver, path, '8', 'forever'], (stdout, child) => {
      if (!watching && stdout.includes('saved 1\n')) watching = watch(child);
    });
    await watching;
    expect(exit.signal).toBe('SIGKILL');
    const saved = Math.max(...[...exit.stdout.matchAll(/saved (\d+)/g)].map((found) => Number(found[1])));
    const left = (await readdir(directory)).filter((name) => pattern.test(name));
    expect(left).toHaveLength(1); // the killed save's temp file

    // The target is the last complete save (or, if the kill landed after the rename but before
    // "saved" was printed, the one after it): whole, never torn.
    const { tensors, metadata } = decodeSafetensors(await readFileBytes(path));
    const version = Number(metadata.version);
    expect([saved, saved + 1]).toContain(version);
    const data = tensors.weight.data as Float32Array;
    expect(data.length).toBe(8 * 262144);
    expect(data.every((value) => value === version)).toBe(true);

    // A new process saves again: its save removes the stale temp file (older than its start).
    const next = await run([saver, path, '1', 'once', '1000']);
    expect(next.code, next.stderr).toBe(0);
    expect(await readdir(directory)).toEqual(['checkpoint.safetensors']);
    expect(decodeSafetensors(await readFileBytes(path)).metadata.version).toBe('1000');
  });
});
