import type { DType, Shape } from "./dtypes.js";
import type { Tensor } from "./tensor.js";
import { formatShape, shapesEqual } from "./shape.js";
import { cast, convertToTensor, type TensorLike } from "../ops/core.js";

const nameCounts = new Map<string, number>();

/** Keras's naming: the first `variable`, then `variable_1`, `variable_2`, ... */
export function uniqueName(base: string): string {
  const count = nameCounts.get(base) ?? 0;
  nameCounts.set(base, count + 1);
  return count === 0 ? base : `${base}_${count}`;
}

export interface VariableOptions {
  name?: string;
  trainable?: boolean;
  dtype?: DType;
}

/**
 * Mutable model state: a name, a fixed shape and dtype, and a current value that `assign`
 * replaces. Gradients can be taken with respect to variables (see `valueAndGrad`).
 */
export class Variable {
  readonly name: string;
  trainable: boolean;
  readonly dtype: DType;
  readonly shape: readonly number[];
  private current: Tensor;

  constructor(initialValue: TensorLike | (() => TensorLike), options: VariableOptions = {}) {
    const raw = typeof initialValue === "function" ? initialValue() : initialValue;
    let value = convertToTensor(raw, options.dtype);
    this.dtype = options.dtype ?? value.dtype;
    if (value.dtype !== this.dtype) value = cast(value, this.dtype);
    this.current = value;
    this.shape = value.shape;
    this.name = options.name ?? uniqueName("variable");
    this.trainable = options.trainable ?? true;
  }

  get value(): Tensor {
    return this.current;
  }

  get size(): number {
    return this.current.size;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Replaces the value; the new one must have the variable's shape. */
  assign(value: TensorLike): void {
    let next = convertToTensor(value, this.dtype);
    if (!shapesEqual(next.shape, this.shape as Shape)) {
      throw new Error(`Variable '${this.name}': cannot assign a value of shape ${formatShape(next.shape)} to a variable of shape ${formatShape(this.shape)}`);
    }
    if (next.dtype !== this.dtype) next = cast(next, this.dtype);
    this.current = next;
  }


  toString(): string {
    return `<Variable path=${this.name}, shape=(${this.shape.join(", ")}), dtype=${this.dtype}, value=${this.current.toString()}>`;
  }
}
