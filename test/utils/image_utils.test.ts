import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { decode, encode as encodePngRaw } from "fast-png";
import { Tensor } from "../../src/backend/tensor.js";
import * as ops from "../../src/ops/index.js";
import { arrayToImg, imgToArray, loadImg, saveImg, resizeImage } from "../../src/utils/image_utils.js";
import { decodePng, encodePng } from "../../src/utils/png.js";
import * as utils from "../../src/utils/index.js";

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keras-ts-img-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const u8 = (values: number[], shape: number[]): Tensor => ops.convertToTensor(values, "uint8").reshape(shape);
const f32 = (values: number[], shape: number[]): Tensor => ops.convertToTensor(values, "float32").reshape(shape);

/** PNG color type from the IHDR chunk: 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA. */
const colorType = (bytes: Uint8Array): number => bytes[25];

test("keras.utils exports the image functions", () => {
  for (const name of ["arrayToImg", "imgToArray", "saveImg", "loadImg", "saveImageGrid", "imshow"] as const) {
    assert.equal(typeof utils[name], "function", name);
  }
});

test("saveImg writes 8-bit gray for [h, w] and [h, w, 1], RGB for 3 channels, RGBA for 4, pixels exact", async (t) => {
  const dir = await tempDir(t);
  const gray = [0, 1, 2, 128, 254, 255];
  for (const shape of [[2, 3], [2, 3, 1]]) {
    const path = join(dir, `gray${shape.length}.png`);
    await saveImg(path, u8(gray, shape));
    const bytes = await readFile(path);
    assert.equal(colorType(bytes), 0);
    const png = decode(bytes);
    assert.deepEqual([png.width, png.height, png.channels, png.depth], [3, 2, 1, 8]);
    assert.deepEqual(Array.from(png.data), gray);
  }
  const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]; // red green / blue (10,20,30)
  await saveImg(join(dir, "rgb.png"), u8(rgb, [2, 2, 3]));
  const rgbBytes = await readFile(join(dir, "rgb.png"));
  assert.equal(colorType(rgbBytes), 2);
  const p3 = decode(rgbBytes);
  assert.deepEqual([p3.width, p3.height, p3.channels], [2, 2, 3]);
  assert.deepEqual(Array.from(p3.data), rgb);
  const rgba = [1, 2, 3, 4, 5, 6, 7, 8];
  await saveImg(join(dir, "rgba.png"), u8(rgba, [1, 2, 4]));
  const rgbaBytes = await readFile(join(dir, "rgba.png"));
  assert.equal(colorType(rgbaBytes), 6);
  assert.deepEqual(Array.from(decode(rgbaBytes).data), rgba);
});

test("rows are rows: pixel (y, x) of the tensor is pixel (y, x) of the file (not transposed)", async (t) => {
  const dir = await tempDir(t);
  // 2 rows x 4 columns: only row 0, column 3 is lit.
  await saveImg(join(dir, "one.png"), u8([0, 0, 0, 255, 0, 0, 0, 0], [2, 4]));
  const png = decode(await readFile(join(dir, "one.png")));
  assert.equal(png.width, 4);
  assert.equal(png.height, 2);
  assert.equal(png.data[0 * 4 + 3], 255);
  assert.equal(Array.from(png.data).filter((v) => v !== 0).length, 1);
});

test("float input follows Keras's scale rule: x - min, / max, * 255, truncated", async (t) => {
  // (x + 1) / 4 * 255 = 0, 63.75, 127.5, 255 -> 0, 63, 127, 255
  assert.deepEqual(Array.from(arrayToImg(f32([-1, 0, 1, 3], [2, 2])).data), [0, 63, 127, 255]);
  // Already 0..1: stretched to 0..255.
  assert.deepEqual(Array.from(arrayToImg(f32([0, 0.5, 1], [1, 3])).data), [0, 127, 255]);
  // Constant image: max after subtracting min is 0, nothing is divided: all 0.
  assert.deepEqual(Array.from(arrayToImg(f32([7, 7, 7, 7], [2, 2])).data), [0, 0, 0, 0]);
  // scale: false keeps the values (clipped, truncated; NaN is 0).
  assert.deepEqual(Array.from(arrayToImg(f32([-5, 12.7, 300, NaN], [2, 2]), { scale: false }).data), [0, 12, 255, 0]);
  // int32 input is scaled like float (Keras casts to float32); uint8 is taken as it is.
  assert.deepEqual(Array.from(arrayToImg(ops.convertToTensor([[0, 1], [2, 4]])).data), [0, 63, 127, 255]);
  assert.deepEqual(Array.from(arrayToImg(u8([0, 1, 2, 4], [2, 2])).data), [0, 1, 2, 4]);
  // The same rule in the file.
  const dir = await tempDir(t);
  await saveImg(join(dir, "f.png"), f32([-1, 0, 1, 3], [2, 2, 1]));
  assert.deepEqual(Array.from(decode(await readFile(join(dir, "f.png"))).data), [0, 63, 127, 255]);
});

