import type { KerasTensor } from "../backend/keras_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { Trainer } from "../trainers/trainer.js";
import { compileConfigFromArgs } from "../saving/compile_config.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../layers/layer.js";
import { summaryText, type SummaryOptions } from "../utils/summary_utils.js";
import { loadWeights, saveModel, saveWeights } from "../saving/saving_lib.js";
import { textOutput } from "../platform/platform.js";
import type { DeserializationOptions } from "../saving/layer_serialization.js";
import { registerBuiltinModelClass, type LayerClass } from "../saving/object_registration.js";
import { autoName } from "../utils/naming.js";
import { findLayer, functionalArgsFromConfig, isFunctionalConfig, LayerGraph, type FunctionalArgs, type SymbolicStructure } from "./layer_graph.js";

export type { FunctionalArgs, SymbolicStructure } from "./layer_graph.js";

/** A model's outputs as tensors, in the structure of its symbolic outputs: what `call` gives. */
export type ConcreteOutput<Outputs extends SymbolicStructure> = Outputs extends KerasTensor
  ? Tensor
  : Outputs extends KerasTensor[]
    ? Tensor[]
    : Record<string, Tensor>;

/**
 * What `predict` gives for a model with these symbolic outputs: one output (also a list of one)
 * as a Tensor, several as a list. Unknown counts give either.
 */
export type PredictOutput<Outputs extends SymbolicStructure> = Outputs extends KerasTensor
  ? Tensor
  : Outputs extends [KerasTensor]
    ? Tensor
    : Outputs extends [KerasTensor, KerasTensor, ...KerasTensor[]]
      ? Tensor[]
      : Tensor | Tensor[];

/**
 * A layer that can be trained: `compile`, `fit`, `evaluate`, `predict`, `save`. Three ways to
 * make one, as in Keras: `new keras.Model({ inputs, outputs })` (functional), `keras.Sequential`,
 * or a subclass that defines `call`.
 *
 * Constructed with `{ inputs, outputs }`, a model runs that graph of layer calls, whether it is
 * `keras.Model` itself or a subclass: a subclass can so add a custom `trainStep` to a functional
 * model, as Keras makes such a subclass a `Functional` model. Such models count as
 * `instanceof keras.models.Functional`.
 *
 * `Outputs` is the structure of the symbolic outputs, inferred from `new keras.Model({ inputs,
 * outputs })`: `predict` and `apply` are typed from it (a Tensor for one output, a list for
 * several). A subclass may name it (`extends keras.Model<keras.KerasTensor>` for one output).
 */
export class Model<const Outputs extends SymbolicStructure = SymbolicStructure> extends Trainer<PredictOutput<Outputs>> {
  static override className = "Model";
  /** The graph of layer calls, for a model constructed with `{ inputs, outputs }`. */
  private readonly graph?: LayerGraph;

  constructor(args: Partial<FunctionalArgs<Outputs>> & LayerArgs = {}) {
    const { inputs, outputs, ...layerArgs } = args;
    if ((inputs === undefined) !== (outputs === undefined)) throw new Error("keras.Model: give both `inputs` and `outputs` to build a functional model");
    // Named as the Functional model it is (`functional`, `functional_1`, ...), as Keras names it.
    const functional = inputs !== undefined && new.target === Model && layerArgs.name === undefined;
    super(functional ? { ...layerArgs, name: autoName("functional") } : layerArgs);
    if (inputs !== undefined && outputs !== undefined) {
      this.graph = new LayerGraph(inputs, outputs);
      this.buildInputShape = this.graph.buildInputShape;
      this.built = true;
    }
  }

  /** Keras's `Model(inputs, outputs)` is a `Functional` model; its class name says so. */
  override className(): string {
    return this.graph !== undefined && this.constructor === Model ? "Functional" : super.className();
  }

  /** The symbolic inputs of a functional model (undefined for other models). */
  get inputs(): KerasTensor[] | undefined {
    return this.graph?.inputs;
  }

  /** The symbolic outputs of a functional model (undefined for other models). */
  get outputs(): KerasTensor[] | undefined {
    return this.graph?.outputs;
  }

  /** Names of the layers producing each output of a functional model, used to key per-output losses and metrics. */
  get outputNames(): string[] | undefined {
    return this.graph?.outputNames;
  }

  get inputNames(): string[] | undefined {
    return this.graph?.inputNames;
  }

