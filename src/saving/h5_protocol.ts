/**
 * What the HDF5 layer exchanges: the in-memory tree of an HDF5 file, and the messages between a
 * client (src/platform/node_hdf5.ts, src/platform/browser_hdf5.ts) and the worker that runs
 * h5wasm (./h5_worker.ts in Node, ./h5_worker_browser.ts in a browser). No imports: the workers,
 * the clients and ./h5_io.ts all use it.
 */
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

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

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