test("arrayToImg returns { width, height, channels, data }; channels_first is transposed", () => {
  const img = arrayToImg(u8([1, 2, 3, 4, 5, 6], [1, 2, 3]));
  assert.deepEqual({ ...img, data: Array.from(img.data) }, { width: 2, height: 1, channels: 3, data: [1, 2, 3, 4, 5, 6] });
  // [c=3, h=1, w=2]: planes R = (1, 2), G = (3, 4), B = (5, 6)
  const cf = arrayToImg(u8([1, 2, 3, 4, 5, 6], [3, 1, 2]), { dataFormat: "channels_first" });
  assert.deepEqual([cf.width, cf.height, cf.channels], [2, 1, 3]);
  assert.deepEqual(Array.from(cf.data), [1, 3, 5, 2, 4, 6]);
});

test("imgToArray gives [h, w, c] float32 (gray keeps its channel axis), or [c, h, w]", () => {
  const gray = imgToArray({ width: 2, height: 3, channels: 1, data: new Uint8Array([0, 1, 2, 3, 4, 255]) });
  assert.deepEqual(gray.shape, [3, 2, 1]);
  assert.equal(gray.dtype, "float32");
  assert.deepEqual(Array.from(gray.dataSync()), [0, 1, 2, 3, 4, 255]);
  const img = { width: 2, height: 1, channels: 3 as const, data: new Uint8Array([1, 3, 5, 2, 4, 6]) };
  const cf = imgToArray(img, { dataFormat: "channels_first", dtype: "uint8" });
  assert.deepEqual(cf.shape, [3, 1, 2]);
  assert.equal(cf.dtype, "uint8");
  assert.deepEqual(Array.from(cf.dataSync()), [1, 2, 3, 4, 5, 6]);
  // Round trip through arrayToImg.
  assert.deepEqual(Array.from(arrayToImg(cf, { dataFormat: "channels_first" }).data), Array.from(img.data));
  assert.throws(() => imgToArray({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) }), /2x2 pixels .*4 bytes/);
});

test("loadImg round trip with color conversion as Pillow (luma), alpha added or dropped", async (t) => {
  const dir = await tempDir(t);
  const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 255, 255, 255];
  const path = join(dir, "rgb.png");
  await saveImg(path, u8(rgb, [2, 3, 3]));
  const back = await loadImg(path);
  assert.deepEqual([back.width, back.height, back.channels], [3, 2, 3]);
  assert.deepEqual(Array.from(back.data), rgb);
  // Pillow's convert("L") of the same pixels (computed with Pillow 9.4).
  const gray = await loadImg(path, { colorMode: "grayscale" });
  assert.equal(gray.channels, 1);
  assert.deepEqual(Array.from(gray.data), [76, 150, 29, 18, 124, 255]);
  const asArray = imgToArray(gray);
  assert.deepEqual(asArray.shape, [2, 3, 1]);
  const rgba = await loadImg(path, { colorMode: "rgba" });
  assert.deepEqual(Array.from(rgba.data.subarray(0, 8)), [255, 0, 0, 255, 0, 255, 0, 255]);

  const grayPath = join(dir, "gray.png");
  await saveImg(grayPath, u8([0, 100, 255, 7], [2, 2]));
  const asRgb = await loadImg(grayPath);
  assert.equal(asRgb.channels, 3);
  assert.deepEqual(Array.from(asRgb.data), [0, 0, 0, 100, 100, 100, 255, 255, 255, 7, 7, 7]);
  assert.deepEqual(Array.from((await loadImg(grayPath, { colorMode: "grayscale" })).data), [0, 100, 255, 7]);

  // RGBA to RGB drops alpha (no compositing), as Pillow.
  const rgbaPath = join(dir, "rgba.png");
  await saveImg(rgbaPath, u8([10, 20, 30, 0, 40, 50, 60, 128], [1, 2, 4]));
  assert.deepEqual(Array.from((await loadImg(rgbaPath)).data), [10, 20, 30, 40, 50, 60]);
});

