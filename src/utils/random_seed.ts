import { reseedGlobalGenerator } from "../random/seed_generator.js";

let globalRandomSeed: number | undefined;

/**
 * Keras's `keras.utils.set_random_seed`: makes a whole program reproducible. Every unseeded
 * `keras.random` call draws from a global generator, and `SeedGenerator`s made without a seed pick
 * theirs from a global source; both restart from `seed`. The same seed then gives the same numbers,
 * different seeds different ones.
 */
export function setRandomSeed(seed: number): void {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new TypeError(`setRandomSeed: expected an integer seed, got ${typeof seed === "number" ? seed : typeof seed}`);
  }
  reseedGlobalGenerator(seed);
  globalRandomSeed = seed;
}

/** The seed last given to `setRandomSeed`, or undefined. */
export function getRandomSeed(): number | undefined {
  return globalRandomSeed;
}
