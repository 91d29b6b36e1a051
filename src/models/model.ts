import type { KerasTensor } from "../backend/keras_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { Trainer } from "../trainers/trainer.js";
import { compileConfigFromArgs } from "../saving/compile_config.js";
import type { CallOptions, Layer, LayerArgs } from "../layers/layer.js";
import { summaryText, type SummaryOptions } from "../utils/summary_utils.js";
import { loadWeights, saveModel, saveWeights } from "../saving/saving_lib.js";
import { textOutput } from "../platform/platform.js";

export type SymbolicStructure = KerasTensor | KerasTensor[] | Record<string, KerasTensor>;

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

export interface FunctionalArgs<Outputs extends SymbolicStructure = SymbolicStructure> {
  inputs: SymbolicStructure;
  outputs: Outputs;
  name?: string;
  trainable?: boolean;
}

type FunctionalFactory = (args: FunctionalArgs) => Model;
let functionalFactory: FunctionalFactory | undefined;

/** Lets the functional model register itself without an import cycle. */
export function registerFunctionalFactory(factory: FunctionalFactory): void {
  functionalFactory = factory;
}

/**
 * A layer that can be trained: `compile`, `fit`, `evaluate`, `predict`, `save`. Three ways to
 * make one, as in Keras: `new keras.Model({ inputs, outputs })` (functional), `keras.Sequential`,
 * or a subclass that defines `call`.
 *
 * `Outputs` is the structure of the symbolic outputs, inferred from `new keras.Model({ inputs,
 * outputs })`: `predict` and `apply` are typed from it (a Tensor for one output, a list for
 * several). A subclass may name it (`extends keras.Model<keras.KerasTensor>` for one output).
 */
export class Model<const Outputs extends SymbolicStructure = SymbolicStructure> extends Trainer<PredictOutput<Outputs>> {
  static override className = "Model";

  constructor(args: Partial<FunctionalArgs<Outputs>> & LayerArgs = {}) {
    if (new.target === Model && args.inputs !== undefined && args.outputs !== undefined) {
      if (functionalFactory === undefined) throw new Error("keras-ts: functional models are not loaded");
      // Keras's `Model(inputs, outputs)` returns a Functional model; so does this constructor.
      // eslint-disable-next-line no-constructor-return
      return functionalFactory(args as FunctionalArgs) as Model<Outputs>;
    }
    if (new.target === Model && (args.inputs !== undefined || args.outputs !== undefined)) {
      throw new Error("keras.Model: give both `inputs` and `outputs` to build a functional model");
    }
    super(args);
  }

  override objType(): "Model" | "Sequential" | "Functional" {
    return "Model";
  }

  /**
   * The outputs for `inputs`; a subclass defines it (the base returns its inputs). Declared here
   * so that `apply` and `call` are typed from the model's outputs.
   */
  override call(inputs: Tensor | Tensor[] | Record<string, Tensor>, options: CallOptions = {}): ConcreteOutput<Outputs> {
    return super.call(inputs as Tensor | Tensor[], options) as ConcreteOutput<Outputs>;
  }

  /** True for models defined by a graph of layer calls (functional), which summary draws with a Connected-to column when branched. */
  protected isGraphNetwork(): boolean {
    return false;
  }

  /** The layers this model holds (sub-layers found on the object for subclassed models). */
  get layers(): Layer[] {
    return this.trackedLayers();
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
