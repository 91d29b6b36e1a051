/**
 * Which layer class a `class_name` in a Keras config means: Keras's `get_registered_object` /
 * `custom_objects` for layers and models.
 *
 * Lookup order, as in Keras: the `customObjects` passed to the loader (by class name or registered
 * name), then classes registered with `registerKerasSerializable`, then the built-ins — every class
 * exported by `keras.layers` (src/layers/index.ts) under its static `className`, plus the model
 * classes (Sequential, Functional), which register themselves here when loaded.
 *
 * The built-in table is made on first use, so layers added to src/layers/index.ts are picked up
 * without touching this file.
 */
import * as layersModule from "../layers/index.js";
import { Layer, kerasClassName } from "../layers/layer.js";

/** A layer class as the loader needs it: its Keras class name and a `fromConfig`. */
export type LayerClass = (abstract new (...args: any[]) => Layer) & {
  className: string;
  fromConfig(config: Record<string, unknown>, options?: unknown): Layer;
};

/** User classes a loader may resolve, keyed by class name (or registered name "package>Name"). */
export type CustomObjects = Record<string, LayerClass>;

function isLayerClass(value: unknown): value is LayerClass {
  return typeof value === "function" && (value === Layer || (value as { prototype?: unknown }).prototype instanceof Layer);
}

/** Base classes exported by keras.layers that are not layers of their own (abstract in Keras too). */
const NOT_LOADABLE = new Set(["Layer", "Merge"]);

let builtins: Map<string, LayerClass> | null = null;
const builtinModels = new Map<string, LayerClass>();
/** registered name ("package>Name") -> class, for classes registered by users. */
const custom = new Map<string, LayerClass>();
/** class -> registered name. */
const registeredNames = new Map<LayerClass, string>();

function builtinTable(): Map<string, LayerClass> {
  if (builtins === null) {
    const table = new Map<string, LayerClass>();
    for (const value of Object.values(layersModule)) {
      // Only classes that name themselves: a subclass inheriting its parent's `className` would
      // otherwise shadow the parent.
      if (isLayerClass(value) && Object.prototype.hasOwnProperty.call(value, "className") && !NOT_LOADABLE.has(value.className)) {
        table.set(value.className, value);
      }
    }
    builtins = table;
  }
  return builtins;
}

/**
 * Registers a built-in model class (Sequential, Functional) so that configs naming it, at the top
 * level or nested in another model, can be rebuilt. Model modules call this themselves.
 */
export function registerBuiltinModelClass(cls: LayerClass, aliases: string[] = []): void {
  builtinModels.set(cls.className, cls);
  for (const alias of aliases) builtinModels.set(alias, cls);
}

/**
 * Keras's `@keras.saving.register_keras_serializable(package, name)`: makes a user layer or model
 * class loadable from `.keras` files. It is written with `registered_name: "package>name"`.
 */
export function registerKerasSerializable<T extends LayerClass>(cls: T, options: { package?: string; name?: string } = {}): T {
  const pkg = options.package ?? "Custom";
  const name = options.name ?? kerasClassName(cls);
  if (pkg.includes(">") || name.includes(">")) throw new Error(`registerKerasSerializable: package and name must not contain '>' (got '${pkg}', '${name}')`);
  const registeredName = `${pkg}>${name}`;
  const existing = custom.get(registeredName);
  if (existing !== undefined && existing !== cls) {
    throw new Error(`registerKerasSerializable: '${registeredName}' is already registered to another class`);
  }
  custom.set(registeredName, cls);
  registeredNames.set(cls, registeredName);
  return cls;
}

/** The registered name of a user-registered class, or null for built-ins and unregistered classes. */
export function getRegisteredName(cls: LayerClass): string | null {
  return registeredNames.get(cls) ?? null;
}

/** True for the classes keras-ts ships (written with `module: "keras.layers"`, `registered_name: null`). */
export function isBuiltinLayerClass(cls: LayerClass): boolean {
  return builtinTable().get(cls.className) === cls || builtinModels.get(cls.className) === cls;
}

/**
 * The class for a serialized layer or model, or undefined. `registeredName` is the config's
 * `registered_name` (for user classes "package>Name").
 */
export function resolveLayerClass(className: string, registeredName: string | null | undefined, customObjects?: CustomObjects): LayerClass | undefined {
  if (customObjects !== undefined) {
    for (const key of [registeredName, className]) {
      if (typeof key === "string" && Object.prototype.hasOwnProperty.call(customObjects, key)) return customObjects[key];
    }
  }
  if (typeof registeredName === "string" && custom.has(registeredName)) return custom.get(registeredName);
  const builtin = builtinTable().get(className) ?? builtinModels.get(className);
  if (builtin !== undefined) return builtin;
  // A user class registered under its bare class name, written by another tool without a package.
  for (const [name, cls] of custom) if (name.endsWith(`>${className}`)) return cls;
  return undefined;
}

/** Class names the loader understands without custom objects, sorted, for error messages. */
export function supportedLayerClassNames(): string[] {
  return [...new Set([...builtinTable().keys(), ...builtinModels.keys()])].sort();
}
