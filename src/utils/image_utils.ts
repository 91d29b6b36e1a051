/**
 * Keras 3's image utilities (`keras.utils.array_to_img`, `img_to_array`, `save_img`, `load_img`),
 * on PNG files and without Pillow: an image is a plain {@link Image} object
 * (`{ width, height, channels, data }`, 8 bits per sample) where Keras returns a PIL image.
 *
 * Differences from Keras, all deliberate:
 * - A uint8 tensor is taken as pixels as they are; only other dtypes go through the `scale` rule
 *   (Keras casts everything to float32 first, so it also stretches a uint8 image whose values do
 *   not span 0..255).
 * - A rank-2 tensor `[height, width]` is accepted as a grayscale image (Keras wants rank 3).
 * - Values that are not in 0..255 after scaling (or with `scale: false`) are clipped, NaN becomes
 *   0; Keras leaves that to NumPy's cast (and writes a 32-bit image for gray values above 255).
 * - Only PNG is read and written.
 */
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { checkDType, fromValues, type DType } from "../backend/dtypes.js";
import { formatShape } from "../backend/shape.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { writeFileAtomic } from "../saving/keras_zip.js";
import { platform } from "../platform/platform.js";
import { decodePng, encodePng, type DecodedImage, type Image } from "./png.js";

export type { Image } from "./png.js";

/** Where the channel axis of an image tensor is: `[h, w, c]` (Keras's default) or `[c, h, w]`. */
export type DataFormat = "channels_last" | "channels_first";

export interface ArrayToImgOptions {
  /** `"channels_last"` (default, `[height, width, channels]`) or `"channels_first"`. */
  dataFormat?: DataFormat;
  /**
   * For non-uint8 tensors: stretch the values to 0..255 as Keras does (`x - min(x)`, then divided
   * by its max unless that is 0, then `* 255`, in float32, truncated to integers). Default true.
   * With false the values are used as they are (clipped to 0..255, truncated).
   */
  scale?: boolean;
}

export interface ImgToArrayOptions {
  dataFormat?: DataFormat;
  /** Element type of the tensor; default "float32" (Keras's floatx). */
  dtype?: DType;
}

export interface SaveImgOptions extends ArrayToImgOptions {
  /** Overrides the format the file name's extension implies; only "png" is supported. */
  fileFormat?: string;
}

/** Resampling filters of `loadImg`, Pillow's (and so Keras's) names. */
export type Interpolation = "nearest" | "bilinear" | "bicubic" | "hamming" | "box" | "lanczos";

export interface LoadImgOptions {
  /** The channels of the result: "rgb" (default, 3), "grayscale" (1) or "rgba" (4). */
  colorMode?: "rgb" | "grayscale" | "rgba";
  /** `[height, width]` to resize to; the file's own size when omitted. */
  targetSize?: readonly [number, number];
  /** Filter used when resizing; default "nearest". Pillow's arithmetic. */
  interpolation?: Interpolation;
  /** Crop the centre to the target's aspect ratio before resizing (Keras's `keep_aspect_ratio`). */
  keepAspectRatio?: boolean;
}

function checkDataFormat(value: unknown, where: string): DataFormat {
  if (value === undefined) return "channels_last";
  if (value !== "channels_last" && value !== "channels_first") {
    throw new TypeError(`${where}: dataFormat must be "channels_last" or "channels_first", got ${JSON.stringify(value)}`);
  }
  return value;
}

const CHANNEL_HELP = "expected 1 (grayscale), 3 (RGB) or 4 (RGBA)";

/**
 * Checks an image tensor's shape and returns `[height, width, channels]` of the picture it holds:
 * rank 2 is `[h, w]` grayscale, rank 3 is `[h, w, c]` or (channels_first) `[c, h, w]`.
 */
