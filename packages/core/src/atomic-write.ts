/**
 * Crash-safe file writes for Node. Node modules are imported lazily inside the functions,
 * through a computed specifier, so `@tensorzoo/core` stays importable (and bundleable) in
 * browsers, where these functions throw a clear error instead.
 *
 * @module
 */
import { TensorZooError } from './errors';
import { importOptional } from './optional-import';

type FsPromises = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');
type CryptoModule = typeof import('node:crypto');

/** True when running under Node.js (or a runtime that provides its `process.versions.node`). */
function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

async function loadNodeModules(caller: string): Promise<{ fs: FsPromises; path: PathModule; crypto: CryptoModule }> {
  if (!isNode()) {
    throw new TensorZooError(
      'node-only',
      `${caller} needs Node.js file system access, which this environment (a browser?) does not have. ` +
        'In a browser, encode with encodeSafetensors() and save or load the bytes with the Blob / ArrayBuffer APIs ' +
        '(a download link, the File System Access API, fetch(url).then((response) => response.arrayBuffer())).',
    );
  }
  // importOptional uses a computed specifier for these, so browser bundlers never see them.
  const [fs, path, crypto] = await Promise.all([
    importOptional('node:fs/promises') as Promise<FsPromises>,
    importOptional('node:path') as Promise<PathModule>,
    importOptional('node:crypto') as Promise<CryptoModule>,
  ]);
  return { fs, path, crypto };
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * Writes `bytes` to `path` atomically: after a crash, power loss or error, `path` holds
 * either its old content or all of the new one, never a mix or a truncated file.
 *
 * Steps: write a uniquely named temp file in the same directory (`.<name>.<random>.tmp`,
 * created exclusively), fsync it, rename it over the target, then fsync the directory so
 * the rename itself is durable (best effort: skipped where the platform does not allow it,
 * e.g. Windows). On any failure before the rename completes, the temp file is removed, the
 * old target is left untouched, and the original error (with its Node `code`, e.g.
 * `ENOSPC`) is rethrown.
 *
 * If `path` is a symbolic link, the file it points to is replaced and the link kept. An
 * existing target's permission bits are kept; a new file gets `0o666` minus the umask.
 *
 * Stale temp files: a process killed mid-write (`kill -9`, a power cut, a second Ctrl-C)
 * leaves its `.<name>.<16 hex digits>.tmp` behind. After each successful write, temp files
 * of the same target are removed when both hold:
 * - the name matches exactly `.<target name>.<16 lowercase hex digits>.tmp` (the pattern this
 *   function creates; nothing else in the directory is touched), and
 * - the file was last modified before this process started (`performance.timeOrigin`).
 * A writer that is still running keeps modifying its temp file, so its file is newer than any
 * process started before that write began and is left alone. The only race left is a live
 * writer stalled between its last write and its rename since before this process started:
 * its rename then fails and its target keeps the old content (never a torn file). Removal is
 * best effort: errors are ignored and never fail the write.
 *
 * @param path the file to create or replace; its directory must exist.
 * @param bytes the complete new content.
 * @throws {@link TensorZooError} (`node-only`) outside Node.js.
 *
 * @example
 * ```ts
 * await writeFileAtomic('checkpoints/model.safetensors', encodeSafetensors(tensors));
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const { fs, path: paths, crypto } = await loadNodeModules('writeFileAtomic');

  // Replace the file a symlink points to, not the link itself.
  let target = path;
  try {
    target = await fs.realpath(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  let existingMode: number | undefined;
  try {
    existingMode = (await fs.stat(target)).mode & 0o7777;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }

  const directory = paths.dirname(target);
  const tempPath = paths.join(directory, `.${paths.basename(target)}.${crypto.randomBytes(8).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<FsPromises['open']>> | undefined;
  try {
    handle = await fs.open(tempPath, 'wx', existingMode ?? 0o666);
    // `open` applies the umask; set an existing target's bits exactly.
    if (existingMode !== undefined) await handle.chmod(existingMode);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tempPath, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tempPath, { force: true }).catch(() => undefined);
    throw error;
  }

  // Make the rename durable. Opening a directory fails on Windows; that is fine.
  try {
    const directoryHandle = await fs.open(directory, 'r');
    try {
      await directoryHandle.sync();
    } finally {
      await directoryHandle.close();
    }
  } catch {
    // Best effort.
  }
  await removeStaleTempFiles(fs, paths, directory, paths.basename(target));
}

/**
 * The names of the temp files {@link writeFileAtomic} creates beside the file called `name`
 * (`.<name>.<16 hex digits>.tmp`), e.g. to find the ones a killed write left.
 *
 * @example
 * ```ts
 * tempFilePattern('model.safetensors').test('.model.safetensors.0123456789abcdef.tmp'); // true
 * ```
 */
export function tempFilePattern(name: string): RegExp {
  return new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{16}\\.tmp$`);
}

/** When this process started, in ms since the epoch. */
function processStartTime(): number {
  return typeof performance !== 'undefined' && performance.timeOrigin > 0 ? performance.timeOrigin : Date.now() - process.uptime() * 1000;
}

/** Removes temp files of `name` left by killed writes (see {@link writeFileAtomic}'s rule). Best effort. */
async function removeStaleTempFiles(fs: FsPromises, paths: PathModule, directory: string, name: string): Promise<void> {
  const pattern = tempFilePattern(name);
  const started = processStartTime();
  let entries: string[];
  try {
    entries = await fs.readdir(directory);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!pattern.test(entry)) continue;
    const file = paths.join(directory, entry);
    try {
      const info = await fs.lstat(file);
      if (info.isFile() && info.mtimeMs < started) await fs.rm(file, { force: true });
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
}

/**
 * Reads a whole file into a `Uint8Array` (Node only), e.g. to pass to `decodeSafetensors`.
 *
 * @param path the file to read.
 * @returns the file's bytes.
 * @throws {@link TensorZooError} (`node-only`) outside Node.js; Node's own error (e.g.
 *   `ENOENT`) when the file cannot be read.
 *
 * @example
 * ```ts
 * const { tensors } = decodeSafetensors(await readFileBytes('model.safetensors'));
 * ```
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const { fs } = await loadNodeModules('readFileBytes');
  const buffer = await fs.readFile(path);
  // A plain Uint8Array view of the Buffer's bytes (no copy): callers get the standard type.
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
