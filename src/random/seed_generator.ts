import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { autoName } from "../utils/naming.js";
import { foldSeed, Xoshiro128 } from "./prng.js";

/*
 * Keras 3's seeding: random ops are stateless functions of a seed pair `[seed, counter]`. An integer
 * `seed` argument gives the pair `[seed, 0]` (the same numbers on every call); a `SeedGenerator`
 * gives its current pair and advances its counter (new numbers on each call, reproducibly); no
 * seed draws from a global generator, which `keras.utils.setRandomSeed` replaces.
 */

function checkIntegerSeed(seed: unknown, where: string): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new TypeError(`${where}: seed must be an integer, got ${typeof seed === "number" ? seed : typeof seed}`);
  }
  return seed;
}

/**
 * Stands in for Python's `random` module, which Keras uses to pick a seed when none is given.
 * `setRandomSeed` reseeds it, so even unseeded generators are reproducible after it.
 */
let defaultSeedSource = new Xoshiro128(Math.floor(Math.random() * 4294967296), 0x5eed);

/** A fresh seed in [1, 1e9], as Keras's `make_default_seed`. */
export function makeDefaultSeed(): number {
  return 1 + Math.floor(defaultSeedSource.nextUint32() * (1e9 / 4294967296));
}

/**
 * Keras's `keras.random.SeedGenerator`: a seed whose state (a non-trainable int32 variable holding
 * `[seed, counter]`) advances on every draw, so each random call gets new numbers while a whole
 * run stays reproducible.
 *
 *   const gen = new keras.random.SeedGenerator(42);
 *   const a = keras.random.normal([2, 3], { seed: gen });
 *   const b = keras.random.normal([2, 3], { seed: gen }); // different from a
 */
export class SeedGenerator {
  readonly name: string;
  /** `[seed, counter]`, int32. */
  readonly state: Variable;
  private readonly initialSeed: number | null;

  constructor(seed?: number | null, options: { name?: string } = {}) {
    this.name = options.name ?? autoName("seed_generator");
    this.initialSeed = seed ?? null;
    const value = seed === undefined || seed === null ? makeDefaultSeed() : checkIntegerSeed(seed, "SeedGenerator");
    this.state = new Variable(Int32Array.of(foldSeed(value) | 0, 0), { name: "seed_generator_state", dtype: "int32", trainable: false });
  }

  /** The current seed pair as an int32 tensor of shape [2]; advances the counter. */
  next(): Tensor {
    const current = this.state.value;
    this.nextPair();
    return current;
  }

  /** The current seed pair as numbers; advances the counter. */
  nextPair(): [number, number] {
    const [seed, counter] = this.state.value.dataSync();
    this.state.assign(Int32Array.of(seed, (counter + 1) | 0));
    return [seed, counter];
  }

  getConfig(): { seed: number | null } {
    return { seed: this.initialSeed };
  }

  toString(): string {
    return `<SeedGenerator name=${this.name}, seed=${this.initialSeed ?? "None"}>`;
  }
}

let globalGenerator: SeedGenerator | undefined;

/** The generator unseeded random ops draw from (created on first use). */
export function globalSeedGenerator(): SeedGenerator {
  if (globalGenerator === undefined) globalGenerator = new SeedGenerator(null, { name: "global_seed_generator" });
  return globalGenerator;
}

/**
 * Makes the global generator (and the source of default seeds) start from `seed`: what
 * `keras.utils.setRandomSeed` does to `keras.random`.
 */
export function reseedGlobalGenerator(seed: number): void {
  checkIntegerSeed(seed, "setRandomSeed");
  defaultSeedSource = new Xoshiro128(foldSeed(seed), 0x5eed);
  globalGenerator = new SeedGenerator(seed, { name: "global_seed_generator" });
}

/** What a random op's `seed` argument may be. */
export type Seed = number | SeedGenerator | null | undefined;

/** The seed pair for one random op, as Keras's `draw_seed`. */
export function drawSeed(seed: Seed, where: string): [number, number] {
  if (seed instanceof SeedGenerator) return seed.nextPair();
  if (seed === undefined || seed === null) return globalSeedGenerator().nextPair();
  if (typeof seed === "number") return [foldSeed(checkIntegerSeed(seed, where)) | 0, 0];
  throw new TypeError(`${where}: seed must be an integer or a keras.random.SeedGenerator, got ${typeof seed}`);
}

/** A generator for one random op. */
export function rngFor(seed: Seed, where: string): Xoshiro128 {
  const [s, c] = drawSeed(seed, where);
  return new Xoshiro128(s, c);
}
