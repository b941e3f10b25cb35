// Checkpoint mutation fuzz: every mutated file is either rejected with a CheckpointError
// naming the file, with nothing changed, or loads to exactly the original state. Seeded and
// reproducible; FUZZ_CASES / FUZZ_SEED override the 300 cases of a CI run, and FUZZ_REPORT
// names a JSON file for the outcome counts (scripts/fuzz-checkpoints.mjs uses all three).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, makeBase, mutate, type FuzzBase, type FuzzOutcome } from './checkpoint-fuzz-cases';

const caseCount = Number(process.env.FUZZ_CASES ?? 300);
const seed = Number(process.env.FUZZ_SEED ?? 1);
const report = process.env.FUZZ_REPORT;

describe(`checkpoint mutation fuzz (seed ${seed}, ${caseCount} cases)`, () => {
  let base: FuzzBase;
  let directory: string;
  const counts: Record<FuzzOutcome, number> = { 'typed-error': 0, identical: 0, other: 0 };
  const others: string[] = [];

  beforeAll(async () => {
    base = await makeBase();
    directory = mkdtempSync(join(tmpdir(), 'tz-fuzz-'));
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
    if (report) writeFileSync(report, JSON.stringify({ seed, cases: caseCount, counts, others }, null, 2));
  });

  it('the unmutated file loads identically', async () => {
    expect((await classify(base, base.bytes, directory, -1)).outcome).toBe('identical');
  });

  const indices = Array.from({ length: caseCount }, (_, index) => index);
  it.for(indices)('case %i: rejected with a typed error naming the file, or identical', { timeout: 10_000 }, async (index) => {
    const { bytes, what } = mutate(base.bytes, seed, index);
    const { outcome, detail } = await classify(base, bytes, directory, index);
    counts[outcome]++;
    if (outcome === 'other') others.push(`case ${index} (${what}): ${detail}`);
    expect(outcome === 'other' ? `${what}: ${detail}` : outcome).toMatch(/^(typed-error|identical)$/);
  });
});
