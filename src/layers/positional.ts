/**
 * Keras's positional arguments in TypeScript: `new Conv2D(32, 3, { activation: "relu" })` or
 * `new Conv2D({ filters: 32, kernelSize: 3, activation: "relu" })` (what `fromConfig` passes).
 * A plain object as the first argument is the options; anything else (a number, an array, a
 * string) is the first positional argument.
 */
export function isOptions(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
