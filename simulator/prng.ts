/**
 * Small deterministic pseudo-random tools. Everything the simulator generates is a pure function of
 * the seed, an incident id and a "stream" number, so nothing large has to be stored.
 */

/** murmur3's 32-bit finaliser: a cheap, well-mixing bijection on uint32. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a list of integers (each may be up to 2^53) into one uint32. */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    const lo = value >>> 0;
    const hi = Math.floor(value / 4294967296) >>> 0;
    h = mix32(h ^ lo);
    h = mix32((h + 0x632be5ab) ^ hi);
  }
  return h;
}

/** A seeded generator (mulberry32 core) with a few helpers. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('Rng.pick on an empty list');
    return item;
  }

  /** Pick by weight: `[[value, weight], ...]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of items) total += weight;
    let roll = this.float() * total;
    for (const [value, weight] of items) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('Rng.weighted on an empty list');
    return last[0];
  }

  /** Lower-case hex string of the given length. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += (this.float() * 4294967296 >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** Alphanumeric token (URL-safe). */
  token(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.float() * alphabet.length)];
    return out;
  }

  /** Choose `k` distinct indices out of [0, n) (partial Fisher-Yates). */
  sampleIndices(n: number, k: number): number[] {
    const take = Math.max(0, Math.min(n, k));
    const pool = new Uint32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    const out: number[] = [];
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(this.float() * (n - i));
      const chosen = pool[j] as number;
      pool[j] = pool[i] as number;
      pool[i] = chosen;
      out.push(chosen);
    }
    return out;
  }
}
