import { platform } from "../platform/platform.js";
import { svgToPng } from "./svg_render.js";

/*
 * Small helpers shared by keras-ts's drawn pictures (plotHistory, plotModel): text widths in
 * DejaVu Sans, "nice" axis ticks, number formatting, and writing an SVG or PNG file atomically.
 */

// Advance widths of DejaVu Sans (regular and bold) for the printable ASCII characters 32..126, in
// thousandths of an em, read from the TTF files of the npm package `dejavu-fonts-ttf`.
// prettier-ignore
const REGULAR = [318,401,460,838,636,950,780,275,390,390,500,838,318,361,318,337,636,636,636,636,636,636,636,636,636,636,337,337,838,838,838,531,1000,684,686,698,770,632,575,775,752,295,295,656,557,863,748,787,603,787,695,635,611,732,684,989,685,611,685,390,337,390,838,500,500,613,635,550,635,615,352,635,634,278,278,579,278,974,634,612,635,635,411,521,392,634,592,818,592,592,525,636,337,636,838];
// prettier-ignore
const BOLD = [348,456,521,838,696,1002,872,306,457,457,523,838,380,415,380,365,696,696,696,696,696,696,696,696,696,696,400,400,838,838,838,580,1000,774,762,734,830,683,683,821,837,372,372,775,637,995,837,850,733,850,770,720,682,812,774,1103,771,724,725,457,365,457,838,500,500,675,716,593,716,678,435,716,712,343,343,665,343,1042,712,687,716,716,493,595,478,712,652,924,645,652,582,712,365,712,838];

/** Width of `text` set in DejaVu Sans at `fontSize` (same units as the font size). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let total = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    // Outside ASCII: DejaVu's average advance (wide characters count double).
    total += code >= 32 && code < 127 ? table[code - 32] : code >= 0x1100 && code <= 0xffdc ? 1000 : bold ? 680 : 620;
  }
  return (total / 1000) * fontSize;
}

/** Ticks at a round step (1, 2, 2.5 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, maxTicks = 6): { ticks: number[]; step: number; decimals: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`niceTicks: non-finite range [${min}, ${max}]`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.05;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, maxTicks - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9))!;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(k * step);
  return { ticks, step, decimals: stepDecimals(step) };
}

/** Integer ticks (for epochs) at a round step within [min, max]. */
export function integerTicks(min: number, max: number, maxTicks = 10): number[] {
  const span = Math.max(0, max - min);
  const raw = Math.max(1, span / Math.max(1, maxTicks - 1));
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, Math.round([1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9))!));
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step); k * step <= max; k++) ticks.push(k * step);
  if (ticks.length === 0 || (step > 1 && ticks[0] - min >= step / 2 && min >= 1)) ticks.unshift(min);
  return ticks;
}

function stepDecimals(step: number): number {
  for (let d = 0; d <= 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.round(scaled) >= 1 && Math.abs(scaled - Math.round(scaled)) < 1e-6 * scaled) return d;
  }
  return 12;
}

/** A tick label: fixed decimals for ordinary ranges, exponent form for very small or large ones. */
export function formatTick(value: number, step: number, decimals: number): string {
  if (Math.abs(value) < step * 1e-6) value = 0;
  if (decimals > 5 || Math.abs(value) >= 1e7) {
    if (value === 0) return "0";
    const digits = Math.max(0, Math.min(6, Math.floor(Math.log10(Math.abs(value))) - Math.floor(Math.log10(step)) + (stepDecimals(step / 10 ** Math.floor(Math.log10(step))) > 0 ? 1 : 0)));
    return value.toExponential(digits).replace(/\.?0+e/, "e").replace("e+", "e");
  }
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A number written compactly for SVG attributes. */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

export type ImageFormat = "svg" | "png";

/**
 * The image format for `toFile`, from its extension (case-insensitive); no extension means PNG,
 * as in Keras's `plot_model`. Any other extension is an error.
 */
export function imageFormat(fn: string, toFile: string): ImageFormat {
  if (typeof toFile !== "string" || toFile.length === 0) throw new TypeError(`${fn}: toFile must be a non-empty file path, got ${JSON.stringify(toFile)}`);
  const ext = platform().path.extname(toFile).toLowerCase();
  if (ext === "" || ext === ".png") return "png";
  if (ext === ".svg") return "svg";
  throw new Error(`${fn}: unsupported file extension '${platform().path.extname(toFile)}' in '${toFile}'; supported: .png, .svg`);
}

/**
 * Writes `svg` to `toFile` as SVG text or as a PNG rasterized at `pngWidth` pixels wide (the SVG's
 * own size when omitted). Atomic: the bytes go to a temporary file in the same directory, renamed
 * over `toFile` at the end, so a failed write leaves any previous file as it was.
 */
export async function writeImage(fn: string, toFile: string, svg: string, pngWidth?: number): Promise<void> {
  const format = imageFormat(fn, toFile);
  const data = format === "svg" ? new TextEncoder().encode(svg) : await svgToPng(svg, { width: pngWidth === undefined ? undefined : Math.max(1, Math.round(pngWidth)) });
  try {
    await platform().writeFileAtomic(toFile, data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${fn}: cannot write '${toFile}': ${reason}`, { cause: error });
  }
}
