/** `keras.random`: seeded random tensors, dropout and shuffling (Keras 3's API in camelCase). */
export { normal, uniform, truncatedNormal, randint, shuffle, dropout } from "./random.js";
export type { NormalOptions, UniformOptions, RandintOptions, DropoutOptions } from "./random.js";
export { SeedGenerator, type Seed } from "./seed_generator.js";
