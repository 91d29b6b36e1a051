/**
 * A reader for the IDX format, the format MNIST and Fashion-MNIST are published in.
 *
 * An IDX file is a 4-byte magic number `00 00 <dtype code> <rank>`, then `rank` big-endian uint32
 * dimensions, then the elements, big-endian and row-major. Files are often gzipped; a buffer that
 * starts with the gzip magic `1f 8b` is decompressed first.
 *
 * IDX element types map onto keras-ts dtypes as follows: uint8 -> uint8; int8, int16 and int32 ->
 * int32; float32 -> float32; float64 -> float32 (rounded: keras-ts has no float64).
 */
import type { DType, TypedArray } from "../backend/dtypes.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { platform } from "../platform/platform.js";

interface IdxType {
  /** Name of the element type in the IDX specification. */
  readonly name: string;
  readonly bytes: number;
  readonly dtype: DType;
}

/** The IDX element types by their type code (the magic number's third byte). */
export const IDX_TYPES: Readonly<Record<number, IdxType>> = Object.freeze({
  0x08: { name: "uint8", bytes: 1, dtype: "uint8" },
  0x09: { name: "int8", bytes: 1, dtype: "int32" },
  0x0b: { name: "int16", bytes: 2, dtype: "int32" },
  0x0c: { name: "int32", bytes: 4, dtype: "int32" },
  0x0d: { name: "float32", bytes: 4, dtype: "float32" },
  0x0e: { name: "float64", bytes: 8, dtype: "float32" },
});

export interface IdxHeader {
  /** The IDX type code (0x08 ... 0x0E). */
  readonly typeCode: number;
  /** The IDX element type's name ("uint8", "int16", ...). */
  readonly idxType: string;
  /** The keras-ts dtype the elements are read as. */
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Offset of the first element, in bytes: 4 + 4 * rank. */
  readonly dataOffset: number;
}

export interface ReadIdxOptions {
  /** How the data is named in error messages (defaults to the path, or "<buffer>"). */
  name?: string;
}

const hex = (value: number, digits = 2): string => `0x${value.toString(16).toUpperCase().padStart(digits, "0")}`;

function idxError(name: string, reason: string): Error {
  return new Error(`readIdx: ${name}: ${reason}`);
}

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function knownTypes(): string {
  return Object.entries(IDX_TYPES)
    .map(([code, t]) => `${hex(Number(code))} ${t.name}`)
    .join(", ");
}

/** Parses and checks the header of raw (not gzipped) IDX bytes. */
export function parseIdxHeader(bytes: Uint8Array, name = "<buffer>"): IdxHeader {
  if (bytes.length < 4) {
    throw idxError(name, `truncated header: expected at least 4 bytes (the magic number), got ${bytes.length}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    throw idxError(name, `bad magic number ${hex(magic, 8)}: an IDX file starts with two zero bytes, then a type code and the rank (00 00 <type> <rank>)`);
  }
  const typeCode = bytes[2];
  const type = IDX_TYPES[typeCode];
  if (type === undefined) {
    throw idxError(name, `unknown IDX type code ${hex(typeCode)} in the magic number; known codes: ${knownTypes()}`);
  }
  const rank = bytes[3];
  const dataOffset = 4 + 4 * rank;
  if (bytes.length < dataOffset) {
    throw idxError(name, `truncated header: rank ${rank} needs ${dataOffset} header bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  return { typeCode, idxType: type.name, dtype: type.dtype, shape, dataOffset };
}

/**
 * The elements. uint8 data is used in place when `owned` (bytes this module read or decompressed
 * itself, which nothing else holds: a data set is then in memory once), and copied otherwise, so a
 * tensor never aliases a caller's buffer.
 */
function decode(bytes: Uint8Array, header: IdxHeader, count: number, owned: boolean): TypedArray {
  const start = header.dataOffset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (header.typeCode) {
    case 0x08: {
      // A plain Uint8Array view: a Node Buffer's `slice` shares memory, which would let
      // `dataSync()` hand out the tensor's own bytes. Below 4 kB, Node may have cut the bytes
      // from its shared buffer pool: those are copied, which costs nothing worth saving.
      if (owned && count >= 4096) return new Uint8Array(bytes.buffer, bytes.byteOffset + start, count);
      const out = new Uint8Array(count);
      out.set(bytes.subarray(start, start + count));
      return out;
    }
    case 0x09: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(start + i);
      return out;
    }
    case 0x0b: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, false);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, false);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, false);
      return out;
    }
    case 0x0e: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, false);
      return out;
    }
    default:
      throw new Error(`readIdx: unreachable type code ${hex(header.typeCode)}`);
  }
}

