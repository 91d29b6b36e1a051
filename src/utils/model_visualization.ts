import type { KerasTensor } from "../backend/keras_tensor.js";
import type { Layer } from "../layers/layer.js";
import type { Node } from "../layers/node.js";
import { mapGraph } from "../saving/functional_graph.js";
import { FONT_FAMILY, escapeXml } from "./svg_render.js";
import { imageFormat, num, textWidth, writeImage } from "./svg_chart.js";
import { renderSvg, type SvgTarget } from "./page_output.js";

/*
 * keras.utils.plotModel / modelToSvg: Keras 3's `plot_model` / `model_to_dot`
 * (keras/src/utils/model_visualization.py). Keras hands a dot graph to graphviz; keras-ts lays the
 * graph out itself (layers ranked by longest path from the inputs, barycenter ordering against
 * crossings, long edges routed through the ranks they span) and draws the SVG, with Keras's boxes:
 * a black header "name (Class)" over white cells "Input shape: (None, 784)" | "Output shape: ...".
 * SVG units are points, as in graphviz's output, so a PNG at `dpi` is `dpi / 72` pixels per unit.
 */

export type RankDir = "TB" | "LR" | "BT" | "RL";

export interface ModelToSvgOptions {
  /** Show each layer's input and output shapes. Keras's default: false. */
  showShapes?: boolean;
  /** Show each layer's output dtype. Keras's default: false. */
  showDtype?: boolean;
  /** Show layer names ("dense (Dense)") rather than the class alone. */
  showLayerNames?: boolean;
  /** "TB" (top to bottom, Keras's default) or "LR" (left to right); also "BT" and "RL" as in graphviz. */
  rankdir?: RankDir;
  /** Draw the layers of nested Functional and Sequential models inside dashed boxes. Keras's default: false. */
  expandNested?: boolean;
  /** Show the activation of layers that have one. Keras's default: false. */
  showLayerActivations?: boolean;
  /** Mark layers with weights as Trainable / Non-trainable. Keras's default: false. */
  showTrainable?: boolean;
}

export interface PlotModelOptions extends ModelToSvgOptions {
  /**
   * The picture's file: `.png` or `.svg` (no extension means PNG, as in Keras). Keras's default:
   * "model.png", unless `element` is given.
   */
  toFile?: string;
  /** In a web page: the element to draw the picture in (as its content), or a `<canvas>` to paint. */
  element?: SvgTarget;
  /** Resolution of the PNG in dots per inch (one SVG unit is a point, 1/72 inch). Keras's default: 200. */
  dpi?: number;
}

/** What plotModel needs of a model (any keras-ts Model). */
export interface VisualizableModel {
  name: string;
  built: boolean;
  layers: Layer[];
}

// ---- the graph -------------------------------------------------------------------------------

interface Cluster {
  id: number;
  name: string;
  parent: Cluster | null;
  depth: number;
}

interface TextPart {
  text: string;
  bold?: boolean;
}

interface Cell {
  parts: TextPart[];
  fill: string;
  color: string;
  width: number;
}

interface Box {
  id: number;
  layer: Layer;
  cluster: Cluster | null;
  header: Cell;
  rows: Cell[][];
  rowHeights: number[];
  width: number;
  height: number;
}

interface Graph {
  boxes: Box[];
  boxOf: Map<Layer, Box>;
  edges: [Box, Box][];
  clusters: Cluster[];
}

/** Class names along the prototype chain (each keras-ts class carries a static `className`). */
function classNames(obj: object): string[] {
  const names: string[] = [];
  let ctor: unknown = (obj as { constructor?: unknown }).constructor;
  while (typeof ctor === "function" && ctor !== Object) {
    const className = (ctor as { className?: unknown }).className;
    if (Object.prototype.hasOwnProperty.call(ctor, "className") && typeof className === "string") names.push(className);
    ctor = Object.getPrototypeOf(ctor);
  }
  return names;
}

/** The class name Keras shows (`layer.__class__.__name__`): a subclass without its own `className` shows its JS class name. */
function layerClassName(layer: Layer): string {
  const ctor = layer.constructor as { className?: string; name?: string };
  // `layer.className()`, not the static: `new keras.Model({ inputs, outputs })` is a Functional.
  if (Object.prototype.hasOwnProperty.call(ctor, "className") && typeof ctor.className === "string") return layer.className();
  return ctor.name || layer.className();
}

function isSequential(obj: object): boolean {
  return classNames(obj).includes("Sequential");
}

function isFunctional(obj: object): obj is VisualizableModel & { inputs: KerasTensor[]; outputs: KerasTensor[] } {
  const o = obj as { inputs?: unknown; outputs?: unknown };
  const kind = (obj as { objType?: () => string }).objType?.();
  return (kind === "Functional" || classNames(obj).includes("Functional")) && Array.isArray(o.inputs) && Array.isArray(o.outputs);
}

function isModel(obj: object): boolean {
  return classNames(obj).includes("Model");
}

