import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor, SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs, LayerMask } from "../layer.js";
import { Merge, formatShapeList } from "./base_merge.js";

export type DotAxes = number | readonly [number, number];

export interface DotArgs extends LayerArgs {
  /** The axis of each input to take the dot product over: one for both, or `[axisOfFirst, axisOfSecond]`. */
  axes?: DotAxes;
  /** L2-normalize both inputs along their dot axes first, so the output is the cosine similarity. Default false. */
  normalize?: boolean;
}

/** Keras's `ops.normalize(x, axis, order=2)`: `x * min(rsqrt(sum(x^2)), 1 / epsilon)`, epsilon 1e-7. */
function l2Normalize(x: Tensor, axis: number): Tensor {
  const squareSum = ops.sum(ops.square(x), axis, true);
  const invNorm = ops.minimum(ops.reciprocal(ops.sqrt(squareSum)), 1 / 1e-7);
  return ops.multiply(x, invNorm);
}

/**
 * Keras's `batch_dot`: for each sample, the dot product of `x` and `y` over `x`'s axis `a0` and
 * `y`'s axis `a1` (both >= 1). The result has x's remaining axes then y's (without its batch axis);
 * a rank-1 result becomes `[batch, 1]`.
 */
function batchDot(x: Tensor, y: Tensor, a0: number, a1: number): Tensor {
  const batch = x.shape[0];
  const k = x.shape[a0];
  const xOther = x.shape.map((_, i) => i).filter((i) => i !== 0 && i !== a0);
  const yOther = y.shape.map((_, i) => i).filter((i) => i !== 0 && i !== a1);
  const xDims = xOther.map((i) => x.shape[i]);
  const yDims = yOther.map((i) => y.shape[i]);
  const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  const xt = ops.reshape(ops.transpose(x, [0, ...xOther, a0]), [batch, size(xDims), k]);
  const yt = ops.reshape(ops.transpose(y, [0, a1, ...yOther]), [batch, k, size(yDims)]);
  const outShape = [batch, ...xDims, ...yDims];
  return ops.reshape(ops.matmul(xt, yt), outShape.length === 1 ? [batch, 1] : outShape);
}

/**
 * The per-sample dot product of two inputs over the given axes (`normalize: true` for cosine
 * similarity). Shapes `[b, 3, 5]` and `[b, 10, 3]` with `axes: [1, 2]` give `[b, 5, 10]`.
 * Keras: `keras.layers.Dot(axes, normalize=False)`.
 */
export class Dot extends Merge {
  static override className = "Dot";
  readonly axes: DotAxes;
  readonly normalize: boolean;

  constructor(axes: DotAxes, args?: Omit<DotArgs, "axes">);
  constructor(args: DotArgs & { axes: DotAxes });
  constructor(axesOrArgs: DotAxes | DotArgs, maybeArgs: Omit<DotArgs, "axes"> = {}) {
    const positional = typeof axesOrArgs === "number" || Array.isArray(axesOrArgs);
    const args: DotArgs = positional ? { ...maybeArgs, axes: axesOrArgs as DotAxes } : (axesOrArgs as DotArgs);
    super(args);
    const axes = args.axes;
    if (typeof axes === "number") {
      if (!Number.isInteger(axes)) throw new TypeError(`Dot layer '${this.name}': axes must be an integer or a list of two integers, got ${axes}`);
    } else if (!Array.isArray(axes)) {
      throw new TypeError(`Dot layer '${this.name}': invalid type for argument \`axes\`: it should be a list or an int. Received: axes=${JSON.stringify(axes)}`);
    } else if (axes.length !== 2 || !axes.every((a) => Number.isInteger(a))) {
      throw new Error(`Dot layer '${this.name}': invalid format for argument \`axes\`: it should contain two integers. Received: axes=${JSON.stringify(axes)}`);
    }
    this.axes = typeof axes === "number" ? axes : (Object.freeze([axes[0], axes[1]]) as readonly [number, number]);
    this.normalize = args.normalize ?? false;
  }

  /** The dot product mixes the timesteps: no mask comes out (Keras's `Dot.compute_mask`). */
  override computeMask(): LayerMask {
    return null;
  }

  protected override checkInputCount(shapes: readonly SymbolicShape[]): void {
    if (shapes.length !== 2) throw this.error(`a Dot layer should be called on a list of exactly 2 inputs. Received ${shapes.length} inputs with shapes ${formatShapeList(shapes)}`);
  }

  /** The dot axis of each input, made non-negative. */
  private resolveAxes(rank1: number, rank2: number): [number, number] {
    const pair = typeof this.axes === "number" ? [this.axes, this.axes] : this.axes;
    return [pair[0] < 0 ? pair[0] + rank1 : pair[0], pair[1] < 0 ? pair[1] + rank2 : pair[1]];
  }

  protected override mergedShape(shapes: readonly SymbolicShape[]): SymbolicShape {
    this.checkInputCount(shapes);
    const [s1, s2] = shapes;
    if (s1.length < 2 || s2.length < 2) {
      throw this.error(`cannot take a batch dot product of inputs with rank < 2. Received inputs with shapes ${formatShapeList(shapes)}`);
    }
    if (s1[0] !== null && s2[0] !== null && s1[0] !== s2[0]) {
      throw this.error(`cannot take a batch dot product of inputs with different batch sizes. Received inputs with shapes ${formatShapeList(shapes)}`);
    }
    const [a0, a1] = this.resolveAxes(s1.length, s2.length);
    if (a0 < 1 || a0 >= s1.length || a1 < 1 || a1 >= s2.length) {
      throw this.error(`axes ${JSON.stringify(this.axes)} are out of range for inputs of shapes ${formatShapeList(shapes)} (axis 0, the batch axis, cannot be used)`);
    }
    const d1 = s1[a0];
    const d2 = s2[a1];
    if (d1 !== null && d2 !== null && d1 !== d2) {
      throw this.error(`incompatible input shapes: axis values ${d1} (at axis ${a0}) != ${d2} (at axis ${a1}). Full input shapes: ${formatShapeList(shapes)}`);
    }
    const out = [s1[0] ?? s2[0], ...s1.filter((_, i) => i !== 0 && i !== a0), ...s2.filter((_, i) => i !== 0 && i !== a1)];
    return out.length === 1 ? [out[0], 1] : out;
  }

  protected mergeFunction(inputs: Tensor[]): Tensor {
    let [x, y] = inputs;
    const [a0, a1] = this.resolveAxes(x.rank, y.rank);
    if (this.normalize) {
      x = l2Normalize(x, a0);
      y = l2Normalize(y, a1);
    }
    return batchDot(x, y, a0, a1);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = this.inputList(inputs);
    this.mergedShape(list.map((t) => t.shape));
    return this.mergeFunction(list);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: typeof this.axes === "number" ? this.axes : [...this.axes], normalize: this.normalize };
  }
}

/** Functional form, Keras's `keras.layers.dot(inputs, axes=-1)`. */
export function dot(inputs: Tensor[], axes?: DotAxes, args?: Omit<DotArgs, "axes">): Tensor;
export function dot(inputs: KerasTensor[], axes?: DotAxes, args?: Omit<DotArgs, "axes">): KerasTensor;
export function dot(inputs: Tensor[] | KerasTensor[], axes: DotAxes = -1, args: Omit<DotArgs, "axes"> = {}): Tensor | KerasTensor {
  return new Dot(axes, args).apply(inputs);
}
