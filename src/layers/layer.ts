import { checkDType, isDType, type DType } from "../backend/dtypes.js";
import { KerasTensor, formatSymbolicShape, type SymbolicShape } from "../backend/keras_tensor.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { getKerasMask, setKerasMask } from "../backend/masking.js";
import * as ops from "../ops/index.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import * as initializers from "../initializers/index.js";
import * as regularizers from "../regularizers/index.js";
import * as constraints from "../constraints/index.js";
import { autoName, snakeToCamel, toSnakeCase } from "../utils/naming.js";
import { Node } from "./node.js";

export type LayerInputs = Tensor | KerasTensor | (Tensor | KerasTensor)[];

/**
 * What `apply` returns on symbolic inputs for a layer whose `call` returns `T`: a KerasTensor for
 * each Tensor, in the same structure.
 */
export type SymbolicOutput<T> = T extends Tensor
  ? KerasTensor
  : T extends readonly Tensor[]
    ? KerasTensor[]
    : T extends Record<string, Tensor>
      ? Record<string, KerasTensor>
      : KerasTensor | KerasTensor[];
export type LayerShape = SymbolicShape | SymbolicShape[];

export interface CallOptions {
  /** Training mode (dropout active, batch statistics updated); false at inference. */
  training?: boolean;
  /**
   * The mask of the inputs (bool, [batch, timesteps]), for layers that read one. `apply` fills it
   * from the mask attached to the input (see `keras.layers.Masking`, `Embedding({ maskZero })`)
   * when the caller gives none.
   */
  mask?: Tensor | (Tensor | null)[] | null;
}

/** A layer's mask output: one per output, null where there is none. */
export type LayerMask = Tensor | null | (Tensor | null)[];

/** The options every layer takes, as in Keras (camelCase). */
export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  /** A dtype name, or Keras's serialized DTypePolicy. */
  dtype?: DType | { config: { name: string } } | null;
  /** Input shape without the batch axis, for the first layer of a Sequential model. */
  inputShape?: readonly (number | null)[];
  batchSize?: number;
  batchInputShape?: readonly (number | null)[];
  inputDim?: number;
  /**
   * A penalty on the layer's outputs, added to its losses at every call: regularizer(output) /
   * batch size, as Keras 3 does for every layer.
   */
  activityRegularizer?: regularizers.RegularizerIdentifier;
}

/** What inputs a layer accepts; checked on every call so a wrong shape fails with a clear message. */
export interface InputSpec {
  ndim?: number;
  minNdim?: number;
  /** Required sizes of given axes (negative counts from the end). */
  axes?: Record<number, number>;
}

interface WeightRecord {
  variable: Variable;
  regularizer: regularizers.Regularizer | null;
}

export interface AddWeightOptions {
  shape: readonly number[];
  initializer?: initializers.InitializerIdentifier;
  dtype?: DType;
  trainable?: boolean;
  regularizer?: regularizers.RegularizerIdentifier;
  constraint?: constraints.ConstraintIdentifier;
  name?: string;
}

function dtypeFromArg(dtype: LayerArgs["dtype"]): DType {
  if (dtype === undefined || dtype === null) return "float32";
  if (typeof dtype === "string") return checkDType(dtype, "Layer");
  const name = dtype.config?.name;
  if (isDType(name)) return name;
  throw new TypeError(`Layer: unsupported dtype policy ${JSON.stringify(dtype)}`);
}

export function isSymbolic(inputs: unknown): boolean {
  if (inputs instanceof KerasTensor) return true;
  return Array.isArray(inputs) && inputs.some((t) => t instanceof KerasTensor);
}

/**
 * Called by `addWeight` before a weight is allocated, while a model file is being rebuilt: the
 * loader (src/saving) refuses weights larger than the file could hold, before any memory is taken.
 */
let weightAllocationCheck: ((layer: Layer, name: string, shape: readonly number[]) => void) | null = null;

/** Runs `fn` with `check` called before every weight allocation (synchronous code only). */
export function withWeightAllocationCheck<T>(check: (layer: Layer, name: string, shape: readonly number[]) => void, fn: () => T): T {
  const previous = weightAllocationCheck;
  weightAllocationCheck = check;
  try {
    return fn();
  } finally {
    weightAllocationCheck = previous;
  }
}

