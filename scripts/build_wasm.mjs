#!/usr/bin/env node
/*
 * Builds the WebAssembly backend from the C kernels in native/ (the same sources as the native
 * addon, on their portable paths, vectorized for SIMD128) and the WebAssembly glue in native/wasm/:
 *
 *   dist/wasm/keras_ts.wasm          one thread, for hosts without SharedArrayBuffer
 *   dist/wasm/keras_ts_threads.wasm  shared memory, atomics, a thread pool of workers
 *
 * `npm run build` runs it after tsc. It needs clang with the wasm32 target, wasm-ld (lld) and
 * wasi-libc (math functions; Debian: apt-get install clang lld wasi-libc). Without them it prints
 * one warning line and exits 0: keras-ts then runs without the wasm backend (a package from the
 * registry ships the built files). KERAS_TS_SKIP_WASM=1 skips it; KERAS_TS_WASM_CC names the
 * compiler; KERAS_TS_WASI_SYSROOT the wasi-libc sysroot.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "dist", "wasm");
const objDir = path.join(root, "build", "wasm-obj");
const logPath = path.join(root, "build", "wasm-build.log");

/** The kernels shared with the native addon, and the WebAssembly glue. */
const KERNELS = ["gemm.c", "elementwise.c", "misc.c", "fused.c", "ew_jobs.c", "ew_generic.c", "reduce_ext.c", "layout.c", "conv.c", "pool.c", "bn.c", "geometry.c", "rnn.c", "attention.c"].map((f) => path.join(root, "native", f));
const GLUE = ["runtime.c", "threadpool.c", "exports.c", "stack.S"].map((f) => path.join(root, "native", "wasm", f));

/** Kernels the JavaScript side calls by their C names (native/kt.h, native/kt_ext.h, native/ew_jobs.h). */
const EXPORTS = [
  "kt_unary", "kt_sgemm_batched", "kt_igemm_batched", "kt_reduce_f32", "kt_argreduce_f32", "kt_softmax_f32", "kt_transpose2d", "kt_cast",
  "kt_fill", "kt_dense_forward", "kt_dense_backward", "kt_softmax_xent", "kt_softmax_xent_backward", "kt_sgd", "kt_rmsprop", "kt_adam",
  "kt_reduce_any", "kt_argreduce_int", "kt_count_argmax_matches", "kt_normalize", "kt_copy_strided", "kt_concat", "kt_cumulative",
  "kt_scatter_add", "kt_gather_along_axis", "kt_scatter_add_along_axis", "kt_bn_training", "kt_bn_inference", "kt_bn_training_backward",
  "kt_lstm_forward", "kt_lstm_backward", "kt_gru_forward", "kt_gru_backward", "kt_attention_forward", "kt_attention_backward",
];

const STACK_BYTES = 1 << 20;
/** Pages the JavaScript side creates the memory with (src/backend/wasm/instance.ts): stack and data. */
const INITIAL_MEMORY = 32 * 65536;
/** 4 GB less a page: the most a wasm32 memory holds, minus the page whose end address wraps. */
const MAX_MEMORY = 65535 * 65536;

const log = [];
function warn(reason) {
  console.warn(`keras-ts: wasm backend not built (${reason}); keras-ts will run without it`);
  try {
    mkdirSync(path.dirname(logPath), { recursive: true });
    writeFileSync(logPath, log.join("\n"));
  } catch {
    // the log is a convenience
  }
  process.exit(0);
}