/** Parses raw (already decompressed) IDX bytes into a tensor; `owned` as for `decode`. */
function parseRaw(bytes: Uint8Array, name: string, owned: boolean): Tensor {
  const header = parseIdxHeader(bytes, name);
  const type = IDX_TYPES[header.typeCode];
  let count = 1;
  for (const d of header.shape) count *= d;
  const dataBytes = count * type.bytes;
  const expected = header.dataOffset + dataBytes;
  const shapeText = `[${header.shape.join(",")}]`;
  if (bytes.length < expected) {
    throw idxError(
      name,
      `truncated data: shape ${shapeText} of ${type.name} needs ${dataBytes} data bytes after the ${header.dataOffset}-byte header (${expected} bytes in all), got ${bytes.length - header.dataOffset} (${bytes.length} in all)`,
    );
  }
  if (bytes.length > expected) {
    throw idxError(
      name,
      `${bytes.length - expected} unexpected trailing bytes: shape ${shapeText} of ${type.name} needs ${expected} bytes in all, got ${bytes.length}`,
    );
  }
  return makeTensor(decode(bytes, header, count, owned), header.shape, header.dtype);
}

function gunzipError(name: string, error: unknown): Error {
  return idxError(name, `not a valid gzip stream (${(error as Error).message})`);
}

/**
 * Parses IDX data (gzipped or not) into a tensor. Errors name `name` and say what is wrong: a bad
 * magic number, an unknown type code, truncated or oversized data, a broken gzip stream.
 */
export function parseIdx(bytes: Uint8Array, name = "<buffer>"): Tensor {
  return parseOwned(bytes, name, false);
}

/** `parseIdx`, where `owned` says whether `bytes` may become the tensor's storage. */
function parseOwned(bytes: Uint8Array, name: string, owned: boolean): Tensor {
  if (isGzip(bytes)) {
    let raw: Uint8Array;
    try {
      raw = platform().gunzipSync(bytes);
    } catch (error) {
      throw gunzipError(name, error);
    }
    return parseRaw(raw, name, true);
  }
  return parseRaw(bytes, name, owned);
}

/**
 * Reads an IDX file (by path) or IDX bytes, gzipped or not, into a tensor, synchronously.
 *
 *   const labels = readIdx("train-labels-idx1-ubyte.gz"); // uint8 tensor of shape [60000]
 */
export function readIdx(source: string | Uint8Array, options: ReadIdxOptions = {}): Tensor {
  if (typeof source === "string") {
    const name = options.name ?? source;
    let bytes: Uint8Array;
    try {
      bytes = platform().readFileSync(source);
    } catch (error) {
      throw idxError(name, `cannot read file (${(error as Error).message})`);
    }
    return parseOwned(bytes, name, true);
  }
  if (!(source instanceof Uint8Array)) {
    throw new TypeError(`readIdx: expected a file path or a Uint8Array, got ${source === null ? "null" : typeof source}`);
  }
  return parseIdx(source, options.name ?? "<buffer>");
}

/** Reads an IDX file, gzipped or not, into a tensor; the file is read and decompressed asynchronously. */
export async function loadIdx(path: string, options: ReadIdxOptions = {}): Promise<Tensor> {
  const name = options.name ?? path;
  let bytes: Uint8Array;
  try {
    bytes = await platform().readFile(path);
  } catch (error) {
    throw idxError(name, `cannot read file (${(error as Error).message})`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = await platform().gunzip(bytes);
    } catch (error) {
      throw gunzipError(name, error);
    }
  }
  return parseRaw(bytes, name, true);
}
