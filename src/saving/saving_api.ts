/**
 * `keras.saving`'s public functions (keras/src/saving/saving_api.py): `saveModel` / `loadModel`
 * for `.keras`, legacy `.h5` and TF.js (`tfjs://dir`, model.json) models, `saveWeights` /
 * `loadWeights` for `.weights.h5` files (and legacy `.h5` weights).
 */
import type { Layer } from "../layers/layer.js";
import type { Model } from "../models/model.js";
import * as lib from "./saving_lib.js";
// The built-in model classes register themselves for configs that name them ("Sequential",
// "Functional", "Model"): loading a model through this API needs them loaded.
import "../models/sequential.js";
import "../models/functional.js";

export type { LoadModelOptions, LoadWeightsOptions } from "./saving_lib.js";

/** `keras.saving.save_model(model, path)`: same as `await model.save(path)`. */
export async function saveModel(model: Model, filePath: string): Promise<void> {
  await lib.saveModel(model, filePath);
}

/**
 * `keras.models.load_model(location)`: a model from a `.keras` file, a legacy `.h5` file, or a
 * TF.js model.json (path, folder or http(s) URL), compiled from its compile / training config
 * with its optimizer state restored where the format holds it (unless `compile: false`).
 */
export async function loadModel(filePath: string, options: lib.LoadModelOptions = {}): Promise<Model> {
  return lib.loadModel(filePath, options);
}

/**
 * The bytes of the `.keras` (default) or legacy `.h5` file `model.save` would write, for a page
 * that hands the file on itself.
 */
export async function saveModelToBytes(model: Model, format: "keras" | "h5" = "keras"): Promise<Uint8Array> {
  return lib.saveModelToBytes(model, format);
}

/** `loadModel` for the bytes of a `.keras` or legacy `.h5` file (e.g. a file the user picked in a page). */
export async function loadModelFromBytes(bytes: Uint8Array, options: lib.LoadModelOptions & { source?: string } = {}): Promise<Model> {
  return lib.loadModelFromBytes(bytes, options);
}

/** Same as `await model.saveWeights(path)` (a `.weights.h5` file). */
export async function saveWeights(model: Layer, filePath: string): Promise<void> {
  await lib.saveWeights(model, filePath);
}

/** Same as `await model.loadWeights(path)` (a `.weights.h5`, `.keras` or legacy `.h5` file). */
export async function loadWeights(model: Layer, filePath: string, options: lib.LoadWeightsOptions = {}): Promise<void> {
  await lib.loadWeights(model, filePath, options);
}
