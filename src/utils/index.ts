/** `keras.utils`. */
export { setRandomSeed, getRandomSeed } from "./random_seed.js";
export { normalize, toCategorical } from "./numerical_utils.js";
export { readIdx, loadIdx } from "./idx.js";
export { Progbar, type ProgbarOptions, type OutputStream } from "./progbar.js";
export { resetNames as clearSession } from "./naming.js";
