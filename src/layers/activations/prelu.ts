import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface PReLUArgs extends LayerArgs {
  /** Initializer of `alpha`. Default "Zeros". */
  alphaInitializer?: initializers.InitializerIdentifier;
  alphaRegularizer?: regularizers.RegularizerIdentifier;
  alphaConstraint?: constraints.ConstraintIdentifier;
  /**
   * Axes (counting the batch axis as 0) along which `alpha` is shared: `[1, 2]` for one slope per
   * channel of `[batch, height, width, channels]` feature maps.
   */
  sharedAxes?: number | readonly number[] | null;
}

/**
 * Parametric ReLU: `x` for x >= 0, `alpha * x` otherwise, with `alpha` a trainable weight of the
 * input's shape (without the batch axis; size 1 along `sharedAxes`).
 * Keras: `keras.layers.PReLU(alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None)`.
 */
export class PReLU extends Layer {
  static override className = "PReLU";
  override supportsMasking = true;
  readonly alphaInitializer: initializers.Initializer;
  readonly alphaRegularizer: regularizers.Regularizer | null;
  readonly alphaConstraint: constraints.Constraint | null;
  readonly sharedAxes: number[] | null;
  alpha?: Variable;

  constructor(args: PReLUArgs = {}) {
    super(args);
    this.alphaInitializer = initializers.get(args.alphaInitializer ?? "Zeros");
    this.alphaRegularizer = regularizers.get(args.alphaRegularizer);
    this.alphaConstraint = constraints.get(args.alphaConstraint);
    const shared = args.sharedAxes;
    if (shared === undefined || shared === null) this.sharedAxes = null;
    else this.sharedAxes = typeof shared === "number" ? [shared] : [...shared];
    if (this.sharedAxes !== null && !this.sharedAxes.every((a) => Number.isInteger(a) && a >= 1)) {
      throw new RangeError(`PReLU layer '${this.name}': sharedAxes must be axes >= 1 (axis 0 is the batch axis), got ${JSON.stringify(shared)}`);
    }
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const shared = this.sharedAxes ?? [];
    for (const a of shared) {
      if (a >= shape.length) {
        throw new RangeError(`PReLU layer '${this.name}': shared axis ${a} is out of range for inputs of shape ${formatSymbolicShape(shape)}`);
      }
    }
    const paramShape = shape.slice(1).map((d, i) => {
      if (shared.includes(i + 1)) return 1;
      if (d === null) {
        throw new Error(`PReLU layer '${this.name}': axis ${i + 1} of the input shape ${formatSymbolicShape(shape)} must be known to create alpha (or list it in sharedAxes)`);
      }
      return d;
    });
    this.alpha = this.addWeight({
      name: "alpha", shape: paramShape, initializer: this.alphaInitializer,
      regularizer: this.alphaRegularizer, constraint: this.alphaConstraint,
    });
    const axes: Record<number, number> = {};
    for (let i = 1; i < shape.length; i++) if (!shared.includes(i)) axes[i] = shape[i] as number;
    this.inputSpec = { ndim: shape.length, axes };
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    // relu(x) - alpha * relu(-x), as Keras computes it.
    return ops.subtract(ops.relu(x), ops.multiply(this.alpha!.value, ops.relu(ops.negative(x))));
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      alpha_initializer: initializers.serialize(this.alphaInitializer),
      alpha_regularizer: regularizers.serialize(this.alphaRegularizer),
      alpha_constraint: constraints.serialize(this.alphaConstraint),
      shared_axes: this.sharedAxes === null ? null : [...this.sharedAxes],
    };
  }
}
