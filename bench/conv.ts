/**
 * Conv and pooling kernels of the active backend on the shapes of bench/peers/torch_conv.py:
 * forward (bias + relu fused) and backward (dZ, then the input gradient where a training step
 * needs it, the kernel and bias gradients), best time of repeated runs, GFLOP/s for the convs.
 *
 *   npx tsx bench/conv.ts                 # KERAS_TS_NUM_THREADS=1 / 2, KERAS_TS_ISA=avx2 to compare
 *   /usr/bin/python3 bench/peers/torch_conv.py 1 2    # PyTorch on the same shapes
 *
 * Prints one JSON line per shape (the same names as the PyTorch script). KERAS_TS_BENCH_CLOCK=cpu
 * (and `torch_conv.py --cpu`) time 1-thread runs by CPU time, for a machine busy with other work.
 */
import { fusedKernels, getBackend, type ConvArgs, type PoolArgs } from "../src/backend/backend.js";
import { randomValues } from "../test/helpers/random.js";

interface ConvShape {
  name: string;
  batch: number;
  size: number;
  cin: number;
  cout: number;
  kernel: number;
  pad: number;
  needDX: boolean;
}

interface PoolShape {
  name: string;
  batch: number;
  size: number;
  channels: number;
  pool: number;
}

const CONVS: ConvShape[] = [
  { name: "conv3x3 64->64 32x32 b32 same", batch: 32, size: 32, cin: 64, cout: 64, kernel: 3, pad: 1, needDX: true },
  { name: "conv3x3 64->64 32x32 b32 valid", batch: 32, size: 32, cin: 64, cout: 64, kernel: 3, pad: 0, needDX: true },
  { name: "convnet conv1 1->32 28x28 b128", batch: 128, size: 28, cin: 1, cout: 32, kernel: 3, pad: 0, needDX: false },
  { name: "convnet conv2 32->64 13x13 b128", batch: 128, size: 13, cin: 32, cout: 64, kernel: 3, pad: 0, needDX: true },
];

const POOLS: PoolShape[] = [
  { name: "convnet pool1 32 26x26 b128", batch: 128, size: 26, channels: 32, pool: 2 },
  { name: "convnet pool2 64 11x11 b128", batch: 128, size: 11, channels: 64, pool: 2 },
];

/*
 * KERAS_TS_BENCH_CLOCK=cpu times with the process's CPU time (user + system) instead of the wall
 * clock: on a machine shared with other work, a 1-thread run's CPU time is what the kernel costs,
 * where its wall time also counts the time other processes held the core.
 */
const cpuClock = process.env.KERAS_TS_BENCH_CLOCK === "cpu";
const clock = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function bestTime(fn: () => void, minMs = 1000): number {
  fn();
  fn();
  let best = Infinity;
  const start = performance.now();
  let reps = 0;
  while (performance.now() - start < minMs || reps < 5) {
    const t0 = clock();
    fn();
    best = Math.min(best, clock() - t0);
    reps++;
  }
  return best;
}

const only = process.argv.slice(2);
const kernels = fusedKernels();
const backend = getBackend() as { name: string; info?: () => { isa: string; threads: number } };
const info = backend.info?.();
console.error(`backend ${backend.name}${info ? ` isa ${info.isa} threads ${info.threads}` : ""}, ${cpuClock ? "CPU" : "wall"} time`);

for (const s of CONVS) {
  if (only.length > 0 && !only.some((o) => s.name.includes(o))) continue;
  const out = s.size + 2 * s.pad - s.kernel + 1;
  const args: ConvArgs = {
    batch: s.batch, inChannels: s.cin, outChannels: s.cout, groups: 1, inputSize: [s.size, s.size], outputSize: [out, out],
    kernelSize: [s.kernel, s.kernel], strides: [1, 1], dilations: [1, 1], padBefore: [s.pad, s.pad], channelsFirst: false,
  };
  const x = randomValues(s.batch * s.size * s.size * s.cin, 1, -1, 1);
  const w = randomValues(s.kernel * s.kernel * s.cin * s.cout, 2, -0.1, 0.1);
  const b = randomValues(s.cout, 3, -0.1, 0.1);
  const dOut = new Float32Array(s.batch * out * out * s.cout).fill(1);
  const dW = new Float32Array(w.length);
  const dB = new Float32Array(s.cout);
  const flops = (s.needDX ? 3 : 2) * 2 * s.batch * out * out * s.cout * s.cin * s.kernel * s.kernel;
  let y = kernels.convForward(x, w, b, args, "relu");
  const forward = bestTime(() => {
    y = kernels.convForward(x, w, b, args, "relu");
  });
  const backward = bestTime(() => {
    kernels.convBackward(dOut, y, x, w, args, "relu", s.needDX, dW, dB);
  });
  const step = bestTime(() => {
    const yy = kernels.convForward(x, w, b, args, "relu");
    kernels.convBackward(dOut, yy, x, w, args, "relu", s.needDX, dW, dB);
  });
  console.log(JSON.stringify({ name: s.name, ms: +step.toFixed(3), forwardMs: +forward.toFixed(3), backwardMs: +backward.toFixed(3), gflops: +(flops / step / 1e6).toFixed(1) }));
}

for (const s of POOLS) {
  if (only.length > 0 && !only.some((o) => s.name.includes(o))) continue;
  const out = Math.floor(s.size / s.pool);
  const args: PoolArgs = {
    batch: s.batch, channels: s.channels, inputSize: [s.size, s.size], outputSize: [out, out], poolSize: [s.pool, s.pool], strides: [s.pool, s.pool],
    padBefore: [0, 0], channelsFirst: false,
  };
  const x = randomValues(s.batch * s.size * s.size * s.channels, 4, -1, 1);
  const dOut = new Float32Array(s.batch * out * out * s.channels).fill(1);
  const step = bestTime(() => {
    kernels.maxPoolForward(x, args);
    kernels.maxPoolBackward(dOut, x, args);
  });
  console.log(JSON.stringify({ name: s.name, ms: +step.toFixed(3) }));
}
