import { fusedKernels, type AdamUpdateArgs, type RMSpropUpdateArgs, type SGDUpdateArgs } from "../backend/backend.js";
import { shapesEqual } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { cast } from "./core.js";
import { broadcastTo } from "./shape.js";

/*
 * The optimizers' update rules as ops: each optimizer's `updateStep` is one call here, and the
 * backend's update kernel (or its composed default) overwrites the variable and its slots in
 * place, as Keras's TensorFlow and torch backends assign them, so a step allocates nothing for its
 * update. Internal: Keras has no public op for them. Not recorded: updates run outside gradient
 * computation.
 */

/** The variable's storage, for writing: its own copy (see `Variable.writableValue`). */
function storageOf(variable: Variable, optimizer: string): Float32Array {
  if (variable.dtype !== "float32") {
    throw new TypeError(`${optimizer}: variable '${variable.path}' has dtype ${variable.dtype}; only float32 variables can be trained`);
  }
  return variable.writableValue().storage as Float32Array;
}

/**
 * The gradient's values as float32 of the variable's shape (broadcast when given smaller), copied
 * when they are the memory an update overwrites (a gradient that is the variable itself).
 */
function gradientOf(gradient: Tensor, variable: Variable, written: readonly (Float32Array | null)[], optimizer: string): Float32Array {
  let g = gradient.dtype === "float32" ? gradient : cast(gradient, "float32");
  if (!shapesEqual(g.shape, variable.shape)) {
    try {
      g = broadcastTo(g, variable.shape);
    } catch {
      throw new Error(`${optimizer}: the gradient of shape (${gradient.shape.join(", ")}) does not fit variable '${variable.path}' of shape (${variable.shape.join(", ")})`);
    }
  }
  const values = g.storage as Float32Array;
  return written.includes(values) ? values.slice() : values;
}

export function sgdUpdate(variable: Variable, gradient: Tensor, momentum: Variable | null, args: SGDUpdateArgs): void {
  const w = storageOf(variable, "SGD");
  const m = momentum === null ? null : storageOf(momentum, "SGD");
  fusedKernels().sgdUpdate(w, gradientOf(gradient, variable, [w, m], "SGD"), m, args);
}

export function rmspropUpdate(variable: Variable, gradient: Tensor, velocity: Variable, momentum: Variable | null, averageGradient: Variable | null, args: RMSpropUpdateArgs): void {
  const w = storageOf(variable, "RMSprop");
  const v = storageOf(velocity, "RMSprop");
  const m = momentum === null ? null : storageOf(momentum, "RMSprop");
  const a = averageGradient === null ? null : storageOf(averageGradient, "RMSprop");
  fusedKernels().rmspropUpdate(w, gradientOf(gradient, variable, [w, v, m, a], "RMSprop"), v, m, a, args);
}

export function adamUpdate(variable: Variable, gradient: Tensor, momentum: Variable, velocity: Variable, velocityHat: Variable | null, args: AdamUpdateArgs): void {
  const w = storageOf(variable, "Adam");
  const m = storageOf(momentum, "Adam");
  const v = storageOf(velocity, "Adam");
  const h = velocityHat === null ? null : storageOf(velocityHat, "Adam");
  fusedKernels().adamUpdate(w, gradientOf(gradient, variable, [w, m, v, h], "Adam"), m, v, h, args);
}
