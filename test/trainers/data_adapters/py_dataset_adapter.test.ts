import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { sumSignClassifier, sumSignProblem, weightsOf } from "../../helpers/training.js";

const { ops, layers } = keras;
type Tensor = keras.Tensor;

/** Keras's example PyDataset: batch i is rows [i * batchSize, (i + 1) * batchSize) of x and y; it records what fit asked of it. */
class Batches extends keras.utils.PyDataset {
  readonly calls: string[] = [];
  readonly indices: number[] = [];

  constructor(
    readonly x: Tensor,
    readonly y: Tensor,
    readonly batchSize: number,
    readonly asynchronous = false,
  ) {
    super();
  }

  override get length(): number {
    return Math.ceil(this.x.shape[0] / this.batchSize);
  }

  getItem(index: number): [Tensor, Tensor] | Promise<[Tensor, Tensor]> {
    this.indices.push(index);
    const start = index * this.batchSize;
    const size = Math.min(this.batchSize, this.x.shape[0] - start);
    const batch: [Tensor, Tensor] = [ops.slice(this.x, [start, 0], [size, this.x.shape[1]]), ops.slice(this.y, [start], [size])];
    return this.asynchronous ? new Promise((resolve) => setImmediate(() => resolve(batch))) : batch;
  }

  override onEpochBegin(): void {
    this.calls.push("begin");
  }

  override onEpochEnd(): void {
    this.calls.push("end");
  }
}

test("fit shuffles a PyDataset's batch order every epoch (Keras's default), and calls onEpochBegin / onEpochEnd", async () => {
  const [x, y] = sumSignProblem(80, 11);
  const dataset = new Batches(x, y, 8);
  const model = sumSignClassifier();
  keras.utils.setRandomSeed(5);
  const history = await model.fit(dataset, { epochs: 3, verbose: 0 });
  assert.equal(history.history.loss.length, 3);
  assert.deepEqual(dataset.calls, ["begin", "end", "begin", "end", "begin", "end"]);
  const epochs = [0, 1, 2].map((e) => dataset.indices.slice(e * 10, e * 10 + 10));
  for (const order of epochs) assert.deepEqual([...order].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "every batch once per epoch");
  assert.notDeepEqual(epochs[0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.notDeepEqual(epochs[0], epochs[1]);
});

test("a PyDataset in order trains exactly as the same arrays do; an async getItem works the same", async () => {
  const [x, y] = sumSignProblem(80, 11);
  const fromDataset = sumSignClassifier();
  const dataset = new Batches(x, y, 8);
  await fromDataset.fit(dataset, { epochs: 2, verbose: 0, shuffle: false });
  assert.deepEqual(dataset.indices, [...Array(10).keys(), ...Array(10).keys()]);
  const fromArrays = sumSignClassifier();
  await fromArrays.fit(x, y, { epochs: 2, verbose: 0, shuffle: false, batchSize: 8 });
  assert.deepEqual(weightsOf(fromDataset), weightsOf(fromArrays));
  const fromAsync = sumSignClassifier();
  await fromAsync.fit(new Batches(x, y, 8, true), { epochs: 2, verbose: 0, shuffle: false });
  assert.deepEqual(weightsOf(fromAsync), weightsOf(fromArrays));
  // evaluate and predict take it too (targets ignored by predict).
  const expected = (await fromArrays.evaluate(x, y, { verbose: 0, batchSize: 8 })) as number[];
  assert.deepEqual(await fromArrays.evaluate(new Batches(x, y, 8), { verbose: 0 }), expected);
  const predicted = (await fromArrays.predict(new Batches(x, y, 8, true), { verbose: 0 })) as Tensor;
  assert.deepEqual(predicted.arraySync(), ((await fromArrays.predict(x, { verbose: 0 })) as Tensor).arraySync());
});

test("classWeight weights a PyDataset's samples by class; an endless PyDataset needs stepsPerEpoch", async () => {
  const [x, y] = sumSignProblem(32, 11);
  const weighted = sumSignClassifier();
  await weighted.fit(new Batches(x, y, 8), { epochs: 1, verbose: 0, shuffle: false, classWeight: { 0: 1, 1: 5 } });
  const byArrays = sumSignClassifier();
  await byArrays.fit(x, y, { epochs: 1, verbose: 0, shuffle: false, batchSize: 8, classWeight: { 0: 1, 1: 5 } });
  assert.deepEqual(weightsOf(weighted), weightsOf(byArrays));

  class Endless extends Batches {
    readonly asked: number[] = [];
    override get numBatches(): null {
      return null;
    }
    override getItem(index: number) {
      this.asked.push(index);
      return super.getItem(index % 4);
    }
  }
  const endless = new Endless(x, y, 8);
  const model = sumSignClassifier();
  const history = await model.fit(endless, { epochs: 2, stepsPerEpoch: 6, verbose: 0 });
  assert.equal(history.history.loss.length, 2);
  assert.deepEqual(endless.asked, [...Array(12).keys()], "asked for batches 0..11 in order (an endless dataset is not shuffled)");
});

test("a PyDataset without `length` or with a bad one gets a clear error; getItem must give an array or the inputs", async () => {
  class NoLength extends keras.utils.PyDataset {
    getItem(): [Tensor] {
      return [ops.ones([1, 3])];
    }
  }
  const model = sumSignClassifier();
  await assert.rejects(model.fit(new NoLength(), { verbose: 0 }), /NoLength: a PyDataset must define `get length\(\)`/);
  class Negative extends NoLength {
    override get length() {
      return -2;
    }
  }
  await assert.rejects(model.fit(new Negative(), { verbose: 0 }), /must be a non-negative integer, or null for an endless dataset; got -2/);
  class Bad extends keras.utils.PyDataset {
    override get length() {
      return 1;
    }
    getItem() {
      return [ops.ones([2, 3]), ops.ones([2]), ops.ones([2]), ops.ones([2])] as never;
    }
  }
  await assert.rejects(model.fit(new Bad(), { verbose: 0 }), /Bad\.getItem\(0\) must give an array, either \[inputs\] or \[inputs, targets\] or \[inputs, targets, sampleWeights\]/);
  class InputsOnly extends keras.utils.PyDataset {
    override get length() {
      return 2;
    }
    getItem(i: number) {
      return ops.full([2, 3], i);
    }
  }
  const out = (await model.predict(new InputsOnly(), { verbose: 0 })) as Tensor;
  assert.deepEqual(out.shape, [4, 2]);
});
