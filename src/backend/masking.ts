import type { Tensor } from "./tensor.js";

/*
 * Keras masks: a bool tensor of a sequence's [batch, timesteps] saying which timesteps are real,
 * attached to the tensor it describes (Keras's `backend.get_keras_mask` / `set_keras_mask`, the
 * `_keras_mask` attribute). Layers that support masking pass it on (`Layer.computeMask`); the
 * recurrent layers and attention read it. A WeakMap, so a mask lives exactly as long as its tensor.
 */
const masks = new WeakMap<Tensor, Tensor>();

export function getKerasMask(x: Tensor): Tensor | undefined {
  return masks.get(x);
}

export function setKerasMask(x: Tensor, mask: Tensor | null | undefined): void {
  if (mask === null || mask === undefined) masks.delete(x);
  else masks.set(x, mask);
}
