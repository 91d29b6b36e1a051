import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import type { DataFormat } from "../../../ops/operation_utils.js";

/*
 * Keras's `ops.image.affine_transform`, composed from ops (it belongs in keras.ops.image; it lives
 * here until that module has it). Every output pixel (x, y) reads the input at
 *   x' = (a0 x + a1 y + a2) / k,  y' = (b0 x + b1 y + b2) / k,  k = c0 x + c1 y + 1
 * for each image's transform [a0, a1, a2, b0, b1, b2, c0, c1], by bilinear or nearest
 * interpolation. Corners outside the image are read per `fillMode`, as JAX's map_coordinates does
 * (Keras's JAX backend): "constant" reads `fillValue`, "nearest" the closest edge pixel, "wrap"
 * tiles the image, "reflect" mirrors it about its edges (d c b a | a b c d | d c b a) and "mirror"
 * about its edge pixels (d c b | a b c d | c b a).
 */

export type FillMode = "constant" | "nearest" | "wrap" | "mirror" | "reflect";
export type Interpolation = "nearest" | "bilinear";

export interface AffineTransformOptions {
  interpolation?: Interpolation;
  fillMode?: FillMode;
  fillValue?: number;
  dataFormat?: DataFormat;
}

/** `|(i + s) mod 2s - s|` with s = size - 1: the index bounced between 0 and size - 1. */
function mirrorIndex(index: Tensor, size: number): Tensor {
  if (size === 1) return ops.zerosLike(index);
  const s = size - 1;
  return ops.abs(ops.subtract(ops.mod(ops.add(index, s), 2 * s), s));
}

/** The index as fill mode `mode` reads it (constant mode clamps here and masks afterwards). */
function fixIndex(index: Tensor, size: number, mode: FillMode): Tensor {
  switch (mode) {
    case "constant":
    case "nearest":
      return ops.clip(index, 0, size - 1);
    case "wrap":
      return ops.mod(index, size);
    case "mirror":
      return mirrorIndex(index, size);
    case "reflect":
      return ops.floorDivide(ops.subtract(mirrorIndex(ops.add(ops.multiply(index, 2), 1), 2 * size + 1), 1), 2);
  }
}

function roundHalfAwayFromZero(x: Tensor): Tensor {
  return ops.multiply(ops.sign(x), ops.floor(ops.add(ops.abs(x), 0.5)));
}

/**
 * Applies one projective transform per image to a batch `[batch, height, width, channels]`
 * (`[batch, channels, height, width]` with channels_first); `transform` is `[batch, 8]`.
 */
export function affineTransform(images: Tensor, transform: Tensor, options: AffineTransformOptions = {}): Tensor {
  const interpolation = options.interpolation ?? "bilinear";
  const fillMode = options.fillMode ?? "constant";
  const fillValue = options.fillValue ?? 0;
  const channelsFirst = options.dataFormat === "channels_first";
  const x = channelsFirst ? ops.transpose(images, [0, 2, 3, 1]) : images;
  const [batch, height, width, channels] = x.shape;
  const coefficient = (i: number): Tensor => ops.reshape(ops.slice(transform, [0, i], [batch, 1]), [batch, 1, 1]);
  const [a0, a1, a2, b0, b1, b2, c0, c1] = Array.from({ length: 8 }, (_, i) => coefficient(i));
  const xs = ops.reshape(ops.cast(ops.arange(width), "float32"), [1, 1, width]);
  const ys = ops.reshape(ops.cast(ops.arange(height), "float32"), [1, height, 1]);
  const k = ops.add(ops.add(ops.multiply(c0, xs), ops.multiply(c1, ys)), 1);
  const sourceX = ops.divide(ops.add(ops.add(ops.multiply(a0, xs), ops.multiply(a1, ys)), a2), k);
  const sourceY = ops.divide(ops.add(ops.add(ops.multiply(b0, xs), ops.multiply(b1, ys)), b2), k);

  const pixels = ops.reshape(x, [batch * height * width, channels]);
  const imageOffset = ops.reshape(ops.cast(ops.multiply(ops.arange(batch), height * width), "float32"), [batch, 1, 1]);
  /** The pixels at integer positions (yi, xi), [batch, height, width], read per the fill mode. */
  const read = (yi: Tensor, xi: Tensor): Tensor => {
    const row = fixIndex(yi, height, fillMode);
    const column = fixIndex(xi, width, fillMode);
    const flat = ops.cast(ops.add(imageOffset, ops.add(ops.multiply(row, width), column)), "int32");
    const values = ops.reshape(ops.take(pixels, ops.reshape(flat, [-1]), 0), [batch, height, width, channels]);
    if (fillMode !== "constant") return values;
    const inside = ops.logicalAnd(
      ops.logicalAnd(ops.greaterEqual(yi, 0), ops.lessEqual(yi, height - 1)),
      ops.logicalAnd(ops.greaterEqual(xi, 0), ops.lessEqual(xi, width - 1)),
    );
    return ops.where(ops.expandDims(inside, -1), values, fillValue);
  };

  let out: Tensor;
  if (interpolation === "nearest") {
    out = read(roundHalfAwayFromZero(sourceY), roundHalfAwayFromZero(sourceX));
  } else {
    const y0 = ops.floor(sourceY);
    const x0 = ops.floor(sourceX);
    const y1 = ops.add(y0, 1);
    const x1 = ops.add(x0, 1);
    const wy1 = ops.subtract(sourceY, y0);
    const wx1 = ops.subtract(sourceX, x0);
    const wy0 = ops.subtract(1, wy1);
    const wx0 = ops.subtract(1, wx1);
    const weighted = (yi: Tensor, xi: Tensor, wy: Tensor, wx: Tensor): Tensor => ops.multiply(read(yi, xi), ops.expandDims(ops.multiply(wy, wx), -1));
    out = ops.add(ops.add(weighted(y0, x0, wy0, wx0), weighted(y0, x1, wy0, wx1)), ops.add(weighted(y1, x0, wy1, wx0), weighted(y1, x1, wy1, wx1)));
  }
  return channelsFirst ? ops.transpose(out, [0, 3, 1, 2]) : out;
}
