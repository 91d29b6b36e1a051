/**
 * In-memory HDF5 trees <-> HDF5 file bytes: the layer under `model.weights.h5` inside a `.keras`
 * archive and under legacy Keras `.h5` files.
 *
 * HDF5 itself is h5wasm (the HDF5 C library compiled to WebAssembly), run in a worker thread
 * (./h5_worker.ts), never on the caller's thread. Files are untrusted: a corrupt one can make HDF5
 * loop forever inside WebAssembly or break its global state for every later call. A read that
 * takes longer than its time limit is stopped by terminating the worker, and any failed request
 * retires its worker, so the next request gets a fresh HDF5 instance. Measured on this project's
 * machine: a fresh worker is ready in ~100 ms, terminating a worker stuck in HDF5 takes ~10 ms, a
 * 1.2 MB Keras weights file reads in ~15 ms. The alternatives were weighed in the README.
 *
 * Files are written with the library-version bounds ["earliest", "v110"] so that they have the
 * layout h5py gives Keras (superblock v0, symbol-table groups) and open with HDF5 >= 1.10.
 *
 * Ordering: a file read here gives members in the file's own order: by name for groups written by
 * h5py (so by Keras) and by `writeH5` by default ("dense" < "dense_1" < "flatten"), by creation
 * order when the file tracks it (`writeH5(tree, { trackOrder: true })`). Look members up by name,
 * never by position. Note that a JavaScript object always lists integer-like keys ("0", "1", "10")
 * first, in ascending numeric order, whatever the insertion order; other keys keep insertion order.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/** Element types a dataset can hold here. */
export type H5DType = "float32" | "float64" | "int32" | "int64" | "uint8";

export type H5Data = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/**
 * An attribute value. Strings (fixed- or variable-length in the file) read as `string`, arrays of
 * strings as `string[]`, numeric scalars as `number`, numeric arrays (any shape, flattened) as
 * `number[]`. Writing: strings are variable-length UTF-8 (as h5py writes them); numbers are
 * float64; an empty array (of either kind) is written as an empty float64 array, which is what
 * h5py writes for `np.array([])` (Keras 2 writes `weight_names` of a weightless layer that way).
 */
export type H5AttrValue = string | string[] | number | number[];

export interface H5Dataset {
  /** Row-major shape; `[]` for a scalar (which holds one element). */
  shape: number[];
  dtype: H5DType;
  /** Row-major elements; length = product of `shape`. */
  data: H5Data;
  attrs?: Record<string, H5AttrValue>;
}

export interface H5Group {
  attrs?: Record<string, H5AttrValue>;
  groups: Record<string, H5Group>;
  datasets: Record<string, H5Dataset>;
}

export interface WriteH5Options {
  /**
   * Record creation order of links and attributes in the file (h5py's `track_order=True`), so
   * that reading the file back lists members in insertion order. Default false: the layout h5py
   * and Keras write (superblock v0, symbol-table groups), and members then read back by name.
   */
  trackOrder?: boolean;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

const DATA_CLASS: Record<H5DType, { new (length: number): H5Data; name: string }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
};

const MAX_DEPTH = 64;

/** True when `bytes` start with the HDF5 signature (at offset 0 or a user-block offset 512·2^k). */
export function isHdf5(bytes: Uint8Array): boolean {
  const matchesAt = (offset: number): boolean => {
    if (bytes.length < offset + HDF5_SIGNATURE.length) return false;
    for (let i = 0; i < HDF5_SIGNATURE.length; i++) if (bytes[offset + i] !== HDF5_SIGNATURE[i]) return false;
    return true;
  };
  if (matchesAt(0)) return true;
  for (let offset = 512; offset + HDF5_SIGNATURE.length <= bytes.length; offset *= 2) {
    if (matchesAt(offset)) return true;
  }
  return false;
}

/** A request to the HDF5 worker (./h5_worker.ts). */
export type H5Request =
  | { id: number; op: "read"; bytes?: Uint8Array; path?: string; name: string }
  | { id: number; op: "write"; tree: H5Group; trackOrder: boolean };

