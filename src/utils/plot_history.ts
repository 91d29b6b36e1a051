import type { History } from "../callbacks/history.js";
import { FONT_FAMILY, escapeXml } from "./svg_render.js";
import { formatTick, imageFormat, integerTicks, niceTicks, num, textWidth, writeImage } from "./svg_chart.js";
import { renderSvg, type SvgTarget } from "./page_output.js";

/*
 * keras.utils.plotHistory: the training curves of `model.fit`'s History, drawn as SVG (PNG through
 * resvg). Keras itself leaves this to matplotlib (`plt.plot(history.history["accuracy"])`); this is
 * that figure: one panel per metric, training and validation curves on the same axes.
 */

export interface PlotHistoryOptions {
  /** Where to write the picture: `.png` or `.svg` (no extension means PNG). Nothing is written when omitted. */
  toFile?: string;
  /** In a web page: the element to draw the picture in (as its content), or a `<canvas>` to paint. */
  element?: SvgTarget;
  /**
   * The metrics to draw, one panel each, by their training name (`"loss"`, `"accuracy"`); each panel
   * also draws the `val_` series when the history has it. Default: every metric, loss first.
   */
  metrics?: string[];
  /** Figure title; default "Training history". */
  title?: string;
  /** Figure width in pixels; default 460 per panel column (two columns at most). */
  width?: number;
  /** Figure height in pixels; default 340 per panel row plus the title and legend. */
  height?: number;
}

type HistoryLike = History | Record<string, number[]>;

/** Colours of matplotlib's default cycle (tab:blue, tab:orange). */
const COLORS = { train: "#1f77b4", validation: "#ff7f0e" } as const;
const SPLIT_LABEL = { train: "train", validation: "validation" } as const;

interface Series {
  split: "train" | "validation";
  key: string;
  xs: number[];
  ys: number[];
}

function isHistoryObject(value: unknown): value is History {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { history?: unknown; epoch?: unknown };
  return typeof v.history === "object" && v.history !== null && !Array.isArray(v.history) && Array.isArray(v.epoch);
}

function readHistory(history: HistoryLike): { logs: Record<string, number[]>; epochs?: number[] } {
  if (isHistoryObject(history)) return { logs: history.history, epochs: history.epoch };
  if (typeof history !== "object" || history === null || Array.isArray(history)) {
    throw new TypeError(`plotHistory: expected a History (the result of model.fit) or its \`history\` object, got ${history === null ? "null" : typeof history}`);
  }
  return { logs: history as Record<string, number[]> };
}

/** Metric names (training names) in the history: loss first, then in the order recorded. */
function availableMetrics(logs: Record<string, number[]>): string[] {
  const names: string[] = [];
  for (const key of Object.keys(logs)) {
    const base = key.startsWith("val_") ? key.slice(4) : key;
    if (!names.includes(base)) names.push(base);
  }
  return names.sort((a, b) => (a === "loss" ? -1 : b === "loss" ? 1 : 0));
}

/**
 * Draws loss and each metric per epoch (training and validation on the same axes, one panel per
 * metric) and returns the SVG text; with `toFile`, also writes it as `.svg` or `.png` (atomically).
 * Accepts the History returned by `model.fit` or its `history` object.
 *
 *   const history = await model.fit(x, y, { epochs: 10, validationData: [xTest, yTest] });
 *   await keras.utils.plotHistory(history, { toFile: "history.png" });
 *   await keras.utils.plotHistory(history, { element: document.querySelector("#plot") }); // a page
 *
 * During `fit`, `keras.callbacks.LivePlot` redraws it every epoch.
 */
export async function plotHistory(history: HistoryLike, options: PlotHistoryOptions = {}): Promise<string> {
  if (options.toFile !== undefined) imageFormat("plotHistory", options.toFile);
  const svg = historyToSvg(history, options);
  if (options.element !== undefined) await renderSvg(options.element, svg);
  if (options.toFile !== undefined) await writeImage("plotHistory", options.toFile, svg);
  return svg;
}