test("loadImg targetSize resizes as Pillow does (nearest by default, bilinear, bicubic)", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "g.png");
  await saveImg(path, u8([0, 40, 80, 120, 160, 200, 240, 255, 30, 60, 90, 120, 5, 15, 25, 35], [4, 4]));
  const load = async (h: number, w: number, interpolation?: "bilinear" | "bicubic") =>
    Array.from((await loadImg(path, { colorMode: "grayscale", targetSize: [h, w], interpolation })).data);
  // Expected values computed with Pillow 9.4's Image.resize.
  assert.deepEqual(await load(2, 2), [200, 255, 15, 35]);
  assert.deepEqual(await load(3, 5), [0, 40, 80, 80, 120, 30, 60, 90, 90, 120, 5, 15, 25, 25, 35]);
  assert.deepEqual(await load(2, 2, "bilinear"), [101, 156, 54, 89]);
  assert.deepEqual(await load(3, 5, "bilinear"), [48, 76, 108, 138, 160, 95, 120, 148, 172, 188, 12, 24, 36, 49, 60]);
  assert.deepEqual(await load(2, 2, "bicubic"), [100, 168, 48, 86]);
  assert.deepEqual(await load(3, 5, "bicubic"), [46, 73, 108, 140, 163, 100, 124, 156, 182, 196, 4, 13, 25, 38, 49]);
  const sized = await loadImg(path, { targetSize: [3, 5] });
  assert.deepEqual([sized.height, sized.width, sized.channels], [3, 5, 3]);
  // Enlarging by nearest repeats pixels.
  const big = resizeImage({ width: 2, height: 1, channels: 1, data: new Uint8Array([1, 2]) }, [2, 4]);
  assert.deepEqual(Array.from(big.data), [1, 1, 2, 2, 1, 1, 2, 2]);
  await assert.rejects(loadImg(path, { targetSize: [0, 3] }), /targetSize/);
  await assert.rejects(loadImg(path, { targetSize: [2, 2], interpolation: "cubic" as never }), /invalid interpolation "cubic"/);
});

