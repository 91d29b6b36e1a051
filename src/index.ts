/**
 * keras-ts: Keras for TypeScript.
 *
 *   import * as keras from "keras-ts";
 */
export { Tensor, type NestedArray } from "./backend/tensor.js";
export { Variable, type VariableOptions } from "./backend/variable.js";
export type { DType, Shape, TypedArray } from "./backend/dtypes.js";
export { valueAndGrad, grad, type GradOptions } from "./autodiff/grad.js";
export * as ops from "./ops/index.js";
export * as backend from "./backend/index.js";
