/** Keras's `to_snake_case`: "Dense" -> "dense", "ReLU" -> "re_lu", "BatchNormalization" -> "batch_normalization". */
export function toSnakeCase(name: string): string {
  const step = name.replace(/(.)([A-Z][a-z]+)/g, "$1_$2");
  return step.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
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
