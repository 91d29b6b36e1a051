/**
 * PNG bytes to and from 8-bit pixels, through the npm package `fast-png` (a pure-JavaScript PNG
 * codec whose zlib is `fflate`, which keras-ts already uses for `.keras` files).
 *
 * Decoding brings every PNG down to 8 bits per sample, interleaved row-major (`[y][x][channel]`):
 * palette images are expanded to RGB (RGBA when the palette has transparency), 1-, 2- and 4-bit
 * grayscale samples are scaled to 0..255 (×255, ×85, ×17, as Pillow does), 16-bit samples keep
 * their high byte, and a `tRNS` colour key on a gray or RGB image becomes an alpha channel.
 */
import { decode, encode, convertIndexedToRgb, type DecodedPng } from "fast-png";

/**
 * An 8-bit image, the picture object of `keras.utils` (what Pillow's `Image` is to Keras):
 * `data[(y * width + x) * channels + c]` is channel `c` of the pixel in row `y`, column `x`, rows
 * top to bottom. `channels` is 1 (grayscale, Pillow's mode "L"), 3 (RGB) or 4 (RGBA).
 */
export interface Image {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** What a PNG file holds, in 8 bits: like {@link Image}, and also 2 channels (gray + alpha). */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

/** Encodes an 8-bit image as PNG: color type gray for 1 channel, RGB for 3, RGBA for 4. */
export function encodePng(image: Image): Uint8Array {
  const { width, height, channels, data } = image;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`encodePng: unsupported channel count ${String(channels)}; expected 1 (grayscale), 3 (RGB) or 4 (RGBA)`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`encodePng: an image needs a positive integer width and height, got ${width}x${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new RangeError(`encodePng: a ${width}x${height} image with ${channels} channel(s) needs ${width * height * channels} bytes of data, got ${data?.length}`);
  }
  return encode({ width, height, channels, depth: 8, data });
}

/** Decodes PNG bytes to 8-bit pixels; `name` (a path) is used in errors. */
export function decodePng(bytes: Uint8Array, name = "<buffer>"): DecodedImage {
  let png: DecodedPng;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new Error(`cannot decode "${name}" as PNG: ${(error as Error).message}`, { cause: error });
  }
  const { width, height, depth } = png;
  const n = width * height;
  if (png.palette !== undefined && png.palette.length > 0 && png.channels === 1) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / n;
    if (channels !== 3 && channels !== 4) throw new Error(`cannot decode "${name}": unexpected palette of ${channels} components`);
    return { width, height, channels, data: rgb };
  }
  const channels = png.channels as 1 | 2 | 3 | 4;
  const samples = unpackSamples(png, name);
  const data = new Uint8Array(n * channels);
  const shift = depth === 16 ? 8 : 0;
  const gain = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  for (let i = 0; i < data.length; i++) data[i] = gain === 1 ? samples[i] >> shift : Math.round(samples[i] * gain);
  // A tRNS chunk on a gray or RGB image names one colour (in the file's own sample scale) that is
  // fully transparent: that is an alpha channel.
  const key = png.transparency;
  if (key !== undefined && key.length > 0 && (channels === 1 || channels === 3) && key.length >= channels) {
    const withAlpha = new Uint8Array(n * (channels + 1));
    for (let p = 0; p < n; p++) {
      let match = true;
      for (let c = 0; c < channels; c++) {
        withAlpha[p * (channels + 1) + c] = data[p * channels + c];
        if (samples[p * channels + c] !== key[c]) match = false;
      }
      withAlpha[p * (channels + 1) + channels] = match ? 0 : 255;
    }
    return { width, height, channels: channels === 1 ? 2 : 4, data: withAlpha };
  }
  return { width, height, channels, data };
}

/** One number per sample (sub-byte depths unpacked from their byte-aligned rows). */
function unpackSamples(png: DecodedPng, name: string): ArrayLike<number> {
  const { width, height, channels, depth, data } = png;
  if (depth >= 8) {
    if (data.length !== width * height * channels) throw new Error(`cannot decode "${name}": ${data.length} samples for a ${width}x${height}x${channels} image`);
    return data;
  }
  const perRow = Math.ceil((width * channels * depth) / 8);
  const out = new Uint8Array(width * height * channels);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const bit = i * depth;
      const byte = data[y * perRow + (bit >> 3)];
      out[y * width * channels + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
