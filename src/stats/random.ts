/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32), so that a
 * bootstrap gives the same interval for the same input on every run and every machine, with the
 * normal, gamma and beta draws the bootstrap needs.
 */

/** A seeded source of random numbers. */
export interface SeededRandom {
  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number;
  /** A standard normal number. */
  normal(): number;
  /** A Gamma(shape, 1) number; `shape` must be positive. */
  gamma(shape: number): number;
  /** A Beta(a, b) number; `a` and `b` must be positive. */
  beta(a: number, b: number): number;
}

/** A generator whose whole sequence is fixed by `seed` (any number; its low 32 bits are used). */
export function createSeededRandom(seed: number): SeededRandom {
  // splitmix32 spreads one 32-bit seed over the four words of state (never all zero).
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  // xoshiro128**: one 32-bit output per step.
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const uniform = (): number => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  let spare: number | undefined;
  // Marsaglia's polar method: two normals per accepted pair, the second kept for the next call.
  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const q = u * u + v * v;
      if (q > 0 && q < 1) {
        const scale = Math.sqrt((-2 * Math.log(q)) / q);
        spare = v * scale;
        return u * scale;
      }
    }
  };
  // Marsaglia and Tsang's squeeze method for shape ≥ 1; smaller shapes through Gamma(shape + 1).
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * uniform() ** (1 / shape);
    const dd = shape - 1 / 3;
    const cc = 1 / Math.sqrt(9 * dd);
    for (;;) {
      const x = normal();
      let v = 1 + cc * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = uniform();
      if (u < 1 - 0.0331 * x ** 4) return dd * v;
      if (Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
    }
  };
  const beta = (p: number, q: number): number => {
    const x = gamma(p);
    return x / (x + gamma(q));
  };
  return { uniform, normal, gamma, beta };
}

// Rotate a 32-bit word left by k bits.
function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
