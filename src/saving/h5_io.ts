/**
 * In-memory HDF5 trees <-> HDF5 file bytes, on top of h5wasm (the HDF5 C library compiled to
 * WebAssembly). This is the layer under `model.weights.h5` inside a `.keras` archive and under
 * legacy Keras 2 `.h5` model files.
 *
 * How h5wasm is used here (Node):
 * - We load the package's Node build, `h5wasm/node`, lazily with a dynamic `import()` the first
 *   time HDF5 is needed (the module instantiates ~4 MB of WebAssembly on import, so importing
 *   keras-ts itself stays cheap), then `await h5wasm.ready`.
 * - The Node build is compiled with emscripten's NODERAWFS: `new h5wasm.File(path)` opens a real
 *   file on the host file system (there is no MEMFS in that build). So bytes <-> HDF5 goes through
 *   a private temporary directory (`fs.mkdtempSync(os.tmpdir()/keras-ts-h5-*)`) that is removed in
 *   a `finally` block: `writeH5` builds the file there and reads its bytes back; `readH5` writes the
 *   bytes there and opens them. This is the route h5wasm documents for Node and behaves like
 *   h5py on disk; the temp copy of a few MB costs about a millisecond. `readH5File` opens a file
 *   in place, without a copy.
 * - Files are written with the library-version bounds ["earliest", "v110"] so that they have the
 *   layout h5py gives Keras (superblock v0, symbol-table groups) and open with HDF5 >= 1.10.
 * - By default HDF5 reports errors by printing an "HDF5-DIAG" stack to stderr and returning a
 *   negative id, which h5wasm does not always turn into an exception (for instance opening a
 *   non-HDF5 file "succeeds" with a negative file id). While our code runs we switch on h5wasm's
 *   throwing error handler (`Module.activate_throwing_error_handler()`, restored afterwards), and we
 *   also check the HDF5 signature and validate names before calling into HDF5, so that errors come
 *   out as JavaScript exceptions that name the file and the object.
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
import type { Dataset as H5wDataset, File as H5wFile, Group as H5wGroup } from "h5wasm/node";

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

type H5wasmApi = (typeof import("h5wasm/node"))["default"];

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

const WASM_DTYPE: Record<H5DType, string> = {
  float32: "<f",
  float64: "<d",
  int32: "<i",
  int64: "<q",
  uint8: "<B",
};

const DATA_CLASS: Record<H5DType, { new (length: number): H5Data; name: string }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
};

const MAX_DEPTH = 64;

/**
 * HDF5 2.x (inside h5wasm) defaults its lowest file-format version to 1.8, which writes superblock
 * v2. h5py's default is "earliest" (superblock v0, v1 object headers, symbol-table groups), which
 * is what every Keras file looks like; the upper bound keeps the file readable by HDF5 1.10, the
 * oldest library current h5py wheels ship.
 */
const LIBVER_BOUNDS: ["earliest", "v110"] = ["earliest", "v110"];

let h5wasmPromise: Promise<H5wasmApi> | null = null;

/** The h5wasm Node build, loaded and initialised once. */
function loadH5wasm(): Promise<H5wasmApi> {
  if (h5wasmPromise === null) {
    h5wasmPromise = (async () => {
      const mod = await import("h5wasm/node");
      const api = mod.default;
      await api.ready;
      return api;
    })();
    // A failed load may be retried by a later call.
    h5wasmPromise.catch(() => {
      h5wasmPromise = null;
    });
  }
  return h5wasmPromise;
}

/** Runs `fn` with HDF5 errors thrown as JavaScript errors instead of printed to stderr. */
async function withH5<T>(fn: (api: H5wasmApi) => T): Promise<T> {
  const api = await loadH5wasm();
  const module = await api.ready;
  module.activate_throwing_error_handler();
  try {
    return fn(api);
  } finally {
    module.deactivate_throwing_error_handler();
  }
}

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

function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "keras-ts-h5-"));
}

function removeTempDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // Best effort: a leftover temp directory must not mask the real result or error.
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // HDF5 error stacks are long; keep the most specific lines (the innermost frame comes last).
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
  if (lines.length <= 4) return lines.join(" ");
  const frames = lines.filter((line) => /^#\d+:/.test(line));
  const last = frames.length > 0 ? frames[frames.length - 1].replace(/^#\d+:\s*\S+\s+line\s+\d+\s+in\s+/, "") : lines[lines.length - 1];
  const minor = lines.filter((line) => line.startsWith("minor:")).pop();
  return minor ? `${last} (${minor})` : last;
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

type AttrTarget = Pick<H5wGroup, "create_attribute">;

function writeAttrs(target: AttrTarget, attrs: Record<string, H5AttrValue> | undefined): void {
  if (attrs === undefined) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "string") {
      target.create_attribute(name, value);
    } else if (typeof value === "number") {
      target.create_attribute(name, new Float64Array([value]), [], "<d");
    } else if (value.length === 0) {
      target.create_attribute(name, new Float64Array(0), [0], "<d");
    } else if (typeof value[0] === "string") {
      target.create_attribute(name, value as string[], [value.length]);
    } else {
      target.create_attribute(name, Float64Array.from(value as number[]), [value.length], "<d");
    }
  }
}

