import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { ArrayDataAdapter, GeneratorDataAdapter, PyDatasetAdapter, getDataAdapter } from "../../../src/trainers/data_adapters/index.js";
import type { BatchIterator, DataAdapter } from "../../../src/trainers/data_adapters/data_adapter.js";
import type { StepData } from "../../../src/trainers/data_adapters/data_adapter_utils.js";

const { ops } = keras;
type Tensor = keras.Tensor;

/** Every batch of one pass, awaited. */
async function pass(adapter: DataAdapter): Promise<StepData[]> {
  const it: BatchIterator = adapter.getIterator();
  const out: StepData[] = [];
  for (;;) {
    const batch = await it.next();
    if (batch === undefined) return out;
    out.push(batch);
  }
}

const rows = (t: Tensor) => t.arraySync() as number[] | number[][];

test("unpackXYSampleWeight and packXYSampleWeight read and write Keras's x / [x] / [x, y] / [x, y, sampleWeight]", () => {
  const x = ops.ones([2, 3]);
  const y = ops.zeros([2]);
  const w = ops.ones([2]);
  const { unpackXYSampleWeight, packXYSampleWeight } = keras.utils;
  assert.deepEqual(unpackXYSampleWeight(x), [x, undefined, undefined]);
  assert.deepEqual(unpackXYSampleWeight([x]), [x, undefined, undefined]);
  assert.deepEqual(unpackXYSampleWeight([x, y]), [x, y, undefined]);
  assert.deepEqual(unpackXYSampleWeight([x, y, w]), [x, y, w]);
  assert.deepEqual(unpackXYSampleWeight({ a: x }), [{ a: x }, undefined, undefined]);
  assert.throws(() => unpackXYSampleWeight([x, y, w, w] as never), /Data is expected to be in format `x`, `\[x\]`, `\[x, y\]`, or `\[x, y, sampleWeight\]`, found: an array of 4/);
  assert.equal(packXYSampleWeight(x), x);
  // A list of inputs alone is wrapped, so that it is not read as [x, y].
  assert.deepEqual(packXYSampleWeight([x, x]), [[x, x]]);
  assert.deepEqual(unpackXYSampleWeight(packXYSampleWeight([x, x])), [[x, x], undefined, undefined]);
  assert.deepEqual(packXYSampleWeight(x, y), [x, y]);
  assert.deepEqual(packXYSampleWeight(x, y, w), [x, y, w]);
});

test("ArrayDataAdapter: batches in order are the rows in order, the last one short; numBatches as Keras counts them", async () => {
  const x = ops.reshape(ops.arange(10, undefined, undefined, "float32"), [5, 2]);
  const y = ops.convertToTensor([0, 1, 2, 3, 4], "int32");
  const adapter = new ArrayDataAdapter(x, y, { batchSize: 2 });
  assert.equal(adapter.numBatches, 3);
  const batches = await pass(adapter);
  assert.deepEqual(batches.map((b) => rows((b as Tensor[])[1])), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(rows((batches[2] as Tensor[])[0]), [[8, 9]]);
  // Without a batch size: ceil(samples / steps) with steps, else Keras's 32.
  assert.equal(new ArrayDataAdapter(x, y, { steps: 2 }).batchSize, 3);
  assert.equal(new ArrayDataAdapter(x, y).batchSize, 32);
  assert.equal(new ArrayDataAdapter(x, y).numBatches, 1);
});

test("ArrayDataAdapter: shuffled, every pass visits each sample once in a new order, x and y together", async () => {
  keras.utils.setRandomSeed(4);
  const n = 40;
  const x = ops.reshape(ops.arange(n, undefined, undefined, "float32"), [n, 1]);
  const y = ops.arange(n, undefined, undefined, "int32");
  const adapter = new ArrayDataAdapter(x, y, { batchSize: 16, shuffle: true });
  const orders: number[][] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const order: number[] = [];
    const it = adapter.getIterator();
    let previousX: Tensor | undefined;
    for (let batch = it.next() as StepData | undefined; batch !== undefined; batch = it.next() as StepData | undefined) {
      const [xb, yb] = batch as Tensor[];
      assert.deepEqual((rows(xb) as number[][]).map((r) => r[0]), rows(yb));
      order.push(...(rows(yb) as number[]));
      // The inputs of a full batch are gathered into the memory of the previous one (valid for one step).
      if (previousX !== undefined && xb.shape[0] === 16) assert.equal(xb.storage.buffer, previousX.storage.buffer);
      previousX = xb;
    }
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    orders.push(order);
  }
  assert.notDeepEqual(orders[0], orders[1]);
  assert.notDeepEqual(orders[0], Array.from({ length: n }, (_, i) => i));
});

