import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";

/*
 * Helpers for the optimizers whose per-variable step is one backend kernel (sgdUpdate,
 * rmspropUpdate, adamUpdate): the kernel reads the gradient and overwrites the variable and its
 * slots in place (Variable.writableValue), so a training step allocates nothing for its update.
 */

let enabled = true;

/**
 * Turns the fused updates off (or back on) for every optimizer; returns the previous setting.
 * Internal: tests compare the fused kernels against the op-by-op updates with it.
 */
export function setFusedUpdates(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * Whether the fused kernel applies: a float32 variable and a float32 gradient of its shape (an
 * unusual gradient, such as one that broadcasts, takes the op-by-op path).
 */
export function canFuse(gradient: Tensor, variable: Variable): boolean {
  if (!enabled) return false;
  if (variable.dtype !== "float32" || gradient.dtype !== "float32" || gradient.size !== variable.size) return false;
  const a = gradient.shape;
  const b = variable.shape;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The op-by-op path's share of a fused weight decay: w <- w * factor (nothing when the factor is 1). */
export function applyDecay(variable: Variable, factor: number): void {
  if (factor !== 1) variable.assign(ops.multiply(variable.value, factor));
}
