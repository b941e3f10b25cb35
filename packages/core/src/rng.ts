import { ArgumentError } from './errors';

/** Serialisable state of a {@link Generator}: four 32-bit words (xoshiro128**) plus a cached normal. */
export interface GeneratorState {
  /** Four integers in [0, 2^32), not all zero (xoshiro's one fixed point, which only ever returns 0). */
  words: [number, number, number, number];
  /** Second Box-Muller value (a finite number), or `null`. */
  spareNormal: number | null;
}

/** How many extra draws `normal()` makes when `uniform()` returns exactly 0 before using 2^-32. */
const MAX_ZERO_REDRAWS = 8;

/**
 * Checks that `state` is a valid {@link GeneratorState} and returns a clean copy; used by
 * {@link Generator.setState} and by checkpoint loading before anything is changed.
 *
 * @param where prefix for the error message, e.g. `'Generator.setState'`.
 * @throws {ArgumentError} (`bad-state`) naming the offending field: `words` not four
 *   integers in [0, 2^32), `words` all zero, or `spareNormal` neither `null` nor a finite number.
 * @example
 * ```ts
 * checkGeneratorState({ words: [1, 2, 3, 4], spareNormal: null }); // ok
 * checkGeneratorState({ words: [0, 0, 0, 0], spareNormal: null }); // throws: all zero
 * ```
 */
export function checkGeneratorState(state: unknown, where = 'Generator.setState'): GeneratorState {
  if (typeof state !== 'object' || state === null) {
    throw new ArgumentError('bad-state', `${where}: expected { words, spareNormal } from getState(), received ${describeBriefly(state)}.`);
  }
  const { words, spareNormal } = state as { words?: unknown; spareNormal?: unknown };
  if (!Array.isArray(words) || words.length !== 4) {
    throw new ArgumentError('bad-state', `${where}: words must be an array of four uint32 integers, received ${describeBriefly(words)}.`);
  }
  words.forEach((word: unknown, index) => {
    if (typeof word !== 'number' || !Number.isInteger(word) || word < 0 || word > 0xffffffff) {
      throw new ArgumentError('bad-state', `${where}: words[${index}] (${describeBriefly(word)}) must be an integer in [0, 4294967295].`);
    }
  });
  if (words.every((word) => word === 0)) {
    throw new ArgumentError(
      'bad-state',
      `${where}: words are all zero, a state xoshiro128** never leaves (every draw would be 0); the state is corrupt. Seed a new Generator instead.`,
    );
  }
  if (spareNormal !== undefined && spareNormal !== null && (typeof spareNormal !== 'number' || !Number.isFinite(spareNormal))) {
    throw new ArgumentError('bad-state', `${where}: spareNormal (${describeBriefly(spareNormal)}) must be null or a finite number.`);
  }
  return { words: [words[0], words[1], words[2], words[3]], spareNormal: (spareNormal as number | null | undefined) ?? null };
}

/** A short description of an untrusted value for an error message (at most 100 characters). */
function describeBriefly(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function splitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A small, fast, seeded random generator (xoshiro128**, seeded through SplitMix32).
 *
 * Every initializer, dropout mask and shuffle in TensorZoo draws from one of these, on the
 * CPU, so the same seed gives the same numbers on every backend. Its state is four
 * integers, saved in training checkpoints so a resumed run draws the same numbers.
 *
 * @example
 * ```ts
 * const rng = new Generator(42);
 * rng.uniform();        // [0, 1)
 * rng.normal();         // N(0, 1)
 * const child = rng.fork(); // independent stream for a sub-module
 * ```
 */
export class Generator {
  private words: Uint32Array;
  private spareNormal: number | null = null;

  /** @param seed an integer in [0, 2^32); the same seed always gives the same sequence. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ArgumentError('bad-seed', `Generator: seed (${seed}) must be an integer in [0, 4294967295].`);
    }
    const mix = splitMix32(seed);
    this.words = new Uint32Array([mix(), mix(), mix(), mix()]);
    // SplitMix32 never gives four zeros in a row in practice; guard the fixed point anyway.
    if (this.words.every((word) => word === 0)) this.words[0] = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.words;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Standard normal sample (Box-Muller; the second value of each pair is cached). Always
   * finite and always returns: a draw of exactly 0 (probability 2^-32) is redrawn at most
   * a few times, then replaced by 2^-32.
   */
  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = this.uniform();
    for (let redraws = 0; u === 0 && redraws < MAX_ZERO_REDRAWS; redraws++) u = this.uniform();
    if (u === 0) u = 2 ** -32;
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  integer(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new ArgumentError('bad-range', `Generator.integer: n (${n}) must be a positive integer.`);
    return Math.floor(this.uniform() * n);
  }

  /** A new seed for a tfjs op (`tf.randomUniform(..., seed)`), drawn from this stream. */
  seed(): number {
    return this.nextUint32();
  }

  /** An independent generator seeded from this one (one per sub-layer, as in Equinox's key split). */
  fork(): Generator {
    return new Generator(this.nextUint32());
  }

  /** Fisher-Yates permutation of `0..n-1`. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /** Fills a new Float32Array with `count` samples of N(mean, std²). */
  normalArray(count: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fills a new Float32Array with `count` samples of U[low, high). */
  uniformArray(count: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /** Snapshot of the state, for checkpoints. */
  getState(): GeneratorState {
    const [a, b, c, d] = this.words;
    return { words: [a, b, c, d], spareNormal: this.spareNormal };
  }

  /**
   * Restores a snapshot from {@link getState}. The state is checked first
   * (see {@link checkGeneratorState}); on error the generator is unchanged.
   * @throws {ArgumentError} (`bad-state`) naming the bad field.
   */
  setState(state: GeneratorState): void {
    const checked = checkGeneratorState(state, 'Generator.setState');
    this.words = new Uint32Array(checked.words);
    this.spareNormal = checked.spareNormal;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
