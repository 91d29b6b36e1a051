/**
 * keras-ts for the browser: the package's `browser` entry (package.json `exports`), which
 * bundlers building for a page pick for
 *
 *   import * as keras from "keras-ts";
 *
 * It is the same API as in Node. What differs lives behind the platform seam (src/platform/):
 * the package's `browser` field swaps in the browser host, so the bundle reaches no Node module.
 * In a page, locations are URLs (`loadModel("model.keras")` fetches it), saving goes to
 * `indexeddb://name` or `downloads://name`, `await keras.backend.ready()` picks WebGPU or
 * WebAssembly, and pictures draw into the page (`keras.utils.renderSvg`, `keras.callbacks.LivePlot`).
 */
export * from "./index.js";
