import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface RepeatVectorArgs extends LayerArgs {
  /** How many times to repeat. */
  n?: number;
}

/** Repeats a `[batch, features]` input `n` times: `[batch, n, features]`. Keras: `keras.layers.RepeatVector(n)`. */
export class RepeatVector extends Layer {
  static override className = "RepeatVector";
  readonly n: number;

  constructor(n: number, args?: LayerArgs);
  constructor(args: RepeatVectorArgs & { n: number });
  constructor(nOrArgs: number | RepeatVectorArgs, maybeArgs: LayerArgs = {}) {
    const args: RepeatVectorArgs = typeof nOrArgs === "number" ? { ...maybeArgs, n: nOrArgs } : nOrArgs;
    super(args);
    if (!Number.isInteger(args.n) || (args.n as number) < 0) {
      throw new TypeError(`RepeatVector layer '${this.name}': expected a non-negative integer value for \`n\`, got ${JSON.stringify(args.n)}`);
    }
    this.n = args.n as number;
    this.inputSpec = { ndim: 2 };
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const [batch, features] = x.shape;
    return ops.broadcastTo(ops.reshape(x, [batch, 1, features]), [batch, this.n, features]);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0], this.n, shape[1]];
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}
