import type { KerasTensor } from "../backend/keras_tensor.js";
import { Model, type FunctionalArgs, type SymbolicStructure } from "./model.js";
import { registerBuiltinModelClass, type LayerClass } from "../saving/object_registration.js";

export { checkCompatible, findLayer } from "./layer_graph.js";

/**
 * A model defined by a graph of layer calls on symbolic tensors, from `keras.Input`s to outputs
 * (several inputs and outputs, layers shared between calls). `keras.Model` runs such a graph
 * itself when constructed with `{ inputs, outputs }` (src/models/layer_graph.ts); this class is
 * the name configs and saved files use, and `instanceof Functional` holds for every model built
 * on a graph, as in Keras, where `Model(inputs, outputs)` and functional subclasses are
 * `Functional` instances.
 */
export class Functional<const Outputs extends SymbolicStructure = SymbolicStructure> extends Model<Outputs> {
  static override className = "Functional";

  constructor(args: FunctionalArgs<Outputs>) {
    if (args?.inputs === undefined || args.outputs === undefined) throw new Error("Functional: give both `inputs` and `outputs`");
    super(args);
  }

  override get inputs(): KerasTensor[] {
    return super.inputs!;
  }

  override get outputs(): KerasTensor[] {
    return super.outputs!;
  }

  override get outputNames(): string[] {
    return super.outputNames!;
  }

  override get inputNames(): string[] {
    return super.inputNames!;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Model && value.objType() === "Functional";
  }
}

// Configs naming this class (at the top level or nested in another model) rebuild it.
registerBuiltinModelClass(Functional as unknown as LayerClass);
