#!/usr/bin/env node
// Checks `pnpm new-model` end to end in a temporary copy of the repository (the real tree is
// never touched): the scaffold creates a package, refuses to overwrite it, and the generated
// package passes build, typecheck, lint and its conformance test; its parity test fails with the
// TODO message until the fixture exists, and passes once the generated reference script (run
// with Python + torch, when available) has written it.
//
//   node scripts/check-new-model.mjs          (needs @tensorzoo/core built: pnpm turbo run build --filter=@tensorzoo/core)
//
// The copy holds the root config files, the scaffold, and symlinks to packages/* and
// node_modules; the new package's node_modules is linked the way `pnpm install` would.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const name = 'scaffold-check';
const className = 'ScaffoldCheck';
const copy = mkdtempSync(join(tmpdir(), 'tensorzoo-new-model-'));
const bin = (tool) => join(root, 'node_modules/.bin', tool);
let failures = 0;

function step(label, command, args, { cwd = copy, expectFailure = false, mustInclude } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const passed = (expectFailure ? result.status !== 0 : result.status === 0) && (!mustInclude || output.includes(mustInclude));
  console.log(`${passed ? 'ok  ' : 'FAIL'} ${label} (${((Date.now() - started) / 1000).toFixed(1)} s, exit ${result.status})`);
  if (!passed) {
    failures++;
    console.log(output.trim().replace(/^/gm, '     | '));
  }
  return output;
}

if (!existsSync(join(root, 'packages/core/dist/index.d.ts'))) {
  console.error('check-new-model: packages/core/dist is missing; run pnpm turbo run build --filter=@tensorzoo/core first.');
  process.exit(1);
}

// The temporary repository.
for (const file of ['package.json', 'pnpm-workspace.yaml', 'tsconfig.base.json', 'tsup.base.ts', 'turbo.json', 'vitest.config.ts']) cpSync(join(root, file), join(copy, file));
for (const folder of ['test/setup', '.changeset']) cpSync(join(root, folder), join(copy, folder), { recursive: true });
mkdirSync(join(copy, 'scripts/reference'), { recursive: true });
cpSync(join(root, 'scripts/new-model.mjs'), join(copy, 'scripts/new-model.mjs'));
cpSync(join(root, 'scripts/reference/common.py'), join(copy, 'scripts/reference/common.py'));
symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
mkdirSync(join(copy, 'packages'));
for (const entry of readdirSync(join(root, 'packages'))) symlinkSync(join(root, 'packages', entry), join(copy, 'packages', entry));
console.log(`check-new-model: scaffolding @tensorzoo/${name} in ${copy}`);

step('pnpm new-model creates the package', process.execPath, ['scripts/new-model.mjs', name, '--description', 'A scaffold check.'], { mustInclude: `created @tensorzoo/${name}` });
step('a second run refuses to overwrite', process.execPath, ['scripts/new-model.mjs', name], { expectFailure: true, mustInclude: 'refusing to overwrite' });
const vitestConfig = readFileSync(join(copy, 'vitest.config.ts'), 'utf8');
if (!vitestConfig.includes(`'${name}']`)) {
  failures++;
  console.log(`FAIL vitest.config.ts does not list '${name}'`);
} else console.log(`ok   vitest.config.ts lists '${name}'`);

// What `pnpm install` would link for the new package.
const packageDir = join(copy, 'packages', name);
mkdirSync(join(packageDir, 'node_modules/@tensorzoo'), { recursive: true });
mkdirSync(join(packageDir, 'node_modules/@tensorflow'), { recursive: true });
symlinkSync(join(root, 'packages/core'), join(packageDir, 'node_modules/@tensorzoo/core'));
symlinkSync(join(root, 'node_modules/@tensorflow/tfjs-core'), join(packageDir, 'node_modules/@tensorflow/tfjs-core'));

step('build (tsup: ESM + CJS + types)', bin('tsup'), [], { cwd: packageDir });
step('typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', '.'], { cwd: packageDir });
step('lint (publint --strict)', bin('publint'), ['--strict'], { cwd: packageDir });
step('lint (attw --pack --profile node16)', bin('attw'), ['--pack', '--profile', 'node16'], { cwd: packageDir });
step('conformance test passes', bin('vitest'), ['run', '--project', 'node', `packages/${name}/test/conformance.test.ts`], { mustInclude: ' passed' });
step('parity test fails with the TODO until the fixture exists', bin('vitest'), ['run', '--project', 'node', `packages/${name}/test/parity.test.ts`], {
  expectFailure: true,
  mustInclude: `TODO(${name}): packages/${name}/fixtures/${name}.json does not exist yet`,
});
const python = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (hasTorch) {
  step('the reference stub writes the fixture', python, [`scripts/reference/${name.replaceAll('-', '_')}.py`], { mustInclude: `${name}.json` });
  step('then the parity test passes', bin('vitest'), ['run', '--project', 'node', `packages/${name}/test/parity.test.ts`], { mustInclude: ' passed' });
} else console.log(`skip the reference stub: ${python} has no torch`);

rmSync(copy, { recursive: true, force: true });
console.log(failures === 0 ? `check-new-model: OK (${className})` : `check-new-model: ${failures} step(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
