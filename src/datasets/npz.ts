/**
 * Just enough of NumPy's .npz (a zip of .npy files, as written by `np.savez` and
 * `np.savez_compressed`) to read Keras's own `mnist.npz`: stored and deflated entries, zip64
 * records, .npy format versions 1-3, C-ordered arrays of bool, uint8, the other integer types up
 * to 64 bits (read as int32; values outside its range are an error) and float32/float64 (read as
 * float32).
 */
import { platform } from "../platform/platform.js";
import type { DType, TypedArray } from "../backend/dtypes.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";

function npzError(name: string, reason: string): Error {
  return new Error(`readNpz: ${name}: ${reason}`);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 as zip computes it; the host's where it has one (zlib.crc32 in Node >= 20.15), else a table. */
function crc32(bytes: Uint8Array): number {
  const native = platform().crc32;
  if (native !== undefined) return native(bytes);
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function u64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`zip64 value ${value} is too large`);
  return Number(value);
}

function readCentralDirectory(bytes: Uint8Array, name: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, length: number, what: string): void => {
    if (at < 0 || at + length > bytes.length) throw npzError(name, `truncated zip: ${what} at byte ${at} runs past the end (${bytes.length} bytes)`);
  };
  // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the very end.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw npzError(name, "not a zip archive (no end-of-central-directory record); an .npz file is a zip of .npy files");
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) throw npzError(name, "zip64 archive without a zip64 end-of-central-directory locator");
    const z64 = u64(view, locator + 8);
    need(z64, 56, "the zip64 end-of-central-directory record");
    if (view.getUint32(z64, true) !== 0x06064b50) throw npzError(name, "bad zip64 end-of-central-directory record");
    count = u64(view, z64 + 32);
    cdSize = u64(view, z64 + 40);
    cdOffset = u64(view, z64 + 48);
  }
  need(cdOffset, cdSize, "the central directory");
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    need(at, 46, "a central directory entry");
    if (view.getUint32(at, true) !== 0x02014b50) throw npzError(name, `bad central directory entry ${i} at byte ${at}`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localOffset = view.getUint32(at + 42, true);
    need(at + 46, nameLength + extraLength, "a central directory entry's name");
    const entryName = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // Zip64 extended information: 8-byte values for exactly the fields stored as 0xFFFFFFFF.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let field = extra + 4;
        if (size === 0xffffffff) {
          size = u64(view, field);
          field += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(view, field);
          field += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(view, field);
      }
      extra += 4 + length;
    }
    entries.push({ name: entryName, method, flags, crc, compressedSize, size, localOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** An entry's bytes: a view of `bytes` when stored, a buffer of its own (`inflated`) when deflated. */
function extract(bytes: Uint8Array, entry: ZipEntry, name: string): { data: Uint8Array; inflated: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const where = `${name}:${entry.name}`;
  if (entry.flags & 1) throw npzError(where, "encrypted zip entries are not supported");
  const local = entry.localOffset;
  if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw npzError(where, `bad local file header at byte ${local}`);
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  if (start + entry.compressedSize > bytes.length) {
    throw npzError(where, `truncated zip: the entry needs ${entry.compressedSize} bytes from byte ${start}, the file has ${bytes.length}`);
  }
  const stored = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = stored;
  else if (entry.method === 8) {
    try {
      // Sized from the entry, so the output is one buffer instead of chunks joined by a copy.
      data = platform().inflateRawSync(stored, entry.size);
    } catch (error) {
      throw npzError(where, `corrupt deflate data (${(error as Error).message})`);
    }
  } else throw npzError(where, `unsupported zip compression method ${entry.method} (only stored and deflate are)`);
  if (data.length !== entry.size) throw npzError(where, `expected ${entry.size} bytes after decompression, got ${data.length}`);
  const crc = crc32(data);
  if (crc !== entry.crc) throw npzError(where, `CRC-32 mismatch (stored ${entry.crc.toString(16)}, computed ${crc.toString(16)}): the archive is corrupt`);
  return { data, inflated: entry.method === 8 };
}

interface NpyType {
  dtype: DType;
  read: (view: DataView, at: number, little: boolean) => number;
  /** Values may not fit the dtype (64-bit and uint32 integers read as int32): range-checked. */
  wide?: boolean;
}

const NPY_TYPES: Record<string, NpyType> = {
  b1: { dtype: "bool", read: (v, at) => (v.getUint8(at) !== 0 ? 1 : 0) },
  u1: { dtype: "uint8", read: (v, at) => v.getUint8(at) },
  i1: { dtype: "int32", read: (v, at) => v.getInt8(at) },
  i2: { dtype: "int32", read: (v, at, le) => v.getInt16(at, le) },
  u2: { dtype: "int32", read: (v, at, le) => v.getUint16(at, le) },
  i4: { dtype: "int32", read: (v, at, le) => v.getInt32(at, le) },
  u4: { dtype: "int32", read: (v, at, le) => v.getUint32(at, le), wide: true },
  i8: { dtype: "int32", read: (v, at, le) => Number(v.getBigInt64(at, le)), wide: true },
  u8: { dtype: "int32", read: (v, at, le) => Number(v.getBigUint64(at, le)), wide: true },
  f4: { dtype: "float32", read: (v, at, le) => v.getFloat32(at, le) },
  f8: { dtype: "float32", read: (v, at, le) => v.getFloat64(at, le) },
};

/** Parses one .npy file into a tensor. */
export function readNpy(bytes: Uint8Array, name = "<buffer>"): Tensor {
  return parseNpy(bytes, name, false);
}

/**
 * `readNpy`. uint8 data is used in place when `owned` (bytes decompressed here, which nothing else
 * holds, so an image set is in memory once), and copied otherwise, so a tensor never aliases a
 * caller's buffer or the rest of an archive.
 */
function parseNpy(bytes: Uint8Array, name: string, owned: boolean): Tensor {
  const fail = (reason: string): Error => new Error(`readNpy: ${name}: ${reason}`);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw fail("not an .npy file (no \\x93NUMPY magic)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail("truncated header");
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else throw fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  if (headerStart + headerLength > bytes.length) throw fail("truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fail(`cannot parse header ${JSON.stringify(header.trim())}`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => Number(s.replace(/L$/, "")));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw fail(`bad shape (${shapeText})`);
  const typeMatch = /^([<>|=])([a-zA-Z]\d+)$/.exec(descr);
  const type = typeMatch ? NPY_TYPES[typeMatch[2]] : undefined;
  if (typeMatch === null || type === undefined) {
    throw fail(`unsupported dtype '${descr}' (supported: bool, uint8, int8, int16, uint16, int32, uint32, int64, uint64 (read as int32), float32, float64 (read as float32))`);
  }
  const little = typeMatch[1] !== ">";
  const itemSize = Number(typeMatch[2].slice(1));
  let count = 1;
  for (const d of shape) count *= d;
  if (fortran === "True" && shape.filter((d) => d > 1).length > 1) throw fail("Fortran-ordered arrays are not supported");
  const dataStart = headerStart + headerLength;
  const expected = count * itemSize;
  if (bytes.length - dataStart !== expected) {
    throw fail(`shape [${shape.join(",")}] of '${descr}' needs ${expected} data bytes, got ${bytes.length - dataStart}`);
  }
  let out: TypedArray;
  if (type.dtype === "uint8" && owned && count >= 4096) {
    // A plain Uint8Array view: a Node Buffer's `slice` shares memory, which would let `dataSync()`
    // hand out the tensor's own bytes. Below 4 kB, Node may have cut the bytes from its shared
    // buffer pool: those are copied, which costs nothing worth saving.
    out = new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, count);
  } else if (type.dtype === "uint8" || type.dtype === "bool") {
    const u8 = new Uint8Array(count);
    if (type.dtype === "uint8") u8.set(bytes.subarray(dataStart, dataStart + count));
    else for (let i = 0; i < count; i++) u8[i] = bytes[dataStart + i] !== 0 ? 1 : 0;
    out = u8;
  } else {
    out = type.dtype === "int32" ? new Int32Array(count) : new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const value = type.read(view, dataStart + i * itemSize, little);
      if (type.wide && (value > 2147483647 || value < -2147483648)) throw fail(`element ${i} is ${value}, which does not fit in int32`);
      out[i] = value;
    }
  }
  return makeTensor(out, shape, type.dtype);
}

/**
 * Reads an .npz archive into a record from array name (the entry name without ".npy") to tensor.
 * `name` is used in error messages.
 */
export function readNpz(bytes: Uint8Array, name = "<buffer>"): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const entry of readCentralDirectory(bytes, name)) {
    if (entry.name.endsWith("/")) continue;
    const key = entry.name.endsWith(".npy") ? entry.name.slice(0, -4) : entry.name;
    const { data, inflated } = extract(bytes, entry, name);
    out[key] = parseNpy(data, `${name}:${entry.name}`, inflated);
  }
  return out;
}
