/** Feeding fit, evaluate and predict with generators and iterables of batches, as Keras 3 takes them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { captureStdout, captureWarnings } from "../helpers/warnings.js";
import { sumSignClassifier, sumSignProblem, weightsOf } from "../helpers/training.js";

const { ops, layers } = keras;
type Tensor = keras.Tensor;

/** Rows [start, start + size) of x and y as plain nested arrays, the way a user's generator may give them. */
function plainBatch(x: Tensor, y: Tensor, start: number, size: number): [number[][], number[]] {
  return [ops.slice(x, [start, 0], [size, 3]).arraySync() as number[][], ops.slice(y, [start], [size]).arraySync() as number[]];
}

test("fit on a generator of [x, y] batches trains exactly as fit on the same arrays in the same order", async () => {
  const [x, y] = sumSignProblem(64, 21);
  function* batches() {
    for (let start = 0; start < 64; start += 16) yield plainBatch(x, y, start, 16);
  }
  const fromGenerator = sumSignClassifier();
  const history = await fromGenerator.fit(batches(), { epochs: 1, verbose: 0 });
  const fromArrays = sumSignClassifier();
  const expected = await fromArrays.fit(x, y, { epochs: 1, verbose: 0, batchSize: 16, shuffle: false });
  assert.deepEqual(weightsOf(fromGenerator), weightsOf(fromArrays));
  assert.deepEqual(history.history, expected.history);

  // An async generator, and an iterable that gives a new pass every epoch, for three epochs.
  async function* asyncBatches() {
    yield* batches();
  }
  const fromAsync = sumSignClassifier();
  await fromAsync.fit(asyncBatches(), { epochs: 1, verbose: 0 });
  assert.deepEqual(weightsOf(fromAsync), weightsOf(fromArrays));
  const fromIterable = sumSignClassifier();
  await fromIterable.fit({ [Symbol.iterator]: batches }, { epochs: 3, verbose: 0 });
  const threeEpochs = sumSignClassifier();
  await threeEpochs.fit(x, y, { epochs: 3, verbose: 0, batchSize: 16, shuffle: false });
  assert.deepEqual(weightsOf(fromIterable), weightsOf(threeEpochs));
});

test("an endless generator with stepsPerEpoch: each epoch takes that many batches, continuing the stream", async () => {
  const [x, y] = sumSignProblem(64, 21);
  let pulled = 0;
  function* forever() {
    for (let i = 0; ; i = (i + 1) % 4) {
      pulled++;
      yield plainBatch(x, y, i * 16, 16);
    }
  }
  const model = sumSignClassifier();
  const steps: (number | undefined)[] = [];
  class Steps extends keras.callbacks.Callback {
    override onTrainBegin(): void {
      steps.push(this.params.steps);
    }
  }
  const history = await model.fit(forever(), { epochs: 3, stepsPerEpoch: 5, verbose: 0, callbacks: [new Steps()] });
  assert.equal(pulled, 15);
  assert.deepEqual(steps, [5]);
  assert.equal(history.history.loss.length, 3);
  assert.ok(history.history.loss[2] < history.history.loss[0], `${history.history.loss}`);
});

test("a finite generator ends the epoch; used up, the next epoch stops training with Keras's warning", async () => {
  const [x, y] = sumSignProblem(48, 21);
  function* three() {
    for (let start = 0; start < 48; start += 16) yield plainBatch(x, y, start, 16);
  }
  const model = sumSignClassifier();
  let batchCount = 0;
  const counter = new keras.callbacks.LambdaCallback({ onTrainBatchEnd: () => void batchCount++ });
  let history: keras.callbacks.History | undefined;
  const warnings = await captureWarnings(async () => {
    history = await model.fit(three(), { epochs: 3, verbose: 0, callbacks: [counter] });
  });
  assert.equal(batchCount, 3);
  assert.equal(history!.history.loss.length, 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Your input ran out of data; interrupting training/);
});

