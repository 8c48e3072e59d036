import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

type Generator = ReturnType<typeof xoroshiro128plus>;

/** A seeded source of the few kinds of chance the generator needs: the same seed, the same store. */
export class Random {
  private readonly rng: Generator;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** An integer from `from` to `to`, both included. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  /** A number in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /**
   * An index in [0, size) where low indexes come up far more often (u^skew): a few best sellers and
   * prolific authors, and a long tail, as in a real shop.
   */
  skewedIndex(size: number, skew: number): number {
    return Math.min(size - 1, Math.floor(size * this.float() ** skew));
  }

  /** One of the keys, each as likely as its weight. */
  weighted<K extends string>(weights: ReadonlyArray<readonly [K, number]>): K {
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.float() * total;
    for (const [key, weight] of weights) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return weights[weights.length - 1][0];
  }

  /** Random bytes as base64url text, for owner keys: generated from the seed, so runs compare. */
  key(length: number): string {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) bytes[i] = this.int(0, 255);
    return bytes.toString('base64url');
  }
}
