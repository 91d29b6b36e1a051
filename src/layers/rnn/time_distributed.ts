import type { SymbolicShape } from "../../backend/keras_tensor.js";
import { formatShape } from "../../backend/shape.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, camelizeConfig, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";
import { deserializeNestedLayer, serializeNestedLayer } from "../nested_layers.js";

/**
 * Keras's `TimeDistributed` wrapper: applies a layer to every timestep of an input [batch, time,
 * ...] with the same weights. The timesteps are folded into the batch ([batch * time, ...]) and
 * the layer runs once, which is what a per-step loop computes for any layer whose samples do not
 * interact. The mask passes through unchanged.
 */
export class TimeDistributed extends Layer {
  static override className = "TimeDistributed";
  override supportsMasking = true;
  readonly layer: Layer;

  constructor(layer: Layer, args: LayerArgs = {}) {
    super(args);
    if (!(layer instanceof Layer)) throw new TypeError(`Please initialize \`TimeDistributed\` layer with a \`keras.layers.Layer\` instance. Received: ${String(layer)}`);
    this.layer = layer;
  }

  private childShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (!Array.isArray(shape) || shape.length < 3 || Array.isArray(shape[0])) {
      throw new Error(`\`TimeDistributed\` Layer should be passed an \`input_shape\` with at least 3 dimensions, received: ${JSON.stringify(inputShape)}`);
    }
    const [batch, time, ...rest] = shape;
    return [batch === null || time === null ? null : batch * time, ...rest];
  }

  override build(inputShape: LayerShape): void {
    const [, ...rest] = this.childShape(inputShape);
    const shape = inputShape as SymbolicShape;
    if (!this.layer.built) this.layer.maybeBuild([shape[0], ...rest]);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (x.rank < 3) throw new Error(`TimeDistributed layer '${this.name}': expected an input of rank >= 3 (batch, time, ...), got ${formatShape(x.shape)}`);
    const [batch, time, ...rest] = x.shape;
    let mask = options.mask === undefined || options.mask === null || Array.isArray(options.mask) ? null : options.mask;
    if (mask !== null) {
      if (mask.rank < 2 || mask.shape[0] !== batch || mask.shape[1] !== time) {
        throw new Error(`\`TimeDistributed\` Layer should be passed a \`mask\` of shape (${batch}, ${time}, ...), received: mask.shape=${formatShape(mask.shape)}`);
      }
      mask = ops.reshape(mask, [batch * time, ...mask.shape.slice(2)]);
    }
    const y = this.layer.call(ops.reshape(x, [batch * time, ...rest]), { training: options.training, mask }) as Tensor;
    return ops.reshape(y, [batch, time, ...y.shape.slice(1)]);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const [, ...rest] = this.childShape(inputShape);
    const child = this.layer.computeOutputShape([shape[0], ...rest]) as SymbolicShape;
    return [child[0], shape[1], ...child.slice(1)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeNestedLayer(this.layer) };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>, options?: unknown): T {
    const { layer, ...rest } = config;
    if (layer === undefined) throw new Error("TimeDistributed config: missing 'layer'");
    return new this(deserializeNestedLayer(layer, options), camelizeConfig(rest));
  }
}
