import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface ReshapeArgs extends LayerArgs {
  /** The output shape without the batch axis; one entry may be -1 (inferred). */
  targetShape?: readonly number[];
}

/**
 * Reshapes its inputs to `[batch, ...targetShape]`; one entry of `targetShape` may be -1.
 * Keras: `keras.layers.Reshape(target_shape)`.
 */
export class Reshape extends Layer {
  static override className = "Reshape";
  readonly targetShape: readonly number[];

  constructor(targetShape: readonly number[], args?: LayerArgs);
  constructor(args: ReshapeArgs & { targetShape: readonly number[] });
  constructor(shapeOrArgs: readonly number[] | ReshapeArgs, maybeArgs: LayerArgs = {}) {
    const args: ReshapeArgs = Array.isArray(shapeOrArgs) ? { ...maybeArgs, targetShape: shapeOrArgs } : (shapeOrArgs as ReshapeArgs);
    super(args);
    const target = args.targetShape;
    if (!Array.isArray(target)) throw new TypeError(`Reshape layer '${this.name}': targetShape must be an array of integers such as [3, 4], got ${JSON.stringify(target)}`);
    for (const d of target) {
      if (!Number.isInteger(d) || (d < 0 && d !== -1)) {
        throw new RangeError(`Reshape layer '${this.name}': targetShape entries must be non-negative integers or -1, got ${formatSymbolicShape(target)}`);
      }
    }
    if (target.filter((d) => d === -1).length > 1) {
      throw new Error(`Reshape layer '${this.name}': the \`target_shape\` argument must not contain more than one \`-1\` value. Received: target_shape=${formatSymbolicShape(target)}`);
    }
    this.targetShape = Object.freeze([...target]);
    this.built = true;
  }

  /** The target shape with -1 resolved for inputs of `inputShape` (with batch axis). */
  private resolveTarget(inputShape: SymbolicShape): (number | null)[] {
    const rest = inputShape.slice(1);
    const target = this.targetShape;
    const fail = (why: string): never => {
      throw new Error(`Reshape layer '${this.name}': cannot reshape inputs of shape ${formatSymbolicShape(inputShape)} to target shape ${formatSymbolicShape(target)}: ${why}`);
    };
    if (rest.some((d) => d === null)) return target.map((d) => (d === -1 ? null : d));
    const inputSize = (rest as number[]).reduce((a, b) => a * b, 1);
    const unknown = target.indexOf(-1);
    const known = target.reduce((a, d) => (d === -1 ? a : a * d), 1);
    if (unknown === -1) {
      if (known !== inputSize) fail(`the total size must be unchanged, but ${inputSize} elements per sample cannot become ${known}`);
      return [...target];
    }
    if (known === 0 || inputSize % known !== 0) fail(`${inputSize} elements per sample cannot be divided by the specified dimensions (product ${known})`);
    const out: number[] = [...target];
    out[unknown] = inputSize / known;
    return out;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    if (x.rank < 1) throw new Error(`Reshape layer '${this.name}': expected inputs with a batch axis, got a scalar`);
    const target = this.resolveTarget(x.shape) as number[];
    return ops.reshape(x, [x.shape[0], ...target]);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0] ?? null, ...this.resolveTarget(shape)];
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }
}