/** Python's repr of a shape tuple: `(None, 784)`, `(None,)`. */
function formatShape(shape: readonly (number | null)[]): string {
  return `(${shape.map((d) => (d === null ? "None" : String(d))).join(", ")}${shape.length === 1 ? "," : ""})`;
}

function formatStructure<T>(value: T | T[] | undefined, fmt: (v: T) => string): string {
  if (value === undefined) return "?";
  if (Array.isArray(value)) return `[${value.map(fmt).join(", ")}]`;
  return fmt(value);
}

function activationName(layer: Layer): string | null {
  const activation = (layer as unknown as { activation?: unknown }).activation;
  if (activation === undefined || activation === null) return null;
  if (typeof activation === "function") {
    const fn = activation as { activationName?: string; name?: string };
    return fn.activationName ?? (fn.name || "function");
  }
  if (typeof activation === "string") return activation;
  return String(activation);
}

const HEADER_FONT = 16;
const BODY_FONT = 14;
const PAD_X = 10;
const PAD_Y = 7;
/** Black space around and between cells (graphviz's cellspacing 2 plus the cell border). */
const GAP = 3;

function cell(parts: TextPart[], fontSize: number, fill = "#ffffff", color = "#000000"): Cell {
  const width = parts.reduce((w, p) => w + textWidth(p.text, fontSize, p.bold), 0) + 2 * PAD_X;
  return { parts, fill, color, width };
}

/** Keras's `make_layer_label`: header with the name and class, then the activation, then shape / dtype / trainable cells. */
function makeBox(id: number, layer: Layer, node: Node | undefined, cluster: Cluster | null, options: Required<ModelToSvgOptions>): Box {
  const className = layerClassName(layer);
  const header = options.showLayerNames
    ? cell([{ text: layer.name, bold: true }, { text: ` (${className})` }], HEADER_FONT, "#000000", "#ffffff")
    : cell([{ text: className, bold: true }], HEADER_FONT, "#000000", "#ffffff");
  const rows: Cell[][] = [];
  const activation = options.showLayerActivations ? activationName(layer) : null;
  if (activation !== null) rows.push([cell([{ text: "Activation: " }, { text: activation, bold: true }], BODY_FONT)]);
  const cols: Cell[] = [];
  if (options.showShapes) {
    const shapeOf = (t: KerasTensor) => formatShape(t.shape);
    if (className !== "InputLayer") cols.push(cell([{ text: "Input shape: " }, { text: formatStructure(node?.inputs, shapeOf), bold: true }], BODY_FONT));
    cols.push(cell([{ text: "Output shape: " }, { text: formatStructure(node?.outputs, shapeOf), bold: true }], BODY_FONT));
  }
  if (options.showDtype) {
    const dtype = formatStructure(node?.outputs, (t: KerasTensor) => (Array.isArray(node?.outputs) ? `'${t.dtype}'` : t.dtype));
    cols.push(cell([{ text: "Output dtype: " }, { text: dtype, bold: true }], BODY_FONT));
  }
  if (options.showTrainable && layer.weights.length > 0) {
    cols.push(
      layer.trainable
        ? cell([{ text: "Trainable", bold: true }], BODY_FONT, "#228b22", "#ffffff")
        : cell([{ text: "Non-trainable", bold: true }], BODY_FONT, "#b22222", "#ffffff"),
    );
  }
  if (cols.length > 0) rows.push(cols);
  const rowWidth = (r: Cell[]) => r.reduce((w, c) => w + c.width, 0) + GAP * (r.length - 1);
  const inner = Math.max(header.width, ...rows.map(rowWidth));
  for (const r of rows) {
    const extra = (inner - rowWidth(r)) / r.length;
    for (const c of r) c.width += extra;
  }
  header.width = inner;
  const headerHeight = HEADER_FONT * 1.17 + 2 * PAD_Y;
  const rowHeights = rows.map(() => BODY_FONT * 1.17 + 2 * PAD_Y);
  const height = headerHeight + rowHeights.reduce((h, r) => h + r + GAP, 0) + 2 * GAP;
  return { id, layer, cluster, header, rows, rowHeights: [headerHeight, ...rowHeights], width: inner + 2 * GAP, height };
}