function run(cmd, args) {
  log.push(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  log.push(r.stdout ?? "", r.stderr ?? "", r.error ? String(r.error) : "");
  return r;
}

if (/^(1|true|yes)$/i.test(process.env.KERAS_TS_SKIP_WASM ?? "")) warn("KERAS_TS_SKIP_WASM is set");

const cc = process.env.KERAS_TS_WASM_CC || "clang";
const probe = run(cc, ["--target=wasm32", "-print-targets"]);
if (probe.error || probe.status !== 0) warn(`no ${cc}: install clang and lld (Debian: apt-get install clang lld wasi-libc), then run \`npm run build:wasm\``);
if (!/wasm32/.test(probe.stdout)) warn(`${cc} has no wasm32 target`);

/** A wasi-libc sysroot: headers (include/wasm32-wasi or include/) and lib/wasm32-wasi/libc.a. */
function findSysroot() {
  const candidates = [process.env.KERAS_TS_WASI_SYSROOT, "/usr", "/usr/share/wasi-sysroot", "/opt/wasi-sdk/share/wasi-sysroot", "/opt/homebrew/share/wasi-sysroot", "/usr/local/share/wasi-sysroot"];
  for (const dir of candidates) if (dir && existsSync(path.join(dir, "lib", "wasm32-wasi", "libc.a"))) return dir;
  return undefined;
}
const sysroot = findSysroot();
if (sysroot === undefined) warn("wasi-libc not found (Debian: apt-get install wasi-libc; or set KERAS_TS_WASI_SYSROOT)");

const COMMON = [
  "--target=wasm32-wasi", `--sysroot=${sysroot}`, "-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno",
  "-msimd128", "-mbulk-memory", "-mnontrapping-fptoint", "-msign-ext", "-ftls-model=local-exec",
  "-Wall", "-Wno-unused-parameter", "-Wno-unused-function",
];

const VARIANTS = [
  // One thread: thread-local variables are plain statics (bulk memory would keep them thread-local,
  // which a memory that is not shared cannot hold).
  { file: "keras_ts.wasm", flags: ["-D__thread=", "-D_Thread_local="], link: [] },
  {
    file: "keras_ts_threads.wasm",
    flags: ["-matomics", "-DKT_WASM_THREADS=1"],
    link: ["--shared-memory", "--export=__wasm_init_tls"],
  },
];

const started = Date.now();
mkdirSync(outDir, { recursive: true });
for (const variant of VARIANTS) {
  const dir = path.join(objDir, path.basename(variant.file, ".wasm"));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const objects = [];
  for (const source of [...KERNELS, ...GLUE]) {
    const object = path.join(dir, `${path.basename(source).replace(/\.[cS]$/, "")}.o`);
    const r = run(cc, [...COMMON, ...variant.flags, "-c", source, "-o", object]);
    if (r.error || r.status !== 0) {
      const line = (r.stderr || String(r.error)).split("\n").find((l) => /error/.test(l)) ?? `exit ${r.status}`;
      warn(`${path.relative(root, source)}: ${line.trim().slice(0, 160)}; see ${path.relative(process.cwd(), logPath)}`);
    }
    objects.push(object);
  }
  const target = path.join(outDir, variant.file);
  const linkArgs = [
    "--target=wasm32-wasi", "-nostdlib", `-L${path.join(sysroot, "lib", "wasm32-wasi")}`, "-o", `${target}.tmp`, ...objects, "-lc",
    ...[
      "--no-entry", "--import-memory", `--initial-memory=${INITIAL_MEMORY}`, "--stack-first", `-z`, `stack-size=${STACK_BYTES}`, `--max-memory=${MAX_MEMORY}`, "--strip-debug",
      ...EXPORTS.map((e) => `--export=${e}`), ...variant.link,
    ].map((a) => `-Wl,${a}`),
  ];
  const r = run(cc, linkArgs);
  if (r.error || r.status !== 0) {
    const line = (r.stderr || String(r.error)).split("\n").find((l) => /error/.test(l)) ?? `exit ${r.status}`;
    warn(`linking ${variant.file}: ${line.trim().slice(0, 160)}; see ${path.relative(process.cwd(), logPath)}`);
  }
  renameSync(`${target}.tmp`, target);
}
const sizes = VARIANTS.map((v) => `${v.file} ${(readFileSync(path.join(outDir, v.file)).length / 1024).toFixed(0)} KB`).join(", ");
console.log(`keras-ts: wasm backend built (${sizes}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
