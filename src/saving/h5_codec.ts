/**
 * HDF5 trees read from and written to h5wasm's files: the code both HDF5 workers run
 * (./h5_worker.ts, a Node worker thread; ./h5_worker_browser.ts, a Web Worker).
 *
 * Files are untrusted (see ./h5_io.ts for why HDF5 runs in a worker at all): every read is bounded
 * by the file's size before HDF5 is asked for values: a dataset or attribute may not declare more
 * bytes than the file holds (chunked, possibly compressed data gets zlib's maximum ratio), the
 * datasets together may not exceed it either (so hard links that show the same data many times
 * cannot blow up the output), and the number of objects visited is capped by the file size (so
 * link cycles end).
 */
import type { Dataset as H5wDataset, File as H5wFile, Group as H5wGroup } from "h5wasm/node";
import { plainReason, type H5AttrValue, type H5Data, type H5Dataset, type H5DType, type H5Group } from "./h5_protocol.js";

/** h5wasm's API: the same in its Node build (a worker thread) and its browser build (a Web Worker). */
export type H5wasmApi = (typeof import("h5wasm/node"))["default"];

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

const WASM_DTYPE: Record<H5DType, string> = { float32: "<f", float64: "<d", int32: "<i", int64: "<q", uint8: "<B" };
const DATA_CLASS: Record<H5DType, { new (length: number): H5Data }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
};

const MAX_DEPTH = 64;
/** zlib's largest expansion: a chunked (filtered) dataset may unpack to this many times its file. */
const MAX_COMPRESSION_RATIO = 1032;
/** Whatever a file says, a read never unpacks more than this. */
const MAX_UNPACKED_BYTES = 2 ** 30;

/**
 * HDF5 2.x (inside h5wasm) defaults its lowest file-format version to 1.8, which writes superblock
 * v2. h5py's default is "earliest" (superblock v0, v1 object headers, symbol-table groups), which
 * is what every Keras file looks like; the upper bound keeps the file readable by HDF5 1.10.
 */
const LIBVER_BOUNDS: ["earliest", "v110"] = ["earliest", "v110"];

export function reason(error: unknown): string {
  return plainReason(error instanceof Error ? error.message : String(error));
}

function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** What one read may still spend: objects visited and bytes unpacked, both from the file size. */
interface Budget {
  fileName: string;
  fileBytes: number;
  objectsLeft: number;
  plainBytesLeft: number;
  packedBytesLeft: number;
}

/** An error already worded for the user (it names the file and the object). */
export class H5FileError extends Error {}

function fail(budget: Budget, where: string, problem: string): never {
  throw new H5FileError(`${budget.fileName}: ${where}: ${problem}`);
}

function spendObject(budget: Budget, where: string): void {
  if (--budget.objectsLeft < 0) fail(budget, where, `more objects than a ${budget.fileBytes}-byte file can hold (a link cycle?)`);
}

function elementCount(shape: readonly number[] | null): number {
  if (shape === null) return 0;
  let count = 1;
  for (const d of shape) count *= Number(d);
  return count;
}

function spendBytes(budget: Budget, where: string, bytes: number, chunked: boolean): void {
  if (!Number.isFinite(bytes) || bytes < 0) fail(budget, where, `invalid declared size`);
  if (chunked) {
    if (bytes > budget.packedBytesLeft) {
      fail(budget, where, `declares ${bytes} bytes of chunked data, more than a ${budget.fileBytes}-byte file can unpack to`);
    }
    budget.packedBytesLeft -= bytes;
  } else {
    if (bytes > budget.plainBytesLeft) {
      fail(budget, where, `declares ${bytes} bytes, more than the ${budget.fileBytes}-byte file holds (corrupt shape or size)`);
    }
    budget.plainBytesLeft -= bytes;
  }
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
    const flat = value.flat(MAX_DEPTH) as unknown[];
    if (flat.every((v) => typeof v === "string")) return flat as string[];
    if (flat.every((v) => typeof v === "number" || typeof v === "bigint" || typeof v === "boolean")) return flat.map((v) => Number(v));
  }
  return undefined;
}