/** A PNG built by hand: signature, IHDR, optional PLTE / tRNS, one IDAT of the given scanlines. */
function rawPng(width: number, height: number, depth: number, colorType: number, rows: number[][], extra: [string, number[]][] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const raw = Buffer.from(rows.flatMap((r) => [0, ...r])); // filter type 0 on every row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    ...extra.map(([type, data]) => chunk(type, Uint8Array.from(data))),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

test("decodePng expands palettes, low bit depths, 16 bits and colour keys to 8-bit samples", () => {
  // 16-bit gray: the high byte is kept.
  const d16 = decodePng(encodePngRaw({ width: 2, height: 1, channels: 1, depth: 16, data: new Uint16Array([0x1234, 0xffff]) }));
  assert.deepEqual([d16.width, d16.height, d16.channels, ...d16.data], [2, 1, 1, 0x12, 0xff]);
  // 1-bit gray, 3 pixels in one byte (101xxxxx): 255, 0, 255.
  assert.deepEqual(Array.from(decodePng(rawPng(3, 1, 1, 0, [[0b10100000]])).data), [255, 0, 255]);
  // 4-bit gray: 0x3f -> 3 * 17, 15 * 17.
  assert.deepEqual(Array.from(decodePng(rawPng(2, 1, 4, 0, [[0x3f]])).data), [51, 255]);
  // 2-bit palette of 3 colours, pixels 2, 0, 1.
  const pal = decodePng(rawPng(3, 1, 2, 3, [[0b10000100]], [["PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255]]]));
  assert.equal(pal.channels, 3);
  assert.deepEqual(Array.from(pal.data), [0, 0, 255, 255, 0, 0, 0, 255, 0]);
  // Palette with transparency becomes RGBA.
  const palA = decodePng(rawPng(2, 1, 8, 3, [[1, 0]], [["PLTE", [9, 9, 9, 7, 7, 7]], ["tRNS", [0]]]));
  assert.equal(palA.channels, 4);
  assert.deepEqual(Array.from(palA.data), [7, 7, 7, 255, 9, 9, 9, 0]);
  // A gray colour key (tRNS = 0) becomes an alpha channel.
  const keyed = decodePng(rawPng(2, 1, 8, 0, [[0, 200]], [["tRNS", [0, 0]]]));
  assert.equal(keyed.channels, 2);
  assert.deepEqual(Array.from(keyed.data), [0, 0, 200, 255]);
  assert.throws(() => decodePng(new Uint8Array([1, 2, 3]), "x.png"), /cannot decode "x.png" as PNG/);
  assert.throws(() => encodePng({ width: 1, height: 1, channels: 2 as never, data: new Uint8Array(2) }), /channel count 2/);
});

test("bad rank or channel count give errors naming the shape", async (t) => {
  assert.throws(() => arrayToImg(u8([1, 2, 3], [3])), /rank 3 .* got shape \[3\]/);
  assert.throws(() => arrayToImg(u8(new Array(8).fill(0), [2, 2, 2, 1])), /got shape \[2,2,2,1\]/);
  assert.throws(() => arrayToImg(u8(new Array(8).fill(0), [2, 2, 2])), /unsupported channel count 2 in image of shape \[2,2,2\]/);
  assert.throws(() => arrayToImg(u8(new Array(20).fill(0), [2, 2, 5])), /unsupported channel count 5 in image of shape \[2,2,5\]/);
  assert.throws(() => arrayToImg(u8(new Array(4).fill(0), [2, 2, 1]), { dataFormat: "channels_first" }), /channel count 2 .*\[2,2,1\] \(channels_first\)/);
  assert.throws(() => arrayToImg(u8([], [0, 3])), /has no pixels/);
  const dir = await tempDir(t);
  await assert.rejects(saveImg(join(dir, "x.png"), u8(new Array(8).fill(0), [2, 2, 2])), /channel count 2/);
});

test("saveImg: unwritable paths and other formats are clear errors naming the path; writes are atomic", async (t) => {
  const dir = await tempDir(t);
  const img = u8([1, 2, 3, 4], [2, 2]);
  const missing = join(dir, "no", "such", "dir", "x.png");
  await assert.rejects(saveImg(missing, img), (e: Error) => e.message.includes(`"${missing}"`) && /saveImg: cannot write/.test(e.message));
  await writeFile(join(dir, "file"), "not a directory");
  const underFile = join(dir, "file", "x.png");
  await assert.rejects(saveImg(underFile, img), (e: Error) => e.message.includes(underFile));
  await assert.rejects(saveImg(join(dir, "x.jpg"), img), /cannot write ".*x\.jpg" as jpeg: keras-ts writes PNG only/);
  await assert.rejects(saveImg(join(dir, "noext"), img), /cannot tell the image format of/);
  await saveImg(join(dir, "noext"), img, { fileFormat: "png" });
  // Overwrite an existing file; no temporary file is left behind.
  const path = join(dir, "a.png");
  await writeFile(path, "old");
  await saveImg(path, img);
  assert.deepEqual(Array.from(decode(await readFile(path)).data), [1, 2, 3, 4]);
  assert.deepEqual((await readdir(dir)).sort(), ["a.png", "file", "noext"]);
});

test("loadImg: missing file and non-PNG data name the path", async (t) => {
  const dir = await tempDir(t);
  const missing = join(dir, "missing.png");
  await assert.rejects(loadImg(missing), (e: Error) => e.message.startsWith(`loadImg: cannot read "${missing}"`));
  const text = join(dir, "text.png");
  await writeFile(text, "hello");
  await assert.rejects(loadImg(text), (e: Error) => e.message.includes(`"${text}" is not a PNG file`));
  await assert.rejects(loadImg(text, { colorMode: "cmyk" as never }), /colorMode must be/);
});
