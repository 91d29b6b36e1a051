import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { IDX_TYPES, isGzip, loadIdx, parseIdxHeader, readIdx } from "../../src/utils/idx.js";

/** Builds IDX bytes by hand: magic, big-endian dims, big-endian elements. */
function idx(typeCode: number, dims: number[], values: number[]): Uint8Array {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[typeCode] ?? 1;
  const bytes = new Uint8Array(4 + 4 * dims.length + size * values.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = typeCode;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const at = 4 + 4 * dims.length;
  values.forEach((v, i) => {
    const o = at + size * i;
    if (typeCode === 0x08) view.setUint8(o, v);
    else if (typeCode === 0x09) view.setInt8(o, v);
    else if (typeCode === 0x0b) view.setInt16(o, v, false);
    else if (typeCode === 0x0c) view.setInt32(o, v, false);
    else if (typeCode === 0x0d) view.setFloat32(o, v, false);
    else if (typeCode === 0x0e) view.setFloat64(o, v, false);
  });
  return bytes;
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keras-ts-idx-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("uint8 round trip, raw and gzipped", () => {
  const values = [0, 1, 127, 128, 254, 255];
  const raw = idx(0x08, [2, 3], values);
  // The header really is 00 00 08 02 | 00 00 00 02 | 00 00 00 03.
  assert.deepEqual(Array.from(raw.subarray(0, 12)), [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
  for (const bytes of [raw, gzipSync(raw)]) {
    const t = readIdx(bytes);
    assert.equal(t.dtype, "uint8");
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual(t.arraySync(), [
      [0, 1, 127],
      [128, 254, 255],
    ]);
  }
  assert.equal(isGzip(raw), false);
  assert.equal(isGzip(gzipSync(raw)), true);
});

test("int32 round trip keeps sign and big-endian order, raw and gzipped", () => {
  const values = [-2147483648, -1, 0, 1, 65536 + 2, 2147483647];
  const raw = idx(0x0c, [3, 2], values);
  for (const bytes of [raw, gzipSync(raw)]) {
    const t = readIdx(bytes);
    assert.equal(t.dtype, "int32");
    assert.deepEqual(t.shape, [3, 2]);
    assert.deepEqual(Array.from(t.dataSync()), values);
  }
});

test("float32 round trip, raw and gzipped; float64 is read as float32", () => {
  const values = [1.5, -0.25, 3.4028234663852886e38, -0, Math.fround(0.1)];
  for (const bytes of [idx(0x0d, [5], values), gzipSync(idx(0x0d, [5], values))]) {
    const t = readIdx(bytes);
    assert.equal(t.dtype, "float32");
    assert.deepEqual(Array.from(t.dataSync()), values);
  }
  const f64 = readIdx(idx(0x0e, [1, 3], [0.1, -2.5, 1e300]));
  assert.equal(f64.dtype, "float32");
  assert.deepEqual(f64.shape, [1, 3]);
  assert.deepEqual(Array.from(f64.dataSync()), [Math.fround(0.1), -2.5, Infinity]);
});

test("int8 and int16 are read as int32", () => {
  const i8 = readIdx(idx(0x09, [4], [-128, -1, 0, 127]));
  assert.equal(i8.dtype, "int32");
  assert.deepEqual(Array.from(i8.dataSync()), [-128, -1, 0, 127]);
  const i16 = readIdx(gzipSync(idx(0x0b, [2, 2], [-32768, -2, 300, 32767])));
  assert.equal(i16.dtype, "int32");
  assert.deepEqual(i16.arraySync(), [
    [-32768, -2],
    [300, 32767],
  ]);
});

test("rank 0, rank 3 and empty tensors", () => {
  const scalar = readIdx(idx(0x0c, [], [-7]));
  assert.deepEqual(scalar.shape, []);
  assert.equal(scalar.item(), -7);
  const cube = readIdx(idx(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
  assert.deepEqual(cube.arraySync(), [
    [
      [1, 2],
      [3, 4],
    ],
    [
      [5, 6],
      [7, 8],
    ],
  ]);
  const empty = readIdx(idx(0x08, [0, 28, 28], []));
  assert.deepEqual(empty.shape, [0, 28, 28]);
  assert.equal(empty.size, 0);
});

test("the header can be inspected on its own", () => {
  const header = parseIdxHeader(idx(0x0b, [60000, 28, 28], []));
  assert.deepEqual(header, { typeCode: 0x0b, idxType: "int16", dtype: "int32", shape: [60000, 28, 28], dataOffset: 16 });
  assert.deepEqual(
    Object.keys(IDX_TYPES).map(Number),
    [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e],
  );
});

test("the tensor does not alias the caller's buffer (nor a Node Buffer)", () => {
  const raw = Buffer.from(idx(0x08, [3], [1, 2, 3]));
  const t = readIdx(raw);
  raw[raw.length - 1] = 99;
  assert.deepEqual(t.arraySync(), [1, 2, 3]);
  assert.ok(!(t.storage instanceof Buffer));
});

test("readIdx and loadIdx read files by path, gzipped or not", async (t) => {
  const dir = await tempDir(t);
  const raw = idx(0x08, [2, 2], [9, 8, 7, 6]);
  await writeFile(join(dir, "a-idx2-ubyte"), raw);
  await writeFile(join(dir, "a-idx2-ubyte.gz"), gzipSync(raw));
  for (const name of ["a-idx2-ubyte", "a-idx2-ubyte.gz"]) {
    assert.deepEqual(readIdx(join(dir, name)).arraySync(), [
      [9, 8],
      [7, 6],
    ]);
    const loaded = await loadIdx(join(dir, name));
    assert.equal(loaded.dtype, "uint8");
    assert.deepEqual(loaded.arraySync(), [
      [9, 8],
      [7, 6],
    ]);
  }
});

test("bad magic number: the error names the source and shows the magic", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.throws(() => readIdx(png, { name: "picture.png" }), /readIdx: picture\.png: bad magic number 0x89504E47/);
  const swapped = idx(0x08, [1], [5]);
  swapped[0] = 0x08; // 08 00 08 01: not starting with 00 00
  assert.throws(() => readIdx(swapped), /<buffer>: bad magic number 0x08000801/);
});

test("unknown type code: the error names the code and lists the known ones", () => {
  const bytes = idx(0x08, [1], [5]);
  bytes[2] = 0x0a;
  assert.throws(() => readIdx(bytes, { name: "odd.idx" }), (e: Error) => {
    assert.match(e.message, /odd\.idx: unknown IDX type code 0x0A/);
    assert.match(e.message, /0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64/);
    return true;
  });
});

test("truncated header", () => {
  assert.throws(() => readIdx(new Uint8Array([0, 0])), /truncated header: expected at least 4 bytes \(the magic number\), got 2/);
  // Rank 3 needs 4 + 12 header bytes; only 8 are there.
  assert.throws(() => readIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1])), /truncated header: rank 3 needs 16 header bytes, got 8/);
});

test("truncated data says how many bytes were expected and how many came", () => {
  const full = idx(0x0c, [10, 3], new Array(30).fill(1)); // 12 + 120 bytes
  assert.throws(() => readIdx(full.subarray(0, 50), { name: "cut.idx" }), (e: Error) => {
    assert.match(e.message, /readIdx: cut\.idx: truncated data/);
    assert.match(e.message, /shape \[10,3\] of int32 needs 120 data bytes/);
    assert.match(e.message, /after the 12-byte header \(132 bytes in all\), got 38 \(50 in all\)/);
    return true;
  });
  // The same, gzipped: the check happens after decompression.
  assert.throws(() => readIdx(gzipSync(full.subarray(0, 100))), /truncated data: .*got 88 \(100 in all\)/);
});

test("trailing bytes after the data are an error too", () => {
  const bytes = new Uint8Array([...idx(0x08, [2], [1, 2]), 0, 0, 0]);
  assert.throws(() => readIdx(bytes), /3 unexpected trailing bytes: shape \[2\] of uint8 needs 10 bytes in all, got 13/);
});

test("a broken gzip stream is reported as such", async (t) => {
  const gz = gzipSync(idx(0x08, [100], new Array(100).fill(3)));
  const cut = gz.subarray(0, gz.length - 10);
  assert.throws(() => readIdx(cut, { name: "x.gz" }), /readIdx: x\.gz: not a valid gzip stream \(/);
  const dir = await tempDir(t);
  await writeFile(join(dir, "x.gz"), cut);
  await assert.rejects(loadIdx(join(dir, "x.gz")), new RegExp(`${join(dir, "x.gz").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not a valid gzip stream`));
});

test("a missing file is named in the error; non-buffers are rejected", async () => {
  assert.throws(() => readIdx("/nonexistent/train-idx.gz"), /readIdx: \/nonexistent\/train-idx\.gz: cannot read file \(ENOENT/);
  await assert.rejects(loadIdx("/nonexistent/train-idx.gz"), /readIdx: \/nonexistent\/train-idx\.gz: cannot read file \(ENOENT/);
  assert.throws(() => readIdx(42 as unknown as Uint8Array), TypeError);
});

test("files read by path: the tensor holds a plain Uint8Array (dataSync still copies), any gzip member layout", async (t) => {
  const dir = await tempDir(t);
  // Large enough (6000 bytes) to be used in place rather than copied.
  const values = Array.from({ length: 6000 }, (_, i) => (i * 31) & 255);
  const raw = idx(0x08, [30, 200], values);
  // Two gzip members: the trailer of the last one gives only its own size, not the whole output's.
  const twoMembers = Buffer.concat([gzipSync(raw.subarray(0, 1000)), gzipSync(raw.subarray(1000))]);
  await writeFile(join(dir, "plain-idx2-ubyte"), raw);
  await writeFile(join(dir, "one-idx2-ubyte.gz"), gzipSync(raw));
  await writeFile(join(dir, "two-idx2-ubyte.gz"), twoMembers);
  for (const name of ["plain-idx2-ubyte", "one-idx2-ubyte.gz", "two-idx2-ubyte.gz"]) {
    for (const tensor of [readIdx(join(dir, name)), await loadIdx(join(dir, name)), readIdx(twoMembers)]) {
      assert.ok(!(tensor.storage instanceof Buffer), name);
      assert.deepEqual([...tensor.shape], [30, 200]);
      assert.deepEqual([...tensor.dataSync()], values, name);
      const copy = tensor.dataSync();
      copy[0] = 77;
      assert.equal(tensor.dataSync()[0], values[0], `${name}: dataSync hands out a copy`);
    }
  }
});
