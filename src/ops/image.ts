import { windowIndices, type Spatial3 } from "../backend/conv_geometry.js";
import { formatShape } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import { cast, convertToTensor, stopGradient, toTensor, type TensorLike } from "./core.js";
import { arange, zerosLike } from "./creation.js";
import {
  abs, add, clip, divide, floor, floorDivide, greaterEqual, lessEqual, logicalAnd, mod, multiply, sign, subtract, where,
} from "./elementwise.js";
import { matmul } from "./linalg.js";
import { expandDims, pad, reshape, slice, take, transpose } from "./shape.js";
import { paddingBefore, standardizeDataFormat, standardizePadding, windowOutputSize, type DataFormat } from "./operation_utils.js";
import { standardizeTuple } from "../utils/argument_validation.js";

/*
 * `keras.ops.image`: resize, affineTransform and extractPatches, with Keras 3's arguments and
 * numbers. Resizing with a filter is two matrix products (one per spatial axis) with the
 * interpolation weights Keras's backends compute (jax.image.scale_and_translate), so its gradient
 * is the matmul's; nearest-neighbour resizing, affine transforms and patch extraction are gathers
 * (weighted, for bilinear transforms), so their gradients are scatters.
 */

export const RESIZE_INTERPOLATIONS = ["bilinear", "nearest", "lanczos3", "lanczos5", "bicubic"] as const;
export type ResizeInterpolation = (typeof RESIZE_INTERPOLATIONS)[number];

export interface ResizeOptions {
  /** "bilinear" (default), "nearest", "bicubic", "lanczos3" or "lanczos5". */
  interpolation?: ResizeInterpolation;
  /** Widen the filter when downsampling (default false). */
  antialias?: boolean;
  /** Crop the largest centred window of the target's aspect ratio first (default false). */
  cropToAspectRatio?: boolean;
  /** Pad evenly to the target's aspect ratio first (default false). */
  padToAspectRatio?: boolean;
  /** Only "constant". */
  fillMode?: string;
  /** The padding value of `padToAspectRatio` (default 0). */
  fillValue?: number;
  dataFormat?: DataFormat | null;
}

const KERNELS: Record<Exclude<ResizeInterpolation, "nearest">, (x: number) => number> = {
  bilinear: (x) => Math.max(0, 1 - Math.abs(x)),
  bicubic: (x) => {
    // Keys cubic with a = -0.5, on |x| (the weights' argument is already non-negative).
    if (x >= 2) return 0;
    if (x >= 1) return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0;
    return ((1.5 * x - 2.5) * x) * x + 1.0;
  },
  lanczos3: (x) => lanczos(3, x),
  lanczos5: (x) => lanczos(5, x),
};

function lanczos(radius: number, x: number): number {
  if (x > radius) return 0;
  if (!(x > 1e-3)) return 1;
  return (radius * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / radius)) / (Math.PI * Math.PI * x * x);
}

/**
 * The [input, output] interpolation weights along one axis (Keras's `_compute_weight_mat`, in
 * float64, rounded once to float32): sample positions (o + 0.5) / scale - 0.5, the filter
 * stretched by 1 / scale when antialiasing a downsample, columns normalized to sum 1, and zero
 * for samples outside [-0.5, input - 0.5].
 */
function weightMatrix(input: number, output: number, kernel: (x: number) => number, antialias: boolean): Float32Array {
  const scale = output / input;
  const inv = 1 / scale;
  const kernelScale = antialias ? Math.max(inv, 1) : 1;
  const weights = new Float64Array(input * output);
  const out = new Float32Array(input * output);
  const eps = 1000 * 1.1920928955078125e-7;
  for (let o = 0; o < output; o++) {
    const sample = (o + 0.5) * inv - 0.5;
    if (!(sample >= -0.5 && sample <= input - 0.5)) continue;
    let total = 0;
    for (let i = 0; i < input; i++) {
      const w = kernel(Math.abs(sample - i) / kernelScale);
      weights[i * output + o] = w;
      total += w;
    }
    if (!(Math.abs(total) > eps)) continue;
    for (let i = 0; i < input; i++) out[i * output + o] = weights[i * output + o] / total;
  }
  return out;
}

