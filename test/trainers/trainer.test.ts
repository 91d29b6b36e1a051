import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { captureStdout } from "../helpers/warnings.js";

const { ops, layers } = keras;

/** Two Gaussian blobs: class 0 around (-1,-1), class 1 around (1,1). */
function blobs(n: number, seed: number): [keras.Tensor, keras.Tensor] {
  const labels = ops.cast(ops.greater(keras.random.uniform([n], { seed }), 0.5), "int32");
  const centers = ops.subtract(ops.multiply(ops.cast(ops.expandDims(labels, 1), "float32"), 2), 1);
  const x = ops.add(ops.broadcastTo(centers, [n, 2]), keras.random.normal([n, 2], { stddev: 0.5, seed: seed + 1 }));
  return [x, labels];
}

function classifier(): keras.Sequential {
  return new keras.Sequential([new layers.Dense(8, { activation: "relu", inputShape: [2] }), new layers.Dense(2, { activation: "softmax" })]);
}

test("fit reaches a low loss on a separable problem; evaluate and predict agree", async () => {
  keras.utils.setRandomSeed(7);
  const [x, y] = blobs(256, 1);
  const model = classifier();
  model.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 0.02 }), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const history = await model.fit(x, y, { epochs: 15, batchSize: 32, verbose: 0 });
  assert.deepEqual(Object.keys(history.history), ["accuracy", "loss"]);
  assert.equal(model.history, history);
  assert.ok(history.history.loss[14] < 0.2, `final loss ${history.history.loss[14]}`);
  const [loss, accuracy] = (await model.evaluate(x, y, { verbose: 0 })) as number[];
  assert.ok(accuracy > 0.95, `accuracy ${accuracy}`);
  const probs = (await model.predict(x, { verbose: 0, batchSize: 100 })) as keras.Tensor;
  assert.deepEqual(probs.shape, [256, 2]);
  const manual = ops.mean(ops.cast(ops.equal(ops.argmax(probs, -1), y), "float32")).item();
  assert.ok(Math.abs(manual - accuracy) < 1e-6);
  const dict = (await model.evaluate(x, y, { verbose: 0, returnDict: true })) as Record<string, number>;
  assert.ok(Math.abs(dict.loss - loss) < 1e-6);
});

test("evaluate returns the loss alone when there are no metrics", async () => {
  const model = classifier();
  model.compile({ optimizer: "sgd", loss: "sparse_categorical_crossentropy" });
  const [x, y] = blobs(40, 3);
  const result = await model.evaluate(x, y, { verbose: 0 });
  assert.equal(typeof result, "number");
});

test("validationSplit takes the last samples and logs val_ metrics", async () => {
  const [x, y] = blobs(100, 5);
  const model = classifier();
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const history = await model.fit(x, y, { epochs: 2, validationSplit: 0.2, verbose: 0 });
  assert.deepEqual(Object.keys(history.history).sort(), ["accuracy", "loss", "val_accuracy", "val_loss"]);
  const expected = (await model.evaluate(ops.slice(x, [80, 0], [20, 2]), ops.slice(y, [80], [20]), { verbose: 0 })) as number[];
  assert.ok(Math.abs(expected[0] - history.history.val_loss[1]) < 1e-5);
});

test("classWeight and sampleWeight change the loss as Keras's weighting does", async () => {
  const model = new keras.Sequential([new layers.Dense(1, { inputShape: [1], kernelInitializer: "zeros" })]);
  model.compile({ optimizer: "sgd", loss: "mse" });
  const x = ops.convertToTensor([[1], [2]], "float32");
  const y = ops.convertToTensor([[1], [3]], "float32");
  // Predictions are 0: squared errors 1 and 9; sum_over_batch_size with weights [1, 0] gives 1/2.
  const weighted = await model.evaluate(x, y, { sampleWeight: ops.convertToTensor([1, 0], "float32"), verbose: 0 });
  assert.ok(Math.abs((weighted as number) - 0.5) < 1e-6);
  const unweighted = await model.testOnBatch(x, y);
  assert.ok(Math.abs((unweighted as number) - 5) < 1e-6);
});

