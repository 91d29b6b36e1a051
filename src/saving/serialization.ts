/** How Keras 3 writes an object (initializer, layer, optimizer, ...) inside config.json. */
export interface KerasObjectConfig {
  module: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name: string | null;
  [extra: string]: unknown;
}

export function serializeKerasObject(module: string, className: string, config: Record<string, unknown>): KerasObjectConfig {
  return { module, class_name: className, config, registered_name: null };
}

export function isKerasObjectConfig(value: unknown): value is KerasObjectConfig {
  return typeof value === "object" && value !== null && typeof (value as KerasObjectConfig).class_name === "string" && "config" in value;
}

/**
 * Resolves a string identifier against a registry of classes, accepting Keras's spellings:
 * the class name ("GlorotUniform") and its snake_case alias ("glorot_uniform").
 */
export function lookupClass<T>(registry: ReadonlyMap<string, T>, identifier: string, kind: string): T {
  const found = registry.get(identifier) ?? registry.get(identifier.toLowerCase().replace(/_/g, ""));
  if (found === undefined) {
    const known = [...new Set([...registry.keys()])].filter((k) => /[A-Z]/.test(k[0])).sort();
    throw new Error(`Unknown ${kind}: '${identifier}'. Known ${kind}s: ${known.join(", ")}`);
  }
  return found;
}

/** Registers a class under its name and its lowercased, underscore-free alias, plus extra aliases. */
export function register<T>(registry: Map<string, T>, className: string, value: T, aliases: string[] = []): void {
  registry.set(className, value);
  registry.set(className.toLowerCase(), value);
  for (const alias of aliases) {
    registry.set(alias, value);
    registry.set(alias.toLowerCase().replace(/_/g, ""), value);
  }
}