  /**
   * The outputs for `inputs`: the graph's for a functional model; a subclass defines its own (the
   * base returns its inputs). Typed from the model's outputs, so `apply` is too.
   */
  override call(inputs: Tensor | Tensor[] | Record<string, Tensor>, options: CallOptions = {}): ConcreteOutput<Outputs> {
    if (this.graph !== undefined) return this.graph.call(inputs, options, this.name) as ConcreteOutput<Outputs>;
    return super.call(inputs as Tensor | Tensor[], options) as ConcreteOutput<Outputs>;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return this.graph !== undefined ? this.graph.computeOutputShape() : super.computeOutputShape(inputShape);
  }

  override objType(): "Model" | "Sequential" | "Functional" {
    return this.graph !== undefined ? "Functional" : "Model";
  }

  /** True for models defined by a graph of layer calls (functional), which summary draws with a Connected-to column when branched. */
  protected isGraphNetwork(): boolean {
    return this.graph !== undefined;
  }

  /**
   * The layers this model holds: a functional model's graph layers in call order (input layers
   * included, as Keras lists them); the sub-layers found on the object for subclassed models.
   */
  get layers(): Layer[] {
    return this.graph !== undefined ? [...this.graph.layers] : this.trackedLayers();
  }

  protected override trackedLayers(): Layer[] {
    if (this.graph === undefined) return super.trackedLayers();
    // A functional subclass may hold layers of its own besides the graph's.
    const own = super.trackedLayers().filter((l) => !this.graph!.layers.includes(l));
    return own.length === 0 ? this.graph.layers : [...this.graph.layers, ...own];
  }

  /** A layer of the model by name or by index in `layers`. */
  getLayer(nameOrIndex: string | number): Layer {
    return findLayer(this.layers, nameOrIndex, this.name);
  }

  /** A functional model's config is its graph (Keras's functional config); other models give the base config. */
  override getConfig(): Record<string, unknown> {
    return this.graph !== undefined ? this.graph.getConfig(this.name, this.trainable) : super.getConfig();
  }

  /**
   * Rebuilds a model from `getConfig()` output. A functional config (Keras's `functional_from_config`)
   * creates every layer, replays the layer calls and constructs the class with `{ inputs, outputs }`.
   */
  static override fromConfig<T extends Layer>(this: new (args: any) => T, config: Record<string, unknown>, options: DeserializationOptions = {}): T {
    if (isFunctionalConfig(config)) return new this(functionalArgsFromConfig(config, options));
    return Layer.fromConfig.call(this, config) as T;
  }

  /**
   * Keras's `get_compile_config()`: the `compile_config` written to config.json
   * (`{optimizer, loss, loss_weights, metrics, weighted_metrics, run_eagerly,
   * steps_per_execution, jit_compile}`), or null when the model is not compiled.
   */
  getCompileConfig(): Record<string, unknown> | null {
    if (!this.compiled || this.compileArgs === undefined) return null;
    return compileConfigFromArgs(this.compileArgs, this.optimizer);
  }

  /**
   * Saves the model to a Keras 3 `.keras` file (config, weights and optimizer state), atomically:
   * on failure any previous file is left as it was. Loadable with `keras.models.loadModel` and by
   * Python Keras 3 (`keras.saving.load_model`).
   */
  async save(filePath: string): Promise<void> {
    await saveModel(this, filePath);
  }

  /** Saves the weights (and optimizer state) to a Keras 3 `.weights.h5` file, atomically. */
  async saveWeights(filePath: string): Promise<void> {
    await saveWeights(this, filePath);
  }

  /**
   * Loads weights from a `.weights.h5` or `.keras` file written by `saveWeights` / `save` or by
   * Keras 3, or a legacy `.h5` file. Layers are matched by position in the model (Keras's
   * `layers/<class>_<n>` keys), not by name; `byName` matches a legacy `.h5` file's layers by name.
   * With `skipMismatch`, layers whose weights do not fit are skipped with a warning.
   */
  async loadWeights(filePath: string, options: { skipMismatch?: boolean; byName?: boolean } = {}): Promise<void> {
    await loadWeights(this, filePath, options);
  }

  /** Prints Keras 3's summary table (or hands the text to `printFn`). */
  summary(options: SummaryOptions = {}): void {
    const text = summaryText(this, this.isGraphNetwork(), options);
    if (options.printFn !== undefined) options.printFn(text);
    else textOutput().write(text);
  }
}

// Configs naming `Model` rebuild it (a functional config gives a functional model).
registerBuiltinModelClass(Model as unknown as LayerClass);
