import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { rowsView } from "../../ops/batch_rows.js";
import * as random from "../../random/index.js";
import { Structure } from "./array_slicing.js";
import { DataAdapter, type BatchIterator } from "./data_adapter.js";
import { checkDataCardinality, classWeightToSampleWeights, packXYSampleWeight, type DataStructure, type StepData } from "./data_adapter_utils.js";

export interface ArrayDataAdapterOptions {
  sampleWeight?: DataStructure | Structure;
  /** Samples per batch; without it, `ceil(samples / steps)` when `steps` is given, else 32 (Keras's default). */
  batchSize?: number;
  steps?: number;
  /** A new order of the samples at every pass. */
  shuffle?: boolean;
  classWeight?: Record<number, number>;
}

function asStructure(data: DataStructure | Structure, what: string): Structure {
  return data instanceof Structure ? data : new Structure(data, what);
}

/**
 * Keras's `ArrayDataAdapter`: batches of in-memory arrays (tensors, typed arrays, nested arrays;
 * one, a list, or an object of them). Batches in order are views of the rows (no copy). Shuffled,
 * each pass draws one permutation, and a batch is one gather per array; the inputs' batches are
 * gathered into memory reused from step to step (they live for one step), the targets and
 * weights into fresh memory (losses and metrics may keep them).
 */
export class ArrayDataAdapter extends DataAdapter {
  private readonly x: Structure;
  private readonly y?: Structure;
  private readonly sampleWeight?: Structure;
  private readonly size: number;
  private readonly shuffle: boolean;
  readonly numSamples: number;
  readonly batchSize: number;

  /** Zero samples would give a loss of 0 from no data at all: refused, naming the data. */
  checkHasSamples(name: string): void {
    if (this.numSamples === 0) throw new RangeError(`${name} has 0 samples (shape [${this.x.tensors[0].shape.join(", ")}]); give at least one`);
  }

  constructor(x: DataStructure | Structure, y?: DataStructure | Structure, options: ArrayDataAdapterOptions = {}) {
    super();
    this.x = asStructure(x, "x");
    this.y = y === undefined ? undefined : asStructure(y, "y");
    let sampleWeight = options.sampleWeight === undefined ? undefined : asStructure(options.sampleWeight, "sampleWeight");
    if (options.classWeight !== undefined) {
      if (sampleWeight !== undefined) throw new Error("You cannot give `classWeight` and `sampleWeight` at the same time.");
      if (this.y === undefined) throw new Error("`classWeight` needs targets `y` to weight the samples by their class.");
      if (this.y.tensors.length !== 1) throw new Error("`classWeight` is only supported for models with a single output.");
      sampleWeight = new Structure(classWeightToSampleWeights(this.y.tensors[0], options.classWeight), "sampleWeight");
    }
    this.sampleWeight = sampleWeight;
    this.numSamples = checkDataCardinality([
      { name: "x", tensors: this.x.tensors },
      { name: "y", tensors: this.y?.tensors },
      { name: "sample_weight", tensors: this.sampleWeight?.tensors },
    ]);
    this.batchSize = options.batchSize ?? (options.steps !== undefined ? Math.ceil(this.numSamples / options.steps) : 32);
    this.size = Math.ceil(this.numSamples / this.batchSize);
    this.shuffle = options.shuffle ?? false;
  }

  get numBatches(): number {
    return this.size;
  }

  getIterator(): BatchIterator {
    const { x, y, sampleWeight, numSamples: n, batchSize } = this;
    // One gather per array for a shuffled batch (the indices are a permutation of the samples, so
    // they need no checks); a view of the rows otherwise.
    const permutation = this.shuffle ? ops.cast(random.shuffle(ops.arange(n)), "int32") : undefined;
    let cursor = 0;
    return {
      next: (): StepData | undefined => {
        if (cursor >= n) return undefined;
        const size = Math.min(batchSize, n - cursor);
        let xb: Tensor[];
        let yb: Tensor[] | undefined;
        let swb: Tensor[] | undefined;
        if (permutation === undefined) {
          xb = x.slice(cursor, size);
          yb = y?.slice(cursor, size);
          swb = sampleWeight?.slice(cursor, size);
        } else {
          const rows = rowsView(permutation, cursor, size);
          xb = x.takeRowsReusing(rows);
          yb = y?.takeRows(rows);
          swb = sampleWeight?.takeRows(rows);
        }
        cursor += size;
        return packXYSampleWeight(x.rebuild(xb), yb === undefined ? undefined : y!.rebuild(yb), swb === undefined ? undefined : sampleWeight!.rebuild(swb));
      },
    };
  }
}