test("a finite generator shorter than stepsPerEpoch ends the epoch early (data of known size too)", async () => {
  const [x, y] = sumSignProblem(48, 21);
  function* three() {
    for (let start = 0; start < 48; start += 16) yield plainBatch(x, y, start, 16);
  }
  const model = sumSignClassifier();
  let batches = 0;
  // (The warning itself, shown once per process as Python shows it, is checked in epoch_iterator.test.ts.)
  await captureWarnings(async () => {
    await model.fit(three(), { epochs: 1, stepsPerEpoch: 10, verbose: 0, callbacks: [new keras.callbacks.LambdaCallback({ onTrainBatchEnd: () => void batches++ })] });
  });
  assert.equal(batches, 3);
  // Arrays with stepsPerEpoch: epochs continue the pass, as Keras's epoch iterator does.
  const seen: number[] = [];
  const arrays = sumSignClassifier();
  await captureWarnings(async () => {
    await arrays.fit(x, y, { epochs: 3, stepsPerEpoch: 2, batchSize: 16, shuffle: false, verbose: 0, callbacks: [new keras.callbacks.LambdaCallback({ onEpochEnd: () => void seen.push(batches), onTrainBatchEnd: () => void batches++ })] });
  });
  assert.deepEqual(seen, [5, 6, 8], "2 batches, the last of the pass (1), then 2 of a new pass");
});

test("evaluate and predict take generators; validationData may be a generator with validationSteps", async () => {
  const [x, y] = sumSignProblem(64, 21);
  const model = sumSignClassifier();
  await model.fit(x, y, { epochs: 2, verbose: 0 });
  function* batches(withTargets: boolean) {
    for (let start = 0; start < 64; start += 16) {
      const [xb, yb] = plainBatch(x, y, start, 16);
      yield withTargets ? ([xb, yb] as [number[][], number[]]) : ([xb] as [number[][]]);
    }
  }
  const expected = (await model.evaluate(x, y, { verbose: 0, batchSize: 16 })) as number[];
  assert.deepEqual(await model.evaluate(batches(true), { verbose: 0 }), expected);
  assert.deepEqual(await model.evaluate(batches(true), undefined, { verbose: 0, returnDict: true }), { accuracy: expected[1], loss: expected[0] });
  const predicted = (await model.predict(batches(false), { verbose: 0 })) as Tensor;
  assert.deepEqual(predicted.arraySync(), ((await model.predict(x, { verbose: 0 })) as Tensor).arraySync());
  // predict ignores the targets of [x, y] batches; steps limits an endless generator.
  function* forever() {
    for (;;) yield* batches(true);
  }
  assert.deepEqual(((await model.predict(forever(), { verbose: 0, steps: 4 })) as Tensor).shape, [64, 2]);
  assert.deepEqual(await model.evaluate(forever(), { verbose: 0, steps: 4 }), expected);

  // Validation on an endless generator, two batches per epoch.
  const validated = sumSignClassifier();
  let validationBatches = 0;
  const history = await validated.fit(x, y, {
    epochs: 2,
    verbose: 0,
    validationData: forever(),
    validationSteps: 2,
    callbacks: [new keras.callbacks.LambdaCallback({ onTestBatchEnd: () => void validationBatches++ })],
  });
  assert.equal(validationBatches, 4);
  assert.deepEqual(Object.keys(history.history).sort(), ["accuracy", "loss", "val_accuracy", "val_loss"]);
  // The last validation took the stream's batches 2 and 3 (rows 32..63), after the last training step.
  const lastTwo = (await validated.evaluate(ops.slice(x, [32, 0], [32, 3]), ops.slice(y, [32], [32]), { verbose: 0, batchSize: 16 })) as number[];
  assert.ok(Math.abs(history.history.val_loss[1] - lastTwo[0]) < 1e-6, `${history.history.val_loss[1]} vs ${lastTwo[0]}`);

  // Arrays with validationSteps: every validation starts over, with the first batches (Keras resets its iterator).
  const arrays = sumSignClassifier();
  const arraysHistory = await arrays.fit(x, y, { epochs: 2, verbose: 0, validationData: [x, y], validationSteps: 1, validationBatchSize: 16 });
  const firstBatch = (await arrays.evaluate(ops.slice(x, [0, 0], [16, 3]), ops.slice(y, [0], [16]), { verbose: 0 })) as number[];
  assert.ok(Math.abs(arraysHistory.history.val_loss[1] - firstBatch[0]) < 1e-6, `${arraysHistory.history.val_loss[1]} vs ${firstBatch[0]}`);
});

