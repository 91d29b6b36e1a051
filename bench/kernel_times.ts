/**
 * Time per training step spent in each backend kernel, for one seed model on full MNIST:
 *
 *   npx tsx bench/kernel_times.ts [001|002]      (KERAS_TS_ISA, KERAS_TS_NUM_THREADS as usual)
 *
 * Wraps the active backend so that every kernel call is timed, trains one epoch to warm up and one
 * timed epoch, and prints µs per step and calls per step for each kernel, then their sum against
 * the step's time under the wrapper. The wrapper slows each call and the code around it (the
 * step takes longer here than in `fit` alone), so read the kernels' shares, not the remainder.
 */
import * as keras from "../src/index.js";
import { getBackend, setBackend, type Backend } from "../src/backend/backend.js";

const seed = process.argv[2] ?? "001";
if (seed !== "001" && seed !== "002") throw new Error(`kernel_times: seed 001 or 002, got ${seed}`);
const real = getBackend();
const totals = new Map<string, { ms: number; calls: number }>();
let timing = false;
const timed = new Proxy(real, {
  get(target, prop, receiver) {
    const value = Reflect.get(target, prop, receiver);
    if (typeof value !== "function" || prop === "fusedKernels") return value;
    return (...args: unknown[]) => {
      if (!timing) return value.apply(target, args);
      const t = performance.now();
      const result = value.apply(target, args);
      const entry = totals.get(String(prop)) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - t;
      entry.calls++;
      totals.set(String(prop), entry);
      return result;
    };
  },
});
setBackend(timed as Backend);

const [[xTrain, yTrain]] = await keras.datasets.mnist.loadData();
const x = keras.ops.divide(keras.ops.reshape(keras.ops.cast(xTrain, "float32"), [60000, 784]), 255);
const hidden = seed === "002"
  ? [new keras.layers.Dense(25, { activation: "sigmoid" })]
  : [new keras.layers.Dense(128, { activation: "relu" }), new keras.layers.Dense(128, { activation: "relu" })];
const model = new keras.Sequential([keras.Input({ shape: [784] }), ...hidden, new keras.layers.Dense(10, { activation: "softmax" })]);
model.compile(seed === "002"
  ? { optimizer: new keras.optimizers.SGD({ learningRate: 0.01 }), loss: "categorical_crossentropy", metrics: ["accuracy"] }
  : { optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
const y = seed === "002" ? keras.utils.toCategorical(yTrain, 10) : yTrain;
const steps = 60000 / 32;
await model.fit(x, y, { batchSize: 32, epochs: 1, verbose: 0 });
timing = true;
const t0 = performance.now();
await model.fit(x, y, { batchSize: 32, epochs: 1, verbose: 0 });
const stepUs = ((performance.now() - t0) / steps) * 1000;
timing = false;

let kernelUs = 0;
console.log(`seed ${seed}, backend ${real.name}, one epoch of ${steps} steps:`);
for (const [name, { ms, calls }] of [...totals].sort((a, b) => b[1].ms - a[1].ms)) {
  const us = (ms / steps) * 1000;
  kernelUs += us;
  console.log(`  ${name.padEnd(28)} ${us.toFixed(2).padStart(8)} µs/step  ${(calls / steps).toFixed(1)} calls/step`);
}
console.log(`kernels ${kernelUs.toFixed(1)} µs of ${stepUs.toFixed(1)} µs per step`);
