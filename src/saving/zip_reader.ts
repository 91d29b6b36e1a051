/**
 * Reads members of a zip archive from untrusted bytes, the way Python's `zipfile` (which Keras
 * uses) does, with every offset, size and count checked against the archive's length before it
 * is used, and every member's CRC-32 checked after it is read ("Bad CRC-32" in Python).
 *
 * The central directory (found from the end record, Zip64 included) is the authority, as in
 * Python: data before the archive (a prefix) is allowed and shifts every offset. Stored members
 * are returned as views of the input, deflated ones are inflated by fflate into a buffer of the
 * declared size, which deflate's maximum ratio bounds.
 */
import { inflateSync } from "fflate";

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const MAX_COMMENT = 0xffff;
/** Deflate cannot expand more than 1032:1. */
const MAX_DEFLATE_RATIO = 1032;

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, the zip and PNG one). */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

interface CentralEntry {
  name: string;
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  packedSize: number;
  size: number;
  localOffset: number;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/**
 * The members named in `wanted` that the archive holds (absent ones are simply missing from the
 * map), each checked against its CRC-32. Errors say what is wrong in words, with `fileName`.
 */
/** `wanted`: the member names, or a test of a name (e.g. every member under `assets/`). */
export function readZipMembers(bytes: Uint8Array, wanted: readonly string[] | ((member: string) => boolean), fileName: string): Map<string, Uint8Array> {
  const bad = (problem: string): Error => new Error(`"${fileName}" is not a valid .keras file: ${problem}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u64 = (at: number): number => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`a Zip64 size or offset (${value}) is beyond any file`);
    return Number(value);
  };

  // The end record: the last "PK\5\6" whose comment ends exactly at the end of the file.
  let eocd = -1;
  for (let at = length - EOCD_SIZE; at >= Math.max(0, length - EOCD_SIZE - MAX_COMMENT); at--) {
    if (u32(at) === EOCD_SIGNATURE && at + EOCD_SIZE + u16(at + 20) === length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw bad("the zip end record is missing (the file is truncated or has bytes appended)");
  let entryCount = u16(eocd + 10);
  let directorySize = u32(eocd + 12);
  let directoryOffset = u32(eocd + 16);
  let directoryEnd = eocd;
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) throw bad("multi-disk zip archives are not supported");
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(locator) !== ZIP64_LOCATOR_SIGNATURE) throw bad("the Zip64 end-record locator is missing");
    const record = u64(locator + 8);
    if (record + 56 > locator || u32(record) !== ZIP64_EOCD_SIGNATURE) throw bad("the Zip64 end record is missing or out of place");
    entryCount = u64(record + 32);
    directorySize = u64(record + 40);
    directoryOffset = u64(record + 48);
    directoryEnd = record;
  }
  // As Python's zipfile: the directory ends where the end record starts; bytes before the
  // archive shift every stored offset by the same amount.
  const directoryStart = directoryEnd - directorySize;
  if (directoryStart < 0) throw bad(`the central directory (${directorySize} bytes) is larger than the file before the end record`);
  const shift = directoryStart - directoryOffset;
  if (shift < 0) throw bad(`the central directory offset ${directoryOffset} points past its real position ${directoryStart} (bytes were removed)`);
  if (entryCount > directorySize / CENTRAL_HEADER_SIZE) {
    throw bad(`the end record declares ${entryCount} members, more than a ${directorySize}-byte central directory can describe`);
  }

  const entries = new Map<string, CentralEntry>();
  const decoderUtf8 = new TextDecoder("utf-8", { fatal: true });
  const decoderLatin1 = new TextDecoder("latin1");
  let at = directoryStart;
  for (let i = 0; i < entryCount; i++) {
    if (at + CENTRAL_HEADER_SIZE > directoryEnd || u32(at) !== CENTRAL_SIGNATURE) throw bad(`central directory entry ${i} is damaged`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let packedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    const next = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (next > directoryEnd) throw bad(`central directory entry ${i} runs past the directory`);
    const nameBytes = bytes.subarray(at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength);
    let name: string;
    try {
      name = flags & 0x800 ? decoderUtf8.decode(nameBytes) : decoderLatin1.decode(nameBytes);
    } catch {
      throw bad(`central directory entry ${i} has a name that is not UTF-8`);
    }
    // Zip64 extra field: the 0xFFFFFFFF fields, in order, as 8-byte values.
    let extra = at + CENTRAL_HEADER_SIZE + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(extra);
      const dataLength = u16(extra + 2);
      if (extra + 4 + dataLength > extraEnd) throw bad(`member "${name}" has a damaged extra field`);
      if (id === 0x0001) {
        let field = extra + 4;
        const take = (): number => {
          if (field + 8 > extra + 4 + dataLength) throw bad(`member "${name}" has a short Zip64 field`);
          const value = u64(field);
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = take();
        if (packedSize === 0xffffffff) packedSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      extra += 4 + dataLength;
    }
    if (entries.has(name)) throw bad(`the archive holds member "${name}" twice`);
    entries.set(name, { name, nameBytes, flags, method, crc, packedSize, size, localOffset });
    at = next;
  }

  const out = new Map<string, Uint8Array>();
  const names = typeof wanted === "function" ? [...entries.keys()].filter((member) => !member.endsWith("/") && wanted(member)) : wanted;
  for (const member of names) {
    const entry = entries.get(member);
    if (entry === undefined) continue;
    out.set(member, readMember(bytes, entry, shift, directoryStart, bad));
  }
  return out;
}

function readMember(bytes: Uint8Array, entry: CentralEntry, shift: number, directoryStart: number, bad: (problem: string) => Error): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const name = entry.name;
  const local = entry.localOffset + shift;
  if (local + LOCAL_HEADER_SIZE > directoryStart || view.getUint32(local, true) !== LOCAL_SIGNATURE) {
    throw bad(`member "${name}": no local header at offset ${local} (the archive is damaged or shifted)`);
  }
  if (entry.flags & 0x1) throw bad(`member "${name}" is encrypted`);
  const nameLength = view.getUint16(local + 26, true);
  const extraLength = view.getUint16(local + 28, true);
  const localName = bytes.subarray(local + LOCAL_HEADER_SIZE, local + LOCAL_HEADER_SIZE + nameLength);
  if (localName.length !== entry.nameBytes.length || localName.some((b, i) => b !== entry.nameBytes[i])) {
    throw bad(`member "${name}": the local header names a different file`);
  }
  const start = local + LOCAL_HEADER_SIZE + nameLength + extraLength;
  const end = start + entry.packedSize;
  if (end > directoryStart) {
    throw bad(`member "${name}" declares ${entry.packedSize} bytes, which run past the end of the member data (the file is truncated or damaged)`);
  }
  const packed = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.size !== entry.packedSize) throw bad(`stored member "${name}" declares ${entry.size} bytes but holds ${entry.packedSize}`);
    data = packed;
  } else if (entry.method === 8) {
    if (entry.size > entry.packedSize * MAX_DEFLATE_RATIO + 64) {
      throw bad(`member "${name}" declares ${entry.size} bytes unpacked from ${entry.packedSize}, more than deflate can produce`);
    }
    data = new Uint8Array(entry.size);
    let produced: Uint8Array;
    try {
      produced = inflateSync(packed, { out: data });
    } catch (error) {
      throw bad(`member "${name}" does not inflate: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (produced.length !== entry.size) throw bad(`member "${name}" inflates to ${produced.length} bytes, not the declared ${entry.size}`);
    data = produced;
  } else {
    throw bad(`member "${name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  const actual = crc32(data);
  if (actual !== entry.crc) throw bad(`member "${name}" is corrupt: bad CRC-32 (${hex(actual)}, the archive says ${hex(entry.crc)})`);
  return data;
}
