// Packs every public workspace package and installs the tarballs into a fresh npm project,
// as a user of the published packages would get them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');

/** Runs a command, returning its stdout; stderr goes to ours. */
export const run = (command, args, cwd, env = process.env) =>
  execFileSync(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

/** `pnpm pack`s every non-private package under packages/ into `destination`; returns the tarball paths. */
export function packAll(destination) {
  const tarballs = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const output = run('pnpm', ['pack', '--pack-destination', destination], dir).trim().split('\n').pop();
    tarballs.push(output.startsWith('/') ? output : join(destination, output));
  }
  return tarballs;
}

/** Creates `dir` as an npm project and installs `specs` (tarball paths or name@version) with plain npm. */
export function npmProject(dir, specs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tensorzoo-user-app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], dir);
}
