import type { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import type { TensorLike } from "../ops/core.js";
import type { EpilogueActivation } from "../ops/epilogue.js";

/**
 * An activation is a plain function of a tensor; Keras identifies it by name in configs.
 * `epilogue` names the fused-kernel epilogue it equals, so layers' fused ops apply it in place.
 */
export type ActivationFn = ((x: TensorLike) => Tensor) & { activationName?: string; epilogue?: EpilogueActivation };

function named(name: string, fn: (x: TensorLike) => Tensor, epilogue?: EpilogueActivation): ActivationFn {
  const activation = fn as ActivationFn;
  activation.activationName = name;
  if (epilogue !== undefined) activation.epilogue = epilogue;
  return activation;
}

export const relu = named("relu", (x) => ops.relu(x), "relu");
export const sigmoid = named("sigmoid", (x) => ops.sigmoid(x), "sigmoid");
export const tanh = named("tanh", (x) => ops.tanh(x), "tanh");
export const softmax = named("softmax", (x) => ops.softmax(x, -1));
export const logSoftmax = named("log_softmax", (x) => ops.logSoftmax(x, -1));
export const linear = named("linear", (x) => ops.convertToTensor(x), "linear");
export const elu = named("elu", (x) => ops.elu(x));
export const selu = named("selu", (x) => ops.selu(x));
export const softplus = named("softplus", (x) => ops.softplus(x));
export const softsign = named("softsign", (x) => ops.softsign(x));
export const silu = named("silu", (x) => ops.silu(x));
export const swish = named("swish", (x) => ops.silu(x));
export const gelu = named("gelu", (x) => ops.gelu(x, false));
export const leakyRelu = named("leaky_relu", (x) => ops.leakyRelu(x, 0.2));
export const relu6 = named("relu6", (x) => ops.relu6(x));
export const hardSigmoid = named("hard_sigmoid", (x) => ops.hardSigmoid(x));
/**
 * Keras 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1) (Keras 3's is relu6(x + 3) / 6). Loaders pick it
 * for files whose keras_version is below 3; it is written under its own name, so a re-saved model
 * keeps its numbers.
 */
export const keras2HardSigmoid = named("keras2_hard_sigmoid", (x) => ops.clip(ops.add(ops.multiply(x, 0.2), 0.5), 0, 1));
export const hardSilu = named("hard_silu", (x) => ops.hardSilu(x));
export const exponential = named("exponential", (x) => ops.exp(x));
export const mish = named("mish", (x) => ops.multiply(x, ops.tanh(ops.softplus(x))));

const byName = new Map<string, ActivationFn>(
  [relu, sigmoid, tanh, softmax, logSoftmax, linear, elu, selu, softplus, softsign, silu, swish, gelu, leakyRelu, relu6, hardSigmoid, keras2HardSigmoid, hardSilu, exponential, mish].map(
    (fn) => [fn.activationName!, fn],
  ),
);
byName.set("hard_swish", hardSilu);

export type ActivationIdentifier = string | ActivationFn | null | undefined;

/** `keras.activations.get`: a name ("relu"), a function, or null/undefined for linear. */
export function get(identifier: ActivationIdentifier): ActivationFn {
  if (identifier === null || identifier === undefined) return linear;
  if (typeof identifier === "function") return identifier;
  if (typeof identifier === "string") {
    const fn = byName.get(identifier) ?? byName.get(identifier.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase());
    if (fn === undefined) throw new Error(`Unknown activation: '${identifier}'. Known activations: ${[...byName.keys()].sort().join(", ")}`);
    return fn;
  }
  if (typeof identifier === "object" && identifier !== null && typeof (identifier as { class_name?: unknown }).class_name === "string") {
    // Keras 3 may write a registered activation as {"class_name": "function", "config": "relu", ...}.
    const config = (identifier as { config: unknown }).config;
    if (typeof config === "string") return get(config);
  }
  throw new TypeError(`Could not interpret activation identifier: ${JSON.stringify(identifier)}`);
}

/** The name Keras writes for an activation in a config ("relu"); custom functions have none. */
export function serialize(fn: ActivationFn): string {
  if (fn.activationName === undefined) {
    throw new Error(`Cannot serialize the custom activation function '${fn.name || "anonymous"}'; use a named keras.activations function or a string`);
  }
  return fn.activationName;
}