/** The worker's answer to a request (or its one-time ready signal). */
export type H5Answer = { id: number; ok: true; tree?: H5Group; bytes?: Uint8Array } | { id: number; ok: false; message: string };
export type H5Response = H5Answer | { ready: true };

/** Plain words for what the WebAssembly runtime says when HDF5 fails hard. */
export function plainReason(text: string): string {
  if (/Cannot enlarge memory|Out of memory|OOM/i.test(text)) return "the file's structure asks for more memory than the reader allows (corrupt sizes)";
  if (/Aborted\(|RuntimeError|unreachable|out of bounds|null function|signature mismatch|index out of range/i.test(text)) {
    return "the HDF5 library stopped on corrupt data";
  }
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
  if (lines.length <= 4) return lines.join(" ");
  // HDF5 error stacks are long; keep the innermost frame and its minor message.
  const frames = lines.filter((line) => /^#\d+:/.test(line));
  const last = frames.length > 0 ? frames[frames.length - 1].replace(/^#\d+:\s*\S+\s+line\s+\d+\s+in\s+/, "") : lines[lines.length - 1];
  const minor = lines.filter((line) => line.startsWith("minor:")).pop();
  return minor ? `${last} (${minor})` : last;
}

// ---------------------------------------------------------------------------------------------
// The worker

/**
 * How long one read may run in HDF5: half a second, plus a second per 50 MB. Legitimate Keras
 * files read at well over 100 MB/s (a 2.7 MB file in ~20 ms), so only a runaway read reaches it,
 * and a stopped read, with the fresh worker after it, stays under 2 s on a busy machine.
 */
export function readTimeLimitMs(fileBytes: number): number {
  return 500 + Math.ceil(fileBytes / 50e3);
}

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
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./h5_worker.js", import.meta.url), { workerData });
  // Run from source (tests, tsx): Node 20 does not hand tsx's loader to workers, and registering
  // it inside each worker costs over a second. esbuild (tsx's compiler) bundles the worker to
  // JavaScript once per process instead.
  if (sourceWorkerCode === null) {
    const esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({
      entryPoints: [fileURLToPath(new URL("./h5_worker.ts", import.meta.url))],
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

// ---------------------------------------------------------------------------------------------
// Writing

function checkName(name: string, where: string): void {
  if (name.length === 0 || name.includes("/") || name === "." || name.includes("\0")) {
    throw new Error(`writeH5: invalid name ${JSON.stringify(name)} at ${where}: names must be non-empty and contain no "/" or NUL`);
  }
}

function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

function sizeOfShape(shape: readonly number[], where: string): number {
  if (!Array.isArray(shape)) throw new Error(`writeH5: dataset ${where} has no shape array`);
  let size = 1;
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0) {
      throw new Error(`writeH5: dataset ${where} has invalid shape [${shape.join(", ")}]`);
    }
    size *= dim;
  }
  return size;
}

function validateDataset(dataset: H5Dataset, where: string): void {
  const cls = DATA_CLASS[dataset.dtype];
  if (cls === undefined) {
    throw new Error(`writeH5: dataset ${where} has unsupported dtype ${JSON.stringify(dataset.dtype)}; expected one of ${Object.keys(DATA_CLASS).join(", ")}`);
  }
  if (!(dataset.data instanceof (cls as unknown as new () => H5Data))) {
    const got = (dataset.data as { constructor?: { name?: string } } | null)?.constructor?.name ?? String(dataset.data);
    throw new Error(`writeH5: dataset ${where} has dtype ${dataset.dtype} and needs a ${cls.name}, got ${got}`);
  }
  const size = sizeOfShape(dataset.shape, where);
  if (dataset.data.length !== size) {
    throw new Error(`writeH5: dataset ${where} has ${dataset.data.length} elements but shape [${dataset.shape.join(", ")}] needs ${size}`);
  }
}

/** Checks the whole tree before any HDF5 call, so a bad tree fails with a clear message. */
function validateGroup(group: H5Group, where: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error(`writeH5: groups nested deeper than ${MAX_DEPTH} levels at ${where} (a cycle?)`);
  if (group === null || typeof group !== "object" || typeof group.groups !== "object" || typeof group.datasets !== "object") {
    throw new Error(`writeH5: ${where} is not a group ({ groups, datasets, attrs? })`);
  }
  validateAttrs(group.attrs, where);
  for (const name of Object.keys(group.groups)) {
    checkName(name, where);
    if (Object.prototype.hasOwnProperty.call(group.datasets, name)) {
      throw new Error(`writeH5: ${JSON.stringify(name)} at ${where} is both a group and a dataset`);
    }
    validateGroup(group.groups[name], childPath(where, name), depth + 1);
  }
  for (const name of Object.keys(group.datasets)) {
    checkName(name, where);
    const at = childPath(where, name);
    validateDataset(group.datasets[name], at);
    validateAttrs(group.datasets[name].attrs, at);
  }
}

function validateAttrs(attrs: Record<string, H5AttrValue> | undefined, where: string): void {
  if (attrs === undefined) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (name.length === 0 || name.includes("\0")) throw new Error(`writeH5: invalid attribute name ${JSON.stringify(name)} at ${where}`);
    const ok =
      typeof value === "string" ||
      (typeof value === "number" && Number.isFinite(value)) ||
      (Array.isArray(value) &&
        (value.every((v) => typeof v === "string") || value.every((v) => typeof v === "number")));
    if (!ok) {
      throw new Error(`writeH5: attribute ${JSON.stringify(name)} at ${where} must be a string, string[], finite number or number[]`);
    }
  }
}

/**
 * Serialises `tree` (the root group) to the bytes of an HDF5 file: contiguous, uncompressed,
 * little-endian datasets, as h5py writes by default.
 */
export async function writeH5(tree: H5Group, options: WriteH5Options = {}): Promise<Uint8Array> {
  validateGroup(tree, "/", 0);
  const answer = await request({ id: nextId++, op: "write", tree, trackOrder: options.trackOrder ?? false }, [], null, "writeH5");
  return answer.bytes!;
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Reads the bytes of an HDF5 file into a tree: every group, every dataset (eagerly, as typed
 * arrays) and every attribute of a supported kind. `fileNameForErrors` is used in error messages
 * (for a `.keras` archive, something like "model.keras (model.weights.h5)").
 */
export async function readH5(bytes: Uint8Array, fileNameForErrors: string): Promise<H5Group> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${fileNameForErrors}: readH5 needs a Uint8Array`);
  if (!isHdf5(bytes)) {
    throw new Error(`${fileNameForErrors}: not an HDF5 file (no HDF5 signature; ${bytes.length} bytes)`);
  }
  const copy = bytes.slice();
  const answer = await request({ id: nextId++, op: "read", bytes: copy, name: fileNameForErrors }, [copy.buffer], readTimeLimitMs(bytes.length), fileNameForErrors);
  return answer.tree!;
}

/** Reads an HDF5 file from disk (e.g. a legacy Keras `.h5` model) into a tree, without a copy. */
export async function readH5File(filePath: string): Promise<H5Group> {
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
  const answer = await request({ id: nextId++, op: "read", path: path.resolve(filePath), name: filePath }, [], readTimeLimitMs(size), filePath);
  return answer.tree!;
}

// ---------------------------------------------------------------------------------------------
// Lookups

function splitPath(p: string): string[] {
  return p.split("/").filter((part) => part.length > 0);
}

/** The group at a slash-separated path ("" or "/" is the root), or undefined. */
export function getH5Group(root: H5Group, groupPath: string): H5Group | undefined {
  let group: H5Group | undefined = root;
  for (const part of splitPath(groupPath)) {
    if (!Object.prototype.hasOwnProperty.call(group.groups, part)) return undefined;
    group = group.groups[part];
  }
  return group;
}

/** The dataset at a slash-separated path such as "layers/dense/vars/0", or undefined. */
export function getH5Dataset(root: H5Group, datasetPath: string): H5Dataset | undefined {
  const parts = splitPath(datasetPath);
  const last = parts.pop();
  if (last === undefined) return undefined;
  const group = getH5Group(root, parts.join("/"));
  if (group === undefined || !Object.prototype.hasOwnProperty.call(group.datasets, last)) return undefined;
  return group.datasets[last];
}
