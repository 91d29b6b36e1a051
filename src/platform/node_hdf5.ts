/**
 * The HDF5 reader's worker in Node: h5wasm runs in a worker thread (../saving/h5_worker.ts), never
 * on the caller's thread. A read that takes longer than its time limit is stopped by terminating
 * the worker, and any failed request retires its worker, so the next request gets a fresh HDF5
 * instance (why: ../saving/h5_io.ts). Measured on this project's machine: a fresh worker is ready
 * in ~100 ms, terminating a worker stuck in HDF5 takes ~10 ms.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { isHdf5, plainReason, type H5Answer, type H5Group, type H5Request, type H5Response } from "../saving/h5_protocol.js";
import type { Hdf5Host } from "./platform.js";

interface LiveWorker {
  worker: Worker;
  ready: Promise<void>;
  /** Fails the request in flight when the worker dies. */
  onDeath: ((why: string) => void) | null;
}

let live: LiveWorker | null = null;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;

let sourceWorkerCode: string | null = null;

function spawnWorker(scratch: string): Worker {
  const workerData = { h5wasmUrl: import.meta.resolve("h5wasm/node"), scratch };
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("../saving/h5_worker.js", import.meta.url), { workerData });
  // Run from source (tests, tsx): Node 20 does not hand tsx's loader to workers, and registering
  // it inside each worker costs over a second. esbuild (tsx's compiler) bundles the worker to
  // JavaScript once per process instead.
  if (sourceWorkerCode === null) {
    const esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({
      entryPoints: [fileURLToPath(new URL("../saving/h5_worker.ts", import.meta.url))],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      write: false,
      logLevel: "silent",
    });
    sourceWorkerCode = result.outputFiles[0].text;
  }
  return new Worker(sourceWorkerCode, { eval: true, workerData });
}

/** Scratch folders of running workers; a worker stopped mid-read cannot remove its own. */
const scratchDirs = new Set<string>();
let cleanupAtExit = false;

function startWorker(): LiveWorker {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "keras-ts-h5-"));
  scratchDirs.add(scratch);
  if (!cleanupAtExit) {
    cleanupAtExit = true;
    process.on("exit", () => {
      for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    });
  }
  const worker = spawnWorker(scratch);
  worker.on("exit", () => {
    fs.rmSync(scratch, { recursive: true, force: true });
    scratchDirs.delete(scratch);
  });
  const state: LiveWorker = { worker, ready: Promise.resolve(), onDeath: null };
  state.ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: H5Response): void => {
      if ("ready" in message) {
        worker.off("message", onMessage);
        resolve();
      }
    };
    worker.on("message", onMessage);
    const died = (why: string): void => {
      if (live === state) live = null;
      reject(new Error(`the HDF5 worker could not start: ${why}`));
      state.onDeath?.(why);
    };
    worker.on("error", (error) => died(error instanceof Error ? plainReason(error.message) : String(error)));
    worker.on("exit", (code) => died(`it exited with code ${code}`));
  });
  state.ready.catch(() => {});
  worker.unref();
  return state;
}

/** Stops a worker after a failure and starts its replacement at once, so the next file does not wait for it. */
async function retire(state: LiveWorker): Promise<void> {
  const current = live === state;
  state.onDeath = null;
  await state.worker.terminate().catch(() => {});
  if (current && (live === state || live === null)) live = startWorker();
}

/** One request to the worker, after the ones before it; a failed request retires the worker. */
function request(message: H5Request, transfer: ArrayBuffer[], timeLimitMs: number | null, what: string): Promise<H5Answer & { ok: true }> {
  const run = async (): Promise<H5Answer & { ok: true }> => {
    if (live === null) live = startWorker();
    const state = live;
    let timer: NodeJS.Timeout | undefined;
    try {
      state.worker.ref();
      await state.ready;
      const answer = await new Promise<H5Answer>((resolve, reject) => {
        state.onDeath = (why) => reject(new Error(`${what}: the HDF5 reader stopped (${why})`));
        const onMessage = (response: H5Response): void => {
          if ("id" in response && response.id === message.id) {
            state.worker.off("message", onMessage);
            resolve(response);
          }
        };
        state.worker.on("message", onMessage);
        if (timeLimitMs !== null) {
          timer = setTimeout(() => {
            state.worker.off("message", onMessage);
            reject(new Error(`${what}: reading the HDF5 data did not finish within ${timeLimitMs} ms and was stopped; the file is corrupt or not a Keras HDF5 file`));
          }, timeLimitMs);
        }
        state.worker.postMessage(message, transfer);
      });
      if (!answer.ok) throw new Error(answer.message);
      state.worker.unref();
      state.onDeath = null;
      return answer;
    } catch (error) {
      await retire(state);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => {});
  return result;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads an HDF5 file by path: its signature checked here, its contents read by the worker in place. */
async function readFile(filePath: string, timeLimitMs: (size: number) => number): Promise<H5Group> {
  let size: number;
  let fd: number;
  try {
    fd = fs.openSync(filePath, "r");
    size = fs.fstatSync(fd).size;
  } catch (error) {
    throw new Error(`${filePath}: cannot read file: ${errorText(error)}`, { cause: error });
  }
  try {
    const head = new Uint8Array(Math.min(size, 8));
    fs.readSync(fd, head, 0, head.length, 0);
    let signed = isHdf5(head);
    if (!signed && size > 512) {
      // A user block moves the signature to 512, 1024, ...: check those offsets before giving up.
      for (let offset = 512; offset + 8 <= size && !signed; offset *= 2) {
        fs.readSync(fd, head, 0, 8, offset);
        signed = isHdf5(head);
      }
    }
    if (!signed) throw new Error(`${filePath}: not an HDF5 file (no HDF5 signature)`);
  } finally {
    fs.closeSync(fd);
  }
  const answer = await request({ id: nextId++, op: "read", path: path.resolve(filePath), name: filePath }, [], timeLimitMs(size), filePath);
  return answer.tree!;
}

export const nodeHdf5: Hdf5Host = {
  async read(bytes, name, timeLimitMs) {
    const answer = await request({ id: nextId++, op: "read", bytes, name }, [bytes.buffer as ArrayBuffer], timeLimitMs, name);
    return answer.tree!;
  },
  readFile,
  async write(tree, trackOrder) {
    const answer = await request({ id: nextId++, op: "write", tree, trackOrder }, [], null, "writeH5");
    return answer.bytes!;
  },
};
