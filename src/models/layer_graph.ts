import { KerasTensor, formatSymbolicShape, type SymbolicShape } from "../backend/keras_tensor.js";
import { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { InputLayer } from "../layers/core/input_layer.js";
import type { Layer, CallOptions, LayerShape } from "../layers/layer.js";
import type { Node } from "../layers/node.js";
import { deserializeLayer, serializeLayer, type DeserializationOptions } from "../saving/layer_serialization.js";
import { deserializeNode, mapGraph, NodeNotReadyError, resolveTensorStructure, serializeNode, tensorReference } from "../saving/functional_graph.js";

export type SymbolicStructure = KerasTensor | KerasTensor[] | Record<string, KerasTensor>;

/** What defines a functional model: the graph from `keras.Input` tensors to outputs. */
export interface FunctionalArgs<Outputs extends SymbolicStructure = SymbolicStructure> {
  inputs: SymbolicStructure;
  outputs: Outputs;
  name?: string;
  trainable?: boolean;
}

function flatten(structure: SymbolicStructure): KerasTensor[] {
  if (structure instanceof KerasTensor) return [structure];
  if (Array.isArray(structure)) return structure;
  return Object.values(structure);
}

function producingLayer(t: KerasTensor, role: string): Layer {
  if (t.kerasHistory === undefined) throw new Error(`Functional model: ${role} ${t.toString()} was not produced by keras.Input or a layer call`);
  return t.kerasHistory.layer as Layer;
}

/**
 * The graph of layer calls a functional model runs (Keras's `Function`, the base of its
 * `Functional`): the nodes from the inputs to the outputs in an order where each comes after the
 * nodes it reads, run on real tensors by `call`. `keras.Model` holds one when constructed with
 * `{ inputs, outputs }`, whether it is `keras.Model` itself or a subclass.
 */
export class LayerGraph {
  readonly inputs: KerasTensor[];
  readonly outputs: KerasTensor[];
  readonly inputStructure: SymbolicStructure;
  readonly outputStructure: SymbolicStructure;
  /** Graph nodes in an order where every node comes after the nodes it reads from. */
  private readonly orderedNodes: Node[];
  /** Every layer of the graph in call order, input layers included. */
  readonly layers: Layer[];

  constructor(inputs: SymbolicStructure, outputs: SymbolicStructure) {
    this.inputStructure = inputs;
    this.outputStructure = outputs;
    this.inputs = flatten(inputs);
    this.outputs = flatten(outputs);
    for (const t of this.inputs) {
      if (!(t instanceof KerasTensor)) throw new TypeError(`Functional model: every input must be a keras.Input tensor, got ${String(t)}`);
      if (!(producingLayer(t, "input") instanceof InputLayer)) {
        throw new Error(`Functional model: every input must come from keras.Input; ${t.toString()} was produced by layer '${producingLayer(t, "input").name}'`);
      }
    }
    for (const t of this.outputs) {
      if (!(t instanceof KerasTensor)) throw new TypeError(`Functional model: every output must be a symbolic tensor made by calling layers on keras.Input tensors, got ${String(t)}`);
    }
    this.orderedNodes = this.sortNodes();
    const layers: Layer[] = [];
    for (const node of this.orderedNodes) if (!layers.includes(node.layer)) layers.push(node.layer);
    this.layers = layers;
  }

  private sortNodes(): Node[] {
    const ordered: Node[] = [];
    const state = new Map<Node, "visiting" | "done">();
    const inputIds = new Set(this.inputs.map((t) => t.id));
    const visit = (t: KerasTensor): void => {
      const layer = producingLayer(t, "output");
      const node = layer.inboundNodes[t.kerasHistory!.nodeIndex];
      if (state.get(node) === "done") return;
      if (state.get(node) === "visiting") throw new Error("Functional model: the layer graph has a cycle");
      state.set(node, "visiting");
      if (layer instanceof InputLayer) {
        if (!inputIds.has(t.id)) {
          throw new Error(`Functional model: the graph needs input '${layer.name}' ${formatSymbolicShape(t.shape)}, which is not among the model's inputs`);
        }
      } else {
        for (const input of node.inputTensors) visit(input);
      }
      state.set(node, "done");
      ordered.push(node);
    };
    for (const output of this.outputs) visit(output);
    return ordered;
  }

  /** The input shape a model on this graph is built with (Keras's `build_config`). */
  get buildInputShape(): LayerShape {
    return this.inputs.length === 1 ? this.inputs[0].shape : this.inputs.map((t) => t.shape);
  }

  /** Names of the layers producing each output (or the keys of an object of outputs). */
  get outputNames(): string[] {
    if (!(this.outputStructure instanceof KerasTensor) && !Array.isArray(this.outputStructure)) return Object.keys(this.outputStructure);
    return this.outputs.map((t) => producingLayer(t, "output").name);
  }

  get inputNames(): string[] {
    return this.inputs.map((t) => producingLayer(t, "input").name);
  }

  /**
   * Runs the graph on real tensors; the outputs come in the structure the graph was defined with,
   * except a list of one, which comes as its tensor (Keras's `Functional.call` unpacks it; a
   * symbolic call keeps the list, as Keras's `compute_output_spec` does).
   */
  call(inputs: Tensor | Tensor[] | Record<string, Tensor>, options: CallOptions, modelName: string): Tensor | Tensor[] | Record<string, Tensor> {
    const values = new Map<number, Tensor>();
    const given = this.matchInputs(inputs, modelName);
    this.inputs.forEach((symbolic, i) => {
      let value = given[i];
      checkCompatible(symbolic.shape, value.shape, i, modelName);
      if (value.dtype !== symbolic.dtype) value = ops.cast(value, symbolic.dtype);
      values.set(symbolic.id, value);
    });
    for (const node of this.orderedNodes) {
      if (node.layer instanceof InputLayer) continue;
      const args = Array.isArray(node.inputs) ? node.inputs.map((t) => values.get(t.id)!) : values.get(node.inputs.id)!;
      const training = options.training ?? (node.callOptions.training as boolean | undefined);
      const result = node.layer.apply(args, { ...node.callOptions, training });
      // A nested model's outputs keyed by name come in the order of its output tensors.
      const outs = result instanceof Tensor ? [result] : Array.isArray(result) ? result : Object.values(result);
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
    }
    const pick = (t: KerasTensor) => values.get(t.id)!;
    if (this.outputStructure instanceof KerasTensor) return pick(this.outputStructure);
    if (Array.isArray(this.outputStructure)) return this.outputStructure.length === 1 ? pick(this.outputStructure[0]) : this.outputStructure.map(pick);
    return Object.fromEntries(Object.entries(this.outputStructure).map(([k, t]) => [k, pick(t)]));
  }

  /** Orders user-supplied inputs like the model's: one tensor, a list, or an object keyed by input name. */
  private matchInputs(inputs: unknown, modelName: string): Tensor[] {
    const n = this.inputs.length;
    if (inputs instanceof Tensor || !(Array.isArray(inputs) || (typeof inputs === "object" && inputs !== null))) {
      if (n !== 1) throw new Error(`Model '${modelName}' expects ${n} inputs, but it received 1 input tensor`);
      return [convertToTensor(inputs as TensorLike)];
    }
    if (Array.isArray(inputs)) {
      if (n === 1 && !(inputs[0] instanceof Tensor)) return [convertToTensor(inputs as TensorLike)];
      if (inputs.length !== n) throw new Error(`Model '${modelName}' expects ${n} input(s), but it received ${inputs.length} input tensors`);
      return inputs.map((x) => convertToTensor(x as TensorLike));
    }
    const record = inputs as Record<string, TensorLike>;
    const keys = !(this.inputStructure instanceof KerasTensor) && !Array.isArray(this.inputStructure) ? Object.keys(this.inputStructure) : this.inputNames;
    return keys.map((key) => {
      if (!(key in record)) throw new Error(`Model '${modelName}': missing input '${key}'; inputs given: ${Object.keys(record).join(", ")}`);
      return convertToTensor(record[key]);
    });
  }

  computeOutputShape(): LayerShape {
    return this.outputs.length === 1 && this.outputStructure instanceof KerasTensor ? this.outputs[0].shape : this.outputs.map((t) => t.shape);
  }

  /**
   * Keras 3's functional config: `{name, trainable, layers, input_layers, output_layers}`, each
   * layer as `{module, class_name, config, registered_name, build_config?, name, inbound_nodes}`
   * with nodes as `{args: [__keras_tensor__ ...], kwargs}`, layers in Keras's order.
   */
  getConfig(name: string, trainable: boolean): Record<string, unknown> {
    const graph = mapGraph(this.inputs, this.outputs);
    const layers = graph.layers.map((layer) => {
      const inboundNodes: Record<string, unknown>[] = [];
      for (const node of layer.inboundNodes) {
        if (!graph.nodes.has(node)) continue;
        const data = serializeNode(node, graph);
        if (data !== null) inboundNodes.push(data);
      }
      return { ...serializeLayer(layer), name: layer.name, inbound_nodes: inboundNodes };
    });
    const mapStructure = (structure: SymbolicStructure): unknown => {
      if (structure instanceof KerasTensor) return tensorReference(structure, graph);
      if (Array.isArray(structure)) return structure.map((t) => tensorReference(t, graph));
      return Object.fromEntries(Object.entries(structure).map(([k, t]) => [k, tensorReference(t, graph)]));
    };
    return { name, trainable, layers, input_layers: mapStructure(this.inputStructure), output_layers: mapStructure(this.outputStructure) };
  }
}

/** True for a config written by a functional model's `getConfig` (Keras's `is_functional_config`). */
export function isFunctionalConfig(config: unknown): boolean {
  if (typeof config !== "object" || config === null) return false;
  const c = config as Record<string, unknown>;
  return Array.isArray(c.layers) && "input_layers" in c && "output_layers" in c;
}

/**
 * Keras's `functional_from_config`: creates every layer of the config, then replays the layer
 * calls in dependency order. Returns the arguments to construct the model with.
 */
export function functionalArgsFromConfig(config: Record<string, unknown>, options: DeserializationOptions = {}): FunctionalArgs {
  const source = options.source ?? "config";
  if (typeof config !== "object" || config === null || !Array.isArray(config.layers)) {
    throw new Error(`Malformed functional config in ${source}: expected a "layers" list`);
  }
  const created = new Map<string, Layer>();
  const pending: { layer: Layer; nodes: unknown[] }[] = [];
  for (const entry of config.layers as unknown[]) {
    const layer = deserializeLayer(entry, options);
    const record = entry as Record<string, unknown>;
    const name = typeof record.name === "string" ? record.name : layer.name;
    if (created.has(name)) throw new Error(`Malformed functional config in ${source}: two layers are named '${name}'`);
    created.set(name, layer);
    const inbound = record.inbound_nodes ?? [];
    if (!Array.isArray(inbound)) throw new Error(`Malformed functional config in ${source}: layer '${name}' has invalid inbound_nodes`);
    pending.push({ layer, nodes: [...inbound] });
  }
  // Replay calls in rounds: a call whose inputs do not exist yet waits for a later round (a
  // layer shared at different depths).
  let remaining = pending.reduce((n, p) => n + p.nodes.length, 0);
  while (remaining > 0) {
    let progressed = false;
    for (const item of pending) {
      while (item.nodes.length > 0) {
        let call;
        try {
          call = deserializeNode(item.nodes[0], created, source);
        } catch (error) {
          if (error instanceof NodeNotReadyError) break;
          throw error;
        }
        try {
          item.layer.apply(call.inputs, call.options);
        } catch (error) {
          throw new Error(`Cannot rebuild the call of layer '${item.layer.name}' from ${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        item.nodes.shift();
        remaining--;
        progressed = true;
      }
    }
    if (!progressed) {
      const stuck = pending.filter((p) => p.nodes.length > 0).map((p) => p.layer.name);
      throw new Error(`Malformed functional config in ${source}: cannot connect the graph; the inputs of layer(s) ${stuck.join(", ")} are never produced`);
    }
  }
  const inputs = resolveTensorStructure(config.input_layers, created, source, "input_layers");
  const outputs = resolveTensorStructure(config.output_layers, created, source, "output_layers");
  const name = typeof config.name === "string" ? config.name : undefined;
  const trainable = typeof config.trainable === "boolean" ? config.trainable : undefined;
  return { inputs, outputs, name, trainable };
}

export function checkCompatible(expected: SymbolicShape, actual: readonly number[], index: number, name: string): void {
  const ok = expected.length === actual.length && expected.every((d, i) => d === null || d === actual[i]);
  if (!ok) {
    throw new Error(`Input ${index} of layer "${name}" is incompatible with the layer: expected shape=${formatSymbolicShape(expected)}, found shape=${formatSymbolicShape(actual)}`);
  }
}

export function findLayer(layers: readonly Layer[], nameOrIndex: string | number, modelName: string): Layer {
  if (typeof nameOrIndex === "number") {
    const layer = layers[nameOrIndex];
    if (layer === undefined) throw new RangeError(`Model '${modelName}': layer index ${nameOrIndex} is out of range; the model has ${layers.length} layers`);
    return layer;
  }
  const layer = layers.find((l) => l.name === nameOrIndex);
  if (layer === undefined) throw new Error(`No such layer: ${nameOrIndex}. Existing layers are: ${layers.map((l) => l.name).join(", ")}.`);
  return layer;
}
