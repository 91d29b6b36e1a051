import { checkDType, type DType } from "../../backend/dtypes.js";
import { KerasTensor, type SymbolicShape } from "../../backend/keras_tensor.js";
import { Layer, type LayerArgs } from "../layer.js";
import { Node } from "../node.js";

export interface InputLayerArgs extends Omit<LayerArgs, "dtype"> {
  /** Shape without the batch axis. */
  shape?: readonly (number | null)[];
  batchShape?: readonly (number | null)[];
  dtype?: DType;
}

/** The entry point of a functional model: holds the symbolic tensor that `keras.Input` returns. */
export class InputLayer extends Layer {
  static override className = "InputLayer";
  readonly output: KerasTensor;

  constructor(args: InputLayerArgs = {}) {
    const batchShape = resolveBatchShape(args);
    super({ name: args.name, dtype: args.dtype, batchInputShape: batchShape });
    const dtype = args.dtype === undefined ? "float32" : checkDType(args.dtype, "InputLayer");
    this.output = new KerasTensor(batchShape, dtype, this.name);
    this.output.kerasHistory = { layer: this, nodeIndex: 0, tensorIndex: 0 };
    this.inboundNodes.push(new Node(this, [], this.output));
    this.built = true;
  }

  override getConfig(): Record<string, unknown> {
    return { batch_shape: [...(this.batchInputShape as SymbolicShape)], dtype: this.output.dtype, sparse: false, name: this.name };
  }
}

function resolveBatchShape(args: InputLayerArgs & { batch_shape?: (number | null)[]; batch_input_shape?: (number | null)[] }): SymbolicShape {
  const batchShape = args.batchShape ?? args.batch_shape ?? args.batchInputShape ?? args.batch_input_shape;
  if (batchShape !== undefined) return [...batchShape];
  const shape = args.shape ?? args.inputShape;
  if (shape === undefined) throw new Error("InputLayer: give `shape` (without the batch axis) or `batchShape`");
  if (!Array.isArray(shape)) throw new TypeError(`Input: shape must be an array such as [784], got ${JSON.stringify(shape)}`);
  for (const d of shape) {
    if (d !== null && (!Number.isInteger(d) || d < 0)) throw new RangeError(`Input: shape entries must be non-negative integers or null, got ${JSON.stringify(shape)}`);
  }
  return [args.batchSize ?? null, ...shape];
}

export interface InputArgs {
  shape?: readonly (number | null)[];
  batchSize?: number;
  batchShape?: readonly (number | null)[];
  dtype?: DType;
  name?: string;
}

/** `keras.Input({ shape: [784] })`: a symbolic tensor to start a functional model from. */
export function Input(args: InputArgs): KerasTensor {
  return new InputLayer(args).output;
}