function buildGraph(model: VisualizableModel, options: Required<ModelToSvgOptions>): Graph {
  const graph: Graph = { boxes: [], boxOf: new Map(), edges: [], clusters: [] };
  const edgeKeys = new Set<string>();
  const addBox = (layer: Layer, node: Node | undefined, cluster: Cluster | null) => {
    if (graph.boxOf.has(layer)) return;
    const box = makeBox(graph.boxes.length, layer, node, cluster, options);
    graph.boxes.push(box);
    graph.boxOf.set(layer, box);
  };
  const addEdge = (source: Layer, target: Layer) => {
    const a = graph.boxOf.get(source);
    const b = graph.boxOf.get(target);
    if (a === undefined || b === undefined) return;
    const key = `${a.id}->${b.id}`;
    // Keras's add_edge: one edge per (source, destination) pair.
    if (edgeKeys.has(key)) return;
    edgeKeys.add(key);
    graph.edges.push([a, b]);
  };
  const expand = options.expandNested;
  const expandable = (layer: Layer) => expand && (isSequential(layer) || isFunctional(layer));
  // With expand_nested, an edge into or out of a nested model goes to the box inside it.
  const resolveSource = (layer: Layer, tensorIndex: number): Layer => {
    while (expandable(layer)) {
      if (isFunctional(layer)) {
        const h = layer.outputs[tensorIndex].kerasHistory!;
        layer = h.layer as Layer;
        tensorIndex = h.tensorIndex;
      } else {
        const stack = (layer as unknown as VisualizableModel).layers;
        layer = stack[stack.length - 1];
        tensorIndex = 0;
      }
    }
    return layer;
  };
  const resolveTarget = (layer: Layer, inputIndex: number): Layer => {
    while (expandable(layer)) {
      if (isFunctional(layer)) layer = layer.inputs[Math.min(inputIndex, layer.inputs.length - 1)].kerasHistory!.layer as Layer;
      else layer = (layer as unknown as VisualizableModel).layers[0];
      inputIndex = 0;
    }
    return layer;
  };

  const visit = (m: VisualizableModel, cluster: Cluster | null): void => {
    if (isSequential(m)) {
      const layers = m.layers;
      for (const layer of layers) {
        if (expandable(layer)) visitNested(layer, cluster);
        else addBox(layer, layer.inboundNodes[layer.inboundNodes.length - 1], cluster);
      }
      for (let i = 0; i + 1 < layers.length; i++) addEdge(resolveSource(layers[i], 0), resolveTarget(layers[i + 1], 0));
      return;
    }
    if (!isFunctional(m)) {
      // Keras draws a subclassed model as a single box.
      addBox(m as unknown as Layer, (m as unknown as Layer).inboundNodes[0], cluster);
      return;
    }
    const map = mapGraph(m.inputs, m.outputs);
    const graphNode = (layer: Layer) => layer.inboundNodes.find((n) => map.nodes.has(n));
    for (const layer of map.layers) {
      if (expandable(layer)) visitNested(layer, cluster);
      else addBox(layer, graphNode(layer), cluster);
    }
    for (const layer of map.layers) {
      for (const node of layer.inboundNodes) {
        if (!map.nodes.has(node)) continue;
        node.inputTensors.forEach((t, inputIndex) => {
          const h = t.kerasHistory;
          if (h === undefined) return;
          addEdge(resolveSource(h.layer as Layer, h.tensorIndex), resolveTarget(layer, inputIndex));
        });
      }
    }
  };
  const visitNested = (layer: Layer, parent: Cluster | null): void => {
    const cluster: Cluster = { id: graph.clusters.length, name: layer.name, parent, depth: (parent?.depth ?? 0) + 1 };
    graph.clusters.push(cluster);
    visit(layer as unknown as VisualizableModel, cluster);
  };
  visit(model, null);
  return graph;
}

// ---- layout ----------------------------------------------------------------------------------

/** A vertex of the layered graph: a layer's box, or a bend point of an edge spanning several ranks. */
interface Vertex {
  box: Box | null;
  rank: number;
  /** Size across the ranks (box width in TB) and along them (box height in TB). */
  across: number;
  along: number;
  cluster: Cluster | null;
  pos: number;
  order: number;
  up: { v: Vertex; w: number }[];
  down: { v: Vertex; w: number }[];
}

interface LayoutEdge {
  source: Box;
  target: Box;
  /** The chain of vertices from the upper end to the lower end. */
  chain: Vertex[];
  reversed: boolean;
  selfLoop: boolean;
}

/** Ranks by longest path from the sources, after turning edges that close a cycle around (a layer shared in a loop). */
function assignRanks(boxes: Box[], edges: [Box, Box][]): { rank: number[]; reversed: Set<number> } {
  const n = boxes.length;
  const out: number[][] = Array.from({ length: n }, () => []);
  edges.forEach(([a, b], i) => {
    if (a !== b) out[a.id].push(i);
  });
  const reversed = new Set<number>();
  const state = new Uint8Array(n);
  const dfs = (v: number) => {
    state[v] = 1;
    for (const i of out[v]) {
      const w = edges[i][1].id;
      if (state[w] === 1) reversed.add(i);
      else if (state[w] === 0) dfs(w);
    }
    state[v] = 2;
  };
  const indegree = new Array(n).fill(0);
  edges.forEach(([a, b]) => {
    if (a !== b) indegree[b.id]++;
  });
  for (let v = 0; v < n; v++) if (indegree[v] === 0 && state[v] === 0) dfs(v);
  for (let v = 0; v < n; v++) if (state[v] === 0) dfs(v);
  const dag: [number, number][] = [];
  edges.forEach(([a, b], i) => {
    if (a !== b) dag.push(reversed.has(i) ? [b.id, a.id] : [a.id, b.id]);
  });
  const rank = new Array(n).fill(0);
  // Longest path: relax in topological order (Kahn).
  const deg = new Array(n).fill(0);
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of dag) {
    succ[a].push(b);
    deg[b]++;
  }
  const queue = [...Array(n).keys()].filter((v) => deg[v] === 0);
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of succ[v]) {
      rank[w] = Math.max(rank[w], rank[v] + 1);
      if (--deg[w] === 0) queue.push(w);
    }
  }
  return { rank, reversed };
}

