import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { EpochIterator } from "../../src/trainers/epoch_iterator.js";
import { ArrayDataAdapter, GeneratorDataAdapter } from "../../src/trainers/data_adapters/index.js";
import { captureWarnings } from "../helpers/warnings.js";

const { ops } = keras;
type Tensor = keras.Tensor;

/** The first target of every batch of each epoch. */
async function epochs(iterator: EpochIterator, count: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let e = 0; e < count; e++) {
    await iterator.beginEpoch();
    const seen: number[] = [];
    for (let batch = await iterator.next(); batch !== undefined; batch = await iterator.next()) seen.push(((batch as Tensor[])[1].arraySync() as number[])[0]);
    await iterator.endEpoch();
    out.push(seen);
  }
  return out;
}

const labels = (n: number) => ops.arange(n, undefined, undefined, "int32");

test("without stepsPerEpoch, every epoch is one pass over the data", async () => {
  const iterator = new EpochIterator(new ArrayDataAdapter(ops.ones([8, 1]), labels(8), { batchSize: 2 }));
  assert.equal(iterator.numBatches, 4);
  assert.deepEqual(await epochs(iterator, 2), [[0, 2, 4, 6], [0, 2, 4, 6]]);
});

test("with stepsPerEpoch, epochs continue the pass; when it ends early the epoch ends with Keras's warning", async () => {
  const iterator = new EpochIterator(new ArrayDataAdapter(ops.ones([8, 1]), labels(8), { batchSize: 2 }), 3);
  assert.equal(iterator.numBatches, 3);
  const warnings = await captureWarnings(async () => {
    assert.deepEqual(await epochs(iterator, 3), [[0, 2, 4], [6], [0, 2, 4]]);
  });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Your input ran out of data; interrupting training\. Make sure that your dataset or generator can generate at least `stepsPerEpoch \* epochs` batches/);
});

test("a generator of unknown size: the first epoch runs until it runs out and counts its batches", async () => {
  function* five() {
    for (let i = 0; i < 5; i++) yield [ops.ones([1, 1]), ops.convertToTensor([i], "int32")] as [Tensor, Tensor];
  }
  const iterable = { [Symbol.iterator]: five };
  const iterator = new EpochIterator(new GeneratorDataAdapter(iterable));
  assert.equal(iterator.numBatches, undefined);
  const warnings = await captureWarnings(async () => {
    assert.deepEqual(await epochs(iterator, 2), [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]);
  });
  assert.equal(iterator.numBatches, 5);
  assert.deepEqual(warnings, [], "running out is how the size is found, not an interruption");
  // A generator object cannot restart: the next epoch gets nothing.
  const once = new EpochIterator(new GeneratorDataAdapter(five()));
  assert.deepEqual(await epochs(once, 2), [[0, 1, 2, 3, 4], []]);
});

test("an endless generator with stepsPerEpoch feeds every epoch from where the last one stopped", async () => {
  function* forever() {
    for (let i = 0; ; i++) yield [ops.ones([1, 1]), ops.convertToTensor([i], "int32")] as [Tensor, Tensor];
  }
  const iterator = new EpochIterator(new GeneratorDataAdapter(forever()), 3);
  assert.deepEqual(await epochs(iterator, 3), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  // An async one too.
  async function* asyncForever() {
    for (let i = 0; ; i++) yield [ops.ones([1, 1]), ops.convertToTensor([i], "int32")] as [Tensor, Tensor];
  }
  assert.deepEqual(await epochs(new EpochIterator(new GeneratorDataAdapter(asyncForever()), 2), 2), [[0, 1], [2, 3]]);
});
