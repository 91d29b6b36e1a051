import type { Variable } from "../backend/variable.js";
import { markWrittenInPlace } from "../backend/variable.js";

/**
 * One reusable gradient buffer per float32 variable, for a loop that takes gradients of the same
 * variables step after step and lets go of each step's gradients before the next (`fit`): passed
 * to `valueAndGrad({ variables, gradientBuffers })`, the gradients come back over this memory
 * instead of fresh arrays. They are valid until the next call that uses the same buffers; keep
 * `ops.copy(grad)` to hold one longer.
 */
export class GradientBuffers {
  private readonly buffers = new WeakMap<Variable, Float32Array>();

  /** The buffer for `variable`'s gradient, made on first use; undefined for non-float32 variables. */
  bufferFor(variable: Variable): Float32Array | undefined {
    if (variable.dtype !== "float32") return undefined;
    let buffer = this.buffers.get(variable);
    if (buffer === undefined || buffer.length !== variable.size) {
      buffer = new Float32Array(variable.size);
      // A variable assigned a tensor over this memory must copy it: the next step overwrites it.
      markWrittenInPlace(buffer);
      this.buffers.set(variable, buffer);
    }
    return buffer;
  }
}
