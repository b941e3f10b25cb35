// The whole worked example of guide/checkpoints, with PyTorch at both ends:
//   snippets/torch_export.py (torch -> safetensors) -> snippets/torch-interop.ts (TensorZoo loads,
//   checks, fine-tunes, saves) -> snippets/torch_import.py (torch loads and checks the output).
// Needs Python with torch (PYTHON, default /usr/bin/python3). `pnpm --filter docs test:torch`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const python = process.env.PYTHON ?? '/usr/bin/python3';
const snippets = fileURLToPath(new URL('../snippets/', import.meta.url));
const docs = fileURLToPath(new URL('../', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'tensorzoo-torch-'));
const step = (command, args, options = {}) => execFileSync(command, args, { stdio: 'inherit', ...options });
try {
  step(python, [join(snippets, 'torch_export.py')], { cwd: folder });
  step('npx', ['vitest', 'run', '--config', 'vitest.config.ts', '-t', 'torch-interop'], { cwd: docs, env: { ...process.env, DOCS_SNIPPETS_FOLDER: folder } });
  step(python, [join(snippets, 'torch_import.py')], { cwd: folder });
  console.log('torch -> safetensors -> TensorZoo -> torch: OK');
} finally {
  rmSync(folder, { recursive: true, force: true });
}