test("multi-output model: per-output losses, lossWeights and metrics keyed by output name", async () => {
  const input = keras.Input({ shape: [3] });
  const hidden = new layers.Dense(4, { activation: "relu" }).apply(input);
  const cls = new layers.Dense(2, { activation: "softmax", name: "cls" }).apply(hidden);
  const reg = new layers.Dense(1, { name: "reg" }).apply(hidden);
  const model = new keras.Model({ inputs: input, outputs: [cls, reg] });
  model.compile({
    optimizer: "adam",
    loss: { cls: "sparse_categorical_crossentropy", reg: "mse" },
    lossWeights: { cls: 1, reg: 0.5 },
    metrics: { cls: ["accuracy"] },
  });
  const x = keras.random.normal([32, 3], { seed: 1 });
  const yCls = ops.cast(ops.greater(ops.sum(x, 1), 0), "int32");
  const yReg = ops.sum(x, 1, true);
  const history = await model.fit(x, [yCls, yReg], { epochs: 2, verbose: 0 });
  assert.deepEqual(Object.keys(history.history), ["cls_accuracy", "cls_loss", "loss", "reg_loss"]);
  const total = history.history.loss[1];
  const parts = history.history.cls_loss[1] + 0.5 * history.history.reg_loss[1];
  assert.ok(Math.abs(total - parts) < 1e-4, `${total} vs ${parts}`);
});

test("bad inputs give errors that say what to fix", async () => {
  const model = classifier();
  await assert.rejects(model.fit(ops.zeros([4, 2]), ops.zeros([4])), /compile\(\)/);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy" });
  await assert.rejects(model.fit(ops.zeros([10, 2]), ops.zeros([9], "int32"), { verbose: 0 }), /Data cardinality is ambiguous[\s\S]*'x' sizes: 10[\s\S]*'y' sizes: 9/);
  await assert.rejects(model.fit(ops.zeros([3, 2]), ops.convertToTensor([0, 1, 5]), { verbose: 0 }), /label value of 5.*\[0, 2\)/);
  await assert.rejects(model.fit(ops.zeros([3, 5]), ops.convertToTensor([0, 1, 1]), { verbose: 0 }), /incompatible/);
  assert.throws(() => model.compile({ optimizer: "adamm", loss: "mse" }), /Unknown optimizer: 'adamm'/);
  assert.throws(() => model.compile({ optimizer: "adam", loss: "mean_squared_errorr" }), /Unknown loss/);
  model.compile({ optimizer: "adam", loss: "mse", metrics: ["accuracyy"] });
  await assert.rejects(model.fit(ops.zeros([2, 2]), ops.zeros([2, 2]), { verbose: 0 }), /Unknown metric/);
});

test("fit with verbose 2 prints one line per epoch in Keras's format", async () => {
  const text = await captureStdout(async () => {
    const model = classifier();
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    const [x, y] = blobs(64, 9);
    await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 2 });
  });
  assert.match(text, /^Epoch 1\/2\n2\/2 - \d+s - \d+(ms|us|s)\/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}\nEpoch 2\/2\n/);
});

test("fit for one epoch prints no `Epoch 1/1` header, as Keras 3's ProgbarLogger", async () => {
  const text = await captureStdout(async () => {
    const model = classifier();
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy" });
    const [x, y] = blobs(64, 9);
    await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 2 });
  });
  assert.match(text, /^2\/2 - \d+s - \d+(ms|us|s)\/step - loss: \d\.\d{4}\n$/);
});