function commonCluster(a: Cluster | null, b: Cluster | null): Cluster | null {
  const ancestors = new Set<Cluster>();
  for (let c = a; c !== null; c = c.parent) ancestors.add(c);
  for (let c = b; c !== null; c = c.parent) if (ancestors.has(c)) return c;
  return null;
}

function clusterPath(c: Cluster | null): Cluster[] {
  const path: Cluster[] = [];
  for (let x = c; x !== null; x = x.parent) path.unshift(x);
  return path;
}

/** Number of cluster borders between two neighbouring vertices (each needs room for a frame). */
function bordersBetween(a: Cluster | null, b: Cluster | null): number {
  const common = commonCluster(a, b);
  const d = common?.depth ?? 0;
  return (a?.depth ?? 0) - d + (b?.depth ?? 0) - d;
}

/**
 * Reorders a rank by `key` (a barycenter), keeping the members of each nested model together:
 * a cluster moves as one item, placed at the mean key of its members.
 */
function sortRank(rank: Vertex[], key: Map<Vertex, number>): Vertex[] {
  const sortLevel = (items: Vertex[], depth: number): Vertex[] => {
    const groups = new Map<Cluster | Vertex, Vertex[]>();
    for (const v of items) {
      const path = clusterPath(v.cluster);
      const g = path.length > depth ? path[depth] : v;
      (groups.get(g) ?? groups.set(g, []).get(g)!).push(v);
    }
    const entries = [...groups.entries()].map(([g, vs]) => ({ g, vs, k: vs.reduce((s, v) => s + key.get(v)!, 0) / vs.length }));
    entries.sort((x, y) => x.k - y.k);
    return entries.flatMap((e) => ("id" in e.g && "depth" in e.g ? sortLevel(e.vs, depth + 1) : e.vs));
  };
  return sortLevel(rank, 0);
}

function countCrossings(upper: Vertex[], lower: Vertex[]): number {
  const pairs: [number, number][] = [];
  for (const u of upper) for (const { v } of u.down) if (v.rank === lower[0]?.rank) pairs.push([u.order, v.order]);
  let crossings = 0;
  for (let i = 0; i < pairs.length; i++) {
    for (let j = i + 1; j < pairs.length; j++) {
      if ((pairs[i][0] - pairs[j][0]) * (pairs[i][1] - pairs[j][1]) < 0) crossings++;
    }
  }
  return crossings;
}

/**
 * Places one rank's vertices as close as possible to their desired positions (least squares)
 * while keeping their order and minimum separations: isotonic regression (pool adjacent violators).
 */
function placeRank(rank: Vertex[], desired: number[], separation: (a: Vertex, b: Vertex) => number): void {
  const offsets = [0];
  for (let i = 1; i < rank.length; i++) offsets.push(offsets[i - 1] + separation(rank[i - 1], rank[i]));
  const blocks: { sum: number; count: number; start: number }[] = [];
  for (let i = 0; i < rank.length; i++) {
    blocks.push({ sum: desired[i] - offsets[i], count: 1, start: i });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sum / prev.count <= last.sum / last.count) break;
      prev.sum += last.sum;
      prev.count += last.count;
      blocks.pop();
    }
  }
  for (let b = 0; b < blocks.length; b++) {
    const end = b + 1 < blocks.length ? blocks[b + 1].start : rank.length;
    const value = blocks[b].sum / blocks[b].count;
    for (let i = blocks[b].start; i < end; i++) rank[i].pos = value + offsets[i];
  }
}

interface Layout {
  vertices: Vertex[];
  ranks: Vertex[][];
  edges: LayoutEdge[];
  /** Start of each rank along the rank axis, and its size. */
  rankStart: number[];
  rankSize: number[];
}

const RANK_GAP = { TB: 46, LR: 64 };
const NODE_GAP = { TB: 28, LR: 22 };
const DUMMY_SIZE = 6;
const CLUSTER_PAD = 14;
/** Room for a nested model's name at the top of its frame. */
const CLUSTER_LABEL = 16;

