/**
 * Per-step training time of the seed-001 model (Flatten, Dense 128 relu, Dense 128 relu, Dense 10
 * softmax; Adam; sparse categorical cross-entropy; accuracy; batch 32) on the active backend:
 *
 *   npx tsx bench/step_time.ts [steps=400] [--stub]   (KERAS_TS_BACKEND picks the backend, if supported)
 *
 * Prints ms/step of `model.fit` (callbacks and per-batch logs included, verbose 0) and a breakdown
 * of one hand-run training step, as Trainer.trainStep runs it: forward + loss under the tape,
 * backward sweep, optimizer update, metric updates + per-batch logs. MNIST is used when it loads
 * offline, random images otherwise (the time per step does not depend on the values).
 *
 * `--stub` replaces the heavy kernels (matmul, dense forward/backward, the optimizer updates) by
 * stubs that only allocate their outputs: what remains is the per-step cost outside the kernels
 * (ops, autodiff, allocation, trainer), the floor a faster backend cannot go below.
 */
import * as keras from "../src/index.js";
import type { Tensor } from "../src/backend/tensor.js";
import { getBackend, setBackend, type Backend, type MatmulArgs } from "../src/backend/backend.js";

const args = process.argv.slice(2);
const steps = Number(args.find((a) => !a.startsWith("--")) ?? 400);
const batch = 32;

if (args.includes("--stub")) {
  const real = getBackend();
  const stub: Backend = Object.create(real);
  Object.assign(stub, {
    name: `${real.name} (heavy kernels stubbed)`,
    matmul: (_a: unknown, _b: unknown, m: MatmulArgs) => new Float32Array(m.batch * m.m * m.n),
    denseForward: (_x: unknown, _w: unknown, _b: unknown, m: number, _k: number, n: number) => new Float32Array(m * n),
    denseBackward: (_d: unknown, _o: unknown, _x: unknown, _w: unknown, m: number, k: number, n: number, _a: unknown, dx: boolean, dw: boolean, db: boolean) => ({
      dX: dx ? new Float32Array(m * k) : null, dW: dw ? new Float32Array(k * n) : null, db: db ? new Float32Array(n) : null,
    }),
    adamUpdate: (w: Float32Array, _g: unknown, _m: unknown, _v: unknown, vh: Float32Array | null) => ({
      variable: new Float32Array(w.length), momentum: new Float32Array(w.length), velocity: new Float32Array(w.length), velocityHat: vh === null ? null : new Float32Array(w.length),
    }),
  });
  setBackend(stub);
}

async function data(): Promise<[Tensor, Tensor, string]> {
  try {
    const [[x, y]] = await keras.datasets.mnist.loadData();
    return [keras.utils.normalize(x, 1), y, "MNIST"];
  } catch {
    keras.utils.setRandomSeed(1);
    const x = keras.random.uniform([60000, 28, 28]);
    const y = keras.ops.cast(keras.random.randint([60000], 0, 10), "uint8");
    return [x, y, "random"];
  }
}

function makeModel(): keras.Sequential {
  keras.utils.setRandomSeed(42);
  const model = new keras.Sequential();
  model.add(new keras.layers.Flatten());
  model.add(new keras.layers.Dense(128, { activation: "relu" }));
  model.add(new keras.layers.Dense(128, { activation: "relu" }));
  model.add(new keras.layers.Dense(10, { activation: "softmax" }));
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  return model;
}

const [xAll, yAll, source] = await data();
const n = Math.min(xAll.shape[0], steps * batch);
const x = keras.ops.slice(xAll, [0, 0, 0], [n, 28, 28]);
const y = keras.ops.slice(yAll, [0], [n]);

// 1. model.fit, verbose 0 (one warm-up epoch over a few batches first).
{
  const model = makeModel();
  await model.fit(keras.ops.slice(x, [0, 0, 0], [batch * 20, 28, 28]), keras.ops.slice(y, [0], [batch * 20]), { epochs: 1, batchSize: batch, verbose: 0 });
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await model.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0, shuffle: true });
    const c1 = process.cpuUsage(c0);
    times.push((performance.now() - t0) / Math.ceil(n / batch));
    cpuTimes.push((c1.user + c1.system) / 1000 / Math.ceil(n / batch));
  }
  const ms = Math.min(...times);
  console.log(
    `backend ${keras.backend.backend()}, data ${source}: fit ${times.map((t) => t.toFixed(3)).join(" / ")} ms/step wall, ` +
      `${cpuTimes.map((t) => t.toFixed(3)).join(" / ")} ms/step CPU (3 epochs of ${Math.ceil(n / batch)} steps; best wall => ${(ms * 1875 / 1000).toFixed(2)} s per 1875-step epoch)`,
  );
}

// 2. Breakdown of hand-run steps (the same calls Trainer.trainStep makes).
{
  const model = makeModel();
  const m = model as any;
  const parts = { forward: 0, backward: 0, optimizer: 0, metrics: 0 };
  const count = Math.floor(n / batch);
  const warm = Math.min(20, count >> 2);
  for (let s = 0; s < count; s++) {
    const xb = keras.ops.slice(x, [s * batch, 0, 0], [batch, 28, 28]);
    const yb = [keras.ops.slice(y, [s * batch], [batch])];
    if (!model.built) model.apply(xb);
    const variables = model.trainableWeights;
    let tForward = 0;
    const t0 = performance.now();
    const [[loss, aux], grads] = keras.valueAndGrad(
      () => {
        const yPred = [model.forward(xb, { training: true }) as Tensor];
        const { total, perOutput } = m.computeLoss(yb, yPred, undefined);
        tForward = performance.now();
        return [total, { yPred, perOutput }] as [Tensor, { yPred: Tensor[]; perOutput: unknown[] }];
      },
      { variables, hasAux: true },
    )();
    const t1 = performance.now();
    model.optimizer!.apply(grads, variables);
    const t2 = performance.now();
    m.updateMetrics(batch, loss, aux.perOutput, yb, aux.yPred, undefined);
    m.metricLogs();
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
