#!/usr/bin/env node
// Manual checkpoint mutation fuzz: runs packages/core/test/checkpoint-fuzz.node.test.ts with
// more cases (default 1,000) and prints the outcome table.
//   node scripts/fuzz-checkpoints.mjs [cases] [seed]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cases = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 7);
const directory = mkdtempSync(join(tmpdir(), 'tz-fuzz-report-'));
const reportPath = join(directory, 'report.json');
const started = Date.now();
const result = spawnSync(
  'pnpm',
  ['vitest', 'run', '--project', 'node', '--maxWorkers', '1', '--reporter', 'dot', 'packages/core/test/checkpoint-fuzz.node.test.ts'],
  { env: { ...process.env, FUZZ_CASES: String(cases), FUZZ_SEED: String(seed), FUZZ_REPORT: reportPath }, stdio: 'ignore' },
);
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch {
  console.error(`the fuzz test wrote no report (exit code ${result.status}); run it directly to see why.`);
  process.exit(1);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
const { counts, others } = report;
console.log(`checkpoint mutation fuzz: ${cases} cases, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log('| outcome | count |');
console.log('|---|---|');
console.log(`| rejected with a typed error naming the file, nothing changed | ${counts['typed-error']} |`);
console.log(`| loaded, identical to the original | ${counts.identical} |`);
console.log(`| other (untyped error, partial load, silent change, leak) | ${counts.other} |`);
if (others.length > 0) {
  console.log('\nother outcomes:');
  for (const line of others) console.log(`  ${line}`);
}
process.exit(counts.other === 0 && result.status === 0 ? 0 : 1);