/** Keras's nearest-neighbour source rows: floor((o + 0.5) * input / output), in float32. */
function nearestIndices(input: number, output: number): Int32Array {
  const f = Math.fround;
  return Int32Array.from({ length: output }, (_, o) => Math.min(Math.floor(f(f(f(o + 0.5) * input) / output)), input - 1));
}

function resizeOptions(third: ResizeInterpolation | ResizeOptions | undefined, rest: unknown[]): Required<Omit<ResizeOptions, "dataFormat">> & { dataFormat: DataFormat | null | undefined } {
  if (third !== null && typeof third === "object") {
    return {
      interpolation: third.interpolation ?? "bilinear",
      antialias: third.antialias ?? false,
      cropToAspectRatio: third.cropToAspectRatio ?? false,
      padToAspectRatio: third.padToAspectRatio ?? false,
      fillMode: third.fillMode ?? "constant",
      fillValue: third.fillValue ?? 0,
      dataFormat: third.dataFormat,
    };
  }
  const [antialias, crop, padTo, fillMode, fillValue, dataFormat] = rest as [boolean?, boolean?, boolean?, string?, number?, (DataFormat | null)?];
  return {
    interpolation: third ?? "bilinear",
    antialias: antialias ?? false,
    cropToAspectRatio: crop ?? false,
    padToAspectRatio: padTo ?? false,
    fillMode: fillMode ?? "constant",
    fillValue: fillValue ?? 0,
    dataFormat,
  };
}

/**
 * Keras's `ops.image.resize`: images [height, width, channels] or [batch, height, width, channels]
 * (channels first: [channels, height, width] / [batch, channels, height, width]) resized to
 * `size` = [height, width]. The arguments after `size` are Keras's, positionally
 * (interpolation, antialias, cropToAspectRatio, padToAspectRatio, fillMode, fillValue, dataFormat),
 * or one options object:
 *
 *   ops.image.resize(images, [64, 64])
 *   ops.image.resize(images, [64, 64], { interpolation: "nearest", dataFormat: "channels_first" })
 *
 * Filtered resizing gives float32 (integer images are converted, as Keras's JAX and TensorFlow
 * backends do); "nearest" keeps the dtype.
 */