function writeGroup(api: H5wasmApi, target: H5wGroup, group: H5Group, where: string, trackOrder: boolean): void {
  writeAttrs(target, group.attrs);
  for (const [name, child] of Object.entries(group.groups)) {
    const created = target.create_group(name, trackOrder);
    writeGroup(api, created, child, childPath(where, name), trackOrder);
  }
  for (const [name, dataset] of Object.entries(group.datasets)) {
    const created = target.create_dataset({
      name,
      data: dataset.data,
      shape: [...dataset.shape],
      dtype: WASM_DTYPE[dataset.dtype],
      track_order: trackOrder,
    });
    writeAttrs(created, dataset.attrs);
  }
}

/**
 * Serialises `tree` (the root group) to the bytes of an HDF5 file: contiguous, uncompressed,
 * little-endian datasets, as h5py writes by default.
 */
export async function writeH5(tree: H5Group, options: WriteH5Options = {}): Promise<Uint8Array> {
  validateGroup(tree, "/", 0);
  const trackOrder = options.trackOrder ?? false;
  return withH5((api) => {
    const dir = makeTempDir();
    const file = path.join(dir, "data.h5");
    try {
      let h5: H5wFile | undefined;
      try {
        h5 = new api.File(file, "w", { track_order: trackOrder, libver: LIBVER_BOUNDS });
        if (h5.file_id < 0n) throw new Error("cannot create the HDF5 file");
        writeGroup(api, h5, tree, "/", trackOrder);
      } catch (error) {
        if (h5 !== undefined) {
          try {
            h5.close();
          } catch {
            // The original error matters more.
          }
        }
        throw new Error(`writeH5: HDF5 write failed: ${errorText(error)}`, { cause: error });
      }
      try {
        h5.close();
      } catch (error) {
        throw new Error(`writeH5: HDF5 write failed when closing the file: ${errorText(error)}`, { cause: error });
      }
      return new Uint8Array(fs.readFileSync(file));
    } finally {
      removeTempDir(dir);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

function describe(where: string, fileName: string): string {
  return `${fileName}: ${where}`;
}

function toAttrValue(value: unknown): H5AttrValue | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = value as unknown as ArrayLike<number | bigint>;
    const out: number[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) out[i] = Number(items[i]);
    return out;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string")) return value as string[];
    const flat = value.flat(Infinity) as unknown[];
    if (flat.every((v) => typeof v === "string")) return flat as string[];
    if (flat.every((v) => typeof v === "number" || typeof v === "bigint" || typeof v === "boolean")) {
      return flat.map((v) => Number(v));
    }
  }
  return undefined;
}

/** Attributes of a supported kind; others (references, compounds, empty dataspaces) are skipped. */
function readAttrs(obj: Pick<H5wGroup, "attrs">, where: string, fileName: string): Record<string, H5AttrValue> {
  const out: Record<string, H5AttrValue> = {};
  let attrs;
  try {
    attrs = obj.attrs;
  } catch (error) {
    throw new Error(`${describe(where, fileName)}: cannot list attributes: ${errorText(error)}`, { cause: error });
  }
  for (const [name, attr] of Object.entries(attrs)) {
    let raw: unknown;
    try {
      raw = attr.value;
    } catch (error) {
      throw new Error(`${describe(where, fileName)}: cannot read attribute ${JSON.stringify(name)}: ${errorText(error)}`, { cause: error });
    }
    const value = toAttrValue(raw);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function datasetDType(meta: { type: number; size: number; signed: boolean }): H5DType | null {
  if (meta.type === H5T_FLOAT) {
    if (meta.size === 4) return "float32";
    if (meta.size === 8) return "float64";
  } else if (meta.type === H5T_INTEGER) {
    if (meta.size === 4 && meta.signed) return "int32";
    if (meta.size === 8 && meta.signed) return "int64";
    if (meta.size === 1 && !meta.signed) return "uint8";
  }
  return null;
}

function describeType(meta: { type: number; size: number; signed: boolean }): string {
  if (meta.type === H5T_FLOAT) return `float${meta.size * 8}`;
  if (meta.type === H5T_INTEGER) return `${meta.signed ? "int" : "uint"}${meta.size * 8}`;
  return `HDF5 type class ${meta.type} (size ${meta.size})`;
}

function readDataset(dataset: H5wDataset, where: string, fileName: string): H5Dataset {
  let meta;
  let raw: unknown;
  try {
    meta = dataset.metadata;
  } catch (error) {
    throw new Error(`${describe(where, fileName)}: cannot read dataset: ${errorText(error)}`, { cause: error });
  }
  const dtype = datasetDType(meta);
  if (dtype === null) {
    throw new Error(`${describe(where, fileName)}: dataset has unsupported element type ${describeType(meta)}; supported: ${Object.keys(DATA_CLASS).join(", ")}`);
  }
  const shape = meta.shape === null ? null : meta.shape.map(Number);
  if (shape === null) throw new Error(`${describe(where, fileName)}: dataset has an empty (null) dataspace`);
  const size = shape.reduce((a, b) => a * b, 1);
  const cls = DATA_CLASS[dtype];
  let data: H5Data;
  if (size === 0) {
    data = new cls(0);
  } else {
    try {
      raw = dataset.value;
    } catch (error) {
      throw new Error(`${describe(where, fileName)}: cannot read dataset values: ${errorText(error)}`, { cause: error });
    }
    if (raw instanceof (cls as unknown as new () => H5Data)) {
      data = raw as H5Data;
    } else if (typeof raw === "number" || typeof raw === "bigint") {
      // h5wasm returns a scalar dataset's single value as a number (bigint for 64-bit integers).
      data = new cls(1);
      if (data instanceof BigInt64Array) data[0] = BigInt(raw);
      else data[0] = Number(raw);
    } else {
      throw new Error(`${describe(where, fileName)}: unexpected value for a ${dtype} dataset`);
    }
  }
  if (data.length !== size) {
    throw new Error(`${describe(where, fileName)}: dataset of shape [${shape.join(", ")}] gave ${data.length} elements`);
  }
  const out: H5Dataset = { shape, dtype, data };
  const attrs = readAttrs(dataset, where, fileName);
  if (Object.keys(attrs).length > 0) out.attrs = attrs;
  return out;
}

function readGroup(api: H5wasmApi, group: H5wGroup, where: string, fileName: string, depth: number): H5Group {
  if (depth > MAX_DEPTH) throw new Error(`${describe(where, fileName)}: groups nested deeper than ${MAX_DEPTH} levels (a link cycle?)`);
  const out: H5Group = { attrs: readAttrs(group, where, fileName), groups: {}, datasets: {} };
  let names: string[];
  try {
    names = group.keys();
  } catch (error) {
    throw new Error(`${describe(where, fileName)}: cannot list group members: ${errorText(error)}`, { cause: error });
  }
  for (const name of names) {
    const at = childPath(where, name);
    let child;
    try {
      child = group.get(name);
    } catch (error) {
      throw new Error(`${describe(at, fileName)}: cannot open: ${errorText(error)}`, { cause: error });
    }
    if (child instanceof api.Group) out.groups[name] = readGroup(api, child, at, fileName, depth + 1);
    else if (child instanceof api.Dataset) out.datasets[name] = readDataset(child, at, fileName);
    // Broken or external links and named datatypes carry no data for us: skipped.
  }
  return out;
}

function readOpenFile(api: H5wasmApi, file: string, fileName: string): H5Group {
  let h5: H5wFile;
  try {
    h5 = new api.File(file, "r");
  } catch (error) {
    throw new Error(`${fileName}: cannot open as HDF5: ${errorText(error)}`, { cause: error });
  }
  if (h5.file_id < 0n) throw new Error(`${fileName}: cannot open as HDF5`);
  try {
    return readGroup(api, h5, "/", fileName, 0);
  } finally {
    try {
      h5.close();
    } catch {
      // Reading already succeeded or failed; closing must not change that.
    }
  }
}

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
  return withH5((api) => {
    const dir = makeTempDir();
    try {
      const file = path.join(dir, "data.h5");
      fs.writeFileSync(file, bytes);
      return readOpenFile(api, file, fileNameForErrors);
    } finally {
      removeTempDir(dir);
    }
  });
}

/** Reads an HDF5 file from disk (e.g. a legacy Keras `.h5` model) into a tree, without a copy. */
export async function readH5File(filePath: string): Promise<H5Group> {
  let fd: number;
  try {
    fd = fs.openSync(filePath, "r");
  } catch (error) {
    throw new Error(`${filePath}: cannot read file: ${errorText(error)}`, { cause: error });
  }
  try {
    const head = new Uint8Array(8);
    const got = fs.readSync(fd, head, 0, 8, 0);
    let signed = got === 8 && isHdf5(head);
    if (!signed) {
      // A user block moves the signature to 512, 1024, ...: check the whole file before giving up.
      signed = isHdf5(new Uint8Array(fs.readFileSync(filePath)));
    }
    if (!signed) throw new Error(`${filePath}: not an HDF5 file (no HDF5 signature)`);
  } finally {
    fs.closeSync(fd);
  }
  const absolute = path.resolve(filePath);
  return withH5((api) => readOpenFile(api, absolute, filePath));
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
