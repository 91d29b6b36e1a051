/**
 * The graph bookkeeping Keras 3 uses to write and read a functional model's config
 * (keras/src/ops/function.py `map_graph` / `_build_map`, keras/src/models/functional.py
 * `get_config` / `functional_from_config` / `serialize_node` / `deserialize_node`).
 *
 * The layer order matters beyond the config: the weights file keys layers by class name and a
 * per-class counter *in this order* (`layers/dense`, `layers/dense_1`, ...), so a file written by
 * Keras only loads into the right layers if we order them exactly as Keras does: by decreasing
 * depth (inputs first), ties broken by first visit in a depth-first walk from the outputs.
 */
import { KerasTensor } from "../backend/keras_tensor.js";
import { InputLayer } from "../layers/core/input_layer.js";
import type { Layer, CallOptions } from "../layers/layer.js";
import type { Node } from "../layers/node.js";
import { snakeToCamel, toSnakeCase } from "../utils/naming.js";

export interface GraphMap {
  /** Every layer of the graph, in Keras's `model.layers` / `operations` order. */
  layers: Layer[];
  /** The nodes (layer calls) that belong to the graph. */
  nodes: Set<Node>;
}

function historyOf(t: KerasTensor, role: string): { layer: Layer; nodeIndex: number; tensorIndex: number } {
  const h = t.kerasHistory;
  if (h === undefined) throw new Error(`Functional model: ${role} ${t.toString()} was not produced by keras.Input or a layer call`);
  return { layer: h.layer as Layer, nodeIndex: h.nodeIndex, tensorIndex: h.tensorIndex };
}

function isInputNode(node: Node): boolean {
  return node.layer instanceof InputLayer && node.inputTensors.length === 0;
}

/** Keras's `map_graph(inputs, outputs)`: the graph's layers in Keras's order and its nodes. */
export function mapGraph(inputs: readonly KerasTensor[], outputs: readonly KerasTensor[]): GraphMap {
  const inputIds = new Set(inputs.map((t) => t.id));
  const finished = new Set<Node>();
  const inProgress = new Set<Node>();
  const nodesInDecreasingDepth: Node[] = [];
  const layerIndices = new Map<Layer, number>();

  const visit = (tensor: KerasTensor): void => {
    const { layer, nodeIndex } = historyOf(tensor, "tensor");
    const node = layer.inboundNodes[nodeIndex];
    if (node === undefined) throw new Error(`Functional model: layer '${layer.name}' has no node ${nodeIndex}`);
    if (finished.has(node)) return;
    if (inProgress.has(node)) throw new Error(`Functional model: tensor ${tensor.toString()} from layer '${layer.name}' is part of a cycle`);
    if (!layerIndices.has(layer)) layerIndices.set(layer, layerIndices.size);
    inProgress.add(node);
    if (!isInputNode(node) && !inputIds.has(tensor.id)) {
      for (const t of node.inputTensors) visit(t);
    }
    finished.add(node);
    inProgress.delete(node);
    nodesInDecreasingDepth.push(node);
  };
  for (const output of outputs) visit(output);

  const nodes = new Set(nodesInDecreasingDepth);
  const nodeDepths = new Map<Node, number>();
  const layerDepths = new Map<Layer, number>();
  for (let i = nodesInDecreasingDepth.length - 1; i >= 0; i--) {
    const node = nodesInDecreasingDepth[i];
    if (!nodeDepths.has(node)) nodeDepths.set(node, 0);
    let depth = nodeDepths.get(node)!;
    depth = Math.max(depth, layerDepths.get(node.layer) ?? 0);
    layerDepths.set(node.layer, depth);
    nodeDepths.set(node, depth);
    for (const parent of node.parentNodes) {
      nodeDepths.set(parent, Math.max(depth + 1, nodeDepths.get(parent) ?? 0));
    }
  }
  // Inputs not connected to any output still belong to the model.
  for (const input of inputs) {
    const { layer } = historyOf(input, "input");
    if (!layerDepths.has(layer)) {
      layerDepths.set(layer, 0);
      layerIndices.set(layer, -1);
      nodes.add(layer.inboundNodes[0]);
    }
  }
  const byDepth = new Map<number, Layer[]>();
  for (const [layer, depth] of layerDepths) {
    const list = byDepth.get(depth) ?? [];
    list.push(layer);
    byDepth.set(depth, list);
  }
  const layers: Layer[] = [];
  for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
    const list = byDepth.get(depth)!;
    list.sort((a, b) => layerIndices.get(a)! - layerIndices.get(b)!);
    layers.push(...list);
  }
  const names = new Map<string, number>();
  for (const layer of layers) names.set(layer.name, (names.get(layer.name) ?? 0) + 1);
  for (const [name, count] of names) {
    if (count > 1) throw new Error(`The name "${name}" is used ${count} times in the model. All layer names should be unique.`);
  }
  return { layers, nodes };
}

