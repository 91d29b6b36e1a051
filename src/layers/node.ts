import type { KerasTensor } from "../backend/keras_tensor.js";
import type { Layer } from "./layer.js";

/**
 * One call of a layer on symbolic tensors: the edge set of a functional model's graph. The
 * inputs keep the structure they were passed in (one tensor or a list).
 */
export class Node {
  readonly layer: Layer;
  readonly inputs: KerasTensor | KerasTensor[];
  readonly outputs: KerasTensor | KerasTensor[];
  readonly callOptions: Record<string, unknown>;

  constructor(layer: Layer, inputs: KerasTensor | KerasTensor[], outputs: KerasTensor | KerasTensor[], callOptions: Record<string, unknown> = {}) {
    this.layer = layer;
    this.inputs = inputs;
    this.outputs = outputs;
    this.callOptions = callOptions;
  }

  get inputTensors(): KerasTensor[] {
    return Array.isArray(this.inputs) ? this.inputs : [this.inputs];
  }

  get outputTensors(): KerasTensor[] {
    return Array.isArray(this.outputs) ? this.outputs : [this.outputs];
  }

  /** The layers whose outputs feed this call (none for an input layer's own node). */
  get parentNodes(): Node[] {
    const parents: Node[] = [];
    for (const t of this.inputTensors) {
      const history = t.kerasHistory;
      if (history === undefined) continue;
      const layer = history.layer as Layer;
      parents.push(layer.inboundNodes[history.nodeIndex]);
    }
    return parents;
  }
}
