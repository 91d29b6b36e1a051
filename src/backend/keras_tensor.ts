import type { DType } from "./dtypes.js";

/** A shape whose entries may be unknown (`null`), e.g. the batch axis of a model input. */
export type SymbolicShape = readonly (number | null)[];

/** Where a symbolic tensor came from: the layer call (node) that produced it. */
export interface KerasHistory {
  /** The layer, typed loosely here so the backend does not depend on layers. */
  layer: unknown;
  nodeIndex: number;
  tensorIndex: number;
}

let nextKerasTensorId = 0;

/**
 * A symbolic tensor: a shape and dtype flowing through `keras.Input` and `layer.apply(...)` to
 * describe a functional model's graph. It holds no data.
 */
export class KerasTensor {
  readonly id = nextKerasTensorId++;
  readonly shape: SymbolicShape;
  readonly dtype: DType;
  readonly name: string;
  kerasHistory?: KerasHistory;

  constructor(shape: SymbolicShape, dtype: DType = "float32", name = "keras_tensor") {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.name = name;
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `<KerasTensor shape=(${this.shape.map((d) => (d === null ? "None" : d)).join(", ")}${this.shape.length === 1 ? "," : ""}), dtype=${this.dtype}, name=${this.name}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export function formatSymbolicShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? "None" : String(d))).join(", ")}${shape.length === 1 ? "," : ""})`;
}
