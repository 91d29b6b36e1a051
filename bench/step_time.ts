/**
 * Per-step training time of a seed model on the active backend:
 *
 *   npx tsx bench/step_time.ts [steps=400] [--model=seed001|seed002|seed003] [--full] [--epochs=N]
 *                              [--predict] [--no-breakdown] [--stub]
 *   (KERAS_TS_BACKEND picks the backend, KERAS_TS_NUM_THREADS the native thread count)
 *
 * Models (as bench/peers/common.ts describes the seeds):
 *   seed001  Flatten, Dense 128 relu, Dense 128 relu, Dense 10 softmax; adam; sparse CE; batch 32 (default)
 *   seed002  Dense 25 sigmoid, Dense 10 softmax; SGD(0.01); categorical CE; batch 32
 *   seed003  Dense 512 relu, Dense 10 softmax; rmsprop; categorical CE; batch 128
 *
 * Prints ms/step of `model.fit` (callbacks and per-batch logs included, verbose 0, shuffled) over
 * `steps` steps (or, with --full, whole epochs of the 60,000 images), the s/epoch that makes for a
 * full epoch, a breakdown of one hand-run training step as the default Trainer.trainStep runs it (forward +
 * loss under the tape, backward sweep, optimizer update, metric updates + the step's logs), with
 * --predict the time of `predict` on 10,000 images in batches of 32, and the peak RSS
 * (process.resourceUsage().maxRSS) and the RSS after each timed epoch. MNIST is used when it loads
 * offline, random images otherwise (the time per step does not depend on the values).
 *
 * `--stub` replaces the heavy kernels (matmul, linear forward/backward, the optimizer updates) by
 * stubs that only allocate their outputs: what remains is the per-step cost outside the kernels
 * (ops, autodiff, allocation, trainer), the floor a faster backend cannot go below.
 */
import * as keras from "../src/index.js";
import type { Tensor } from "../src/backend/tensor.js";
import { getBackend, setBackend, type Backend, type MatmulArgs } from "../src/backend/backend.js";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const stepsArg = Number(args.find((a) => !a.startsWith("--")) ?? 400);
const modelName = opt("model") ?? "seed001";
const full = args.includes("--full");
const timedEpochs = Number(opt("epochs") ?? 3);
const doPredict = args.includes("--predict");
const doBreakdown = !args.includes("--no-breakdown");

interface Spec {
  hidden: { units: number; activation: string }[];
  optimizer: string;
  loss: "sparse" | "categorical";
  batch: number;
  inputs: "normalize" | "scale";
}
const SPECS: Record<string, Spec> = {
  seed001: { hidden: [{ units: 128, activation: "relu" }, { units: 128, activation: "relu" }], optimizer: "adam", loss: "sparse", batch: 32, inputs: "normalize" },
  seed002: { hidden: [{ units: 25, activation: "sigmoid" }], optimizer: "sgd", loss: "categorical", batch: 32, inputs: "scale" },
  seed003: { hidden: [{ units: 512, activation: "relu" }], optimizer: "rmsprop", loss: "categorical", batch: 128, inputs: "scale" },
};
const spec = SPECS[modelName.replace(/^(\d)/, "seed$1")];
if (spec === undefined) throw new Error(`--model must be one of ${Object.keys(SPECS).join(", ")}`);
const batch = spec.batch;

if (args.includes("--stub")) {
  const real = getBackend();
  const stub: Backend = Object.create(real);
  Object.assign(stub, {
    name: `${real.name} (heavy kernels stubbed)`,
    matmul: (_a: unknown, _b: unknown, m: MatmulArgs) => new Float32Array(m.batch * m.m * m.n),
    linearForward: (_x: unknown, _w: unknown, _b: unknown, m: number, _k: number, n: number) => new Float32Array(m * n),
    linearBackward: (_d: unknown, _o: unknown, _x: unknown, _w: unknown, m: number, k: number, n: number, _a: unknown, dx: boolean, dw: boolean | Float32Array, db: boolean | Float32Array) => ({
      dX: dx ? new Float32Array(m * k) : null,
      dW: dw instanceof Float32Array ? dw : dw ? new Float32Array(k * n) : null,
      db: db instanceof Float32Array ? db : db ? new Float32Array(n) : null,
    }),
    // The updates run in place: a stub that does nothing costs nothing.
    adamUpdate: () => undefined,
    sgdUpdate: () => undefined,
    rmspropUpdate: () => undefined,
  });
  setBackend(stub);
}

const rssMb = () => process.memoryUsage().rss / 1048576;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

async function data(): Promise<[Tensor, Tensor, Tensor, string]> {
  let xTrain: Tensor, yTrain: Tensor, xTest: Tensor, source: string;
  try {
    const [[x, y], [xt]] = await keras.datasets.mnist.loadData();
    [xTrain, yTrain, xTest, source] = [x, y, xt, "MNIST"];
  } catch {
    keras.utils.setRandomSeed(1);
    xTrain = keras.ops.cast(keras.ops.floor(keras.ops.multiply(keras.random.uniform([60000, 28, 28]), 255)), "uint8");
    xTest = keras.ops.slice(xTrain, [0, 0, 0], [10000, 28, 28]);
    yTrain = keras.ops.cast(keras.random.randint([60000], 0, 10), "uint8");
    source = "random";
  }
  const scale = (t: Tensor) => keras.ops.divide(t.reshape([t.shape[0], 784]).astype("float32"), 255);
  const x = spec.inputs === "normalize" ? keras.utils.normalize(xTrain, 1) : scale(xTrain);
  const xt = spec.inputs === "normalize" ? keras.utils.normalize(xTest, 1) : scale(xTest);
  const y = spec.loss === "sparse" ? yTrain : keras.utils.toCategorical(yTrain, 10);
  return [x, y, xt, source];
}