/** A layer class's own static `className`, else its JavaScript name (an anonymous class inherits the name). */
export function kerasClassName(cls: { readonly className: string; readonly name: string }): string {
  if (Object.prototype.hasOwnProperty.call(cls, "className") || cls.name === "") return cls.className;
  return cls.name;
}

/**
 * The base of every layer and model. A subclass defines `build(inputShape)` to create weights,
 * `call(inputs, options)` to compute, `computeOutputShape` and `getConfig`; `apply` runs it on
 * real tensors (eagerly) or on symbolic ones (to build a functional graph).
 */
export class Layer {
  /** The Keras class name written in configs; keras-ts's classes set their own (see `className()`). */
  static className = "Layer";

  name: string;
  readonly dtype: DType;
  built = false;
  inputSpec: InputSpec | InputSpec[] | null = null;
  /** Shape with batch axis given by `inputShape`/`batchInputShape`, if any. */
  readonly batchInputShape?: SymbolicShape;
  /** Every symbolic call of this layer, in order: the graph's nodes. */
  readonly inboundNodes: Node[] = [];
  /** The input shape this layer was built with (Keras's `build_config`). */
  buildInputShape?: LayerShape;
  /** Penalty on the outputs (see `LayerArgs.activityRegularizer`). */
  readonly activityRegularizer: regularizers.Regularizer | null;
  /**
   * Whether the layer passes a mask on (`computeMask`): layers that keep the timesteps of their
   * input set it, as Keras layers set `supports_masking`. A mask reaching a layer that does not
   * support masking is dropped, as Keras drops it (with a warning there).
   */
  supportsMasking = false;

  private _trainable: boolean;
  private readonly _weights: WeightRecord[] = [];
  private _activityLosses: Tensor[] = [];