function layoutGraph(graph: Graph, horizontal: boolean): Layout {
  const { boxes, edges } = graph;
  const { rank, reversed } = assignRanks(boxes, edges);
  const vertexOf = boxes.map<Vertex>((box) => ({
    box,
    rank: rank[box.id],
    across: horizontal ? box.height : box.width,
    along: horizontal ? box.width : box.height,
    cluster: box.cluster,
    pos: 0,
    order: 0,
    up: [],
    down: [],
  }));
  const vertices = [...vertexOf];
  const layoutEdges: LayoutEdge[] = [];
  edges.forEach(([a, b], i) => {
    if (a === b) {
      layoutEdges.push({ source: a, target: b, chain: [vertexOf[a.id]], reversed: false, selfLoop: true });
      return;
    }
    const isReversed = reversed.has(i);
    const [top, bottom] = isReversed ? [vertexOf[b.id], vertexOf[a.id]] : [vertexOf[a.id], vertexOf[b.id]];
    const chain: Vertex[] = [top];
    const cluster = commonCluster(a.cluster, b.cluster);
    for (let r = top.rank + 1; r < bottom.rank; r++) {
      const dummy: Vertex = { box: null, rank: r, across: DUMMY_SIZE, along: 0, cluster, pos: 0, order: 0, up: [], down: [] };
      vertices.push(dummy);
      chain.push(dummy);
    }
    chain.push(bottom);
    for (let k = 0; k + 1 < chain.length; k++) {
      // Graphviz's weights: straighter long edges (dummy to dummy) matter most.
      const w = chain[k].box === null && chain[k + 1].box === null ? 8 : chain[k].box === null || chain[k + 1].box === null ? 2 : 1;
      chain[k].down.push({ v: chain[k + 1], w });
      chain[k + 1].up.push({ v: chain[k], w });
    }
    layoutEdges.push({ source: a, target: b, chain, reversed: isReversed, selfLoop: false });
  });

  const rankCount = Math.max(0, ...vertices.map((v) => v.rank)) + 1;
  let ranks: Vertex[][] = Array.from({ length: rankCount }, () => []);
  // Initial order: the order layers appear in the model (Keras's layer order), dummies after.
  for (const v of vertices) ranks[v.rank].push(v);
  const setOrder = (rs: Vertex[][]) => rs.forEach((r) => r.forEach((v, i) => (v.order = i)));
  ranks = ranks.map((r) => sortRank(r, new Map(r.map((v, i) => [v, i]))));
  setOrder(ranks);
  const totalCrossings = () => ranks.slice(1).reduce((s, r, i) => s + countCrossings(ranks[i], r), 0);
  let best = ranks.map((r) => [...r]);
  let bestCrossings = totalCrossings();
  for (let iter = 0; iter < 16 && bestCrossings > 0; iter++) {
    const downward = iter % 2 === 0;
    const order = downward ? [...Array(rankCount).keys()].slice(1) : [...Array(rankCount).keys()].reverse().slice(1);
    for (const r of order) {
      const key = new Map<Vertex, number>();
      for (const v of ranks[r]) {
        const neighbours = downward ? v.up : v.down;
        key.set(v, neighbours.length === 0 ? v.order : neighbours.reduce((s, n) => s + n.v.order, 0) / neighbours.length);
      }
      ranks[r] = sortRank(ranks[r], key);
      ranks[r].forEach((v, i) => (v.order = i));
    }
    const crossings = totalCrossings();
    if (crossings < bestCrossings) {
      bestCrossings = crossings;
      best = ranks.map((r) => [...r]);
    }
  }
  ranks = best;
  setOrder(ranks);

  // Positions across the ranks.
  const gap = horizontal ? NODE_GAP.LR : NODE_GAP.TB;
  const separation = (a: Vertex, b: Vertex) => {
    const g = a.box === null || b.box === null ? gap / 2 : gap;
    return (a.across + b.across) / 2 + g + CLUSTER_PAD * bordersBetween(a.cluster, b.cluster);
  };
  for (const r of ranks) placeRank(r, r.map(() => 0), separation);
  const sweep = (useUp: boolean, useDown: boolean, indices: number[]) => {
    for (const ri of indices) {
      const r = ranks[ri];
      const desired = r.map((v) => {
        const ns = [...(useUp ? v.up : []), ...(useDown ? v.down : [])];
        if (ns.length === 0) return v.pos;
        const total = ns.reduce((s, n) => s + n.w, 0);
        return ns.reduce((s, n) => s + n.v.pos * n.w, 0) / total;
      });
      placeRank(r, desired, separation);
    }
  };
  const downIdx = [...Array(rankCount).keys()];
  const upIdx = [...downIdx].reverse();
  for (let iter = 0; iter < 6; iter++) {
    sweep(true, false, downIdx);
    sweep(false, true, upIdx);
  }
  sweep(true, true, downIdx);
  // Straighten chains: a vertex that is its parent's only child (and has no other parent) goes
  // right under it when its rank has room.
  for (const r of ranks.slice(1)) {
    const desired = r.map((v) => (v.up.length === 1 && v.up[0].v.down.length === 1 ? v.up[0].v.pos : v.pos));
    placeRank(r, desired, separation);
  }

  // Positions along the ranks.
  const maxDepth = Math.max(0, ...graph.clusters.map((c) => c.depth));
  const rankGap = (horizontal ? RANK_GAP.LR : RANK_GAP.TB) + 2 * CLUSTER_PAD * maxDepth;
  const rankSize = ranks.map((r) => Math.max(0, ...r.map((v) => v.along)));
  const rankStart: number[] = [];
  let at = 0;
  for (let i = 0; i < rankCount; i++) {
    rankStart.push(at);
    at += rankSize[i] + rankGap;
  }
  return { vertices, ranks, edges: layoutEdges, rankStart, rankSize };
}