export function resize(
  images: TensorLike, size: readonly [number, number] | readonly number[], interpolation?: ResizeInterpolation | ResizeOptions, antialias?: boolean, cropToAspectRatio?: boolean,
  padToAspectRatio?: boolean, fillMode?: string, fillValue?: number, dataFormat?: DataFormat | null,
): Tensor {
  const op = "image.resize";
  const o = resizeOptions(interpolation, [antialias, cropToAspectRatio, padToAspectRatio, fillMode, fillValue, dataFormat]);
  const format = standardizeDataFormat(o.dataFormat, op);
  if (!Array.isArray(size) || size.length !== 2) throw new Error(`${op}: Expected \`size\` to be a tuple of 2 integers. Received: size=${JSON.stringify(size)}`);
  if (!size.every((v) => Number.isInteger(v) && v > 0)) throw new Error(`${op}: \`size\` must have positive height and width. Received: size=${JSON.stringify(size)}`);
  if (!(RESIZE_INTERPOLATIONS as readonly string[]).includes(o.interpolation)) {
    throw new Error(`${op}: Invalid value for argument \`interpolation\`. Expected one of ${JSON.stringify(RESIZE_INTERPOLATIONS)}. Received: interpolation=${JSON.stringify(o.interpolation)}`);
  }
  if (o.fillMode !== "constant") throw new Error(`${op}: Invalid value for argument \`fill_mode\`. Only 'constant' is supported. Received: fill_mode=${JSON.stringify(o.fillMode)}`);
  if (o.cropToAspectRatio && o.padToAspectRatio) throw new Error(`${op}: Only one of \`pad_to_aspect_ratio\` & \`crop_to_aspect_ratio\` can be \`True\`.`);
  let x = toTensor(images, op);
  if (x.rank !== 3 && x.rank !== 4) {
    throw new Error(`${op}: Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). Received input with shape: images.shape=${formatShape(x.shape)}`);
  }
  const single = x.rank === 3;
  if (single) x = reshape(x, [1, ...x.shape]);
  const [targetH, targetW] = size;
  const hAxis = format === "channels_last" ? 1 : 2;
  const wAxis = hAxis + 1;
  const height = x.shape[hAxis];
  const width = x.shape[wAxis];

  if (o.cropToAspectRatio) {
    const cropH = Math.max(Math.min(height, Math.trunc((width * targetH) / targetW)), 1);
    const cropW = Math.max(Math.min(width, Math.trunc((height * targetW) / targetH)), 1);
    const start = x.shape.map(() => 0);
    const extent = [...x.shape];
    start[hAxis] = Math.trunc((height - cropH) / 2);
    start[wAxis] = Math.trunc((width - cropW) / 2);
    extent[hAxis] = cropH;
    extent[wAxis] = cropW;
    x = slice(x, start, extent);
  } else if (o.padToAspectRatio) {
    const padH = Math.max(height, Math.trunc((width * targetH) / targetW));
    const padW = Math.max(width, Math.trunc((height * targetW) / targetH));
    const top = Math.trunc((padH - height) / 2);
    const left = Math.trunc((padW - width) / 2);
    // Keras pads one side only when it pads height (the width then matches, and the other way round).
    const widths = x.shape.map(() => [0, 0]);
    if (top > 0) widths[hAxis] = [top, top];
    else if (left > 0) widths[wAxis] = [left, left];
    if (top > 0 || left > 0) x = pad(x, widths, "constant", o.fillValue);
  }

  let out: Tensor;
  if (o.interpolation === "nearest") {
    out = x;
    if (out.shape[hAxis] !== targetH) out = take(out, convertToTensor(nearestIndices(out.shape[hAxis], targetH), "int32"), hAxis);
    if (out.shape[wAxis] !== targetW) out = take(out, convertToTensor(nearestIndices(out.shape[wAxis], targetW), "int32"), wAxis);
  } else {
    const kernel = KERNELS[o.interpolation];
    out = x.dtype === "float32" ? x : cast(x, "float32");
    const weights = (input: number, output: number) => reshape(convertToTensor(weightMatrix(input, output, kernel, o.antialias)), [input, output]);
    const [b, d1, d2, d3] = out.shape;
    if (format === "channels_last") {
      // [b, h, w, c]: rows by Whᵀ [th, h] over [b, h, w*c], then columns by Wwᵀ [tw, w] over [b*th, w, c].
      if (d1 !== targetH) out = reshape(matmul(transpose(weights(d1, targetH)), reshape(out, [b, d1, d2 * d3])), [b, targetH, d2, d3]);
      if (d2 !== targetW) out = reshape(matmul(transpose(weights(d2, targetW)), reshape(out, [b * targetH, d2, d3])), [b, targetH, targetW, d3]);
    } else {
      // [b, c, h, w]: columns by Ww [w, tw] over [b*c*h, w], then rows by Whᵀ [th, h] over [b*c, h, tw].
      if (d3 !== targetW) out = reshape(matmul(reshape(out, [b * d1 * d2, d3]), weights(d3, targetW)), [b, d1, d2, targetW]);
      if (d2 !== targetH) out = reshape(matmul(transpose(weights(d2, targetH)), reshape(out, [b * d1, d2, targetW])), [b, d1, targetH, targetW]);
    }
  }
  return single ? reshape(out, out.shape.slice(1)) : out;
}

/**
 * Keras's `ops.image.extract_patches`: every `size` window (2 ints, or 3 for volumes; an int for 2)
 * of images [batch?, height, width, channels] (volumes [batch?, depth, height, width, channels]) as
 * a vector of patch * channels values, window taps outermost and channels innermost (the order of
 * Keras's identity-kernel conv). `strides` default to `size`.
 *
 *   ops.image.extractPatches(images, [5, 5])   // [2, 20, 20, 3] -> [2, 4, 4, 75]
 */
