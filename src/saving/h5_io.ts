/**
 * In-memory HDF5 trees <-> HDF5 file bytes: the layer under `model.weights.h5` inside a `.keras`
 * archive and under legacy Keras `.h5` files.
 *
 * HDF5 itself is h5wasm (the HDF5 C library compiled to WebAssembly), run in a worker (./h5_worker.ts,
 * a worker thread, in Node; ./h5_worker_browser.ts, a Web Worker, in a browser; the clients are the
 * platform's, src/platform/node_hdf5.ts and browser_hdf5.ts), never on the caller's thread. Files
 * are untrusted: a corrupt one can make HDF5
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
import { platform } from "../platform/platform.js";
import { isLocalFile, readLocation } from "./locations.js";
import { isHdf5, type H5AttrValue, type H5Data, type H5Dataset, type H5DType, type H5Group, type WriteH5Options } from "./h5_protocol.js";

export type { H5DType, H5Data, H5AttrValue, H5Dataset, H5Group, WriteH5Options, H5Request, H5Answer, H5Response } from "./h5_protocol.js";
export { plainReason, isHdf5 } from "./h5_protocol.js";

const DATA_CLASS: Record<H5DType, { new (length: number): H5Data; name: string }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
};

const MAX_DEPTH = 64;

// ---------------------------------------------------------------------------------------------
// The time limit

/**
 * How long one read may run in HDF5: half a second, plus a second per 50 MB. Legitimate Keras
 * files read at well over 100 MB/s (a 2.7 MB file in ~20 ms), so only a runaway read reaches it,
 * and a stopped read, with the fresh worker after it, stays under 2 s on a busy machine.
 */
export function readTimeLimitMs(fileBytes: number): number {
  return 500 + Math.ceil(fileBytes / 50e3);
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
  return platform().hdf5.write(tree, options.trackOrder ?? false);
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
  return platform().hdf5.read(bytes.slice(), fileNameForErrors, readTimeLimitMs(bytes.length));
}

/**
 * Reads an HDF5 file (e.g. a legacy Keras `.h5` model) into a tree: from disk without a copy, or
 * from a URL or IndexedDB (./locations.ts).
 */
export async function readH5File(filePath: string): Promise<H5Group> {
  if (isLocalFile(filePath)) return platform().hdf5.readFile(filePath, readTimeLimitMs);
  const bytes = await readLocation(filePath);
  if (!isHdf5(bytes)) throw new Error(`${filePath}: not an HDF5 file (no HDF5 signature)`);
  return readH5(bytes, filePath);
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
