import type { KerasTensor } from "../backend/keras_tensor.js";
import { Trainer } from "../trainers/trainer.js";
import type { Layer, LayerArgs } from "../layers/layer.js";
import { summaryText, type SummaryOptions } from "../utils/summary_utils.js";

export type SymbolicStructure = KerasTensor | KerasTensor[] | Record<string, KerasTensor>;

export interface FunctionalArgs {
  inputs: SymbolicStructure;
  outputs: SymbolicStructure;
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
 */
export class Model extends Trainer {
  static override className = "Model";

  constructor(args: Partial<FunctionalArgs> & LayerArgs = {}) {
    if (new.target === Model && args.inputs !== undefined && args.outputs !== undefined) {
      if (functionalFactory === undefined) throw new Error("keras-ts: functional models are not loaded");
      // Keras's `Model(inputs, outputs)` returns a Functional model; so does this constructor.
      // eslint-disable-next-line no-constructor-return
      return functionalFactory(args as FunctionalArgs) as Model;
    }
    if (new.target === Model && (args.inputs !== undefined || args.outputs !== undefined)) {
      throw new Error("keras.Model: give both `inputs` and `outputs` to build a functional model");
    }
    super(args);
  }

  /** True for models defined by a graph of layer calls (functional), which summary draws with a Connected-to column when branched. */
  protected isGraphNetwork(): boolean {
    return false;
  }

  /** The layers this model holds (sub-layers found on the object for subclassed models). */
  get layers(): Layer[] {
    return this.trackedLayers();
  }

  /** Prints Keras 3's summary table (or hands the text to `printFn`). */
  summary(options: SummaryOptions = {}): void {
    const text = summaryText(this, this.isGraphNetwork(), options);
    if (options.printFn !== undefined) options.printFn(text);
    else process.stdout.write(text);
  }
}