test("data given the wrong way is refused with errors that name the argument", async () => {
  const [x, y] = sumSignProblem(16, 21);
  const model = sumSignClassifier();
  function* gen() {
    yield plainBatch(x, y, 0, 16);
  }
  function* empty(): Generator<[number[][], number[]]> {}
  await assert.rejects(model.fit(gen(), y), /When providing `x` as a generator, `y` should not be passed/);
  await assert.rejects(model.fit(gen(), { sampleWeight: ops.ones([16]) }), /`sampleWeight` should not be passed/);
  await assert.rejects(model.fit(gen(), { classWeight: { 0: 1 } }), /`classWeight` is not supported for generator inputs/);
  await assert.rejects(model.fit(gen(), { validationSplit: 0.5 }), /`validationSplit` is only supported for tensors or arrays/);
  await assert.rejects(model.fit(empty(), { verbose: 0 }), /fit: when passing a generator to a Keras model, the generator must yield at least one batch\. Received an empty generator\./);
  await assert.rejects(model.evaluate(empty(), { verbose: 0 }), /evaluate: when passing a generator/);
  await assert.rejects(model.predict(empty(), { verbose: 0 }), /predict: no samples were given/);
  const noTargets = (function* () {
    yield [plainBatch(x, y, 0, 16)[0]] as [number[][]];
  })();
  await assert.rejects(model.fit(noTargets, { verbose: 0 }), /The loss given to compile\(\) needs targets `y`, but the data has none/);
});

test("the progress bar counts steps of an unknown total as Keras does, then knows the total", async () => {
  const [x, y] = sumSignProblem(48, 21);
  const text = await captureStdout(async () => {
    const model = sumSignClassifier();
    function* three() {
      for (let start = 0; start < 48; start += 16) yield plainBatch(x, y, start, 16);
    }
    await model.fit({ [Symbol.iterator]: three }, { epochs: 2, verbose: 2 });
  });
  assert.match(text, /^Epoch 1\/2\n3\/3 - \d+s - \d+(ms|us|s)\/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}\nEpoch 2\/2\n3\/3 - /);

  // On a terminal, while the total is unknown: `      2/Unknown 0s 3ms/step - loss: ...`.
  const chunks: string[] = [];
  const logger = new keras.callbacks.ProgbarLogger({ stream: { isTTY: true, write: (s: string) => void chunks.push(s) } });
  logger.setParams({ epochs: 2, steps: undefined, verbose: 1 });
  logger.onTrainBegin();
  logger.onEpochBegin(0);
  logger.onTrainBatchEnd(0, { loss: 0.9 });
  await new Promise((resolve) => setTimeout(resolve, 60));
  logger.onTrainBatchEnd(1, { loss: 0.5 });
  const during = chunks.join("");
  assert.match(during, /\r {6}2\/Unknown \x1b\[1m\d+s\x1b\[0m \d+(ms|us|s)\/step - loss: 0\.5000/, "the latest value as given (the model's metrics are means already)");
  logger.onEpochEnd(0, { loss: 0.5 });
  assert.match(chunks.join(""), /2\/2\x1b\[0m \S*━{20}\S* \x1b\[1m\d+s\x1b\[0m \d+(ms|us|s)\/step - loss: 0\.5000 *\n/);
  chunks.length = 0;
  logger.onEpochBegin(1);
  logger.onTrainBatchEnd(0, { loss: 0.4 });
  assert.match(chunks.join(""), /1\/2/, "the second epoch knows the total");
});