// ---- drawing ---------------------------------------------------------------------------------

interface Point {
  a: number;
  l: number;
}

function drawBox(box: Box, x: number, y: number): string[] {
  const out: string[] = [];
  const name = escapeXml(box.layer.name);
  out.push(`<g class="layer" data-name="${name}" data-class="${escapeXml(layerClassName(box.layer))}">`);
  out.push(`<title>${name}</title>`);
  out.push(`<rect class="box" x="${num(x)}" y="${num(y)}" width="${num(box.width)}" height="${num(box.height)}" fill="#000000"/>`);
  const text = (c: Cell, cx: number, top: number, height: number, fontSize: number) => {
    const baseline = top + height / 2 + fontSize * 0.35;
    const spans = c.parts.map((p) => `<tspan${p.bold ? ' font-weight="bold"' : ""}>${escapeXml(p.text)}</tspan>`).join("");
    return `<text x="${num(cx)}" y="${num(baseline)}" text-anchor="middle" font-size="${fontSize}" fill="${c.color}" xml:space="preserve">${spans}</text>`;
  };
  let top = y + GAP;
  out.push(text(box.header, x + box.width / 2, top, box.rowHeights[0], HEADER_FONT));
  top += box.rowHeights[0];
  box.rows.forEach((row, i) => {
    top += GAP;
    const h = box.rowHeights[i + 1];
    let left = x + GAP;
    for (const c of row) {
      out.push(`<rect class="cell" x="${num(left)}" y="${num(top)}" width="${num(c.width)}" height="${num(h)}" fill="${c.fill}"/>`);
      out.push(text(c, left + c.width / 2, top, h, BODY_FONT));
      left += c.width + GAP;
    }
    top += h;
  });
  out.push(`</g>`);
  return out;
}

const MARGIN = 16;
const ARROW_LENGTH = 10;
const ARROW_HALF_WIDTH = 4.5;

/** The SVG text of `plotModel` (Keras's `model_to_dot`; synchronous, writes nothing). Shows layer names by default, as `model_to_dot` does. */
export function modelToSvg(model: VisualizableModel, options: ModelToSvgOptions = {}): string {
  return renderModel(model, { showLayerNames: true, ...options }, "modelToSvg").svg;
}

