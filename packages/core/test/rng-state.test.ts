// Issue 10 item 1: a generator state that would hang normal() or return non-numbers is rejected.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, checkGeneratorState, type GeneratorState } from '@tensorzoo/core';

function rejection(state: unknown): ArgumentError {
  const generator = new Generator(5);
  const before = generator.getState();
  let caught: unknown;
  try {
    generator.setState(state as GeneratorState);
  } catch (error) {
    caught = error;
  }
  expect(ArgumentError.isInstance(caught), String(caught)).toBe(true);
  expect(generator.getState()).toEqual(before); // unchanged on error
  return caught as ArgumentError;
}

describe('Generator state validation', () => {
  it('rejects the all-zero state, the one state xoshiro128** never leaves', () => {
    const error = rejection({ words: [0, 0, 0, 0], spareNormal: null });
    expect(error.code).toBe('bad-state');
    expect(error.message).toContain('words are all zero');
  });

  it.each([
    [[-1, 2, 3, 4], 'words[0] (-1)'],
    [[1, 2 ** 32, 3, 4], 'words[1] (4294967296)'],
    [[1, 2, 1.5, 4], 'words[2] (1.5)'],
    [[1, 2, 3, '4'], 'words[3] ("4")'],
    [[1, 2, 3, NaN], 'words[3] (null)'],
  ])('rejects words %j naming the word', (words, named) => {
    expect(rejection({ words, spareNormal: null }).message).toContain(named);
  });

  it.each([[[1, 2, 3]], ['1234'], [undefined]])('rejects words %j that are not four numbers', (words) => {
    expect(rejection({ words, spareNormal: null }).message).toContain('words must be an array of four uint32 integers');
  });

  it.each([['abc'], [NaN], [Infinity], [{ value: 1 }], [true]])('rejects spareNormal %j naming the field', (spareNormal) => {
    expect(rejection({ words: [1, 2, 3, 4], spareNormal }).message).toContain('spareNormal');
  });

  it('rejects a state that is not an object', () => {
    expect(rejection(null).message).toContain('expected { words, spareNormal }');
    expect(rejection(7).message).toContain('expected { words, spareNormal }');
  });

  it('accepts a valid state (spareNormal null, a number or absent) and continues the same stream', () => {
    const generator = new Generator(42);
    generator.normal(); // caches a spare
    const state = generator.getState();
    expect(typeof state.spareNormal).toBe('number');
    const expected = [generator.normal(), generator.normal(), generator.uniform()];
    const copy = new Generator(1);
    copy.setState(state);
    expect([copy.normal(), copy.normal(), copy.uniform()]).toEqual(expected);
    expect(checkGeneratorState({ words: [1, 0, 0, 0] } as unknown as GeneratorState)).toEqual({ words: [1, 0, 0, 0], spareNormal: null });
  });

  it('normal() always returns a finite number, even if uniform() returned 0 forever', () => {
    class StuckGenerator extends Generator {
      draws = 0;
      override uniform(): number {
        this.draws++;
        return 0;
      }
    }
    const stuck = new StuckGenerator(1);
    const value = stuck.normal();
    expect(Number.isFinite(value)).toBe(true);
    expect(stuck.draws).toBeLessThanOrEqual(10);
  });
});