test("fit writes weight gradients into buffers autodiff reuses, with the same results as fresh gradients", async () => {
  const { getBackend, setBackend } = await import("../../src/backend/backend.js");
  const data = () => {
    keras.utils.setRandomSeed(5);
    return [keras.random.uniform([64, 6]), keras.ops.cast(keras.random.randint([64], 0, 3), "int32")] as const;
  };
  const build = () => {
    keras.utils.setRandomSeed(9);
    const model = new keras.Sequential([new keras.layers.Dense(4, { activation: "relu" }), new keras.layers.Dense(3, { activation: "softmax" })]);
    model.compile({ optimizer: new keras.optimizers.SGD({ learningRate: 0.5, momentum: 0.9 }), loss: "sparse_categorical_crossentropy" });
    return model;
  };
  const [x, y] = data();
  const model = build();
  const real = getBackend();
  const targets: unknown[] = [];
  const spy = Object.create(real);
  spy.linearBackward = (...args: unknown[]) => {
    targets.push(args[9]);
    return (real.linearBackward as (...a: unknown[]) => unknown).apply(real, args);
  };
  setBackend(spy);
  try {
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, shuffle: false });
  } finally {
    setBackend(real);
  }
  // The same steps by hand, with gradients in fresh memory.
  const manual = build();
  manual.apply(keras.ops.slice(x, [0, 0], [1, 6]));
  const loss = new keras.losses.SparseCategoricalCrossentropy();
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let start = 0; start < 64; start += 16) {
      const xb = keras.ops.slice(x, [start, 0], [16, 6]);
      const yb = keras.ops.slice(y, [start], [16]);
      const weights = manual.trainableWeights;
      const [, grads] = keras.valueAndGrad(() => loss.apply(yb, manual.apply(xb, { training: true }) as keras.Tensor), { variables: weights })();
      manual.optimizer!.apply(grads, weights);
    }
  }
  assert.deepEqual(model.getWeights().map((w) => Array.from(w.dataSync())), manual.getWeights().map((w) => Array.from(w.dataSync())));
  // 2 epochs x 4 steps x 2 layers; each layer's kernel gradient goes to the same buffer every step.
  assert.equal(targets.length, 16);
  assert.ok(targets.every((t) => t instanceof Float32Array));
  assert.equal(targets[0], targets[2]);
  assert.equal(targets[0], targets[14]);
  assert.notEqual(targets[0], targets[1]);
});

test("fit gathers the input batches into memory it reuses; a variable given a batch copies it", async () => {
  const { getBackend, setBackend } = await import("../../src/backend/backend.js");
  keras.utils.setRandomSeed(3);
  const x = keras.random.uniform([40, 3]);
  const y = keras.ops.cast(keras.random.randint([40], 0, 2), "int32");
  // A layer that keeps its latest input in a variable (assign), as a stateful layer may.
  class Remember extends keras.layers.Layer {
    seen?: keras.Variable;
    override call(inputs: keras.Tensor | keras.Tensor[]): keras.Tensor {
      const t = inputs as keras.Tensor;
      if (t.shape[0] === 16) {
        this.seen ??= new keras.Variable(keras.ops.zeros([16, 3]), { trainable: false });
        this.seen.assign(t);
      }
      return t;
    }
  }
  const remember = new Remember();
  const model = new keras.Sequential([remember, new keras.layers.Dense(2, { activation: "softmax" })]);
  model.compile({ optimizer: "sgd", loss: "sparse_categorical_crossentropy" });
  const real = getBackend();
  const intos: unknown[] = [];
  const spy = Object.create(real);
  let keptBefore: number[] | undefined;
  let keptAfter: number[] | undefined;
  const isX = (shape: unknown) => Array.isArray(shape) && shape.length === 2 && shape[0] === 40 && shape[1] === 3;
  spy.gather = (...args: unknown[]) => {
    if (!isX(args[1])) return (real.gather as (...a: unknown[]) => unknown).apply(real, args);
    intos.push(args[4]);
    // The second batch overwrites the first one's memory: what the variable kept must not change.
    const watch = intos.length === 2 && remember.seen !== undefined;
    if (watch) keptBefore = Array.from(remember.seen!.value.dataSync());
    const result = (real.gather as (...a: unknown[]) => unknown).apply(real, args);
    if (watch) keptAfter = Array.from(remember.seen!.value.dataSync());
    return result;
  };
  setBackend(spy);
  try {
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
  } finally {
    setBackend(real);
  }
  // Steps of 16, 16 and 8 rows: x into one reused array, the last, smaller batch into fresh memory.
  assert.equal(intos.length, 3);
  assert.ok(intos[0] instanceof Float32Array);
  assert.equal(intos[1], intos[0]);
  assert.equal(intos[2], undefined);
  // The variable kept the first batch's values although the second batch went into the same memory.
  assert.ok(keptBefore !== undefined && keptBefore.some((v) => v !== 0));
  assert.deepEqual(keptAfter, keptBefore);
});