/** The SVG text of `plotHistory` (synchronous; writes nothing). */
export function historyToSvg(history: HistoryLike, options: Omit<PlotHistoryOptions, "toFile" | "element"> = {}): string {
  const { logs, epochs } = readHistory(history);
  for (const [key, values] of Object.entries(logs)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== "number")) {
      throw new TypeError(`plotHistory: history['${key}'] must be a list of numbers (one per epoch)`);
    }
  }
  const length = Math.max(0, ...Object.values(logs).map((v) => v.length));
  if (length === 0) throw new Error("plotHistory: the history is empty (no epochs recorded); train the model with fit() first");
  const available = availableMetrics(logs).filter((m) => (logs[m]?.length ?? 0) > 0 || (logs[`val_${m}`]?.length ?? 0) > 0);
  const metrics = options.metrics ?? available;
  if (!Array.isArray(metrics) || metrics.length === 0) throw new Error(`plotHistory: metrics must be a non-empty list of metric names; available: ${available.join(", ")}`);
  for (const m of metrics) {
    if (!available.includes(m)) {
      const hint = m.startsWith("val_") && available.includes(m.slice(4)) ? ` (validation curves are drawn in the panel of '${m.slice(4)}')` : "";
      throw new Error(`plotHistory: unknown metric '${m}'${hint}; available metrics: ${available.join(", ")}`);
    }
  }
  const xsFor = (n: number): number[] =>
    epochs !== undefined && epochs.length === n ? epochs.map((e) => e + 1) : Array.from({ length: n }, (_, i) => i + 1);
  const panels = metrics.map((metric) => {
    const series: Series[] = [];
    for (const [split, key] of [["train", metric], ["validation", `val_${metric}`]] as const) {
      const values = logs[key];
      if (values !== undefined && values.length > 0) series.push({ split, key, xs: xsFor(values.length), ys: values });
    }
    return { metric, series };
  });

  const cols = Math.min(2, panels.length);
  const rows = Math.ceil(panels.length / cols);
  const outer = 16;
  const headerHeight = 76;
  const width = options.width ?? cols * 460 + 2 * outer;
  const height = options.height ?? headerHeight + rows * 340 + outer;
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 120) throw new RangeError(`plotHistory: ${name} must be a number of pixels >= 120, got ${value}`);
  }
  const title = options.title ?? "Training history";
  const cellWidth = (width - 2 * outer) / cols;
  const cellHeight = (height - headerHeight - outer) / rows;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT_FAMILY}">`);
  out.push(`<rect class="background" width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${num(width / 2)}" y="30" text-anchor="middle" font-size="18" font-weight="bold" fill="#222222">${escapeXml(title)}</text>`);

  // Legend: one entry per kind of series present, centred under the title.
  const splits = (["train", "validation"] as const).filter((s) => panels.some((p) => p.series.some((q) => q.split === s)));
  const entryWidths = splits.map((s) => 34 + textWidth(SPLIT_LABEL[s], 13));
  let lx = width / 2 - (entryWidths.reduce((a, b) => a + b, 0) + 16 * (splits.length - 1)) / 2;
  out.push(`<g class="legend">`);
  splits.forEach((split, i) => {
    const color = COLORS[split];
    out.push(`<g class="legend-entry" data-split="${split}">`);
    out.push(`<line x1="${num(lx)}" y1="54" x2="${num(lx + 26)}" y2="54" stroke="${color}" stroke-width="2"/>`);
    out.push(marker(split, lx + 13, 54, 3.5));
    out.push(`<text x="${num(lx + 32)}" y="58.5" font-size="13" fill="#222222">${SPLIT_LABEL[split]}</text>`);
    out.push(`</g>`);
    lx += entryWidths[i] + 16;
  });
  out.push(`</g>`);

  panels.forEach((panel, index) => {
    const cellX = outer + (index % cols) * cellWidth;
    const cellY = headerHeight + Math.floor(index / cols) * cellHeight;
    out.push(...drawPanel(panel.metric, panel.series, cellX, cellY, cellWidth, cellHeight));
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function marker(split: "train" | "validation", x: number, y: number, r: number): string {
  const color = COLORS[split];
  if (split === "train") return `<circle class="marker" cx="${num(x)}" cy="${num(y)}" r="${num(r)}" fill="${color}"/>`;
  const s = r * 0.9;
  return `<rect class="marker" x="${num(x - s)}" y="${num(y - s)}" width="${num(2 * s)}" height="${num(2 * s)}" fill="${color}"/>`;
}

function drawPanel(metric: string, series: Series[], cellX: number, cellY: number, cellWidth: number, cellHeight: number): string[] {
  const out: string[] = [];
  const finite = series.flatMap((s) => s.ys.filter((v) => Number.isFinite(v)));
  const yInfo = finite.length > 0 ? niceTicks(Math.min(...finite), Math.max(...finite), 6) : niceTicks(0, 1, 6);
  const yLabels = yInfo.ticks.map((t) => formatTick(t, yInfo.step, yInfo.decimals));
  const tickFont = 11;
  const labelFont = 13;
  const left = cellX + 22 + Math.max(...yLabels.map((l) => textWidth(l, tickFont))) + 8;
  const right = cellX + cellWidth - 14;
  const top = cellY + 26;
  const bottom = cellY + cellHeight - 46;
  const pad = 8;
  const allX = series.flatMap((s) => s.xs);
  let xMin = Math.min(...allX);
  let xMax = Math.max(...allX);
  const xTicks = integerTicks(xMin, xMax, Math.max(2, Math.floor((right - left) / 32)));
  if (xMin === xMax) {
    xMin -= 1;
    xMax += 1;
  }
  const yMin = yInfo.ticks[0];
  const yMax = yInfo.ticks[yInfo.ticks.length - 1];
  const px = (x: number) => left + pad + ((x - xMin) / (xMax - xMin)) * (right - left - 2 * pad);
  const py = (y: number) => bottom - pad - ((y - yMin) / (yMax - yMin)) * (bottom - top - 2 * pad);

  out.push(`<g class="panel" data-metric="${escapeXml(metric)}">`);
  out.push(`<text class="panel-title" x="${num((left + right) / 2)}" y="${num(cellY + 16)}" text-anchor="middle" font-size="14" font-weight="bold" fill="#222222">${escapeXml(metric)}</text>`);
  // Grid and ticks.
  out.push(`<g class="grid" stroke="#e3e3e3" stroke-width="1">`);
  for (const t of yInfo.ticks) out.push(`<line x1="${num(left)}" y1="${num(py(t))}" x2="${num(right)}" y2="${num(py(t))}"/>`);
  for (const t of xTicks) out.push(`<line x1="${num(px(t))}" y1="${num(top)}" x2="${num(px(t))}" y2="${num(bottom)}"/>`);
  out.push(`</g>`);
  out.push(`<rect class="frame" x="${num(left)}" y="${num(top)}" width="${num(right - left)}" height="${num(bottom - top)}" fill="none" stroke="#444444" stroke-width="1"/>`);
  out.push(`<g class="y-ticks" font-size="${tickFont}" fill="#333333" text-anchor="end">`);
  yInfo.ticks.forEach((t, i) => {
    out.push(`<line x1="${num(left - 4)}" y1="${num(py(t))}" x2="${num(left)}" y2="${num(py(t))}" stroke="#444444"/>`);
    out.push(`<text class="tick-label" x="${num(left - 6)}" y="${num(py(t) + 4)}">${yLabels[i]}</text>`);
  });
  out.push(`</g>`);
  out.push(`<g class="x-ticks" font-size="${tickFont}" fill="#333333" text-anchor="middle">`);
  for (const t of xTicks) {
    out.push(`<line x1="${num(px(t))}" y1="${num(bottom)}" x2="${num(px(t))}" y2="${num(bottom + 4)}" stroke="#444444"/>`);
    out.push(`<text class="tick-label" x="${num(px(t))}" y="${num(bottom + 16)}">${t}</text>`);
  }
  out.push(`</g>`);
  out.push(`<text class="axis-label x-label" x="${num((left + right) / 2)}" y="${num(bottom + 36)}" text-anchor="middle" font-size="${labelFont}" fill="#222222">Epoch</text>`);
  const yMid = (top + bottom) / 2;
  const yLabelX = cellX + 14;
  out.push(`<text class="axis-label y-label" x="${num(yLabelX)}" y="${num(yMid)}" text-anchor="middle" font-size="${labelFont}" fill="#222222" transform="rotate(-90 ${num(yLabelX)} ${num(yMid)})">${escapeXml(metric)}</text>`);

  // Curves: one polyline per series, with a marker at each epoch.
  const points = Math.max(...series.map((s) => s.xs.length));
  const r = Math.max(1.5, Math.min(3.5, (right - left) / points / 5));
  for (const s of series) {
    const pts = s.xs.map((x, i) => [x, s.ys[i]] as const).filter(([, y]) => Number.isFinite(y));
    const color = COLORS[s.split];
    out.push(`<g class="series" data-key="${escapeXml(s.key)}" data-split="${s.split}">`);
    out.push(`<polyline points="${pts.map(([x, y]) => `${num(px(x))},${num(py(y))}`).join(" ")}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>`);
    for (const [x, y] of pts) out.push(marker(s.split, px(x), py(y), r));
    out.push(`</g>`);
  }
  out.push(`</g>`);
  return out;
}