function makeModel(): keras.Sequential {
  keras.utils.setRandomSeed(42);
  const model = new keras.Sequential();
  if (spec.inputs === "normalize") model.add(new keras.layers.Flatten());
  for (const h of spec.hidden) model.add(new keras.layers.Dense(h.units, { activation: h.activation as "relu" }));
  model.add(new keras.layers.Dense(10, { activation: "softmax" }));
  model.compile({ optimizer: spec.optimizer, loss: spec.loss === "sparse" ? "sparse_categorical_crossentropy" : "categorical_crossentropy", metrics: ["accuracy"] });
  return model;
}

const rowsOf = (t: Tensor, start: number, count: number) => keras.ops.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [count, ...t.shape.slice(1)]);

const [xAll, yAll, xTest, source] = await data();
const n = full ? xAll.shape[0] : Math.min(xAll.shape[0], stepsArg * batch);
const x = n === xAll.shape[0] ? xAll : rowsOf(xAll, 0, n);
const y = n === yAll.shape[0] ? yAll : rowsOf(yAll, 0, n);
const stepsPerEpoch = Math.ceil(n / batch);
const fullSteps = Math.ceil(60000 / batch);

// 1. model.fit, verbose 0 (one warm-up epoch over a few batches first).
let model = makeModel();
{
  await model.fit(rowsOf(x, 0, batch * 20), rowsOf(y, 0, batch * 20), { epochs: 1, batchSize: batch, verbose: 0 });
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const rss: number[] = [];
  for (let r = 0; r < timedEpochs; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await model.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0, shuffle: true });
    const c1 = process.cpuUsage(c0);
    times.push((performance.now() - t0) / stepsPerEpoch);
    cpuTimes.push((c1.user + c1.system) / 1000 / stepsPerEpoch);
    rss.push(rssMb());
  }
  const ms = Math.min(...times);
  console.log(
    `${modelName} backend ${keras.backend.backend()}, data ${source}: fit ${times.map((t) => t.toFixed(3)).join(" / ")} ms/step wall, ` +
      `${cpuTimes.map((t) => t.toFixed(3)).join(" / ")} ms/step CPU (${timedEpochs} epochs of ${stepsPerEpoch} steps, batch ${batch}; ` +
      `best wall => ${((ms * fullSteps) / 1000).toFixed(3)} s per ${fullSteps}-step epoch); rss after each ${rss.map((v) => v.toFixed(0)).join(" / ")} MB`,
  );
}

// 2. predict on the 10,000 test images, batches of 32 (best of 3).
if (doPredict) {
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await model.predict(xTest, { verbose: 0, batchSize: 32 });
    times.push(performance.now() - t0);
  }
  console.log(`predict ${xTest.shape[0]} images (batch 32): ${times.map((t) => (t / 1000).toFixed(3)).join(" / ")} s`);
}

// 3. Breakdown of hand-run steps (the same calls the default Trainer.trainStep makes).
if (doBreakdown) {
  model = makeModel();
  const lossTracker = model.metrics.find((m) => m.name === "loss") as keras.metrics.Mean;
  const parts = { forward: 0, backward: 0, optimizer: 0, metrics: 0 };
  const count = Math.floor(n / batch);
  const warm = Math.min(20, count >> 2);
  for (let s = 0; s < count; s++) {
    const xb = rowsOf(x, s * batch, batch);
    const yb = rowsOf(y, s * batch, batch);
    if (!model.built) model.apply(xb);
    const variables = model.trainableWeights;
    let tForward = 0;
    const t0 = performance.now();
    const [[loss, yPred], grads] = keras.valueAndGrad(
      () => {
        const yPred = model.forward(xb, { training: true }) as Tensor;
        const total = model.computeLoss({ x: xb, y: yb, yPred, training: true });
        tForward = performance.now();
        return [total, yPred] as [Tensor, Tensor];
      },
      { variables, hasAux: true },
    )();
    const t1 = performance.now();
    model.optimizer!.apply(grads, variables);
    const t2 = performance.now();
    lossTracker.updateScalar(loss.item(), batch);
    model.computeMetrics(xb, yb, yPred);
    const t3 = performance.now();
    if (s >= warm) {
      parts.forward += tForward - t0;
      parts.backward += t1 - tForward;
      parts.optimizer += t2 - t1;
      parts.metrics += t3 - t2;
    }
  }
  const k = count - warm;
  const total = parts.forward + parts.backward + parts.optimizer + parts.metrics;
  const f = (v: number) => (v / k).toFixed(3);
  console.log(`breakdown over ${k} steps (ms/step): forward+loss ${f(parts.forward)}, backward ${f(parts.backward)}, optimizer ${f(parts.optimizer)}, metrics+logs ${f(parts.metrics)}; total ${f(total)}`);
}
console.log(`peak RSS ${maxRssMb().toFixed(0)} MB`);
