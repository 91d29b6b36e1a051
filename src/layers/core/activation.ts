import type { Tensor } from "../../backend/tensor.js";
import * as activations from "../../activations/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface ActivationArgs extends LayerArgs {
  /** A name from `keras.activations` ("relu"), an activation function, or null for linear. */
  activation?: activations.ActivationIdentifier;
}

function isArgsObject(value: unknown): value is ActivationArgs {
  // A serialized activation ({class_name, config}) is an identifier, not the options object.
  return typeof value === "object" && value !== null && !("class_name" in value);
}

/**
 * Applies an activation function: `new Activation("relu")` or `new Activation(keras.activations.tanh)`.
 * Keras: `keras.layers.Activation(activation)`.
 */
export class Activation extends Layer {
  static override className = "Activation";
  override supportsMasking = true;
  readonly activation: activations.ActivationFn;

  constructor(activation: activations.ActivationIdentifier, args?: LayerArgs);
  constructor(args: ActivationArgs);
  constructor(activationOrArgs: activations.ActivationIdentifier | ActivationArgs, maybeArgs: LayerArgs = {}) {
    const args: ActivationArgs = isArgsObject(activationOrArgs) ? activationOrArgs : { ...maybeArgs, activation: activationOrArgs };
    super(args);
    if (!("activation" in args)) throw new Error("Activation layer: the `activation` argument is required (e.g. new Activation(\"relu\"))");
    this.activation = activations.get(args.activation);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return this.activation(inputs as Tensor);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: activations.serialize(this.activation) };
  }
}
