import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

/** UpSampling1D/2D/3D: each entry of each spatial axis repeated `size[i]` times. */
export abstract class BaseUpSampling extends Layer {
  readonly dataFormat: DataFormat;
  /** Repetitions per spatial axis. */
  readonly size: number[];

  /** `standardize` reads the size and data format; `owner` names the layer in its errors. */
  protected constructor(args: LayerArgs, standardize: (owner: string) => { size: number[]; dataFormat: DataFormat }) {
    super(args);
    const { size, dataFormat } = standardize(`${this.className()} layer '${this.name}'`);
    this.size = size;
    this.dataFormat = dataFormat;
    this.inputSpec = { ndim: size.length + 2 };
  }

  protected firstSpatialAxis(): number {
    return this.dataFormat === "channels_first" ? 2 : 1;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    let x = inputs as Tensor;
    this.size.forEach((repeats, i) => (x = ops.repeat(x, repeats, this.firstSpatialAxis() + i)));
    return x;
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const out = [...(inputShape as SymbolicShape)];
    this.size.forEach((repeats, i) => {
      const axis = this.firstSpatialAxis() + i;
      const d = out[axis];
      out[axis] = d === null ? null : d * repeats;
    });
    return out;
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }
}
