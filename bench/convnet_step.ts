/**
 * One training step of Keras's mnist_convnet, written with the ops its layers call (no layer
 * objects): Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu -> MaxPool 2 -> Flatten ->
 * Dropout 0.5 -> Dense 10 softmax, sparse categorical cross-entropy, Adam, batch 128, on random
 * images. Prints the best ms per step and what that makes for an epoch of 54,000 images (422
 * steps, Keras's validationSplit 0.1), plus the forward-only time of a batch.
 *
 *   npx tsx bench/convnet_step.ts [steps=30]     (KERAS_TS_NUM_THREADS, KERAS_TS_BENCH_CLOCK=cpu)
 *   /usr/bin/python3 bench/peers/torch_convnet_step.py [--cpu] [threads...]
 */
import * as keras from "../src/index.js";
import { Variable } from "../src/backend/variable.js";
import { GradientBuffers } from "../src/autodiff/gradient_buffers.js";
import { convBiasActivation } from "../src/ops/conv.js";
import { linear } from "../src/ops/linear.js";
import { softmaxCrossEntropyWithLogits } from "../src/ops/softmax_cross_entropy.js";
import { randomValues } from "../test/helpers/random.js";

const { ops } = keras;
const steps = Number(process.argv[2] ?? 30);
const batch = 128;
const cpuClock = process.env.KERAS_TS_BENCH_CLOCK === "cpu";
const clock = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const glorot = (shape: number[], fanIn: number, fanOut: number, seed: number) => {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return new Variable(ops.reshape(ops.convertToTensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, -limit, limit)), shape));
};
const k1 = glorot([3, 3, 1, 32], 9, 288, 1);
const b1 = new Variable(ops.zeros([32]));
const k2 = glorot([3, 3, 32, 64], 288, 576, 2);
const b2 = new Variable(ops.zeros([64]));
const k3 = glorot([1600, 10], 1600, 10, 3);
const b3 = new Variable(ops.zeros([10]));
const variables = [k1, b1, k2, b2, k3, b3];
const optimizer = new keras.optimizers.Adam();
const buffers = new GradientBuffers();

const x = ops.reshape(ops.convertToTensor(randomValues(batch * 28 * 28, 4, 0, 1)), [batch, 28, 28, 1]);
const y = ops.convertToTensor(Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10), "int32");

function forward(training: boolean): keras.Tensor {
  let h = convBiasActivation(x, k1.value, b1.value, "relu");
  h = ops.maxPool(h, 2);
  h = convBiasActivation(h, k2.value, b2.value, "relu");
  h = ops.maxPool(h, 2);
  h = ops.reshape(h, [batch, 1600]);
  if (training) h = keras.random.dropout(h, 0.5);
  return linear(h, k3.value, b3.value);
}

const step = () => {
  const [, grads] = keras.valueAndGrad(() => ops.mean(softmaxCrossEntropyWithLogits(y, forward(true), true)), { variables, gradientBuffers: buffers })();
  optimizer.applyGradients(grads.map((g, i) => [g, variables[i]] as const));
};

for (let i = 0; i < 3; i++) step();
let best = Infinity;
let total = 0;
for (let i = 0; i < steps; i++) {
  const t0 = clock();
  step();
  const t = clock() - t0;
  best = Math.min(best, t);
  total += t;
}
let bestPredict = Infinity;
for (let i = 0; i < 10; i++) {
  const t0 = clock();
  forward(false);
  bestPredict = Math.min(bestPredict, clock() - t0);
}
console.log(JSON.stringify({
  backend: keras.backend.backend(), clock: cpuClock ? "cpu" : "wall", stepMs: +best.toFixed(2), meanStepMs: +(total / steps).toFixed(2),
  epochS: +((best * 422) / 1000).toFixed(2), predictBatchMs: +bestPredict.toFixed(2),
}));
