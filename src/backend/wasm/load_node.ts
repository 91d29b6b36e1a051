import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { WasmBackend } from "./index.js";
import { WORKER_BODY, WasmInstance, type WorkerStart } from "./instance.js";
import { sharedMemoryAvailable, webAssembly } from "./wasm_api.js";

/*
 * Loading the wasm backend in Node: the module from dist/wasm/ (built by `npm run build`, shipped
 * in the package), compiled synchronously, and its worker threads as worker_threads running the
 * module on the shared memory. The browser's loader is load_url.ts.
 */

const FILES = { single: "keras_ts.wasm", threads: "keras_ts_threads.wasm" };

/** dist/wasm/<file> of the package, searched upward from this file (src/backend/wasm or dist/backend/wasm). */
function findModuleFile(file: string): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "dist", "wasm", file);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** KERAS_TS_NUM_THREADS (shared with the native backend), else the cores Node may use. */
function threadsWanted(): number {
  const raw = process.env.KERAS_TS_NUM_THREADS;
  if (raw !== undefined && raw.trim() !== "") {
    const n = Number.parseInt(raw, 10);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, 64);
  }
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 64));
}

function spawnWorker(start: WorkerStart): void {
  // No inherited execArgv: the body is a CommonJS script, which --input-type=module would make an
  // ES module (no require), and loaders such as tsx have nothing to do in it.
  const worker = new Worker(`${WORKER_BODY}\nstart(require("node:worker_threads").workerData);`, { eval: true, workerData: start, execArgv: [] });
  // Parked in the pool for the life of the process, which must still exit when the program ends.
  worker.unref();
  // A worker that fails to start leaves the pool a thread short, which it tolerates.
  worker.on("error", () => {});
}

/**
 * A new wasm backend: the threaded build with `threads` threads (default: KERAS_TS_NUM_THREADS, else
 * the cores Node may use), or the single-threaded build for `threads: 1`. Throws when it cannot load.
 */
export function createWasmBackend(options: { threads?: number } = {}): WasmBackend {
  const wa = webAssembly();
  if (wa === undefined) throw new Error("this Node has no WebAssembly");
  const threads = options.threads ?? threadsWanted();
  const threaded = threads > 1 && sharedMemoryAvailable();
  const name = threaded ? FILES.threads : FILES.single;
  const file = findModuleFile(name);
  if (file === undefined) throw new Error(`dist/wasm/${name} not found: build it with \`npm run build\` (needs clang, lld and wasi-libc)`);
  const module = new wa.Module(readFileSync(file));
  return new WasmBackend(new WasmInstance({ module, threads: threaded ? threads : 1, spawn: threaded ? spawnWorker : undefined }));
}

let loaded: { backend: WasmBackend } | { error: string } | undefined;

/** The process's wasm backend (created once), or why it cannot run here. */
export function tryCreateWasmBackend(): { backend: WasmBackend } | { error: string } {
  if (loaded === undefined) {
    try {
      loaded = { backend: createWasmBackend() };
    } catch (e) {
      loaded = { error: String(e instanceof Error ? e.message : e).split("\n")[0] };
    }
  }
  return loaded;
}
