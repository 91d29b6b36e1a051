import { warn } from "../../callbacks/callback_utils.js";
import { ArrayDataAdapter } from "./array_data_adapter.js";
import { Structure } from "./array_slicing.js";
import { DataAdapter } from "./data_adapter.js";
import type { DataStructure } from "./data_adapter_utils.js";
import { GeneratorDataAdapter, isBatchSource, type BatchSource } from "./generator_data_adapter.js";
import { PyDataset, PyDatasetAdapter } from "./py_dataset_adapter.js";

export { ArrayDataAdapter } from "./array_data_adapter.js";
export { GeneratorDataAdapter, isBatchSource, type BatchSource } from "./generator_data_adapter.js";
export { PyDataset, PyDatasetAdapter, type PyDatasetBatch } from "./py_dataset_adapter.js";
export { DataAdapter, type BatchIterator } from "./data_adapter.js";

/** Everything `fit`, `evaluate` and `predict` take as data: arrays, a generator or (async) iterable of batches, a `PyDataset`, or a `DataAdapter`. */
export type InputData = DataStructure | BatchSource | PyDataset | DataAdapter;

/** True for data that yields its own batches (and so carries its own targets): a generator, an iterable, a `PyDataset`, a `DataAdapter`. */
export function isDataset(x: unknown): x is BatchSource | PyDataset | DataAdapter {
  return x instanceof PyDataset || x instanceof DataAdapter || isBatchSource(x);
}

export interface DataAdapterArgs {
  y?: DataStructure | Structure;
  sampleWeight?: DataStructure | Structure;
  batchSize?: number;
  stepsPerEpoch?: number;
  /** Whether to shuffle, and whether the caller asked for it (Keras warns when it cannot be honoured). */
  shuffle?: boolean;
  shuffleRequested?: boolean;
  classWeight?: Record<number, number>;
}

function unsupportedArg(argName: string, description: string, inputType: string): Error {
  return new Error(`When providing \`x\` as a ${inputType}, \`${argName}\` should not be passed. Instead, ${description} should be included as part of the ${inputType}.`);
}

/** Keras's `get_data_adapter`: the adapter for the kind of data `x` is. */
export function getDataAdapter(x: InputData | Structure, args: DataAdapterArgs = {}): DataAdapter {
  if (x === undefined || x === null) throw new Error("No data was given: pass the inputs `x` (arrays, a generator of batches, or a PyDataset)");
  if (x instanceof DataAdapter) return x;
  for (const [name, value] of [["y", args.y], ["sampleWeight", args.sampleWeight]] as const) {
    if (isDataset(value)) throw new Error(`\`${name}\` cannot be a generator or a dataset; pass a generator or dataset that yields [x, y] or [x, y, sampleWeight] batches as \`x\``);
  }
  if (x instanceof PyDataset) {
    if (args.y !== undefined) throw unsupportedArg("y", "the targets", "PyDataset");
    if (args.sampleWeight !== undefined) throw unsupportedArg("sampleWeight", "the sample weights", "PyDataset");
    const adapter = new PyDatasetAdapter(x, { shuffle: args.shuffle, classWeight: args.classWeight });
    if (adapter.numBatches === undefined && args.shuffleRequested) {
      warn("`shuffle=true` was passed, but will be ignored since the data `x` was provided as an infinite PyDataset. The PyDataset is expected to already be shuffled.");
    }
    return adapter;
  }
  if (isBatchSource(x)) {
    if (args.y !== undefined) throw unsupportedArg("y", "the targets", "generator");
    if (args.sampleWeight !== undefined) throw unsupportedArg("sampleWeight", "the sample weights", "generator");
    if (args.classWeight !== undefined) throw new Error(`Argument \`classWeight\` is not supported for generator inputs. Received: classWeight=${JSON.stringify(args.classWeight)}`);
    if (args.shuffleRequested) {
      warn("`shuffle=true` was passed, but will be ignored since the data `x` was provided as a generator. The generator is expected to yield already-shuffled data.");
    }
    return new GeneratorDataAdapter(x);
  }
  return new ArrayDataAdapter(x, args.y, {
    sampleWeight: args.sampleWeight,
    batchSize: args.batchSize,
    steps: args.stepsPerEpoch,
    shuffle: args.shuffle,
    classWeight: args.classWeight,
  });
}
