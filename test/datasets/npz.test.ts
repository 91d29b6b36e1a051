import { test } from "node:test";
import assert from "node:assert/strict";
import { readNpy, readNpz } from "../../src/datasets/npz.js";
import { fromBase64, MINI_MNIST_NPZ_B64, TYPES_NPZ_B64 } from "./helpers.js";

/** A version-1 .npy file built by hand: header padded with spaces to a multiple of 64 bytes. */
function npy(header: string, data: Uint8Array): Uint8Array {
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  const text = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
  out.set(new TextEncoder().encode(text), 10);
  out.set(data, total);
  return out;
}

test("reads every dtype NumPy's np.savez wrote (stored entries)", () => {
  const a = readNpz(fromBase64(TYPES_NPZ_B64), "types.npz");
  assert.deepEqual(Object.keys(a).sort(), ["b", "be", "f32", "f64", "i32", "i64", "i8", "s", "u16"]);
  assert.equal(a.i32.dtype, "int32");
  assert.deepEqual(a.i32.arraySync(), [
    [-1, 2, 70000],
    [4, 5, -6],
  ]);
  assert.equal(a.f32.dtype, "float32");
  assert.deepEqual(a.f32.arraySync(), [1.5, -2.25]);
  assert.equal(a.f64.dtype, "float32");
  assert.deepEqual(a.f64.arraySync(), [Math.fround(0.1), Infinity]);
  assert.equal(a.b.dtype, "bool");
  assert.deepEqual(a.b.arraySync(), [true, false, true]);
  assert.deepEqual(a.i8.arraySync(), [-128, 127]);
  assert.deepEqual(a.u16.arraySync(), [65535, 1]);
  assert.deepEqual(a.be.arraySync(), [-2, 300]);
  assert.deepEqual(a.s.shape, []);
  assert.equal(a.s.item(), 3.5);
  assert.equal(a.i64.dtype, "int32");
  assert.deepEqual(a.i64.arraySync(), [1, 2]);
});

test("reads NumPy's np.savez_compressed (deflate, zip64 local headers)", () => {
  const a = readNpz(fromBase64(MINI_MNIST_NPZ_B64));
  assert.deepEqual(a.x_train.shape, [2, 28, 28]);
  assert.equal(a.x_train.dtype, "uint8");
  const x = Array.from(a.x_train.dataSync());
  assert.equal(x.reduce((s, v) => s + v, 0), 199312);
  for (const i of [0, 1, 37, 100, 1567]) assert.equal(x[i], (i * 7) % 256);
  assert.deepEqual(a.y_train.arraySync(), [3, 1]);
  assert.deepEqual(a.x_test.shape, [1, 28, 28]);
  assert.equal(Array.from(a.x_test.dataSync()).reduce((s, v) => s + v, 0), 76536);
  assert.deepEqual(a.y_test.arraySync(), [7]);
  // uint8 data is a plain Uint8Array, never a Buffer (whose slice would share memory).
  assert.ok(!(a.x_train.storage instanceof Buffer));
  const copy = a.x_train.dataSync();
  copy[1] = 0;
  assert.equal(a.x_train.dataSync()[1], 7);
});

test("corruption is caught: CRC mismatch, bad deflate data, truncation, not a zip", () => {
  const stored = fromBase64(TYPES_NPZ_B64);
  // Flip a data byte of f32 (1.5 = 00 00 c0 3f little-endian): the entry's CRC-32 no longer matches.
  const at = Buffer.from(stored).indexOf(Buffer.from([0x00, 0x00, 0xc0, 0x3f]));
  assert.ok(at > 0);
  const flipped = stored.slice();
  flipped[at + 3] ^= 0x01;
  assert.throws(() => readNpz(flipped, "types.npz"), /readNpz: types\.npz:f32\.npy: CRC-32 mismatch/);

  const deflated = fromBase64(MINI_MNIST_NPZ_B64);
  const broken = deflated.slice();
  for (let i = 80; i < 120; i++) broken[i] ^= 0xff; // inside x_train's deflate stream
  assert.throws(() => readNpz(broken, "mini.npz"), /readNpz: mini\.npz:x_train\.npy: (corrupt deflate data|CRC-32 mismatch|expected \d+ bytes)/);

  assert.throws(() => readNpz(deflated.subarray(0, deflated.length - 30), "cut.npz"), /readNpz: cut\.npz: not a zip archive/);
  assert.throws(() => readNpz(new TextEncoder().encode("hello, world; certainly not a zip file"), "t.txt"), /t\.txt: not a zip archive/);
});

test(".npy errors: unsupported dtype, int64 out of int32 range, Fortran order, size mismatch, bad magic", () => {
  assert.throws(() => readNpy(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), "c.npy"), /readNpy: c\.npy: unsupported dtype '<c8'/);
  const big = new Uint8Array(8);
  new DataView(big.buffer).setBigInt64(0, 2n ** 40n, true);
  assert.throws(() => readNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", big)), /element 0 is 1099511627776, which does not fit in int32/);
  assert.throws(() => readNpy(npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(4))), /Fortran-ordered arrays are not supported/);
  // Fortran order of a 1-d array is the same layout, so it is fine.
  assert.deepEqual(readNpy(npy("{'descr': '|u1', 'fortran_order': True, 'shape': (3,), }", new Uint8Array([1, 2, 3]))).arraySync(), [1, 2, 3]);
  assert.throws(() => readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(20))), /shape \[2,3\] of '<f4' needs 24 data bytes, got 20/);
  assert.throws(() => readNpy(new Uint8Array(16)), /not an \.npy file/);
});