export function extractPatches(
  images: TensorLike, size: number | readonly number[], strides: number | readonly number[] | null = null, dilationRate: number | readonly number[] = 1,
  padding = "valid", dataFormat: DataFormat | null = null,
): Tensor {
  const op = "image.extractPatches";
  const format = standardizeDataFormat(dataFormat, op);
  const spatial = typeof size === "number" ? 2 : Array.isArray(size) ? size.length : -1;
  if (spatial !== 2 && spatial !== 3) throw new Error(`${op}: Invalid \`size\` argument. Expected an int or a tuple of length 2 or 3. Received: size=${JSON.stringify(size)}`);
  const window = standardizeTuple(size, spatial, "size", op);
  const step = strides === null || strides === undefined ? window : standardizeTuple(strides, spatial, "strides", op);
  const dilations = standardizeTuple(dilationRate, spatial, "dilation_rate", op);
  const paddingMode = standardizePadding(padding, op);
  let x = toTensor(images, op);
  if (x.rank !== spatial + 1 && x.rank !== spatial + 2) {
    throw new Error(`${op}: ${spatial}-d patches need inputs of rank ${spatial + 1} or ${spatial + 2}, got shape ${formatShape(x.shape)}`);
  }
  const single = x.rank === spatial + 1;
  if (single) x = reshape(x, [1, ...x.shape]);
  const batch = x.shape[0];
  const channels = format === "channels_last" ? x.shape[x.rank - 1] : x.shape[1];
  const inputSize = format === "channels_last" ? x.shape.slice(1, -1) : x.shape.slice(2);
  const outputSize = inputSize.map((v, i) => windowOutputSize(paddingMode, v, window[i], step[i], dilations[i]) as number);
  if (outputSize.some((v) => v <= 0)) throw new Error(`${op}: the images ${formatShape(x.shape)} are too small for patches of size ${formatShape(window)} with padding "${paddingMode}"`);
  const lead = 3 - spatial;
  const geometry: Spatial3 = {
    input: [...new Array<number>(lead).fill(1), ...inputSize] as Spatial3["input"],
    output: [...new Array<number>(lead).fill(1), ...outputSize] as Spatial3["output"],
    window: [...new Array<number>(lead).fill(1), ...window] as Spatial3["window"],
    strides: [...new Array<number>(lead).fill(1), ...step] as Spatial3["strides"],
    dilations: [...new Array<number>(lead).fill(1), ...dilations] as Spatial3["dilations"],
    padBefore: [...new Array<number>(lead).fill(0), ...inputSize.map((v, i) => paddingBefore(paddingMode, v, window[i], step[i], dilations[i]))] as Spatial3["padBefore"],
  };
  const positions = inputSize.reduce((a, b) => a * b, 1);
  // Each image as [positions + 1, channels], the extra position the zero padding.
  let flat = format === "channels_last" ? reshape(x, [batch, positions, channels]) : transpose(reshape(x, [batch, channels, positions]), [0, 2, 1]);
  flat = pad(flat, [[0, 0], [0, 1], [0, 0]]);
  const reads = Int32Array.from(windowIndices(geometry), (r) => (r < 0 ? positions : r));
  const taps = window.reduce((a, b) => a * b, 1);
  const patches = reshape(take(flat, convertToTensor(reads, "int32"), 1), [batch, ...outputSize, taps * channels]);
  const result = format === "channels_last" ? patches : transpose(patches, [0, spatial + 1, ...outputSize.map((_, i) => i + 1)]);
  return single ? reshape(result, result.shape.slice(1)) : result;
}

export const AFFINE_FILL_MODES = ["constant", "nearest", "wrap", "mirror", "reflect"] as const;
export type AffineFillMode = (typeof AFFINE_FILL_MODES)[number];
export const AFFINE_INTERPOLATIONS = ["nearest", "bilinear"] as const;
export type AffineInterpolation = (typeof AFFINE_INTERPOLATIONS)[number];

export interface AffineTransformOptions {
  /** "bilinear" (default) or "nearest". */
  interpolation?: AffineInterpolation;
  /** How points outside the image are read: "constant" (default), "nearest", "wrap", "mirror" or "reflect". */
  fillMode?: AffineFillMode;
  /** The value of points outside the image with fillMode "constant". Default 0. */
  fillValue?: number;
  dataFormat?: DataFormat | null;
}