function renderModel(model: VisualizableModel, options: ModelToSvgOptions, fn: string): { svg: string; width: number } {
  if (typeof model !== "object" || model === null || !isModel(model)) throw new TypeError(`${fn}: expected a keras Model, got ${model === null ? "null" : typeof model}`);
  if (!model.built) {
    throw new Error(`${fn}: This model has not yet been built. Build the model first by calling \`build()\` or by calling the model on a batch of data.`);
  }
  const rankdir = options.rankdir ?? "TB";
  if (!["TB", "LR", "BT", "RL"].includes(rankdir)) throw new Error(`${fn}: rankdir must be "TB" or "LR" (or "BT", "RL"), got ${JSON.stringify(rankdir)}`);
  const resolved: Required<ModelToSvgOptions> = {
    showShapes: options.showShapes ?? false,
    showDtype: options.showDtype ?? false,
    showLayerNames: options.showLayerNames ?? false,
    rankdir,
    expandNested: options.expandNested ?? false,
    showLayerActivations: options.showLayerActivations ?? false,
    showTrainable: options.showTrainable ?? false,
  };
  const horizontal = rankdir === "LR" || rankdir === "RL";
  const graph = buildGraph(model, resolved);
  const layout = layoutGraph(graph, horizontal);
  const boxCenter = (v: Vertex): Point => ({ a: v.pos, l: layout.rankStart[v.rank] + layout.rankSize[v.rank] / 2 });
  // Nested models: frames around their members (more room for outer frames), with a label on top.
  const frames = graph.clusters.map((cluster) => {
    let a0 = Infinity, a1 = -Infinity, l0 = Infinity, l1 = -Infinity;
    for (const v of layout.vertices) {
      if (v.box === null || !clusterPath(v.cluster).includes(cluster)) continue;
      const pad = CLUSTER_PAD * (v.cluster!.depth - cluster.depth + 1);
      const c = boxCenter(v);
      a0 = Math.min(a0, c.a - v.across / 2 - pad);
      a1 = Math.max(a1, c.a + v.across / 2 + pad);
      l0 = Math.min(l0, c.l - v.along / 2 - pad);
      l1 = Math.max(l1, c.l + v.along / 2 + pad);
    }
    if (horizontal) a0 -= CLUSTER_LABEL;
    else if (rankdir === "BT") l1 += CLUSTER_LABEL;
    else l0 -= CLUSTER_LABEL;
    return { cluster, a0, a1, l0, l1 };
  }).filter((f) => Number.isFinite(f.a0));

  // Extent: boxes, frames and the room self-loops need.
  const loopRoom = (v: Vertex) => (layout.edges.some((e) => e.selfLoop && e.source === v.box) ? 30 : 0);
  let minA = Infinity, maxA = -Infinity;
  for (const v of layout.vertices) {
    minA = Math.min(minA, v.pos - v.across / 2);
    maxA = Math.max(maxA, v.pos + v.across / 2 + loopRoom(v));
  }
  const lastRank = layout.rankStart.length - 1;
  let minL = 0, maxL = layout.rankStart[lastRank] + layout.rankSize[lastRank];
  for (const f of frames) {
    minA = Math.min(minA, f.a0);
    maxA = Math.max(maxA, f.a1);
    minL = Math.min(minL, f.l0);
    maxL = Math.max(maxL, f.l1);
  }
  const acrossSize = maxA - minA + 2 * MARGIN;
  const alongSize = maxL - minL + 2 * MARGIN;
  const width = horizontal ? alongSize : acrossSize;
  const height = horizontal ? acrossSize : alongSize;
  // Layout coordinates (a across, l along) to SVG coordinates.
  const toXY = (p: Point): [number, number] => {
    const a = p.a - minA + MARGIN;
    const l = p.l - minL + MARGIN;
    switch (rankdir) {
      case "LR":
        return [l, a];
      case "RL":
        return [width - l, a];
      case "BT":
        return [a, height - l];
      default:
        return [a, l];
    }
  };
  const xy = (p: Point) => toXY(p).map(num).join(",");

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT_FAMILY}" data-rankdir="${rankdir}">`);
  out.push(`<title>${escapeXml(model.name)}</title>`);
  out.push(`<rect class="background" width="100%" height="100%" fill="#ffffff"/>`);
  for (const f of frames) {
    const [xa, ya] = toXY({ a: f.a0, l: f.l0 });
    const [xb, yb] = toXY({ a: f.a1, l: f.l1 });
    const [x0, x1, y0, y1] = [Math.min(xa, xb), Math.max(xa, xb), Math.min(ya, yb), Math.max(ya, yb)];
    out.push(`<g class="cluster" data-name="${escapeXml(f.cluster.name)}">`);
    out.push(`<rect x="${num(x0)}" y="${num(y0)}" width="${num(x1 - x0)}" height="${num(y1 - y0)}" fill="none" stroke="#555555" stroke-dasharray="6,4"/>`);
    out.push(`<text x="${num(x0 + 6)}" y="${num(y0 + 13)}" font-size="12" fill="#333333">${escapeXml(f.cluster.name)}</text>`);
    out.push(`</g>`);
  }

  // Edge ports: the edges leaving (entering) a box spread along its side, ordered by where they go.
  const portOffset = new Map<string, number>();
  const spread = (v: Vertex, items: { key: string; toward: number }[]) => {
    items.sort((p, q) => p.toward - q.toward);
    const k = items.length;
    const step = k > 1 ? Math.min(16, (0.6 * v.across) / (k - 1)) : 0;
    items.forEach((it, i) => portOffset.set(it.key, (i - (k - 1) / 2) * step));
  };
  const routed = layout.edges.filter((e) => !e.selfLoop);
  for (const v of layout.vertices) {
    if (v.box === null) continue;
    const outgoing = routed.flatMap((e, i) => (e.chain[0] === v ? [{ key: `${i}:top`, toward: e.chain[1].pos }] : []));
    const incoming = routed.flatMap((e, i) => (e.chain[e.chain.length - 1] === v ? [{ key: `${i}:bottom`, toward: e.chain[e.chain.length - 2].pos }] : []));
    spread(v, outgoing);
    spread(v, incoming);
  }

  out.push(`<g class="edges" fill="none" stroke="#000000" stroke-width="2">`);
  routed.forEach((e, i) => {
    const first = e.chain[0];
    const last = e.chain[e.chain.length - 1];
    const c0 = boxCenter(first);
    const c1 = boxCenter(last);
    // Points along the chain: out of the upper box, straight through each rank a long edge crosses, into the lower box.
    const pts: Point[] = [{ a: first.pos + portOffset.get(`${i}:top`)!, l: c0.l + first.along / 2 }];
    for (const d of e.chain.slice(1, -1)) {
      pts.push({ a: d.pos, l: layout.rankStart[d.rank] });
      pts.push({ a: d.pos, l: layout.rankStart[d.rank] + layout.rankSize[d.rank] });
    }
    pts.push({ a: last.pos + portOffset.get(`${i}:bottom`)!, l: c1.l - last.along / 2 });
    // The arrowhead sits at the real target: the lower end, or the upper one for an edge turned around.
    const tip = e.reversed ? pts[0] : pts[pts.length - 1];
    const dir = e.reversed ? -1 : 1;
    if (e.reversed) pts[0] = { a: tip.a, l: tip.l + ARROW_LENGTH };
    else pts[pts.length - 1] = { a: tip.a, l: tip.l - ARROW_LENGTH };
    let d = `M${xy(pts[0])}`;
    for (let k = 1; k < pts.length; k++) {
      const p = pts[k - 1];
      const q = pts[k];
      if (p.a === q.a) d += ` L${xy(q)}`;
      else {
        const mid = (p.l + q.l) / 2;
        d += ` C${xy({ a: p.a, l: mid })} ${xy({ a: q.a, l: mid })} ${xy(q)}`;
      }
    }
    const base = tip.l - dir * ARROW_LENGTH;
    const head = [tip, { a: tip.a - ARROW_HALF_WIDTH, l: base }, { a: tip.a + ARROW_HALF_WIDTH, l: base }].map(xy).join(" ");
    const [source, target] = [e.source.layer.name, e.target.layer.name].map(escapeXml);
    out.push(`<g class="edge" data-source="${source}" data-target="${target}">`);
    out.push(`<path d="${d}"/>`);
    out.push(`<polygon class="arrowhead" points="${head}" fill="#000000" stroke="none"/>`);
    out.push(`</g>`);
  });
  // A layer feeding itself (a shared layer applied to its own output): a loop beside its box.
  for (const e of layout.edges.filter((x) => x.selfLoop)) {
    const v = e.chain[0];
    const c = boxCenter(v);
    const side = c.a + v.across / 2;
    const s = Math.min(10, v.along / 4);
    const start = { a: side, l: c.l - s };
    const endTip = { a: side, l: c.l + s };
    const arrowBase = { a: side + ARROW_LENGTH, l: c.l + s };
    const d = `M${xy(start)} C${xy({ a: side + 30, l: c.l - s - 10 })} ${xy({ a: side + 30, l: c.l + s })} ${xy(arrowBase)}`;
    const head = [endTip, { a: arrowBase.a, l: arrowBase.l - ARROW_HALF_WIDTH }, { a: arrowBase.a, l: arrowBase.l + ARROW_HALF_WIDTH }].map(xy).join(" ");
    const name = escapeXml(e.source.layer.name);
    out.push(`<g class="edge" data-source="${name}" data-target="${name}">`);
    out.push(`<path d="${d}"/>`);
    out.push(`<polygon class="arrowhead" points="${head}" fill="#000000" stroke="none"/>`);
    out.push(`</g>`);
  }
  out.push(`</g>`);

  for (const v of layout.vertices) {
    if (v.box === null) continue;
    const c = boxCenter(v);
    const [x0, y0] = toXY({ a: c.a - v.across / 2, l: c.l - v.along / 2 });
    const [x1, y1] = toXY({ a: c.a + v.across / 2, l: c.l + v.along / 2 });
    out.push(...drawBox(v.box, Math.min(x0, x1), Math.min(y0, y1)));
  }
  out.push(`</svg>`);
  return { svg: out.join("\n") + "\n", width };
}

