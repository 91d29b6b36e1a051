/** `keras.models`. */
export { Model } from "./model.js";
export { Functional } from "./functional.js";
export { Sequential, type SequentialArgs } from "./sequential.js";
export { loadModel, saveModel, type LoadModelOptions } from "../saving/saving_api.js";