test("ArrayDataAdapter: a list of inputs comes wrapped ([x]); an object of inputs and sample weights keep their structure", async () => {
  const a = ops.ones([4, 2]);
  const b = ops.zeros([4, 3]);
  const [first] = await pass(new ArrayDataAdapter([a, b], undefined, { batchSize: 4 }));
  assert.ok(Array.isArray(first) && first.length === 1 && Array.isArray(first[0]) && first[0].length === 2);
  const [withDict] = await pass(new ArrayDataAdapter({ a, b }, ops.ones([4]), { batchSize: 4, sampleWeight: ops.full([4], 2) }));
  const [xd, yd, wd] = withDict as [Record<string, Tensor>, Tensor, Tensor];
  assert.deepEqual(Object.keys(xd), ["a", "b"]);
  assert.deepEqual(yd.shape, [4]);
  assert.deepEqual(rows(wd), [2, 2, 2, 2]);
});

test("ArrayDataAdapter: classWeight becomes per-sample weights; bad combinations are refused", async () => {
  const x = ops.ones([4, 1]);
  const y = ops.convertToTensor([0, 1, 1, 0], "int32");
  const [batch] = await pass(new ArrayDataAdapter(x, y, { batchSize: 4, classWeight: { 0: 1, 1: 3 } }));
  assert.deepEqual(rows((batch as Tensor[])[2]), [1, 3, 3, 1]);
  assert.throws(() => new ArrayDataAdapter(x, y, { classWeight: { 0: 1 }, sampleWeight: ops.ones([4]) }), /`classWeight` and `sampleWeight` at the same time/);
  assert.throws(() => new ArrayDataAdapter(x, [y, y], { classWeight: { 0: 1 } }), /only supported for models with a single output/);
  assert.throws(() => new ArrayDataAdapter(x, ops.ones([3])), /Data cardinality is ambiguous[\s\S]*'x' sizes: 4[\s\S]*'y' sizes: 3/);
});

test("GeneratorDataAdapter: a generator continues where it stopped; an iterable restarts; batches are converted and checked", async () => {
  function* three() {
    for (let i = 0; i < 3; i++) yield [[[i, i]], [i]] as [number[][], number[]];
  }
  const gen = new GeneratorDataAdapter(three());
  assert.equal(gen.numBatches, undefined);
  const firstPass = await pass(gen);
  assert.equal(firstPass.length, 3);
  const [x0, y0] = firstPass[0] as Tensor[];
  assert.ok(x0 instanceof keras.Tensor && y0 instanceof keras.Tensor);
  assert.deepEqual(x0.shape, [1, 2]);
  assert.equal((await pass(gen)).length, 0, "a used-up generator gives nothing more");
  const iterable = new GeneratorDataAdapter({ *[Symbol.iterator]() { yield* three(); } });
  assert.equal((await pass(iterable)).length, 3);
  assert.equal((await pass(iterable)).length, 3, "an iterable gives a new pass every time");
  async function* asyncBatches() {
    yield [ops.ones([2, 2]), ops.ones([2])] as [Tensor, Tensor];
  }
  assert.equal((await pass(new GeneratorDataAdapter(asyncBatches()))).length, 1);
  function* bad() {
    yield ops.ones([2, 2]);
  }
  await assert.rejects(pass(new GeneratorDataAdapter(bad() as never)), /must give an array, either \[inputs\] or \[inputs, targets\] or \[inputs, targets, sampleWeights\]\. Received: a tensor of shape \[2, 2\]/);
  function* mismatched() {
    yield [ops.ones([2, 2]), ops.ones([3])];
  }
  await assert.rejects(pass(new GeneratorDataAdapter(mismatched() as never)), /Data cardinality is ambiguous[\s\S]*'y' sizes: 3/);
});

test("getDataAdapter picks the adapter for the kind of data and refuses arguments the data carries itself", () => {
  function* gen() {
    yield [ops.ones([1, 1]), ops.ones([1])] as [Tensor, Tensor];
  }
  class Ds extends keras.utils.PyDataset {
    override get length() {
      return 1;
    }
    getItem() {
      return [ops.ones([1, 1]), ops.ones([1])] as [Tensor, Tensor];
    }
  }
  assert.ok(getDataAdapter(ops.ones([2, 1]), { y: ops.ones([2]) }) instanceof ArrayDataAdapter);
  assert.ok(getDataAdapter([[1], [2]]) instanceof ArrayDataAdapter, "a nested array is data, not an iterable of batches");
  assert.ok(getDataAdapter(gen()) instanceof GeneratorDataAdapter);
  assert.ok(getDataAdapter(new Ds()) instanceof PyDatasetAdapter);
  assert.throws(() => getDataAdapter(gen(), { y: ops.ones([1]) }), /When providing `x` as a generator, `y` should not be passed\. Instead, the targets should be included as part of the generator\./);
  assert.throws(() => getDataAdapter(gen(), { sampleWeight: ops.ones([1]) }), /`sampleWeight` should not be passed/);
  assert.throws(() => getDataAdapter(gen(), { classWeight: { 0: 1 } }), /Argument `classWeight` is not supported for generator inputs/);
  assert.throws(() => getDataAdapter(new Ds(), { y: ops.ones([1]) }), /When providing `x` as a PyDataset, `y` should not be passed/);
  assert.throws(() => getDataAdapter(ops.ones([1, 1]), { y: gen() as never }), /`y` cannot be a generator or a dataset/);
});
