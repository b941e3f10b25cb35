import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/atomic-write';

describe('atomic-write outside Node', () => {
  it('imports cleanly and tells the caller to use the Blob / ArrayBuffer APIs', async () => {
    const error = await writeFileAtomic('model.safetensors', new Uint8Array(1)).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('node-only');
    expect((error as Error).message).toContain('Blob / ArrayBuffer APIs');
  });
});