  constructor(args: LayerArgs = {}) {
    this.name = args.name ?? autoName(toSnakeCase(kerasClassName(this.constructor as typeof Layer)));
    this._trainable = args.trainable ?? true;
    this.dtype = dtypeFromArg(args.dtype);
    this.activityRegularizer = regularizers.get(args.activityRegularizer);
    if (args.batchInputShape !== undefined) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape !== undefined) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    else if (args.inputDim !== undefined) this.batchInputShape = [args.batchSize ?? null, args.inputDim];
  }

  /**
   * The class name Keras writes in configs and summaries (Python's `self.__class__.__name__`): the
   * static `className` a class sets for itself, else its JavaScript name. A user's `class MyDense
   * extends Dense` is so "MyDense" (auto-named `my_dense`), and loading its config needs
   * `customObjects` or registration, as in Keras.
   */
  className(): string {
    return kerasClassName(this.constructor as typeof Layer);
  }

  /**
   * What kind of saveable object this is, as Keras's `_obj_type()`: saving walks a Sequential's or
   * Functional's layers in their model order, and a layer's or model's attributes otherwise.
   */
  objType(): "Layer" | "Model" | "Sequential" | "Functional" {
    return "Layer";
  }

  get trainable(): boolean {
    return this._trainable;
  }

  set trainable(value: boolean) {
    this._trainable = value;
    for (const layer of this.trackedLayers()) layer.trainable = value;
  }

  // ---- weights -------------------------------------------------------------------------------

  /** Creates a weight of this layer (Keras's `add_weight`). */
  addWeight(options: AddWeightOptions): Variable {
    const dtype = options.dtype ?? this.dtype;
    weightAllocationCheck?.(this, options.name ?? "variable", options.shape);
    const initializer = initializers.get(options.initializer ?? (dtype === "float32" ? "glorot_uniform" : "zeros"));
    const value = initializer.call(options.shape, dtype);
    const variable = new Variable(value, {
      name: options.name ?? "variable", trainable: options.trainable ?? true, dtype, constraint: constraints.get(options.constraint),
    });
    this._weights.push({ variable, regularizer: regularizers.get(options.regularizer) });
    return variable;
  }

  /**
   * Sub-layers held in this layer's properties (a subclassed model's `this.dense = new Dense(..)`),
   * found by looking at the object, the way Keras tracks attributes.
   */
  protected trackedLayers(): Layer[] {
    const found: Layer[] = [];
    const seen = new Set<Layer>();
    const visit = (value: unknown): void => {
      if (value instanceof Layer) {
        if (!seen.has(value) && value !== this) {
          seen.add(value);
          found.push(value);
        }
      } else if (Array.isArray(value)) {
        for (const v of value) visit(v);
      }
    };
    for (const [key, value] of Object.entries(this)) {
      if (key === "inboundNodes") continue;
      visit(value);
    }
    return found;
  }

  get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    const own = this._weights.map((w) => w.variable).filter((v) => v.trainable);
    return dedupe([...own, ...this.trackedLayers().flatMap((l) => l.trainableWeights)]);
  }

  get nonTrainableWeights(): Variable[] {
    const own = this._weights.map((w) => w.variable).filter((v) => !this.trainable || !v.trainable);
    const nested = this.trackedLayers().flatMap((l) => (this.trainable ? l.nonTrainableWeights : l.weights));
    return dedupe([...own, ...nested]);
  }

  /** Trainable weights first, then non-trainable, as Keras orders them. */
  get weights(): Variable[] {
    return dedupe([...this.trainableWeights, ...this.nonTrainableWeights]);
  }

  get trainableVariables(): Variable[] {
    return this.trainableWeights;
  }

  get variables(): Variable[] {
    return this.weights;
  }

  /** Copies of the weights' values (snapshots, as Keras's NumPy arrays are). */
  getWeights(): Tensor[] {
    return this.weights.map((v) => ops.copy(v.value));
  }

  setWeights(values: readonly TensorLike[]): void {
    const weights = this.weights;
    if (values.length !== weights.length) {
      throw new Error(`Layer '${this.name}': setWeights expected ${weights.length} arrays (one per weight), got ${values.length}`);
    }
    weights.forEach((variable, i) => {
      const value = convertToTensor(values[i], variable.dtype);
      if (!shapesEqual(value.shape, variable.shape)) {
        throw new Error(`Layer '${this.name}': weight ${i} ('${variable.name}') has shape ${formatShape(variable.shape)}, but the value given has shape ${formatShape(value.shape)}`);
      }
      variable.assign(value);
    });
  }

  countParams(): number {
    if (!this.built) {
      throw new Error(`You tried to call countParams on layer '${this.name}', but the layer isn't built. Build it first, e.g. by calling it on data or giving it an inputShape.`);
    }
    return this.weights.reduce((n, v) => n + v.size, 0);
  }

  /** Regularization penalties of this layer's weights and its last call's activity losses. */
  get losses(): Tensor[] {
    return this.flattenLayers().flatMap((l) => l.ownLosses());
  }

  /** This layer's own regularization and activity losses (`losses` adds those of the layers it tracks). */
  ownLosses(): Tensor[] {
    const own: Tensor[] = [...this._activityLosses];
    if (this.trainable) {
      for (const { variable, regularizer } of this._weights) if (regularizer !== null) own.push(regularizer.call(variable.value));
    }
    return own;
  }

  /** This layer, then every layer it tracks with theirs, in the order `losses` visits them. */
  flattenLayers(): Layer[] {
    return [this, ...this.trackedLayers().flatMap((l) => l.flattenLayers())];
  }

  protected addLoss(loss: Tensor): void {
    this._activityLosses.push(loss);
  }

  // ---- building and calling --------------------------------------------------------------

  /** Creates the weights for inputs of `inputShape`. The base version only marks the layer built. */
  build(inputShape: LayerShape): void {
    void inputShape;
    this.built = true;
  }

  /** The computation; subclasses override. A model may return its outputs keyed by name. */
  call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor | Tensor[] | Record<string, Tensor> {
    void options;
    return inputs;
  }

  /**
   * Output shape for an input shape (null for unknown sizes). The default runs `call` on zeros
   * with unknown sizes set to 1; layers with a closed form override it.
   */
  computeOutputShape(inputShape: LayerShape): LayerShape {
    const isList = Array.isArray(inputShape[0]) || (inputShape as unknown[]).length === 0;
    const shapes = (isList ? inputShape : [inputShape]) as SymbolicShape[];
    const probes = shapes.map((s) => ops.zeros(s.map((d) => d ?? 1)));
    const out = this.call(isList ? probes : probes[0], { training: false });
    const unknownBatch = shapes.length > 0 && shapes[0].length > 0 && shapes[0][0] === null;
    const restore = (t: Tensor): SymbolicShape => t.shape.map((d, i) => (i === 0 && unknownBatch ? null : d));
    if (out instanceof Tensor) return restore(out);
    // Outputs keyed by name are listed in key order, as a model with such outputs lists them.
    return (Array.isArray(out) ? out : Object.values(out)).map(restore);
  }

  /** Builds on first use; `apply` calls it. */
  maybeBuild(inputShape: LayerShape): void {
    if (this.built) return;
    this.buildInputShape = inputShape;
    this.build(inputShape);
    this.built = true;
  }

  /**
   * Calls the layer. On tensors it computes now; on symbolic tensors (from `keras.Input`) it
   * records a graph node and returns symbolic outputs, which is how functional models are built.
   */
  apply<L extends Layer>(this: L, inputs: KerasTensor | readonly KerasTensor[], options?: CallOptions): SymbolicOutput<ReturnType<L["call"]>>;
  apply<L extends Layer>(this: L, inputs: TensorLike | readonly Tensor[], options?: CallOptions): ReturnType<L["call"]>;
  /** Inputs that may be either: the output is either. */
  apply<L extends Layer>(this: L, inputs: LayerInputs | TensorLike | readonly Tensor[] | readonly KerasTensor[], options?: CallOptions): ReturnType<L["call"]> | SymbolicOutput<ReturnType<L["call"]>>;
  apply(inputs: LayerInputs | TensorLike | readonly (Tensor | KerasTensor)[], options: CallOptions = {}): unknown {
    if (isSymbolic(inputs)) return this.applySymbolic(inputs as KerasTensor | KerasTensor[], options);
    const tensors = Array.isArray(inputs) && inputs.length > 0 && (inputs as unknown[]).every((x) => x instanceof Tensor)
      ? (inputs as Tensor[])
      : convertToTensor(inputs as TensorLike);
    const shapes: LayerShape = Array.isArray(tensors) ? tensors.map((t) => t.shape) : tensors.shape;
    this.checkInputSpec(shapes);
    this.maybeBuild(shapes);
    this._activityLosses = [];
    const inputMask = options.mask ?? maskOf(tensors);
    const callOptions = inputMask === undefined || options.mask !== undefined ? options : { ...options, mask: inputMask };
    const outputs = this.call(tensors, callOptions);
    if (this.activityRegularizer !== null) {
      for (const output of flatOutputs(outputs)) {
        const penalty = this.activityRegularizer.call(output);
        const batch = output.rank > 0 ? output.shape[0] : 0;
        this.addLoss(batch > 0 ? ops.divide(penalty, batch) : penalty);
      }
    }
    if (this.supportsMasking) this.attachMasks(tensors, flatOutputs(outputs), inputMask ?? null);
    return outputs;
  }

  /**
   * The mask of this layer's outputs given its inputs and their mask (Keras's `compute_mask`): the
   * input mask unchanged by default, for layers that `supportsMasking`. Layers that make a mask
   * (Embedding with maskZero, Masking) or change the time axis override it.
   */
  computeMask(inputs: Tensor | Tensor[], previousMask: Tensor | (Tensor | null)[] | null): LayerMask {
    void inputs;
    return previousMask;
  }

  private attachMasks(inputs: Tensor | Tensor[], outs: Tensor[], previousMask: Tensor | (Tensor | null)[] | null): void {
    if (outs.every((t) => getKerasMask(t) !== undefined)) return;
    const masks = this.computeMask(inputs, previousMask);
    if (masks === null) return;
    const list = Array.isArray(masks) ? masks : [masks];
    outs.forEach((t, i) => {
      const mask = list[i] ?? null;
      if (mask !== null && getKerasMask(t) === undefined) setKerasMask(t, mask);
    });
  }

  private applySymbolic(inputs: KerasTensor | KerasTensor[], options: CallOptions): KerasTensor | KerasTensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (!list.every((t) => t instanceof KerasTensor)) {
      throw new TypeError(`Layer '${this.name}': cannot mix symbolic tensors (from keras.Input) with concrete tensors in one call`);
    }
    const shapes: LayerShape = Array.isArray(inputs) ? inputs.map((t) => t.shape) : inputs.shape;
    this.checkInputSpec(shapes);
    this.maybeBuild(shapes);
    const outShape = this.computeOutputShape(shapes);
    const nodeIndex = this.inboundNodes.length;
    const outputDType = this.outputDType(list[0].dtype);
    const makeOutput = (shape: SymbolicShape, tensorIndex: number): KerasTensor => {
      const t = new KerasTensor(shape, outputDType, "keras_tensor");
      t.kerasHistory = { layer: this, nodeIndex, tensorIndex };
      return t;
    };
    const multiple = Array.isArray(outShape[0]) || (outShape as unknown[]).length === 0 && Array.isArray(outShape);
    const outputs = multiple && Array.isArray(outShape[0])
      ? (outShape as SymbolicShape[]).map((s, i) => makeOutput(s, i))
      : makeOutput(outShape as SymbolicShape, 0);
    this.inboundNodes.push(new Node(this, inputs, outputs, options as Record<string, unknown>));
    return outputs;
  }

  /** The dtype of this layer's outputs given its first input's dtype (the layer's own dtype by default). */
  protected outputDType(inputDType: DType): DType {
    void inputDType;
    return this.dtype;
  }

  private checkInputSpec(shapes: LayerShape): void {
    if (this.inputSpec === null) return;
    const specs = Array.isArray(this.inputSpec) ? this.inputSpec : [this.inputSpec];
    const list = (Array.isArray(shapes[0]) ? shapes : [shapes]) as SymbolicShape[];
    specs.forEach((spec, i) => {
      const shape = list[i];
      if (shape === undefined) return;
      const fail = (what: string): never => {
        throw new Error(`Input ${i} of layer "${this.name}" is incompatible with the layer: ${what}, but received input with shape ${formatSymbolicShape(shape)}`);
      };
      if (spec.ndim !== undefined && shape.length !== spec.ndim) fail(`expected ndim=${spec.ndim}, found ndim=${shape.length}. Full shape received: ${formatSymbolicShape(shape)}`);
      if (spec.minNdim !== undefined && shape.length < spec.minNdim) fail(`expected min_ndim=${spec.minNdim}, found ndim=${shape.length}`);
      for (const [axisText, size] of Object.entries(spec.axes ?? {})) {
        const axis = Number(axisText);
        const d = shape[axis < 0 ? shape.length + axis : axis];
        if (d !== null && d !== undefined && d !== size) fail(`expected axis ${axis} of input shape to have value ${size}`);
      }
    });
  }

  // ---- configuration ---------------------------------------------------------------------

  /**
   * The layer's constructor arguments as Keras writes them in config.json (snake_case keys,
   * nested objects as `{module, class_name, config}`), so files interoperate with Keras.
   */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      name: this.name,
      trainable: this.trainable,
      dtype: { module: "keras", class_name: "DTypePolicy", config: { name: this.dtype }, registered_name: null },
    };
    if (this.activityRegularizer !== null) config.activity_regularizer = regularizers.serialize(this.activityRegularizer);
    if (this.batchInputShape !== undefined) config.batch_input_shape = [...this.batchInputShape];
    return config;
  }

  /** Rebuilds a layer from `getConfig()` output (snake_case or camelCase keys). */
  static fromConfig<T extends Layer>(this: new (args: any) => T, config: Record<string, unknown>): T {
    return new this(camelizeConfig(config));
  }

  toString(): string {
    return `<${this.className()} name=${this.name}, built=${this.built}>`;
  }
}

/** Keras config keys to our constructor options: "use_bias" -> "useBias". Nested values are kept. */
export function camelizeConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) out[snakeToCamel(key)] = value;
  return out;
}

function dedupe<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** The mask attached to the first input (Keras passes the first positional argument's masks). */
function maskOf(inputs: Tensor | Tensor[]): Tensor | (Tensor | null)[] | undefined {
  if (!Array.isArray(inputs)) return getKerasMask(inputs);
  const masks = inputs.map((t) => getKerasMask(t) ?? null);
  return masks.some((m) => m !== null) ? masks : undefined;
}

/** A call's outputs as a list: one tensor, a list, or the values of a dict of named outputs. */
function flatOutputs(outputs: Tensor | Tensor[] | Record<string, Tensor>): Tensor[] {
  if (outputs instanceof Tensor) return [outputs];
  return Array.isArray(outputs) ? outputs : Object.values(outputs);
}