export function imageShapeOf(shape: readonly number[], dataFormat: DataFormat, where: string): [number, number, 1 | 3 | 4] {
  let h: number, w: number, c: number;
  if (shape.length === 2) [h, w, c] = [shape[0], shape[1], 1];
  else if (shape.length === 3) [h, w, c] = dataFormat === "channels_first" ? [shape[1], shape[2], shape[0]] : [shape[0], shape[1], shape[2]];
  else {
    throw new RangeError(
      `${where}: expected one image of rank 3 ([height, width, channels]) or rank 2 ([height, width]), got shape ${formatShape(shape)}`,
    );
  }
  if (c !== 1 && c !== 3 && c !== 4) {
    throw new RangeError(`${where}: unsupported channel count ${c} in image of shape ${formatShape(shape)} (${dataFormat}); ${CHANNEL_HELP}`);
  }
  if (h === 0 || w === 0) throw new RangeError(`${where}: an image of shape ${formatShape(shape)} has no pixels`);
  return [h, w, c];
}

/**
 * Pixels from `count = h * w * c` values laid out `[h, w, c]` (or `[c, h, w]` when
 * `channelsFirst`) starting at `offset`: uint8 as they are, anything else by the scale rule.
 */
export function valuesToImage(
  values: ArrayLike<number>,
  offset: number,
  dtype: DType,
  [h, w, c]: readonly [number, number, 1 | 3 | 4],
  scale: boolean,
  channelsFirst = false,
): Image {
  const n = h * w * c;
  const data = new Uint8Array(n);
  const at = channelsFirst ? (i: number) => offset + (i % c) * h * w + Math.floor(i / c) : (i: number) => offset + i;
  if (dtype === "uint8") {
    for (let i = 0; i < n; i++) data[i] = values[at(i)];
    return { width: w, height: h, channels: c, data };
  }
  let min = Infinity;
  let max = -Infinity;
  if (scale) {
    for (let i = 0; i < n; i++) {
      const v = values[at(i)];
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    if (min === Infinity) min = max = 0;
  }
  // Keras, in float32: x -= min(x); m = max(x); if m != 0: x /= m; x *= 255; x.astype("uint8").
  const f = Math.fround;
  const range = f(f(max) - f(min));
  for (let i = 0; i < n; i++) {
    let v = f(values[at(i)]);
    if (scale) {
      v = f(v - f(min));
      if (range !== 0) v = f(v / range);
      v = f(v * 255);
    }
    data[i] = Number.isNaN(v) ? 0 : v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
  }
  return { width: w, height: h, channels: c, data };
}

/**
 * Converts one image tensor to an {@link Image} (Keras's `array_to_img`).
 *
 * `x` is `[height, width, channels]` (or `[channels, height, width]` with
 * `dataFormat: "channels_first"`, or `[height, width]` for grayscale), with 1, 3 or 4 channels.
 * A uint8 tensor gives its values as pixels; other dtypes are stretched to 0..255 (see
 * {@link ArrayToImgOptions.scale}).
 */
export function arrayToImg(x: TensorLike, options: ArrayToImgOptions = {}): Image {
  const dataFormat = checkDataFormat(options.dataFormat, "arrayToImg");
  const t = convertToTensor(x);
  const shape = imageShapeOf(t.shape, dataFormat, "arrayToImg");
  return valuesToImage(t.dataSync(), 0, t.dtype, shape, options.scale ?? true, dataFormat === "channels_first" && t.rank === 3);
}

function checkImage(img: unknown, where: string): Image {
  const i = img as Partial<Image> | null;
  if (i === null || typeof i !== "object" || !(i.data instanceof Uint8Array)) {
    throw new TypeError(`${where}: expected an image object { width, height, channels, data: Uint8Array }, got ${img === null ? "null" : typeof img}`);
  }
  const { width, height, channels, data } = i as Image;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new RangeError(`${where}: unsupported channel count ${String(channels)}; ${CHANNEL_HELP}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height * channels) {
    throw new RangeError(`${where}: image of ${width}x${height} pixels and ${channels} channel(s) should have ${width * height * channels} bytes of data, got ${data.length}`);
  }
  return i as Image;
}

/**
 * Converts an {@link Image} to a tensor (Keras's `img_to_array`): `[height, width, channels]`,
 * or `[channels, height, width]` with `dataFormat: "channels_first"`; grayscale keeps its channel
 * axis (`[h, w, 1]`). Float32 unless `dtype` says otherwise; values stay 0..255.
 */
export function imgToArray(img: Image, options: ImgToArrayOptions = {}): Tensor {
  const dataFormat = checkDataFormat(options.dataFormat, "imgToArray");
  const dtype = checkDType(options.dtype ?? "float32", "imgToArray");
  const { width: w, height: h, channels: c, data } = checkImage(img, "imgToArray");
  if (dataFormat === "channels_last") return makeTensor(fromValues(data, dtype), [h, w, c], dtype);
  const planar = new Uint8Array(data.length);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) planar[k * h * w + p] = data[p * c + k];
  return makeTensor(fromValues(planar, dtype), [c, h, w], dtype);
}

/** The format to write `path` in: `fileFormat` if given, else the file name's extension. */
function fileFormatOf(path: string, fileFormat: string | undefined, where: string): "png" {
  let format = fileFormat?.toLowerCase().replace(/^\./, "");
  if (format === undefined) {
    const m = /\.([^./\\]+)$/.exec(path);
    if (m === null) throw new Error(`${where}: cannot tell the image format of "${path}" from its name; use a .png name or pass fileFormat: "png"`);
    format = m[1].toLowerCase();
  }
  if (format !== "png") throw new Error(`${where}: cannot write "${path}" as ${format === "jpg" ? "jpeg" : format}: keras-ts writes PNG only`);
  return format;
}

/**
 * Saves an image tensor as a PNG file (Keras's `save_img`): 8-bit grayscale for `[h, w]` or
 * `[h, w, 1]`, RGB for 3 channels, RGBA for 4. Pixels are made as by {@link arrayToImg}. The file
 * is written to a temporary file beside `path`, then renamed over it: a failed save leaves any
 * previous file as it was.
 */
export async function saveImg(path: string, x: TensorLike, options: SaveImgOptions = {}): Promise<void> {
  fileFormatOf(path, options.fileFormat, "saveImg");
  const img = arrayToImg(x, options);
  await writeImagePng(path, img, "saveImg");
}

/** Writes an {@link Image} as a PNG file, atomically; errors name the path. */
export async function writeImagePng(path: string, img: Image, where = "writeImagePng"): Promise<void> {
  const bytes = encodePng(checkImage(img, where));
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Loads a PNG file as an {@link Image} (Keras's `load_img`), converted to `colorMode` as Pillow
 * converts ("grayscale" uses Pillow's luma, L = (19595 R + 38470 G + 7471 B + 32768) >> 16; alpha is
 * dropped for "rgb" and "grayscale") and resized to `targetSize` with Pillow's resampling.
 * 16-bit files are read to 8 bits (Keras would keep a 16-bit grayscale file's values).
 */
export async function loadImg(path: string, options: LoadImgOptions = {}): Promise<Image> {
  const colorMode = options.colorMode ?? "rgb";
  if (colorMode !== "rgb" && colorMode !== "grayscale" && colorMode !== "rgba") {
    throw new TypeError(`loadImg: colorMode must be "grayscale", "rgb" or "rgba", got ${JSON.stringify(colorMode)}`);
  }
  const interpolation = options.interpolation ?? "nearest";
  if (!(interpolation in FILTERS) && interpolation !== "nearest") {
    throw new TypeError(`loadImg: invalid interpolation ${JSON.stringify(interpolation)}; supported: nearest, ${Object.keys(FILTERS).join(", ")}`);
  }
  const size = options.targetSize;
  if (size !== undefined && (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0))) {
    throw new TypeError(`loadImg: targetSize must be [height, width], two positive integers, got ${JSON.stringify(size)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await platform().readFile(path);
  } catch (error) {
    throw new Error(`loadImg: cannot read "${path}": ${(error as Error).message}`, { cause: error });
  }
  if (!isPng(bytes)) throw new Error(`loadImg: "${path}" is not a PNG file (keras-ts reads PNG images only)`);
  let img = convertColor(decodePng(bytes, path), colorMode === "grayscale" ? 1 : colorMode === "rgb" ? 3 : 4);
  if (size !== undefined && (size[0] !== img.height || size[1] !== img.width)) {
    img = resizeImage(img, [size[0], size[1]], interpolation, options.keepAspectRatio ?? false);
  }
  return img;
}

function isPng(bytes: Uint8Array): boolean {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= 8 && sig.every((b, i) => bytes[i] === b);
}

/** Pillow's `convert("L" | "RGB" | "RGBA")` from gray, gray+alpha, RGB or RGBA. */
export function convertColor(src: DecodedImage | Image, channels: 1 | 3 | 4): Image {
  const { width, height, channels: from, data } = src;
  if (from === channels) return { width, height, channels, data };
  const n = width * height;
  const out = new Uint8Array(n * channels);
  for (let p = 0; p < n; p++) {
    const s = p * from;
    let r: number, g: number, b: number, a: number;
    if (from <= 2) {
      r = g = b = data[s];
      a = from === 2 ? data[s + 1] : 255;
    } else {
      r = data[s];
      g = data[s + 1];
      b = data[s + 2];
      a = from === 4 ? data[s + 3] : 255;
    }
    const o = p * channels;
    if (channels === 1) {
      out[o] = from <= 2 ? r : (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    } else {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      if (channels === 4) out[o + 3] = a;
    }
  }
  return { width, height, channels, data: out };
}

// ---------------------------------------------------------------------------------------------
// Resizing, as Pillow's Image.resize does it (Keras's load_img calls it).

interface Filter {
  support: number;
  fn: (x: number) => number;
}

const sinc = (x: number): number => {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
};

const FILTERS: Record<Exclude<Interpolation, "nearest">, Filter> = {
  box: { support: 0.5, fn: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, fn: (x) => ((x = Math.abs(x)) < 1 ? 1 - x : 0) },
  hamming: {
    support: 1,
    fn: (x) => {
      x = Math.abs(x);
      if (x === 0) return 1;
      if (x >= 1) return 0;
      x *= Math.PI;
      return (Math.sin(x) / x) * (Math.fround(0.54) + Math.fround(0.46) * Math.cos(x));
    },
  },
  bicubic: {
    support: 2,
    fn: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, fn: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const PRECISION_BITS = 32 - 8 - 2;

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc: per output pixel, first input and integer weights. */
function coefficients(inSize: number, in0: number, in1: number, outSize: number, filter: Filter): { bounds: Int32Array; weights: number[][] } {
  const scale = (in1 - in0) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const bounds = new Int32Array(outSize * 2);
  const weights: number[][] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    const k: number[] = [];
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.fn((x + xmin - center + 0.5) * ss);
      k.push(w);
      ww += w;
    }
    weights.push(k.map((w) => (ww !== 0 ? w / ww : w)).map((w) => Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS))));
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  return { bounds, weights };
}

function clip8(v: number): number {
  if (v >= 1 << PRECISION_BITS << 8) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/** One separable pass along x (`horizontal`) or y, on interleaved 8-bit pixels. */
function resamplePass(src: Image, outW: number, outH: number, horizontal: boolean, box0: number, box1: number, filter: Filter): Image {
  const { width, height, channels: c, data } = src;
  const { bounds, weights } = coefficients(horizontal ? width : height, box0, box1, horizontal ? outW : outH, filter);
  const out = new Uint8Array(outW * outH * c);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const i = horizontal ? x : y;
      const first = bounds[2 * i];
      const k = weights[i];
      for (let ch = 0; ch < c; ch++) {
        let ss = 1 << (PRECISION_BITS - 1);
        for (let j = 0; j < k.length; j++) {
          const sx = horizontal ? first + j : x;
          const sy = horizontal ? y : first + j;
          ss += data[(sy * width + sx) * c + ch] * k[j];
        }
        out[(y * outW + x) * c + ch] = clip8(ss);
      }
    }
  }
  return { width: outW, height: outH, channels: c, data: out };
}

/**
 * Resizes to `[height, width]` as Pillow's `Image.resize` (what Keras's `load_img` calls): "nearest"
 * picks the source pixel under each target pixel's centre; the other filters are Pillow's
 * separable convolutions (antialiased when shrinking), in its fixed-point arithmetic. RGBA is
 * resampled with premultiplied alpha, as Pillow does.
 */
export function resizeImage(img: Image, [outH, outW]: readonly [number, number], interpolation: Interpolation = "nearest", keepAspectRatio = false): Image {
  const { width, height } = img;
  let box = [0, 0, width, height];
  if (keepAspectRatio) {
    const cropH = Math.min(height, Math.floor((width * outH) / outW));
    const cropW = Math.min(width, Math.floor((height * outW) / outH));
    const h0 = Math.floor((height - cropH) / 2);
    const w0 = Math.floor((width - cropW) / 2);
    box = [w0, h0, w0 + cropW, h0 + cropH];
  }
  if (interpolation === "nearest") return resizeNearest(img, outW, outH, box);
  const filter = FILTERS[interpolation];
  if (filter === undefined) throw new TypeError(`resizeImage: invalid interpolation ${JSON.stringify(interpolation)}`);
  let cur = img.channels === 4 ? premultiply(img) : img;
  const needH = outW !== width || box[0] !== 0 || box[2] !== outW;
  const needV = outH !== height || box[1] !== 0 || box[3] !== outH;
  if (needH) cur = resamplePass(cur, outW, cur.height, true, box[0], box[2], filter);
  if (needV) cur = resamplePass(cur, cur.width, outH, false, box[1], box[3], filter);
  return img.channels === 4 ? unpremultiply(cur) : cur;
}

function resizeNearest(img: Image, outW: number, outH: number, box: number[]): Image {
  const { width, channels: c, data } = img;
  // Pillow's ImagingScaleAffine: coordinates accumulate from the first target pixel's centre.
  const coords = (n: number, start: number, step: number): Int32Array => {
    const t = new Int32Array(n);
    let v = start + step * 0.5;
    for (let i = 0; i < n; i++, v += step) t[i] = v < 0 ? -1 : Math.trunc(v);
    return t;
  };
  const xs = coords(outW, box[0], (box[2] - box[0]) / outW);
  const ys = coords(outH, box[1], (box[3] - box[1]) / outH);
  const out = new Uint8Array(outW * outH * c);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const s = (ys[y] * width + xs[x]) * c;
      for (let ch = 0; ch < c; ch++) out[(y * outW + x) * c + ch] = data[s + ch];
    }
  }
  return { width: outW, height: outH, channels: c, data: out };
}

function premultiply(img: Image): Image {
  const d = img.data.slice();
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    if (a === 255) continue;
    for (let k = 0; k < 3; k++) {
      const t = d[i + k] * a + 128;
      d[i + k] = ((t >> 8) + t) >> 8;
    }
  }
  return { ...img, data: d };
}

function unpremultiply(img: Image): Image {
  const d = img.data.slice();
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    if (a === 255 || a === 0) continue;
    for (let k = 0; k < 3; k++) d[i + k] = Math.min(255, Math.trunc((255 * d[i + k]) / a));
  }
  return { ...img, data: d };
}

