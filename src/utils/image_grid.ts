/**
 * `keras.utils.saveImageGrid`: many images tiled into one picture, each with its label under it,
 * and with predictions given, "pred/true" under each and the wrong ones framed and written in red:
 * the picture one makes to look at a dataset or at a model's mistakes.
 *
 * Drawn as SVG (each image embedded as a PNG data URI, already enlarged by whole pixels so it
 * stays sharp in any viewer) and rasterized by resvg (./svg_render.ts) for `.png` paths.
 */
import * as ops from "../ops/index.js";
import { Tensor } from "../backend/tensor.js";
import { formatShape } from "../backend/shape.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { writeFileAtomic } from "../saving/keras_zip.js";
import { encodePng, type Image } from "./png.js";
import { imageShapeOf, valuesToImage, type DataFormat } from "./image_utils.js";
import { FONT_FAMILY, escapeXml, svgToPng } from "./svg_render.js";
import { renderSvg, type SvgTarget } from "./page_output.js";

/** Labels or predictions: class ids (a tensor or array), class names, or a `[n, classes]` tensor (argmax is taken). */
export type GridLabels = TensorLike | readonly string[];

export interface ImageGridOptions {
  /** The true label of each image (a tensor such as `yTest` may be longer: its first n are used). */
  labels?: GridLabels;
  /** The predicted class of each image, or the model's `[n, classes]` output; compared with `labels` when given. */
  predictions?: GridLabels;
  /** Names shown for class ids (e.g. Fashion-MNIST's "T-shirt/top", ...). */
  classNames?: readonly string[];
  /** Images per row; by default about twice as many columns as rows (8 for 32 images). */
  columns?: number;
  /** Screen pixels per image pixel; by default the smallest whole number making images ≥ 96 px. */
  zoom?: number;
  /** Value scaling of non-uint8 images, per image, as `saveImg`'s `scale` (default true). */
  scale?: boolean;
  /** A heading over the grid. */
  title?: string;
  /**
   * How single-channel images are shown: "binary" (default; high values dark on white, as
   * matplotlib's `cmap=plt.cm.binary` in the Keras tutorials) or "gray" (high values light).
   */
  cmap?: "binary" | "gray";
  /** Layout of each image: "channels_last" (default, `[n, h, w, c]`) or "channels_first" (`[n, c, h, w]`). */
  dataFormat?: DataFormat;
}

/** Where a grid put each image, in pixels of the picture. */
export interface ImageGridLayout {
  width: number;
  height: number;
  /** Per image: the image's box (the frame lies `FRAME` pixels around it) and whether it is wrong. */
  cells: { x: number; y: number; width: number; height: number; wrong: boolean; text: string }[];
}

/** Colour of the frame and text of a wrong prediction (matplotlib's red). */
export const WRONG_COLOR = "#d62728";
/** Width in pixels of the frame around each image. */
export const FRAME = 3;

const MARGIN = 12;
const GAP = 10;
const LABEL_FONT = 14;
const LABEL_HEIGHT = 22;
const TITLE_FONT = 17;
const NOTE_FONT = 13;

/** The images of a batch tensor, or of an array of single-image tensors. */
function toImages(images: TensorLike | readonly TensorLike[], options: ImageGridOptions, where: string): Image[] {
  const dataFormat = options.dataFormat ?? "channels_last";
  const scale = options.scale ?? true;
  if (Array.isArray(images) && images.length > 0 && images.every((t) => t instanceof Tensor)) {
    return (images as Tensor[]).map((t) => valuesToImage(t.dataSync(), 0, t.dtype, imageShapeOf(t.shape, dataFormat, `${where}: image`), scale, dataFormat === "channels_first" && t.rank === 3));
  }
  if (Array.isArray(images) && images.length === 0) throw new RangeError(`${where}: no images to draw (got an empty list)`);
  const t = convertToTensor(images as TensorLike);
  if (t.rank !== 3 && t.rank !== 4) {
    throw new RangeError(
      `${where}: expected a batch of images [n, height, width] or [n, height, width, channels], got shape ${formatShape(t.shape)}` +
        (t.rank === 2 ? " (a single image? add a batch axis, or use saveImg)" : ""),
    );
  }
  const n = t.shape[0];
  if (n === 0) throw new RangeError(`${where}: no images to draw (shape ${formatShape(t.shape)})`);
  const one = t.shape.slice(1);
  let shape: [number, number, 1 | 3 | 4];
  try {
    shape = imageShapeOf(one, dataFormat, where);
  } catch (error) {
    throw new RangeError(`${(error as Error).message} (each image of a batch of shape ${formatShape(t.shape)})`);
  }
  const size = one.reduce((a, b) => a * b, 1);
  const channelsFirst = dataFormat === "channels_first" && t.rank === 4;
  const values = t.dataSync();
  return Array.from({ length: n }, (_, i) => valuesToImage(values, i * size, t.dtype, shape, scale, channelsFirst));
}

