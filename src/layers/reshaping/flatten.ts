import type { Tensor } from "../../backend/tensor.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface FlattenArgs extends LayerArgs {
  dataFormat?: "channels_last" | "channels_first";
}

/** Flattens every axis but the batch axis: [batch, 28, 28] -> [batch, 784]. */
export class Flatten extends Layer {
  static override className = "Flatten";
  readonly dataFormat: "channels_last" | "channels_first";

  constructor(args: FlattenArgs = {}) {
    super(args);
    this.dataFormat = args.dataFormat ?? "channels_last";
    this.inputSpec = { minNdim: 1 };
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    let x = inputs as Tensor;
    if (this.dataFormat === "channels_first" && x.rank > 2) {
      // Keras moves channels last first so the flattened order matches channels_last models.
      x = ops.transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]);
    }
    return ops.reshape(x, [x.shape[0], -1]);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const rest = shape.slice(1);
    const flat = rest.some((d) => d === null) ? null : rest.reduce<number>((a, b) => a * (b as number), 1);
    return [shape[0], flat];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }
}