/**
 * Keras numbers a functional model's nodes from 1 when it is nested in another model: node 0 is the
 * model's own construction. keras-ts models have no such node, so the index is shifted by one in
 * `input_layers` / `output_layers` of the outer model.
 */
export function nodeIndexOffset(layer: Layer): number {
  return layer.className() === "Functional" ? 1 : 0;
}

/** `[layer_name, node_index, tensor_index]` for a graph input or output, with nodes renumbered. */
export function tensorReference(t: KerasTensor, graph: GraphMap): [string, number, number] {
  const { layer, nodeIndex, tensorIndex } = historyOf(t, "tensor");
  let kept = 0;
  let found = -1;
  layer.inboundNodes.forEach((node, i) => {
    if (!graph.nodes.has(node)) return;
    if (i === nodeIndex) found = kept;
    kept++;
  });
  if (found < 0) throw new Error(`Functional model: internal error, tensor ${t.toString()} is not produced inside the graph`);
  return [layer.name, found + nodeIndexOffset(layer), tensorIndex];
}

function serializeKerasTensor(t: KerasTensor, graph: GraphMap): Record<string, unknown> {
  const { layer, nodeIndex, tensorIndex } = historyOf(t, "tensor");
  let irrelevant = 0;
  for (let i = 0; i < nodeIndex; i++) if (!graph.nodes.has(layer.inboundNodes[i])) irrelevant++;
  return {
    class_name: "__keras_tensor__",
    config: { shape: [...t.shape], dtype: t.dtype, keras_history: [layer.name, nodeIndex - irrelevant, tensorIndex] },
  };
}

function serializeValue(value: unknown, graph: GraphMap): unknown {
  if (value instanceof KerasTensor) return serializeKerasTensor(value, graph);
  if (Array.isArray(value)) return value.map((v) => serializeValue(v, graph));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, serializeValue(v, graph)]));
  }
  return value;
}

/** Keras's `serialize_node`: `{args: [inputs], kwargs: {call options}}`; null for an input layer's node. */
export function serializeNode(node: Node, graph: GraphMap): Record<string, unknown> | null {
  if (node.inputTensors.length === 0) return null;
  const kwargs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node.callOptions)) {
    if (value !== undefined) kwargs[toSnakeCase(key)] = serializeValue(value, graph);
  }
  return { args: [serializeValue(node.inputs, graph)], kwargs };
}

/** Thrown when a node's input comes from a layer call not made yet; the caller retries later. */
export class NodeNotReadyError extends Error {}

function isSerializedKerasTensor(value: unknown): value is { config: { keras_history: unknown } } {
  return typeof value === "object" && value !== null && (value as { class_name?: unknown }).class_name === "__keras_tensor__";
}

function resolveHistory(history: unknown, created: ReadonlyMap<string, Layer>, source: string): KerasTensor {
  if (!Array.isArray(history) || history.length < 3 || typeof history[0] !== "string" || !Number.isInteger(history[1]) || !Number.isInteger(history[2])) {
    throw new Error(`Malformed functional config in ${source}: bad tensor reference ${JSON.stringify(history)}`);
  }
  const [name, nodeIndex, tensorIndex] = history as [string, number, number];
  const layer = created.get(name);
  if (layer === undefined) throw new Error(`Malformed functional config in ${source}: a node refers to unknown layer '${name}'`);
  const node = layer.inboundNodes[nodeIndex];
  if (node === undefined) throw new NodeNotReadyError(`layer '${name}' has no node ${nodeIndex} yet`);
  const tensor = node.outputTensors[tensorIndex];
  if (tensor === undefined) throw new Error(`Malformed functional config in ${source}: layer '${name}' node ${nodeIndex} has no output ${tensorIndex}`);
  return tensor;
}

function deserializeValue(value: unknown, created: ReadonlyMap<string, Layer>, source: string): unknown {
  if (isSerializedKerasTensor(value)) return resolveHistory(value.config?.keras_history, created, source);
  if (Array.isArray(value)) return value.map((v) => deserializeValue(v, created, source));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deserializeValue(v, created, source)]));
  }
  return value;
}