/** `|(i + s) mod 2s - s|` with s = size - 1: the index bounced between 0 and size - 1. */
function mirrorIndex(index: Tensor, size: number): Tensor {
  if (size === 1) return zerosLike(index);
  const s = size - 1;
  return abs(subtract(mod(add(index, s), 2 * s), s));
}

/** The index as fill mode `mode` reads it (constant mode clamps here and masks afterwards). */
function fixIndex(index: Tensor, size: number, mode: AffineFillMode): Tensor {
  switch (mode) {
    case "constant":
    case "nearest":
      return clip(index, 0, size - 1);
    case "wrap":
      return mod(index, size);
    case "mirror":
      return mirrorIndex(index, size);
    case "reflect":
      return floorDivide(subtract(mirrorIndex(add(multiply(index, 2), 1), 2 * size + 1), 1), 2);
  }
}

function roundHalfAwayFromZero(x: Tensor): Tensor {
  return multiply(sign(x), floor(add(abs(x), 0.5)));
}

/**
 * Keras's `ops.image.affine_transform`: every output pixel (x, y) of each image reads the input at
 *   x' = (a0 x + a1 y + a2) / k,  y' = (b0 x + b1 y + b2) / k,  k = c0 x + c1 y + 1
 * for its transform `[a0, a1, a2, b0, b1, b2, c0, c1]` (the inverse of the map from input to
 * output points; c0 and c1 act as in Keras's TensorFlow backend, its JAX and torch backends take
 * them as 0). Images are `[batch?, height, width, channels]` (`[batch?, channels, height, width]`
 * channels first), `transform` is `[8]` or `[batch, 8]`. Points are read by bilinear or nearest
 * interpolation, those outside the image per `fillMode` as JAX's map_coordinates reads them:
 * "constant" gives `fillValue`, "nearest" the closest edge pixel, "wrap" tiles the image, "reflect"
 * mirrors it about its edges (d c b a | a b c d | d c b a), "mirror" about its edge pixels
 * (d c b | a b c d | c b a). Integer images are interpolated in float32 and rounded back (half away
 * from zero) to their dtype. Gradients reach the images, not the transform (as in Keras).
 * The arguments after `transform` are Keras's, positionally, or one options object:
 *
 *   ops.image.affineTransform(images, [1, 0, -2, 0, 1, 0, 0, 0])            // shifted 2 pixels left
 *   ops.image.affineTransform(images, transforms, { interpolation: "nearest", fillMode: "reflect" })
 */
