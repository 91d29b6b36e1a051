/**
 * Keras's `to_snake_case` (keras/src/utils/naming.py), regex for regex: drop non-word characters,
 * split before a capitalised word, then between a lowercase letter and a capital. A digit does not
 * split from the capital after it, so "Conv2D" -> "conv2d", "MaxPooling2D" -> "max_pooling2d",
 * "Conv1DTranspose" -> "conv1d_transpose", "SimpleRNN" -> "simple_rnn", "ReLU" -> "re_lu".
 */
export function toSnakeCase(name: string): string {
  // Python's str patterns are Unicode-aware: \W is anything but a letter, digit or underscore.
  const word = name.replace(/[^\p{L}\p{N}_]+/gu, "");
  const split = word.replace(/(.)([A-Z][a-z]+)/g, "$1_$2");
  return split.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** "use_bias" -> "useBias". */
export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const counters = new Map<string, number>();

/** Keras's auto-naming: the first is `dense`, then `dense_1`, `dense_2`, ... (per prefix, per session). */
export function autoName(prefix: string): string {
  const count = counters.get(prefix) ?? 0;
  counters.set(prefix, count + 1);
  return count === 0 ? prefix : `${prefix}_${count}`;
}

/** `keras.utils.clearSession()`: restarts the name counters, as a fresh Python session would. */
export function resetNames(): void {
  counters.clear();
}