/**
 * Keras's `deserialize_node`: the inputs and call options of one layer call, from either the
 * Keras 3 form `{args, kwargs}` or the Keras 2 form `[[name, node, tensor, kwargs?], ...]`.
 * Throws NodeNotReadyError when an input's producing call has not been made yet.
 */
export function deserializeNode(
  data: unknown,
  created: ReadonlyMap<string, Layer>,
  source: string,
): { inputs: KerasTensor | KerasTensor[]; options: CallOptions & Record<string, unknown> } {
  if (Array.isArray(data)) {
    const tensors: KerasTensor[] = [];
    let kwargs: Record<string, unknown> = {};
    for (const item of data) {
      if (!Array.isArray(item) || (item.length !== 3 && item.length !== 4)) {
        throw new Error(`Malformed functional config in ${source}: bad inbound node ${JSON.stringify(item)}`);
      }
      tensors.push(resolveHistory(item.slice(0, 3), created, source));
      if (item.length === 4 && typeof item[3] === "object" && item[3] !== null) kwargs = item[3] as Record<string, unknown>;
    }
    return { inputs: tensors.length === 1 ? tensors[0] : tensors, options: camelizeOptions(kwargs) };
  }
  if (typeof data !== "object" || data === null || !Array.isArray((data as { args?: unknown }).args)) {
    throw new Error(`Malformed functional config in ${source}: bad inbound node ${JSON.stringify(data)?.slice(0, 200)}`);
  }
  const { args, kwargs } = data as { args: unknown[]; kwargs?: unknown };
  if (args.length !== 1) {
    throw new Error(`Functional config in ${source}: a layer call with ${args.length} positional arguments is not supported (keras-ts layers take one input or a list of inputs)`);
  }
  const inputs = deserializeValue(args[0], created, source);
  const isTensorList = Array.isArray(inputs) && inputs.every((t) => t instanceof KerasTensor);
  if (!(inputs instanceof KerasTensor) && !isTensorList) {
    throw new Error(`Functional config in ${source}: a layer call's input must be a tensor or a list of tensors, got ${JSON.stringify(args[0])?.slice(0, 200)}`);
  }
  const options = typeof kwargs === "object" && kwargs !== null ? (deserializeValue(kwargs, created, source) as Record<string, unknown>) : {};
  return { inputs: inputs as KerasTensor | KerasTensor[], options: camelizeOptions(options) };
}

function camelizeOptions(kwargs: Record<string, unknown>): CallOptions & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) if (value !== null && value !== undefined) out[snakeToCamel(key)] = value;
  return out;
}

/** Maps `input_layers` / `output_layers` (a `[name, node, tensor]` leaf, a list or an object) to tensors. */
export function resolveTensorStructure(structure: unknown, created: ReadonlyMap<string, Layer>, source: string, what: string): KerasTensor | KerasTensor[] | Record<string, KerasTensor> {
  const leaf = (value: unknown): KerasTensor => {
    if (!Array.isArray(value) || value.length !== 3 || typeof value[0] !== "string") {
      throw new Error(`Malformed functional config in ${source}: bad entry in ${what}: ${JSON.stringify(value)}`);
    }
    const [name, nodeIndex, tensorIndex] = value as [string, number, number];
    const layer = created.get(name);
    if (layer === undefined) throw new Error(`Malformed functional config in ${source}: ${what} refers to unknown layer '${name}'`);
    const node = layer.inboundNodes[nodeIndex - nodeIndexOffset(layer)];
    const tensor = node?.outputTensors[tensorIndex];
    if (tensor === undefined) throw new Error(`Malformed functional config in ${source}: ${what} refers to missing output [${name}, ${nodeIndex}, ${tensorIndex}]`);
    return tensor;
  };
  const isLeaf = (value: unknown): boolean => Array.isArray(value) && value.length === 3 && typeof value[0] === "string";
  if (isLeaf(structure)) return leaf(structure);
  if (Array.isArray(structure)) {
    return structure.map((item) => {
      if (!isLeaf(item)) throw new Error(`Functional config in ${source}: nested structures in ${what} are not supported`);
      return leaf(item);
    });
  }
  if (typeof structure === "object" && structure !== null) {
    return Object.fromEntries(Object.entries(structure).map(([k, v]) => [k, leaf(v)]));
  }
  throw new Error(`Malformed functional config in ${source}: missing or invalid ${what}`);
}
