import { KerasTensor, type SymbolicShape } from "../backend/keras_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { InputLayer } from "../layers/core/input_layer.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../layers/layer.js";
import { Model } from "./model.js";
import { checkCompatible } from "./layer_graph.js";
import { deserializeLayer, serializeLayer, shapeToJson, type DeserializationOptions } from "../saving/layer_serialization.js";
import { registerBuiltinModelClass, type LayerClass } from "../saving/object_registration.js";

export interface SequentialArgs extends LayerArgs {
  layers?: (Layer | KerasTensor)[];
}

/** A plain stack of layers, each feeding the next. */
export class Sequential extends Model<KerasTensor> {
  static override className = "Sequential";

  override objType(): "Sequential" {
    return "Sequential";
  }
  private readonly stack: Layer[] = [];
  private inputLayer?: InputLayer;
  private outputShape?: SymbolicShape;

  constructor(layersOrArgs?: (Layer | KerasTensor)[] | SequentialArgs, maybeArgs: LayerArgs = {}) {
    const args = Array.isArray(layersOrArgs) ? maybeArgs : layersOrArgs ?? {};
    super(args);
    const layers = Array.isArray(layersOrArgs) ? layersOrArgs : layersOrArgs?.layers ?? [];
    for (const layer of layers) this.add(layer);
  }

  /** Appends a layer; the model builds as soon as its input shape is known. */
  add(layer: Layer | KerasTensor): void {
    if (layer instanceof KerasTensor) {
      const source = layer.kerasHistory?.layer;
      if (!(source instanceof InputLayer)) throw new TypeError("Sequential.add: only keras.Input() tensors can be added, not outputs of other layers");
      layer = source;
    }
    if (!(layer instanceof Layer)) throw new TypeError(`Sequential.add: expected a keras layer, got ${String(layer)}`);
    if (layer instanceof InputLayer) {
      if (this.inputLayer !== undefined || this.stack.length > 0) throw new Error("Sequential.add: an InputLayer can only be the first layer of a Sequential model");
      this.inputLayer = layer;
      this.build(layer.batchInputShape as SymbolicShape);
      return;
    }
    if (this.stack.some((l) => l.name === layer.name)) {
      throw new Error(`All layers added to a Sequential model should have unique names. Name '${layer.name}' is already the name of a layer in this model.`);
    }
    this.stack.push(layer);
    if (this.stack.length === 1 && this.inputLayer === undefined && layer.batchInputShape !== undefined) {
      this.inputLayer = new InputLayer({ batchShape: layer.batchInputShape });
    }
    if (this.inputLayer !== undefined) {
      this.built = false;
      this.build(this.inputLayer.batchInputShape as SymbolicShape);
    }
  }

  /** Removes the last layer. */
  pop(): Layer {
    const layer = this.stack.pop();
    if (layer === undefined) throw new Error("Sequential.pop: there are no layers in the model");
    if (this.inputLayer !== undefined) {
      this.built = false;
      this.build(this.inputLayer.batchInputShape as SymbolicShape);
    }
    return layer;
  }

  /** The layers, without the input layer (as Keras lists them). */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  protected override trackedLayers(): Layer[] {
    return this.stack;
  }

  get inputShape(): SymbolicShape | undefined {
    return this.inputLayer?.batchInputShape;
  }

  /** Building from data (a first call) leaves the batch axis unknown, so any batch size fits later. */
  override maybeBuild(inputShape: LayerShape): void {
    if (this.built) return;
    const shape = inputShape as SymbolicShape;
    this.build(this.inputLayer === undefined && shape.length > 0 ? [null, ...shape.slice(1)] : shape);
  }

  override build(inputShape: LayerShape): void {
    if (this.built) return;
    const shape = inputShape as SymbolicShape;
    if (this.inputLayer === undefined) this.inputLayer = new InputLayer({ batchShape: shape });
    // Run the stack symbolically: builds every layer and checks each one accepts its input.
    let x: KerasTensor = this.inputLayer.output;
    for (const layer of this.stack) {
      const out: unknown = layer.apply(x);
      if (!(out instanceof KerasTensor)) throw new Error(`Sequential: layer '${layer.name}' returned several outputs; a Sequential model needs one output per layer`);
      x = out;
    }
    this.outputShape = x.shape;
    this.buildInputShape = shape;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    let x = Array.isArray(inputs) ? convertToTensor(inputs as unknown as TensorLike) : inputs;
    if (!this.built) {
      // Deferred build: the first data fixes the input shape (batch axis unknown).
      this.build([null, ...x.shape.slice(1)]);
    }
    const expected = this.inputLayer!.batchInputShape as SymbolicShape;
    checkCompatible(expected, x.shape, 0, this.name);
    if (x.dtype !== this.inputLayer!.output.dtype) x = ops.cast(x, this.inputLayer!.output.dtype);
    for (const layer of this.stack) x = layer.apply(x, options) as Tensor;
    return x;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    if (!this.built) this.build(inputShape);
    return this.outputShape!;
  }

  override get outputNames(): string[] {
    const last = this.stack[this.stack.length - 1];
    return last === undefined ? [] : [last.name];
  }

  /**
   * Keras 3's Sequential config: `{name, trainable, dtype, layers, build_input_shape}`; `layers`
   * starts with the InputLayer when the model has one (as Keras writes it).
   */
  override getConfig(): Record<string, unknown> {
    const layers = [];
    if (this.inputLayer !== undefined) layers.push(serializeLayer(this.inputLayer));
    for (const layer of this.stack) layers.push(serializeLayer(layer));
    const config: Record<string, unknown> = {
      name: this.name,
      trainable: this.trainable,
      dtype: { module: "keras", class_name: "DTypePolicy", config: { name: this.dtype }, registered_name: null },
      layers,
    };
    const shape = this.buildInputShape ?? this.inputLayer?.batchInputShape;
    if (shape !== undefined) config.build_input_shape = shapeToJson(shape);
    return config;
  }

  /**
   * Rebuilds a Sequential model from `getConfig()` output (also Keras 2's bare list of layers),
   * adding each layer in turn and building the model from `build_input_shape`.
   */
  static override fromConfig<T extends Layer>(this: new (args: any) => T, config: Record<string, unknown> | unknown[], options: DeserializationOptions = {}): T {
    const source = options.source ?? "config";
    const layerConfigs = Array.isArray(config) ? config : config?.layers;
    if (!Array.isArray(layerConfigs)) throw new Error(`Malformed Sequential config in ${source}: expected a "layers" list`);
    const record = Array.isArray(config) ? {} : config;
    const name = typeof record.name === "string" ? record.name : undefined;
    const trainable = typeof record.trainable === "boolean" ? record.trainable : undefined;
    const model = new Sequential({ name, trainable });
    for (const entry of layerConfigs) {
      const layer = deserializeLayer(entry, options);
      try {
        model.add(layer);
      } catch (error) {
        throw new Error(`Cannot add layer '${layer.name}' to Sequential model '${model.name}' from ${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    const buildShape = record.build_input_shape;
    if (!model.built && Array.isArray(buildShape)) model.build(buildShape as SymbolicShape);
    return model as unknown as T;
  }
}

// Configs naming this class (at the top level or nested in another model) rebuild it.
registerBuiltinModelClass(Sequential as unknown as LayerClass);
