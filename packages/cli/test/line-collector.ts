// Captures what a CLI command prints, for assertions on its output.

/**
 * Collects printed lines: pass `log` where a command takes a logger, then read `lines` or `text()`.
 * @example
 * ```ts
 * const output = lineCollector();
 * await runExample('regression', { outDir, log: output.log });
 * expect(output.text()).toContain('loss');
 * ```
 */
export function lineCollector(): { lines: string[]; log: (line: string) => void; text: () => string } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line), text: () => lines.join('\n') };
}