export function affineTransform(
  images: TensorLike, transform: TensorLike, interpolation?: AffineInterpolation | AffineTransformOptions, fillMode?: AffineFillMode, fillValue?: number,
  dataFormat?: DataFormat | null,
): Tensor {
  const op = "image.affineTransform";
  const o: AffineTransformOptions = interpolation !== null && typeof interpolation === "object" ? interpolation : { interpolation, fillMode, fillValue, dataFormat };
  const method = o.interpolation ?? "bilinear";
  const mode = o.fillMode ?? "constant";
  const constant = o.fillValue ?? 0;
  const format = standardizeDataFormat(o.dataFormat, op);
  if (!(AFFINE_INTERPOLATIONS as readonly unknown[]).includes(method)) {
    throw new Error(`${op}: Invalid value for argument \`interpolation\`. Expected one of ${JSON.stringify(AFFINE_INTERPOLATIONS)}. Received: interpolation=${JSON.stringify(method)}`);
  }
  if (!(AFFINE_FILL_MODES as readonly unknown[]).includes(mode)) {
    throw new Error(`${op}: Invalid value for argument \`fill_mode\`. Expected one of ${JSON.stringify(AFFINE_FILL_MODES)}. Received: fill_mode=${JSON.stringify(mode)}`);
  }
  if (typeof constant !== "number" || Number.isNaN(constant)) throw new Error(`${op}: \`fill_value\` must be a number, got ${JSON.stringify(constant)}`);
  const input = toTensor(images, op);
  let coefficients = stopGradient(cast(toTensor(transform, op), "float32"));
  if (input.rank !== 3 && input.rank !== 4) {
    throw new Error(`${op}: Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). Received input with shape: images.shape=${formatShape(input.shape)}`);
  }
  if (input.dtype === "bool") throw new Error(`${op}: images must be numbers, got dtype bool`);
  if ((coefficients.rank !== 1 && coefficients.rank !== 2) || coefficients.shape[coefficients.rank - 1] !== 8) {
    throw new Error(`${op}: Invalid transform: expected a vector of 8 coefficients or a [batch, 8] matrix. Received input with shape: transform.shape=${formatShape(coefficients.shape)}`);
  }
  const single = input.rank === 3;
  let x = single ? reshape(input, [1, ...input.shape]) : input;
  if (coefficients.rank === 1) coefficients = reshape(coefficients, [1, 8]);
  if (coefficients.shape[0] !== x.shape[0]) {
    throw new Error(`${op}: ${coefficients.shape[0]} transforms for ${x.shape[0]} images (transform.shape=${formatShape(coefficients.shape)}, images.shape=${formatShape(input.shape)}); give one per image`);
  }
  if (format === "channels_first") x = transpose(x, [0, 2, 3, 1]);
  if (x.dtype !== "float32") x = cast(x, "float32");
  const [batch, height, width, channels] = x.shape;
  const coefficient = (i: number): Tensor => reshape(slice(coefficients, [0, i], [batch, 1]), [batch, 1, 1]);
  const [a0, a1, a2, b0, b1, b2, c0, c1] = Array.from({ length: 8 }, (_, i) => coefficient(i));
  const xs = reshape(arange(width, null, 1, "float32"), [1, 1, width]);
  const ys = reshape(arange(height, null, 1, "float32"), [1, height, 1]);
  const k = add(add(multiply(c0, xs), multiply(c1, ys)), 1);
  const sourceX = divide(add(add(multiply(a0, xs), multiply(a1, ys)), a2), k);
  const sourceY = divide(add(add(multiply(b0, xs), multiply(b1, ys)), b2), k);

  const pixels = reshape(x, [batch * height * width, channels]);
  // Row indices in int32: float32 counts exactly only to 2^24 pixels.
  const imageOffset = reshape(arange(0, batch * height * width, height * width, "int32"), [batch, 1, 1]);
  /** The pixels at integer positions (yi, xi), [batch, height, width, channels], read per the fill mode. */
  const read = (yi: Tensor, xi: Tensor): Tensor => {
    const row = cast(fixIndex(yi, height, mode), "int32");
    const column = cast(fixIndex(xi, width, mode), "int32");
    const flat = add(imageOffset, add(multiply(row, width), column));
    const values = reshape(take(pixels, reshape(flat, [-1]), 0), [batch, height, width, channels]);
    if (mode !== "constant") return values;
    const inside = logicalAnd(logicalAnd(greaterEqual(yi, 0), lessEqual(yi, height - 1)), logicalAnd(greaterEqual(xi, 0), lessEqual(xi, width - 1)));
    return where(expandDims(inside, -1), values, constant);
  };

  let out: Tensor;
  if (method === "nearest") {
    out = read(roundHalfAwayFromZero(sourceY), roundHalfAwayFromZero(sourceX));
  } else {
    const y0 = floor(sourceY);
    const x0 = floor(sourceX);
    const y1 = add(y0, 1);
    const x1 = add(x0, 1);
    const wy1 = subtract(sourceY, y0);
    const wx1 = subtract(sourceX, x0);
    const wy0 = subtract(1, wy1);
    const wx0 = subtract(1, wx1);
    const weighted = (yi: Tensor, xi: Tensor, wy: Tensor, wx: Tensor): Tensor => multiply(read(yi, xi), expandDims(multiply(wy, wx), -1));
    out = add(add(weighted(y0, x0, wy0, wx0), weighted(y0, x1, wy0, wx1)), add(weighted(y1, x0, wy1, wx0), weighted(y1, x1, wy1, wx1)));
  }
  if (input.dtype !== "float32") out = cast(roundHalfAwayFromZero(out), input.dtype);
  if (format === "channels_first") out = transpose(out, [0, 3, 1, 2]);
  return single ? reshape(out, out.shape.slice(1)) : out;
}
