import type { EpilogueActivation } from "../backend/fused_kernels.js";
import type { Tensor } from "../backend/tensor.js";
import { relu, sigmoid, tanh } from "./elementwise.js";

export type { EpilogueActivation } from "../backend/fused_kernels.js";

/**
 * The activations every fused kernel can apply in its epilogue, each with the op that computes it
 * unfused: the one table the fused ops and their composed paths share. An activation function
 * (keras.activations) names the entry it equals in its `epilogue` property.
 */
const EPILOGUES: Record<EpilogueActivation, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu,
  sigmoid,
  tanh,
};

/** The epilogue an activation function equals, or undefined when no fused kernel computes it. */
export function epilogueOf(activation: unknown): EpilogueActivation | undefined {
  if (typeof activation === "string") return Object.prototype.hasOwnProperty.call(EPILOGUES, activation) ? (activation as EpilogueActivation) : undefined;
  if (typeof activation !== "function") return undefined;
  const tag = (activation as { epilogue?: unknown }).epilogue;
  return typeof tag === "string" && Object.prototype.hasOwnProperty.call(EPILOGUES, tag) ? (tag as EpilogueActivation) : undefined;
}

/** The epilogue as separate ops, for the composed paths. */
export function applyEpilogue(x: Tensor, activation: EpilogueActivation): Tensor {
  return EPILOGUES[activation](x);
}