/** Class ids (or names) of `n` items: rank 1 as they are, rank 2 by argmax over the last axis. */
function toClasses(values: GridLabels, n: number, what: string, where: string): (number | string)[] {
  let out: (number | string)[];
  if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === "string")) out = [...(values as string[])];
  else {
    const t = convertToTensor(values as TensorLike);
    if (t.rank === 2) out = Array.from(ops.argmax(t, -1).dataSync());
    else if (t.rank === 1) out = Array.from(t.dataSync());
    else throw new RangeError(`${where}: ${what} must be one class per image ([n]) or scores per class ([n, classes]), got shape ${formatShape(t.shape)}`);
  }
  if (out.length < n) throw new RangeError(`${where}: ${n} images but only ${out.length} ${what}`);
  return out.slice(0, n);
}

/** Approximate advance of DejaVu Sans text (digits are 0.636 em; a little more for letters). */
function textWidth(text: string, fontSize: number): number {
  return Math.ceil(text.length * fontSize * 0.64);
}

/** Base64 of `bytes`, by `btoa` (in browsers and Node alike), a chunk of characters at a time. */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(text);
}

function dataUri(img: Image, zoom: number, cmap: "binary" | "gray"): string {
  const { width: w, height: h, channels: c, data } = img;
  const W = w * zoom;
  const big = new Uint8Array(W * h * zoom * c);
  for (let y = 0; y < h * zoom; y++) {
    const sy = Math.floor(y / zoom);
    for (let x = 0; x < W; x++) {
      const s = (sy * w + Math.floor(x / zoom)) * c;
      const o = (y * W + x) * c;
      for (let k = 0; k < c; k++) big[o + k] = c === 1 && cmap === "binary" ? 255 - data[s + k] : data[s + k];
    }
  }
  return `data:image/png;base64,${base64(encodePng({ width: W, height: h * zoom, channels: c, data: big }))}`;
}

/**
 * The grid as an SVG document, and where each image went. `images` is a tensor `[n, h, w]` or
 * `[n, h, w, c]` (c = 1, 3 or 4; uint8 as pixels, other dtypes scaled per image), or an array of
 * single-image tensors.
 */
