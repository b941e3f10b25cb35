import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileBytes, tempFilePattern, writeFileAtomic } from '../src/atomic-write';
import { decodeSafetensors, encodeSafetensors } from '../src/safetensors';

/** Which step of writeFileAtomic should fail next (set per test, cleared after each). */
const faults = vi.hoisted(() => ({ step: undefined as 'open' | 'write' | 'sync' | 'rename' | undefined }));

// Wraps the real module so a test can make one step fail; every other call is the real one.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const injected = (step: string) => Object.assign(new Error(`injected ${step} failure`), { code: 'EIO' });
  const open: typeof actual.open = async (...args) => {
    if (faults.step === 'open') throw injected('open');
    const handle = await actual.open(...args);
    if (faults.step === 'write') {
      // Write half the bytes, then fail, as a full disk would.
      handle.writeFile = async (data) => {
        await actual.writeFile(args[0], (data as Uint8Array).subarray(0, (data as Uint8Array).length >> 1));
        throw injected('write');
      };
    }
    if (faults.step === 'sync') handle.sync = async () => Promise.reject(injected('sync'));
    return handle;
  };
  const rename: typeof actual.rename = async (...args) => {
    if (faults.step === 'rename') throw injected('rename');
    return actual.rename(...args);
  };
  const mocked = { ...actual, open, rename };
  return { ...mocked, default: mocked };
});

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tensorzoo-atomic-'));
});
afterEach(async () => {
  faults.step = undefined;
  await rm(directory, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an existing one', async () => {
    const path = join(directory, 'model.safetensors');
    const first = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    await writeFileAtomic(path, first);
    expect(new Uint8Array(await readFile(path))).toEqual(first);

    const second = encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array([3, 4, 5]) } }, { step: '7' });
    await writeFileAtomic(path, second);
    const read = await readFileBytes(path);
    expect(Object.prototype.toString.call(read)).toBe('[object Uint8Array]');
    expect(read).toEqual(second);
    expect(decodeSafetensors(read).metadata).toEqual({ step: '7' });
    expect(await readdir(directory)).toEqual(['model.safetensors']);
  });

  it('writes empty and large files', async () => {
    const path = join(directory, 'blob.bin');
    await writeFileAtomic(path, new Uint8Array(0));
    expect((await stat(path)).size).toBe(0);
    const large = new Uint8Array(8 * 1024 * 1024 + 3).map((_, index) => index * 31);
    await writeFileAtomic(path, large);
    // Buffer.equals: a deep toEqual over 8 M elements takes minutes.
    expect(Buffer.from(await readFileBytes(path)).equals(large)).toBe(true);
  });

  it.each(['open', 'write', 'sync', 'rename'] as const)(
    'leaves the old file byte-identical and no temp file when %s fails',
    async (step) => {
      const path = join(directory, 'model.safetensors');
      const old = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await writeFile(path, old);
      faults.step = step;
      await expect(writeFileAtomic(path, new Uint8Array(1024).fill(7))).rejects.toThrow(`injected ${step} failure`);
      faults.step = undefined;
      expect(new Uint8Array(await readFile(path))).toEqual(old);
      expect(await readdir(directory)).toEqual(['model.safetensors']);
    },
  );

  it('leaves no file behind when a first write fails', async () => {
    faults.step = 'sync';
    await expect(writeFileAtomic(join(directory, 'new.bin'), new Uint8Array(4))).rejects.toMatchObject({ code: 'EIO' });
    expect(await readdir(directory)).toEqual([]);
  });

  it('fails with the Node error when the directory does not exist, creating nothing', async () => {
    await expect(writeFileAtomic(join(directory, 'missing', 'model.safetensors'), new Uint8Array(4))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(directory)).toEqual([]);
  });

  it('keeps the permission bits of the file it replaces', async () => {
    const path = join(directory, 'model.safetensors');
    await writeFile(path, new Uint8Array(1));
    await chmod(path, 0o640);
    await writeFileAtomic(path, new Uint8Array(2));
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('replaces the target of a symbolic link and keeps the link', async () => {
    const real = join(directory, 'real.safetensors');
    const link = join(directory, 'latest.safetensors');
    await writeFile(real, new Uint8Array([1]));
    await symlink(real, link);
    await writeFileAtomic(link, new Uint8Array([2, 3]));
    expect(new Uint8Array(await readFile(real))).toEqual(new Uint8Array([2, 3]));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readdir(directory)).sort()).toEqual(['latest.safetensors', 'real.safetensors']);
  });
});

describe('stale temp files', () => {
  it('removes only temp files of the same target last modified before this process started', async () => {
    const path = join(directory, 'model.safetensors');
    const hex = (digit: string) => digit.repeat(16);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    const names = {
      stale: `.model.safetensors.${hex('a')}.tmp`, // a killed write of an earlier process
      live: `.model.safetensors.${hex('b')}.tmp`, // being written now (modified after we started)
      otherTarget: `.other.safetensors.${hex('c')}.tmp`,
      notHex: '.model.safetensors.xyzxyzxyzxyzxyzx.tmp',
      shortHex: `.model.safetensors.${'d'.repeat(8)}.tmp`,
      similar: `.model.safetensors.${hex('e')}.tmp.bak`,
    };
    for (const name of Object.values(names)) await writeFile(join(directory, name), 'partial');
    for (const name of [names.stale, names.otherTarget, names.notHex, names.shortHex, names.similar]) await utimes(join(directory, name), longAgo, longAgo);
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    const left = (await readdir(directory)).sort();
    expect(left).toEqual([names.live, names.notHex, names.otherTarget, names.shortHex, names.similar, 'model.safetensors'].sort());
  });

  it('tempFilePattern matches exactly the names writeFileAtomic uses', () => {
    const pattern = tempFilePattern('a+b (1).bin');
    expect(pattern.test('.a+b (1).bin.0123456789abcdef.tmp')).toBe(true);
    expect(pattern.test('.a+b (1).bin.0123456789ABCDEF.tmp')).toBe(false);
    expect(pattern.test('.aab (1).bin.0123456789abcdef.tmp')).toBe(false);
    expect(pattern.test('x.a+b (1).bin.0123456789abcdef.tmp')).toBe(false);
  });
});

describe('readFileBytes', () => {
  it('rejects with the Node error for a missing file', async () => {
    await expect(readFileBytes(join(directory, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