/** Attributes of a supported kind; others (references, compounds, empty dataspaces) are skipped. */
function readAttrs(obj: Pick<H5wGroup, "attrs">, where: string, budget: Budget): Record<string, H5AttrValue> {
  const out: Record<string, H5AttrValue> = {};
  let attrs;
  try {
    attrs = obj.attrs;
  } catch (error) {
    fail(budget, where, `cannot list attributes: ${reason(error)}`);
  }
  for (const [name, attr] of Object.entries(attrs)) {
    const at = `${where} attribute ${JSON.stringify(name)}`;
    spendObject(budget, at);
    const meta = attr.metadata;
    const count = elementCount(attr.shape);
    // A variable-length string costs at least a 16-byte global-heap object in the file.
    const bytes = meta.vlen ? count * 16 : count * meta.size;
    spendBytes(budget, at, bytes, false);
    let raw: unknown;
    try {
      raw = attr.value;
    } catch (error) {
      fail(budget, at, `cannot read: ${reason(error)}`);
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

function readDataset(dataset: H5wDataset, where: string, budget: Budget): H5Dataset {
  let meta;
  try {
    meta = dataset.metadata;
  } catch (error) {
    fail(budget, where, `cannot read dataset: ${reason(error)}`);
  }
  const dtype = datasetDType(meta);
  if (dtype === null) fail(budget, where, `dataset has unsupported element type ${describeType(meta)}; supported: ${Object.keys(DATA_CLASS).join(", ")}`);
  if (meta.shape === null) fail(budget, where, "dataset has an empty (null) dataspace");
  const shape = meta.shape.map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(budget, where, `dataset has an invalid shape [${shape.join(", ")}]`);
  const size = elementCount(shape);
  spendBytes(budget, where, size * meta.size, meta.chunks !== null && meta.chunks !== undefined);
  const cls = DATA_CLASS[dtype];
  let data: H5Data;
  if (size === 0) {
    data = new cls(0);
  } else {
    let raw: unknown;
    try {
      raw = dataset.value;
    } catch (error) {
      fail(budget, where, `cannot read dataset values: ${reason(error)}`);
    }
    if (raw instanceof (cls as unknown as new () => H5Data)) {
      data = raw as H5Data;
    } else if (typeof raw === "number" || typeof raw === "bigint") {
      // h5wasm returns a scalar dataset's single value as a number (bigint for 64-bit integers).
      data = new cls(1);
      if (data instanceof BigInt64Array) data[0] = BigInt(raw);
      else data[0] = Number(raw);
    } else {
      fail(budget, where, `unexpected value for a ${dtype} dataset`);
    }
  }
  if (data.length !== size) fail(budget, where, `dataset of shape [${shape.join(", ")}] gave ${data.length} elements`);
  const out: H5Dataset = { shape, dtype, data };
  const attrs = readAttrs(dataset, where, budget);
  if (Object.keys(attrs).length > 0) out.attrs = attrs;
  return out;
}

function readGroup(api: H5wasmApi, group: H5wGroup, where: string, budget: Budget, depth: number): H5Group {
  if (depth > MAX_DEPTH) fail(budget, where, `groups nested deeper than ${MAX_DEPTH} levels (a link cycle?)`);
  spendObject(budget, where);
  const out: H5Group = { attrs: readAttrs(group, where, budget), groups: {}, datasets: {} };
  let names: string[];
  try {
    names = group.keys();
  } catch (error) {
    fail(budget, where, `cannot list group members: ${reason(error)}`);
  }
  for (const name of names) {
    const at = childPath(where, name);
    spendObject(budget, at);
    let child;
    try {
      child = group.get(name);
    } catch (error) {
      fail(budget, at, `cannot open: ${reason(error)}`);
    }
    if (child instanceof api.Group) out.groups[name] = readGroup(api, child, at, budget, depth + 1);
    else if (child instanceof api.Dataset) out.datasets[name] = readDataset(child, at, budget);
    // Broken or external links and named datatypes carry no data for us: skipped.
  }
  return out;
}

/** Reads the HDF5 file at `file` (in h5wasm's file system), of `fileBytes` bytes, into a tree. */
export function readTree(api: H5wasmApi, file: string, fileName: string, fileBytes: number): H5Group {
  const budget: Budget = {
    fileName,
    fileBytes,
    objectsLeft: 64 + Math.floor(fileBytes / 16),
    plainBytesLeft: fileBytes,
    packedBytesLeft: Math.min(fileBytes * MAX_COMPRESSION_RATIO, MAX_UNPACKED_BYTES),
  };
  let h5: H5wFile;
  try {
    h5 = new api.File(file, "r");
  } catch (error) {
    throw new H5FileError(`${fileName}: cannot open as HDF5: ${reason(error)}`);
  }
  if (h5.file_id < 0n) throw new H5FileError(`${fileName}: cannot open as HDF5`);
  try {
    return readGroup(api, h5, "/", budget, 0);
  } finally {
    try {
      h5.close();
    } catch {
      // Reading already succeeded or failed; closing must not change that.
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing (the tree was validated by the client)

type AttrTarget = Pick<H5wGroup, "create_attribute">;

function writeAttrs(target: AttrTarget, attrs: Record<string, H5AttrValue> | undefined): void {
  if (attrs === undefined) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "string") {
      target.create_attribute(name, value);
    } else if (typeof value === "number") {
      target.create_attribute(name, new Float64Array([value]), [], "<d");
    } else if (value.length === 0) {
      // h5py writes an empty list as an empty float64 array (Keras 2's weight_names of a weightless layer).
      target.create_attribute(name, new Float64Array(0), [0], "<d");
    } else if (typeof value[0] === "string") {
      target.create_attribute(name, value as string[], [value.length]);
    } else {
      target.create_attribute(name, Float64Array.from(value as number[]), [value.length], "<d");
    }
  }
}

function writeGroup(target: H5wGroup, group: H5Group, trackOrder: boolean): void {
  writeAttrs(target, group.attrs);
  for (const [name, child] of Object.entries(group.groups)) writeGroup(target.create_group(name, trackOrder), child, trackOrder);
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

/** Writes `tree` as the HDF5 file `file` (in h5wasm's file system); the caller reads its bytes. */
export function writeTree(api: H5wasmApi, file: string, tree: H5Group, trackOrder: boolean): void {
  const h5 = new api.File(file, "w", { track_order: trackOrder, libver: LIBVER_BOUNDS });
  if (h5.file_id < 0n) throw new Error("cannot create the HDF5 file");
  try {
    writeGroup(h5, tree, trackOrder);
  } finally {
    h5.close();
  }
}

/** The typed arrays' buffers, to hand over without a copy (each buffer once, whole buffers only). */
export function transferables(tree: H5Group, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  for (const dataset of Object.values(tree.datasets)) {
    const data = dataset.data;
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength || out.has(data.buffer as ArrayBuffer)) {
      dataset.data = data.slice() as H5Data;
    }
    out.add(dataset.data.buffer as ArrayBuffer);
  }
  for (const child of Object.values(tree.groups)) transferables(child, out);
  return [...out];
}
