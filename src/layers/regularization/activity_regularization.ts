import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import * as regularizers from "../../regularizers/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface ActivityRegularizationArgs extends Omit<LayerArgs, "activityRegularizer"> {
  /** L1 factor. Default 0. */
  l1?: number;
  /** L2 factor. Default 0. */
  l2?: number;
}

/**
 * Passes its inputs through unchanged and adds `l1 * sum(|x|) + l2 * sum(x^2)` (divided by the
 * batch size, as every activity regularizer) to the model's losses.
 * Keras: `keras.layers.ActivityRegularization(l1=0.0, l2=0.0)`.
 */
export class ActivityRegularization extends Layer {
  static override className = "ActivityRegularization";
  override supportsMasking = true;
  readonly l1: number;
  readonly l2: number;

  constructor(args: ActivityRegularizationArgs = {}) {
    const l1 = args.l1 ?? 0;
    const l2 = args.l2 ?? 0;
    for (const [key, value] of [["l1", l1], ["l2", l2]] as const) {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new TypeError(`ActivityRegularization layer '${args.name ?? "activity_regularization"}': ${key} must be a finite number, got ${JSON.stringify(value)}`);
      }
    }
    super({ ...args, activityRegularizer: new regularizers.L1L2({ l1, l2 }) });
    this.l1 = l1;
    this.l2 = l2;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return inputs as Tensor;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    const { activity_regularizer: _, ...base } = super.getConfig();
    return { ...base, l1: this.l1, l2: this.l2 };
  }
}