export function imageGridSvg(images: TensorLike | readonly TensorLike[], options: ImageGridOptions = {}): { svg: string; layout: ImageGridLayout } {
  const where = "saveImageGrid";
  const imgs = toImages(images, options, where);
  const n = imgs.length;
  const cmap = options.cmap ?? "binary";
  if (cmap !== "binary" && cmap !== "gray") throw new TypeError(`${where}: cmap must be "binary" or "gray", got ${JSON.stringify(cmap)}`);
  const labels = options.labels === undefined ? undefined : toClasses(options.labels, n, "labels", where);
  const preds = options.predictions === undefined ? undefined : toClasses(options.predictions, n, "predictions", where);
  const name = (v: number | string): string => (typeof v === "number" && options.classNames?.[v] !== undefined ? options.classNames[v] : String(v));

  const maxW = Math.max(...imgs.map((i) => i.width));
  const maxH = Math.max(...imgs.map((i) => i.height));
  const zoom = options.zoom ?? Math.max(1, Math.ceil(96 / Math.max(maxW, maxH)));
  if (!Number.isInteger(zoom) || zoom < 1) throw new RangeError(`${where}: zoom must be a positive integer, got ${zoom}`);
  const columns = Math.min(n, options.columns ?? Math.max(1, Math.ceil(Math.sqrt(2 * n))));
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`${where}: columns must be a positive integer, got ${options.columns}`);
  const rows = Math.ceil(n / columns);

  const texts = imgs.map((_, i) => {
    if (preds !== undefined) return labels === undefined ? `pred ${name(preds[i])}` : `${name(preds[i])}/${name(labels[i])}`;
    return labels === undefined ? "" : name(labels[i]);
  });
  const wrong = imgs.map((_, i) => preds !== undefined && labels !== undefined && String(preds[i]) !== String(labels[i]));
  const nWrong = wrong.filter(Boolean).length;

  const boxW = maxW * zoom + 2 * FRAME;
  const cellW = Math.max(boxW, ...texts.map((t) => textWidth(t, LABEL_FONT) + 4));
  const cellH = maxH * zoom + 2 * FRAME + (labels === undefined && preds === undefined ? 0 : LABEL_HEIGHT);
  const header: { text: string; size: number; bold: boolean; color: string }[] = [];
  if (options.title !== undefined && options.title !== "") header.push({ text: options.title, size: TITLE_FONT, bold: true, color: "#222222" });
  if (preds !== undefined && labels !== undefined) {
    header.push({
      text: `pred/true under each image; ${nWrong} of ${n} wrong${nWrong > 0 ? " (red)" : ""}`,
      size: NOTE_FONT,
      bold: false,
      color: nWrong > 0 ? WRONG_COLOR : "#444444",
    });
  }
  const headerH = header.reduce((a, l) => a + Math.round(l.size * 1.5), 0) + (header.length > 0 ? 6 : 0);
  const gridW = columns * cellW + (columns - 1) * GAP;
  const width = Math.max(2 * MARGIN + gridW, ...header.map((l) => 2 * MARGIN + textWidth(l.text, l.size)));
  const height = 2 * MARGIN + headerH + rows * cellH + (rows - 1) * GAP;
  const left = Math.floor((width - gridW) / 2);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  let y0 = MARGIN;
  for (const line of header) {
    const lh = Math.round(line.size * 1.5);
    parts.push(
      `<text class="heading" x="${width / 2}" y="${y0 + Math.round(line.size * 1.1)}" font-size="${line.size}"${line.bold ? ' font-weight="bold"' : ""} fill="${line.color}" text-anchor="middle">${escapeXml(line.text)}</text>`,
    );
    y0 += lh;
  }
  if (header.length > 0) y0 += 6;
  const cells: ImageGridLayout["cells"] = [];
  imgs.forEach((img, i) => {
    const cx = left + (i % columns) * (cellW + GAP);
    const cy = y0 + Math.floor(i / columns) * (cellH + GAP);
    const W = img.width * zoom;
    const H = img.height * zoom;
    // Centre the (frame + image) box in its cell; a smaller image sits centred in the image area.
    const ix = cx + Math.floor((cellW - W) / 2);
    const iy = cy + FRAME + Math.floor((maxH * zoom - H) / 2);
    const bad = wrong[i];
    parts.push(`<g class="cell${bad ? " wrong" : ""}" data-index="${i}">`);
    parts.push(`<rect class="frame" x="${ix - FRAME}" y="${iy - FRAME}" width="${W + 2 * FRAME}" height="${H + 2 * FRAME}" fill="${bad ? WRONG_COLOR : "#c8c8c8"}"/>`);
    if (!bad) parts.push(`<rect x="${ix - FRAME + 1}" y="${iy - FRAME + 1}" width="${W + 2 * FRAME - 2}" height="${H + 2 * FRAME - 2}" fill="#ffffff"/>`);
    parts.push(`<image x="${ix}" y="${iy}" width="${W}" height="${H}" image-rendering="optimizeSpeed" preserveAspectRatio="none" href="${dataUri(img, zoom, cmap)}"/>`);
    if (texts[i] !== "") {
      const ty = cy + maxH * zoom + 2 * FRAME + LABEL_FONT + 3;
      parts.push(
        `<text x="${cx + cellW / 2}" y="${ty}" font-size="${LABEL_FONT}" text-anchor="middle" fill="${bad ? WRONG_COLOR : "#222222"}"${bad ? ' font-weight="bold"' : ""}>${escapeXml(texts[i])}</text>`,
      );
    }
    parts.push(`</g>`);
    cells.push({ x: ix, y: iy, width: W, height: H, wrong: bad, text: texts[i] });
  });
  parts.push(`</svg>`);
  return { svg: parts.join("\n"), layout: { width, height, cells } };
}

/**
 * Draws many images as one picture in a web page (see `saveImageGrid` for the options): as the
 * content of `target`, or painted into it when it is a `<canvas>`. Resolves to the layout.
 *
 *   await keras.utils.drawImageGrid(document.querySelector("#digits"), xTest.slice([0, 0, 0], [16, 28, 28]), { labels: yTest });
 */
export async function drawImageGrid(target: SvgTarget, images: TensorLike | readonly TensorLike[], options: ImageGridOptions = {}): Promise<ImageGridLayout> {
  const { svg, layout } = imageGridSvg(images, options);
  await renderSvg(target, svg);
  return layout;
}

/**
 * Saves many images as one picture: `path` ending in `.png` (rasterized) or `.svg` (the SVG
 * itself). Each image gets its label under it; with `predictions`, "pred/true", and the wrong ones
 * get a red frame and red text, with a count of them at the top.
 *
 *   await keras.utils.saveImageGrid("mistakes.png", xTest32, { labels: yTest, predictions: probs });
 *
 * Written atomically (temporary file, then renamed); errors name the path. Resolves to the
 * layout: the picture's size and, per image, its box, its text and whether it was wrong.
 */
export async function saveImageGrid(path: string, images: TensorLike | readonly TensorLike[], options: ImageGridOptions = {}): Promise<ImageGridLayout> {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext !== "png" && ext !== "svg") throw new Error(`saveImageGrid: cannot tell what to write to "${path}"; use a name ending in .png or .svg`);
  const { svg, layout } = imageGridSvg(images, options);
  const bytes = ext === "svg" ? new TextEncoder().encode(svg) : await svgToPng(svg);
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw new Error(`saveImageGrid: ${(error as Error).message}`, { cause: error });
  }
  return layout;
}