/**
 * Keras's `plot_model`: draws the model's layer graph (a box per layer, an arrow per connection;
 * branching functional models, shared layers and merges included; a Sequential model as a chain of
 * its layers, without the InputLayer, as Keras 3 draws it) and writes it to `toFile` (`.png` or
 * `.svg`, atomically). Returns the SVG text. Defaults are Keras 3's: `toFile: "model.png"`,
 * `showShapes: false`, `showDtype: false`, `showLayerNames: false`, `rankdir: "TB"`,
 * `expandNested: false`, `dpi: 200`, `showLayerActivations: false`, `showTrainable: false`.
 *
 *   await keras.utils.plotModel(model, { toFile: "model.png", showShapes: true });
 *   await keras.utils.plotModel(model, { element: document.querySelector("#model"), showShapes: true }); // a page
 */
export async function plotModel(model: VisualizableModel, options: PlotModelOptions = {}): Promise<string> {
  const toFile = options.toFile ?? (options.element === undefined ? "model.png" : undefined);
  const format = toFile === undefined ? undefined : imageFormat("plotModel", toFile);
  const dpi = options.dpi ?? 200;
  if (typeof dpi !== "number" || !Number.isFinite(dpi) || dpi <= 0) throw new RangeError(`plotModel: dpi must be a positive number, got ${dpi}`);
  const { svg, width } = renderModel(model, options, "plotModel");
  if (options.element !== undefined) await renderSvg(options.element, svg);
  if (toFile !== undefined) await writeImage("plotModel", toFile, svg, format === "png" ? (width * dpi) / 72 : undefined);
  return svg;
}
