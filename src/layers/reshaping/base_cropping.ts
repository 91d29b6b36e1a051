import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

/** Cropping1D/2D/3D: a number of entries cut from the start and end of each spatial axis. */
export abstract class BaseCropping extends Layer {
  readonly dataFormat: DataFormat;
  /** (start, end) per spatial axis. */
  readonly cropping: [number, number][];

  /** `standardize` reads the cropping and data format; `owner` names the layer in its errors. */
  protected constructor(args: LayerArgs, standardize: (owner: string) => { cropping: [number, number][]; dataFormat: DataFormat }) {
    super(args);
    const { cropping, dataFormat } = standardize(`${this.className()} layer '${this.name}'`);
    this.cropping = cropping;
    this.dataFormat = dataFormat;
    this.inputSpec = { ndim: cropping.length + 2 };
  }

  private firstSpatialAxis(): number {
    return this.dataFormat === "channels_first" ? 2 : 1;
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const out = [...shape];
    this.cropping.forEach(([start, end], i) => {
      const axis = this.firstSpatialAxis() + i;
      const d = shape[axis];
      if (d === null) return;
      if (start + end >= d) {
        throw new Error(
          `${this.className()} layer '${this.name}': values in \`cropping\` should be smaller than the corresponding spatial dimension of the input. ` +
            `Received: input_shape=${formatSymbolicShape(shape)}, cropping=${JSON.stringify(this.cropping)}`,
        );
      }
      out[axis] = d - start - end;
    });
    return out;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const size = this.computeOutputShape(x.shape) as number[];
    const begin = x.shape.map(() => 0);
    this.cropping.forEach(([start], i) => (begin[this.firstSpatialAxis() + i] = start));
    return ops.slice(x, begin, size);
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }
}
