import { checkDType, type DType, type Shape, type TypedArray } from "./dtypes.js";
import { makeTensor, tensorOps, type Tensor } from "./tensor.js";
import { checkShape, formatShape, shapesEqual } from "./shape.js";
import { formatShapeTuple, formatTensor } from "./format.js";
import type { TensorLike } from "../ops/core.js";
import { autoName } from "../utils/naming.js";
import { getBackend } from "./backend.js";
import { isWrittenInPlace, markWrittenInPlace } from "./in_place.js";

/**
 * Keras's naming: the first `variable`, then `variable_1`, `variable_2`, ... (the counters are the
 * ones `utils/naming.ts` keeps for every auto-named object).
 */
export function uniqueName(base: string): string {
  return autoName(base);
}

export { markWrittenInPlace, isWrittenInPlace } from "./in_place.js";

function unshared(value: Tensor): Tensor {
  return isWrittenInPlace(value.storage) ? makeTensor(value.storage.slice(), value.shape, value.dtype) : value;
}

/** Makes a variable's first value from its shape and dtype, as Keras initializers do. */
export type VariableInitializer = (shape: readonly number[], dtype: DType) => TensorLike;

export interface VariableOptions {
  /** Defaults to `variable`, `variable_1`, ...; must not contain `/`. */
  name?: string;
  trainable?: boolean;
  /**
   * Defaults to the initial value's dtype, or float32 when the variable is made by an initializer
   * function.
   */
  dtype?: DType;
  /** Required with an initializer function (which is called with it); checked against a value. */
  shape?: readonly number[];
  /** Applied by optimizers to the value after each update (a `keras.constraints` object). */
  constraint?: VariableConstraint | null;
}

/** What a variable's constraint is to it: a projection of the value, as Keras's `Constraint.__call__`. */
export interface VariableConstraint {
  call(value: Tensor): Tensor;
}

/**
 * Mutable model state: a name, a fixed shape and dtype, and a current value that `assign`
 * replaces. Gradients can be taken with respect to variables (see `valueAndGrad`).
 *
 * Optimizer steps update the value in place, as Keras's TensorFlow and torch backends do (no
 * per-step allocation): a tensor read from `value` before a training step may show the values
 * after it. `assign` never changes a tensor read before; copy the value (`ops.copy`, or a layer's
 * `getWeights()`) to keep a snapshot across training.
 *
 *   new Variable([[1, 2], [3, 4]], { dtype: "float32" })
 *   new Variable((shape, dtype) => ops.zeros(shape, dtype), { shape: [2, 2] })
 */
export class Variable {
  readonly name: string;
  trainable: boolean;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Applied by optimizers to the value after each update, as Keras's `variable.constraint`. */
  constraint: VariableConstraint | null;
  private current: Tensor;
  /** Whether `current`'s storage was made for this variable alone, so it may be written in place. */
  private owned = false;

  constructor(initializer: TensorLike | VariableInitializer | (() => TensorLike), options: VariableOptions = {}) {
    const name = options.name ?? uniqueName("variable");
    if (typeof name !== "string" || name.length === 0 || name.includes("/")) {
      throw new Error(`Variable: name must be a non-empty string without '/', got ${JSON.stringify(name)}`);
    }
    this.name = name;
    if (options.dtype !== undefined) checkDType(options.dtype, `Variable '${name}'`);
    const shape = options.shape === undefined ? undefined : checkShape(options.shape, `Variable '${name}'`);

    const { convertToTensor } = tensorOps();
    let value: Tensor;
    if (typeof initializer === "function") {
      const dtype = options.dtype ?? "float32";
      if (shape === undefined) {
        if (initializer.length > 0) {
          throw new Error(`Variable '${name}': when creating a variable from an initializer, the \`shape\` option must be given`);
        }
        value = convertToTensor((initializer as () => TensorLike)(), dtype);
      } else {
        value = convertToTensor(initializer(shape, dtype), dtype);
      }
    } else {
      value = convertToTensor(initializer, options.dtype);
    }
    if (shape !== undefined && !shapesEqual(value.shape, shape)) {
      throw new Error(`Variable '${name}': the initial value has shape ${formatShape(value.shape)}, but shape ${formatShape(shape)} was given`);
    }
    this.dtype = value.dtype;
    this.shape = value.shape;
    this.current = unshared(value);
    this.trainable = options.trainable ?? true;
    this.constraint = options.constraint ?? null;
  }

  /** The current value (see the class comment: optimizer steps update it in place). */
  get value(): Tensor {
    return this.current;
  }

  /**
   * The current value as a tensor whose storage belongs to this variable, for kernels that update
   * it in place (the fused optimizer updates). The first call after a construction or `assign`
   * copies the value, so that tensors the variable was given are never written.
   */
  writableValue(): Tensor {
    if (!this.owned) {
      // A device backend keeps the copy on the device, where its update kernels write it.
      const storage = this.current.storage;
      this.current = makeTensor(getBackend().writableCopy?.(storage) ?? storage.slice(), this.current.shape, this.dtype);
      markWrittenInPlace(this.current.storage);
      this.owned = true;
    }
    return this.current;
  }

  /** The variable's path in its model; the name for a free-standing variable. */
  get path(): string {
    return this.name;
  }

  get size(): number {
    return this.current.size;
  }

  get rank(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Replaces the value and returns it; the new one must have the variable's shape (it is cast to its dtype). */
  assign(value: TensorLike): Tensor {
    const next = tensorOps().convertToTensor(value, this.dtype);
    if (!shapesEqual(next.shape, this.shape as Shape)) {
      throw new Error(`Variable '${this.name}': cannot assign a value of shape ${formatShape(next.shape)} to a variable of shape ${formatShape(this.shape)}`);
    }
    this.current = unshared(next);
    this.owned = false;
    return this.current;
  }

  /** `assign(value + delta)`; `delta` broadcasts to the variable's shape. */
  assignAdd(delta: TensorLike): Tensor {
    return this.assign(tensorOps().add(this.current, delta));
  }

  /** `assign(value - delta)`; `delta` broadcasts to the variable's shape. */
  assignSub(delta: TensorLike): Tensor {
    return this.assign(tensorOps().subtract(this.current, delta));
  }

  /** `<Variable path=w, shape=(2,), dtype=float32, value=[1. 2.]>`, as Keras prints one. */
  toString(): string {
    const c = this.current;
    const value = c.onDeviceOnly ? "<on the GPU: await variable.value.data() to read>" : formatTensor(c.dataSync(), c.shape, c.dtype);
    return `<Variable path=${this.path}, shape=${formatShapeTuple(this.shape)}, dtype=${this.dtype}, value=${value}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
