/**
 * keras-ts: Keras for TypeScript.
 *
 *   import * as keras from "keras-ts";
 */
export { Tensor, type NestedArray } from "./backend/tensor.js";
export { Variable, type VariableOptions } from "./backend/variable.js";
export { KerasTensor } from "./backend/keras_tensor.js";
export type { DType, Shape, TypedArray } from "./backend/dtypes.js";
export { valueAndGrad, grad, type GradOptions } from "./autodiff/grad.js";
export * as ops from "./ops/index.js";
export * as backend from "./backend/index.js";
export * as random from "./random/index.js";
export * as utils from "./utils/index.js";
export * as layers from "./layers/index.js";
export * as models from "./models/index.js";
export * as optimizers from "./optimizers/index.js";
export * as losses from "./losses/index.js";
export * as metrics from "./metrics/index.js";
export * as callbacks from "./callbacks/index.js";
export * as activations from "./activations/index.js";
export * as initializers from "./initializers/index.js";
export * as regularizers from "./regularizers/index.js";
export * as constraints from "./constraints/index.js";
export * as datasets from "./datasets/index.js";
export * as saving from "./saving/index.js";
export { Input } from "./layers/core/input_layer.js";
export { Model } from "./models/model.js";
export type { StepData, StepLogs, ComputeLossArgs, InputData } from "./trainers/trainer.js";
export { Sequential } from "./models/sequential.js";
import "./models/functional.js";
