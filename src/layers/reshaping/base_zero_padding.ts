import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

/** ZeroPadding1D/2D/3D: zeros added before and after each spatial axis. */
export abstract class BaseZeroPadding extends Layer {
  readonly dataFormat: DataFormat;
  /** (before, after) per spatial axis. */
  readonly padding: [number, number][];

  /** `standardize` reads the padding and data format; `owner` names the layer in its errors. */
  protected constructor(args: LayerArgs, standardize: (owner: string) => { padding: [number, number][]; dataFormat: DataFormat }) {
    super(args);
    const { padding, dataFormat } = standardize(`${this.className()} layer '${this.name}'`);
    this.padding = padding;
    this.dataFormat = dataFormat;
    this.inputSpec = { ndim: padding.length + 2 };
  }

  private firstSpatialAxis(): number {
    return this.dataFormat === "channels_first" ? 2 : 1;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const widths: [number, number][] = x.shape.map(() => [0, 0]);
    this.padding.forEach((pair, i) => (widths[this.firstSpatialAxis() + i] = pair));
    return ops.pad(x, widths);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const out = [...(inputShape as SymbolicShape)];
    this.padding.forEach(([before, after], i) => {
      const axis = this.firstSpatialAxis() + i;
      const d = out[axis];
      out[axis] = d === null ? null : d + before + after;
    });
    return out;
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }
}
