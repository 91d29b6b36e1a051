import { Tensor } from "../../backend/tensor.js";
import { Variable } from "../../backend/variable.js";
import { DataAdapter, type BatchIterator } from "./data_adapter.js";
import { standardizeBatch, type DataBatch, type StepData } from "./data_adapter_utils.js";

/** What `fit`, `evaluate` and `predict` take as a stream of batches: a generator, an async generator, or any (async) iterable of them. */
export type BatchSource = Iterable<DataBatch> | AsyncIterable<DataBatch>;

/**
 * True for a generator or an (async) iterable of batches, as opposed to in-memory data: arrays,
 * typed arrays and tensors are iterable too, but they are data.
 */
export function isBatchSource(x: unknown): x is BatchSource {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x) || x instanceof Tensor || x instanceof Variable) return false;
  return typeof (x as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function" || typeof (x as Partial<Iterable<unknown>>)[Symbol.iterator] === "function";
}

const SOURCE = "A generator passed to a Keras model";

/**
 * Keras's `GeneratorDataAdapter`, for generators and (async) iterables yielding batches `[x]`,
 * `[x, y]` or `[x, y, sampleWeight]` (arrays, nested arrays or tensors). The number of batches is
 * unknown until the data runs out. Each pass asks the source for an iterator: an iterable that
 * makes a new one each time (an array of batches, an object with a generator method) restarts
 * every epoch, while a generator object continues where it stopped, as a Python generator does.
 */
export class GeneratorDataAdapter extends DataAdapter {
  private readonly source: BatchSource;

  constructor(source: BatchSource) {
    super();
    this.source = source;
  }

  get numBatches(): undefined {
    return undefined;
  }

  get batchSize(): undefined {
    return undefined;
  }

  getIterator(): BatchIterator {
    const source = this.source as Partial<AsyncIterable<DataBatch>> & Partial<Iterable<DataBatch>>;
    if (typeof source[Symbol.asyncIterator] === "function") {
      const iterator = source[Symbol.asyncIterator]!();
      return { next: () => iterator.next().then(standardize) };
    }
    const iterator = source[Symbol.iterator]!();
    return { next: () => standardize(iterator.next()) };
  }
}

function standardize(result: IteratorResult<DataBatch>): StepData | undefined {
  return result.done ? undefined : standardizeBatch(result.value, SOURCE);
}
