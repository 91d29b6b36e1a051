/**
 * Keras 3's native saving (keras/src/saving/saving_lib.py): whole models as `.keras` zip archives
 * and weights as `.weights.h5` files, in the exact layout Keras writes and reads.
 *
 * `.keras` = metadata.json + config.json + model.weights.h5 (see ./keras_zip.ts). The weights
 * file mirrors the object tree Keras walks (`_save_state`):
 *
 *   /vars                       the model's own variables (normally none); attr name=model.name
 *   /layers/<key>/vars/<i>      each layer's own variables: trainable first, then non-trainable,
 *                               in creation order; attr name=layer.name
 *   /layers/<key>/<attr>/vars   a sub-layer held in attribute <attr> (snake_case), e.g. an RNN's
 *                               `cell`; a list attribute gives <attr>/<key>/vars
 *   /layers/<key>/layers/...    a nested Sequential / Functional model
 *   /optimizer/vars/<i>         0 = iterations (int64), 1 = learning rate (float32, absent for a
 *                               schedule), then the slot variables in creation order
 *
 * where <key> is snake_case(class name) plus a per-class counter in layer order (`dense`,
 * `dense_1`, `flatten`, ...), *not* the layer's configured name. For a functional model the layer
 * order is Keras's (see ./functional_graph.ts). Loading walks the target model the same way and
 * looks each group up by that key, so files move freely between keras-ts and Python Keras.
 *
 * Writing is atomic (temporary file + rename): a failed save leaves any previous file intact.
 * The other formats live beside this one: ./legacy_h5_format.ts (`.h5`) and ./tfjs_format.ts;
 * `saveModel` and `loadModel` here pick among them.
 */
import { readback } from "../backend/backend.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { Layer, withWeightAllocationCheck } from "../layers/layer.js";
import type { Model } from "../models/model.js";
import type { Functional } from "../models/functional.js";
import type { Optimizer, SavedValue } from "../optimizers/optimizer.js";
import { toSnakeCase } from "../utils/naming.js";
import { getH5Group, isHdf5, readH5, readH5File, writeH5, type H5Group } from "./h5_io.js";
import { decodeKerasArchive, readKerasArchive, writeFileAtomic, writeKerasArchive, encodeKerasArchive } from "./keras_zip.js";
import { checkWritable, isLocalFile, isStorageLocation, readLocation } from "./locations.js";
import { platform } from "../platform/platform.js";
import { KERAS_TS_VERSION } from "../version.js";
import { classIdentity, deserializeLayer, shapeToJson, type DeserializationOptions } from "./layer_serialization.js";
import { getRegisteredName, type CustomObjects, type LayerClass } from "./object_registration.js";
import { compileArgsFromConfig } from "./compile_config.js";
import { datasetToTensor, optimizerDatasets, optimizerValue, tensorToDataset } from "./h5_tensors.js";
import {
  isLegacyKerasTree,
  legacyFileIsKeras3,
  legacyModelParts,
  legacyModelTree,
  legacyOptimizerValues,
  loadLegacyWeights,
  compileConfigFromTrainingConfig,
} from "./legacy_h5_format.js";
import { assignTfjsWeights, readTfjsModel, TFJS_DIALECT, writeTfjsModel } from "./tfjs_format.js";
import { mapGraph } from "./functional_graph.js";

/** The Keras version written to metadata.json: the Keras 3 release whose `.keras` layout this matches. */
export const KERAS_VERSION = "3.8.0";

function kerasTsVersion(): string {
  return KERAS_TS_VERSION;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Python's `datetime.now().strftime("%Y-%m-%d@%H:%M:%S")` (local time). */
function dateSaved(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}@${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}

// ---------------------------------------------------------------------------------------------
// The object tree: which variables go where

/** One group of variables in the weights file. */
export interface SaveableEntry {
  /** Path of the object, "" for the model itself, e.g. "layers/dense_1" or "optimizer". */
  path: string;
  /** Its name, written as the `name` attribute of its `vars` group. */
  name: string;
  /** What it is, for error messages: "layer 'dense_3' (Dense)". */
  label: string;
  /** Its own variables in Keras's order; for the optimizer, see `optimizer`. */
  variables: Variable[];
  optimizer?: Optimizer;
  /** The layer itself (absent for the optimizer's entry), for its assets. */
  layer?: Layer;
}

function joinPath(parent: string, child: string): string {
  return parent === "" ? child : `${parent}/${child}`;
}

/** Python's sort key in `_walk_saveable`: private attributes (leading "_") last. */
function attrSortKey(name: string): string {
  return name.startsWith("_") ? `~${name}` : name;
}

type Child = Layer | Layer[];

/**
 * The sub-layers of a layer as Keras's `_walk_saveable` sees them: for Sequential and Functional
 * models their `layers` (in Keras's order); for other layers and subclassed models every
 * property holding a layer or a list of layers, keyed by snake_case(property), sorted by key
 * (for subclassed models, with their `layers` list among them).
 */
function childrenOf(layer: Layer): [string, Child][] {
  const kind = layer.objType();
  if (kind === "Functional") {
    const functional = layer as Functional;
    return [["layers", mapGraph(functional.inputs, functional.outputs).layers]];
  }
  if (kind === "Sequential") return [["layers", (layer as Model).layers]];
  const found: [string, Child][] = [];
  for (const [key, value] of Object.entries(layer)) {
    if (key === "inboundNodes") continue;
    if (value instanceof Layer && value !== layer) found.push([toSnakeCase(key), value]);
    else if (Array.isArray(value) && value.length > 0 && value.some((v) => v instanceof Layer)) {
      found.push([toSnakeCase(key), value.filter((v): v is Layer => v instanceof Layer && v !== layer)]);
    }
  }
  // A subclassed model also has Keras's `layers` property (all its tracked layers), walked in
  // sorted position like any attribute; layers already reached through an earlier attribute are
  // skipped there but still count for the `dense`, `dense_1`, ... keys.
  if (kind === "Model") found.push(["layers", (layer as Model).layers]);
  found.sort(([a], [b]) => {
    const ka = attrSortKey(a);
    const kb = attrSortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return found;
}

/** Keras's container naming: snake_case(class name), then `_1`, `_2`, ... per class. */
function containerKeys(layers: readonly Layer[]): string[] {
  const used = new Map<string, number>();
  return layers.map((layer) => {
    const base = toSnakeCase(layer.className());
    const count = used.get(base);
    if (count === undefined) {
      used.set(base, 0);
      return base;
    }
    used.set(base, count + 1);
    return `${base}_${count + 1}`;
  });
}

function describeLayer(layer: Layer): string {
  return `layer '${layer.name}' (${layer.className()})`;
}

function walkLayer(layer: Layer, path: string, visited: Set<Layer>, out: SaveableEntry[]): void {
  if (visited.has(layer)) return;
  visited.add(layer);
  const children = childrenOf(layer);
  const nested = new Set<Variable>();
  for (const [, child] of children) for (const l of Array.isArray(child) ? child : [child]) for (const v of l.weights) nested.add(v);
  const own = layer.weights.filter((v) => !nested.has(v));
  out.push({
    path,
    name: layer.name,
    label: path === "" ? `model '${layer.name}'` : describeLayer(layer),
    variables: [...own.filter((v) => v.trainable), ...own.filter((v) => !v.trainable)],
    layer,
  });
  for (const [key, child] of children) {
    const childPath = joinPath(path, key);
    if (Array.isArray(child)) {
      const keys = containerKeys(child);
      child.forEach((l, i) => walkLayer(l, joinPath(childPath, keys[i]), visited, out));
    } else {
      walkLayer(child, childPath, visited, out);
    }
  }
}

/**
 * Every group of the weights file for `model`, in Keras's walk order: the model, its layers (and
 * theirs), then the optimizer when the model has one.
 */
export function saveableEntries(model: Layer, options: { includeOptimizer?: boolean } = {}): SaveableEntry[] {
  const out: SaveableEntry[] = [];
  walkLayer(model, "", new Set(), out);
  const optimizer = (model as { optimizer?: Optimizer }).optimizer;
  if (options.includeOptimizer !== false && optimizer !== undefined && optimizer !== null) {
    out.push({ path: "optimizer", name: optimizer.name, label: `optimizer '${optimizer.name}'`, variables: optimizer.variables, optimizer });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing

function groupAt(root: H5Group, path: string): H5Group {
  let group = root;
  for (const part of path.split("/").filter((p) => p.length > 0)) {
    group.groups[part] ??= { groups: {}, datasets: {} };
    group = group.groups[part];
  }
  return group;
}

/** The weights file of `model` as an HDF5 tree (see the module comment for the layout). */
export function weightsTree(model: Layer): H5Group {
  const root: H5Group = { groups: {}, datasets: {} };
  for (const entry of saveableEntries(model)) {
    const vars: H5Group = { attrs: { name: entry.name }, groups: {}, datasets: {} };
    const datasets = entry.optimizer !== undefined ? optimizerDatasets(entry.optimizer) : entry.variables.map((v) => tensorToDataset(v.value));
    datasets.forEach((d, i) => (vars.datasets[String(i)] = d));
    groupAt(root, entry.path).groups.vars = vars;
  }
  return root;
}

/** A layer with files of its own besides its variables (a lookup layer's vocabulary): Keras's `save_assets` / `load_assets`. */
interface AssetLayer {
  saveAssets(): Record<string, string | Uint8Array> | null;
  loadAssets(files: Record<string, Uint8Array>): void;
}

function hasAssets(layer: Layer | undefined): layer is Layer & AssetLayer {
  return layer !== undefined && typeof (layer as Partial<AssetLayer>).saveAssets === "function" && typeof (layer as Partial<AssetLayer>).loadAssets === "function";
}

/** The asset files of `model`'s layers, keyed as in a `.keras` archive's `assets/` (Keras's layout: the layer's path, then the file). */
export function assetsOf(model: Layer): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const entry of saveableEntries(model, { includeOptimizer: false })) {
    if (!hasAssets(entry.layer)) continue;
    for (const [name, content] of Object.entries(entry.layer.saveAssets() ?? {})) {
      files[joinPath(entry.path, name)] = typeof content === "string" ? new TextEncoder().encode(content) : content;
    }
  }
  return files;
}

/** Hands each layer with assets its files from an archive's `assets/`. */
export function loadAssetsInto(model: Layer, assets: Record<string, Uint8Array>, source: string): void {
  for (const entry of saveableEntries(model, { includeOptimizer: false })) {
    if (!hasAssets(entry.layer)) continue;
    const prefix = entry.path === "" ? "" : `${entry.path}/`;
    const files: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(assets)) {
      if (name.startsWith(prefix) && !name.slice(prefix.length).includes("/")) files[name.slice(prefix.length)] = bytes;
    }
    try {
      entry.layer.loadAssets(files);
    } catch (error) {
      throw new Error(`Cannot load the assets of ${entry.label} from ${source}: ${reasonOf(error)}`, { cause: error });
    }
  }
}

/**
 * The config.json of `model`: `{module, class_name, config, registered_name, build_config,
 * compile_config}` as Keras 3's `serialize_keras_object(model)` writes it.
 */
export function serializeModel(model: Model): Record<string, unknown> {
  const { module, className, registeredName } = classIdentity(model);
  let config: Record<string, unknown>;
  try {
    config = model.getConfig();
  } catch (error) {
    throw new Error(`Cannot serialize model '${model.name}': ${reasonOf(error)}`, { cause: error });
  }
  if (!isPlainObject(config)) throw new Error(`Cannot serialize model '${model.name}': getConfig() must return an object`);
  if (!Array.isArray(config.layers) && getRegisteredName(model.constructor as LayerClass) === null) {
    throw new Error(
      `Cannot save model '${model.name}' (${className}) as .keras: a subclassed model needs getConfig() / static fromConfig() and ` +
        "registerKerasSerializable() to be rebuilt from its config; use saveWeights() to save its weights only",
    );
  }
  const out: Record<string, unknown> = { module, class_name: className, config, registered_name: registeredName };
  if (model.buildInputShape !== undefined) out.build_config = { input_shape: shapeToJson(model.buildInputShape) };
  const compileConfig = model.getCompileConfig();
  if (compileConfig !== null) out.compile_config = compileConfig;
  return out;
}

function checkExtension(filePath: string, wanted: string, what: string): void {
  if (typeof filePath !== "string" || filePath.length === 0) throw new TypeError(`${what}: the file path must be a non-empty string`);
  if (filePath.endsWith(wanted)) return;
  throw new Error(`${what}: invalid file path; expected a "${wanted}" extension. Received: ${filePath}`);
}

const TFJS_PREFIX = "tfjs://";

function isLegacyH5Path(filePath: string): boolean {
  return /\.(h5|hdf5)$/i.test(filePath) && !filePath.endsWith(".weights.h5");
}

function warnIfUnbuilt(model: Model): void {
  if (!model.built) {
    console.warn(`You are saving model '${model.name}', which has not been built yet: it has no weights. Build it first, e.g. by calling it on data.`);
  }
}

/** The parts of a `.keras` archive for `model`, its config serialized already. */
async function kerasArchiveParts(model: Model, configJson: Record<string, unknown>) {
  const weightsH5 = await writeH5(weightsTree(model));
  return {
    metadataJson: { keras_version: KERAS_VERSION, date_saved: dateSaved(), keras_ts_version: kerasTsVersion() },
    configJson,
    weightsH5,
    assets: assetsOf(model),
  };
}

/**
 * `model.save(path)`, atomically. The path picks the format: `.keras` (Keras 3), `.h5` / `.hdf5`
 * (the legacy HDF5 format, as Keras 3 writes it), `tfjs://folder` (TF.js layers format:
 * folder/model.json and its weight shards). In a browser, `indexeddb://name` keeps the model in
 * the page's IndexedDB and `downloads://name` downloads it; both take a bare name (a `.keras`
 * file; `.h5` when the name says so).
 */
export async function saveModel(model: Model, filePath: string): Promise<void> {
  if (typeof filePath !== "string" || filePath.length === 0) throw new TypeError("model.save: the file path must be a non-empty string");
  const isTfjs = filePath.startsWith(TFJS_PREFIX);
  const storage = isStorageLocation(filePath);
  if (!isTfjs && !storage && !isLegacyH5Path(filePath) && !filePath.endsWith(".keras")) {
    throw new Error(`model.save: invalid file path; expected a ".keras" or ".h5" extension, or "tfjs://folder" for the TF.js format. Received: ${filePath}`);
  }
  if (!isTfjs) checkWritable(filePath, "model.save");
  warnIfUnbuilt(model);
  await readVariablesBack(model);
  // Everything is serialized in memory first: an error leaves the target untouched.
  const configJson = serializeModel(model);
  if (isTfjs) {
    await writeTfjsModel(model, configJson, filePath.slice(TFJS_PREFIX.length), `keras-ts ${kerasTsVersion()}`, writeFileAtomic);
    return;
  }
  if (isLegacyH5Path(filePath)) {
    await writeFileAtomic(filePath, await writeH5(legacyModelTree(model, configJson, KERAS_VERSION)));
    return;
  }
  // A download needs a file name the user's system recognizes.
  const target = storage && filePath.startsWith("downloads://") && !filePath.endsWith(".keras") ? `${filePath}.keras` : filePath;
  await writeKerasArchive(target, await kerasArchiveParts(model, configJson));
}

/**
 * The bytes of the file `model.save` would write: a `.keras` archive (default) or a legacy `.h5`
 * file. For pages that hand the file on themselves (an upload, a message to a worker).
 */
export async function saveModelToBytes(model: Model, format: "keras" | "h5" = "keras"): Promise<Uint8Array> {
  if (format !== "keras" && format !== "h5") throw new TypeError(`saveModelToBytes: format must be "keras" or "h5", got ${JSON.stringify(format)}`);
  warnIfUnbuilt(model);
  await readVariablesBack(model);
  const configJson = serializeModel(model);
  if (format === "h5") return writeH5(legacyModelTree(model, configJson, KERAS_VERSION));
  return encodeKerasArchive(await kerasArchiveParts(model, configJson));
}

/** Reads back the values of the model's (and its optimizer's) variables that are on a GPU (webgpu backend), which saving reads synchronously. */
async function readVariablesBack(model: Layer): Promise<void> {
  const optimizer = (model as { optimizer?: { variables?: Variable[] } }).optimizer;
  await readback([...model.variables, ...(optimizer?.variables ?? [])].map((v) => v.value));
}

/** `model.saveWeights(path)`: writes a Keras 3 `.weights.h5` file atomically. */
export async function saveWeights(model: Layer, filePath: string): Promise<void> {
  checkExtension(filePath, ".weights.h5", "model.saveWeights");
  checkWritable(filePath, "model.saveWeights");
  await readVariablesBack(model);
  const bytes = await writeH5(weightsTree(model));
  await writeFileAtomic(filePath, bytes);
}

// ---------------------------------------------------------------------------------------------
// Reading

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

interface PendingAssignment {
  variable: Variable;
  value: Tensor;
}

export interface LoadWeightsOptions {
  /** Skip (with a warning) layers whose weights are missing or do not fit, instead of failing. */
  skipMismatch?: boolean;
  /** Restore the optimizer state too, when the model has an optimizer and the file holds one. Default true. */
  includeOptimizer?: boolean;
  /** Legacy `.h5` files only: match layers by name instead of by order (Keras's `by_name`). */
  byName?: boolean;
}

/**
 * Loads a weights tree into `model`. Everything is checked before anything is assigned, so a
 * failed load leaves the model as it was. `source` names the file in error messages.
 */
export function loadWeightsTree(model: Layer, tree: H5Group, source: string, options: LoadWeightsOptions = {}): void {
  const problems: string[] = [];
  const assignments: PendingAssignment[] = [];
  const optimizerLoads: { optimizer: Optimizer; values: SavedValue[] }[] = [];
  for (const entry of saveableEntries(model, { includeOptimizer: options.includeOptimizer })) {
    const groupPath = joinPath(entry.path, "vars");
    const group = getH5Group(tree, groupPath);
    if (entry.optimizer !== undefined) {
      if (group === undefined) continue; // A file without optimizer state: the optimizer stays fresh.
      const values = readOptimizerValues(entry.optimizer, group, groupPath, problems);
      if (values !== null) optimizerLoads.push({ optimizer: entry.optimizer, values });
      continue;
    }
    const entryProblems: string[] = [];
    const entryAssignments: PendingAssignment[] = [];
    const stored = group === undefined ? 0 : Object.keys(group.datasets).length;
    if (group === undefined && entry.variables.length > 0) {
      entryProblems.push(`${entry.label}: missing weights (no group "${groupPath}" in the file; expected ${entry.variables.length} variable(s))`);
    } else if (stored !== entry.variables.length) {
      entryProblems.push(
        `${entry.label}: expected ${entry.variables.length} variable(s) [${entry.variables.map((v) => v.name).join(", ")}] ` +
          `but "${groupPath}" holds ${stored}`,
      );
    } else {
      entry.variables.forEach((variable, i) => {
        const at = `${groupPath}/${i}`;
        const dataset = group!.datasets[String(i)];
        if (dataset === undefined) {
          entryProblems.push(`${entry.label}: missing dataset "${at}" for variable '${variable.name}'`);
        } else if (!shapesEqual(dataset.shape, variable.shape)) {
          entryProblems.push(
            `${entry.label}: shape mismatch for variable '${variable.name}' at "${at}": the model expects ${formatShape(variable.shape)}, the file has ${formatShape(dataset.shape)}`,
          );
        } else {
          entryAssignments.push({ variable, value: datasetToTensor(dataset, variable.dtype) });
        }
      });
    }
    if (entryProblems.length === 0) assignments.push(...entryAssignments);
    else problems.push(...entryProblems);
  }
  if (problems.length > 0) {
    const message = `Cannot load weights from ${source}: ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`;
    if (!options.skipMismatch) throw new Error(message);
    console.warn(`${message}\nThese were skipped (skipMismatch).`);
  }
  for (const { variable, value } of assignments) variable.assign(value);
  for (const { optimizer, values } of optimizerLoads) optimizer.loadOwnVariables(values);
}

/**
 * The optimizer's saved values, checked against the optimizer (built for the model's trainable
 * weights). A file with only iterations and learning rate (saved before the first step) restores
 * those and keeps the fresh slots. A different number of slots is skipped with Keras's warning.
 */
function readOptimizerValues(optimizer: Optimizer, group: H5Group, groupPath: string, problems: string[]): SavedValue[] | null {
  const count = Object.keys(group.datasets).length;
  const values: SavedValue[] = [];
  for (let i = 0; i < count; i++) {
    const dataset = group.datasets[String(i)];
    if (dataset === undefined) {
      problems.push(`optimizer '${optimizer.name}': missing dataset "${groupPath}/${i}"`);
      return null;
    }
    values.push(optimizerValue(dataset, i));
  }
  const slots = optimizer.variables;
  const head = count - slots.length;
  if (head === 1 || head === 2) {
    // Same number of slots: check their shapes (and dtypes) so a mismatch names the slot.
    for (let i = 0; i < slots.length; i++) {
      const dataset = group.datasets[String(head + i)];
      if (!shapesEqual(dataset.shape, slots[i].shape)) {
        problems.push(
          `optimizer '${optimizer.name}': shape mismatch for slot '${slots[i].name}' at "${groupPath}/${head + i}": the optimizer expects ${formatShape(slots[i].shape)}, the file has ${formatShape(dataset.shape)}`,
        );
        return null;
      }
      values[head + i] = datasetToTensor(dataset, slots[i].dtype);
    }
    return values;
  }
  if (slots.length > 0 && (count === 1 || count === 2)) {
    // Saved before the optimizer was built: restore the counters, keep the fresh slots.
    return [...values, ...slots.map((v) => v.value)];
  }
  return values; // loadOwnVariables warns and skips, as Keras does.
}

/**
 * `model.saveWeights`' counterpart: loads a `.weights.h5` file, the weights of a `.keras` file, or a
 * legacy Keras `.h5` file (model or weights only; by layer order, or by name with `byName`).
 */
export async function loadWeights(model: Layer, filePath: string, options: LoadWeightsOptions = {}): Promise<void> {
  if (typeof filePath !== "string" || filePath.length === 0) throw new TypeError("model.loadWeights: the file path must be a non-empty string");
  if (filePath.endsWith(".keras")) {
    if (options.byName) throw new Error(`model.loadWeights: byName applies to legacy .h5 files only; ${filePath} is a .keras file`);
    const archive = await readKerasArchive(filePath);
    const source = `${filePath} (model.weights.h5)`;
    loadWeightsTree(model, await readH5(archive.weightsH5, source), source, options);
    return;
  }
  if (!/\.(h5|hdf5)$/i.test(filePath)) {
    throw new Error(`model.loadWeights: invalid file path; expected a ".weights.h5", ".h5" or ".keras" file. Received: ${filePath}`);
  }
  const tree = await readH5File(filePath);
  if (isLegacyKerasTree(tree)) {
    loadLegacyWeights(model, tree, filePath, options);
  } else {
    if (options.byName) throw new Error(`model.loadWeights: byName applies to legacy .h5 files only; ${filePath} is a Keras 3 weights file`);
    loadWeightsTree(model, tree, filePath, options);
  }
}

export interface LoadModelOptions {
  /** Compile the model from the file's `compile_config` (and restore the optimizer state). Default true. */
  compile?: boolean;
  /** User layer / model classes by class name or registered name ("package>Name"). */
  customObjects?: CustomObjects;
}

/** Rebuilds a model from a parsed config.json (Keras's `deserialize_keras_object`), without weights. */
export function deserializeModel(config: Record<string, unknown>, options: DeserializationOptions = {}): Model {
  const source = options.source ?? "config";
  if (!isPlainObject(config)) throw new Error(`Malformed config in ${source}: expected a JSON object`);
  if (typeof config.class_name !== "string") throw new Error(`Malformed config in ${source}: missing "class_name"`);
  if (!isPlainObject(config.config) && !Array.isArray(config.config)) throw new Error(`Malformed config in ${source}: missing "config" for '${config.class_name}'`);
  const model = deserializeLayer({ ...config, compile_config: undefined }, options);
  if (model.objType() === "Layer") {
    throw new Error(`Malformed config in ${source}: the top-level object is a '${config.class_name}', not a model`);
  }
  return model as Model;
}

/**
 * `deserializeModel` for a file's config: every weight the rebuilt layers create must fit in the
 * `weightBytes` bytes of weights the file holds (at least a byte per value), checked before it is
 * allocated, so a corrupt config (`units: 1e9`) fails in words instead of exhausting memory.
 */
function deserializeModelWithin(config: Record<string, unknown>, options: DeserializationOptions, weightBytes: number): Model {
  let left = weightBytes;
  const check = (layer: Layer, name: string, shape: readonly number[]): void => {
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count) || count > left) {
      throw new Error(
        `weight '${name}' of shape [${shape.join(", ")}] for layer '${layer.name}' (${layer.className()}) is larger than what the file's ${weightBytes} bytes of weights can hold (a corrupt config?)`,
      );
    }
    left -= count;
  };
  return withWeightAllocationCheck(check, () => deserializeModel(config, options));
}

/** Keras's `compile_from_config`, then builds the optimizer so its state can be loaded. */
function compileFromConfig(model: Model, compileConfig: Record<string, unknown>, source: string): void {
  try {
    model.compile(compileArgsFromConfig(compileConfig));
  } catch (error) {
    throw new Error(
      `Cannot compile the model from the compile_config in ${source}: ${reasonOf(error)}. ` + "Pass { compile: false } to load the model without compiling it.",
      { cause: error },
    );
  }
  if (model.built && model.optimizer !== undefined) model.optimizer.build(model.trainableWeights);
}

/** A legacy or TF.js training config, compiled if it can be; a model that cannot be is returned uncompiled. */
function compileLeniently(model: Model, compileConfig: Record<string, unknown>, source: string): void {
  try {
    compileFromConfig(model, compileConfig, source);
  } catch (error) {
    console.warn(`${reasonOf(error)}\nThe model is returned uncompiled.`);
  }
}

type FileKind = "keras" | "h5" | "tfjs";

/** The format of a file from its first bytes (and, for a truncated HDF5 file, its name). */
function formatOfBytes(bytes: Uint8Array, location: string): FileKind {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return "keras";
  if (isHdf5(bytes) || (bytes.length >= 8 && /\.(h5|hdf5)$/i.test(location))) return "h5";
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, 8)).trimStart();
  if (text.startsWith("{")) return "tfjs";
  return "keras"; // Its reader says what is wrong with it.
}

async function sniffFormat(location: string): Promise<FileKind> {
  if (location.startsWith(TFJS_PREFIX)) return "tfjs";
  const info = await platform().fileInfo(location);
  if (info?.kind === "directory") return "tfjs";
  let head: Uint8Array;
  try {
    head = await platform().readFileHead(location, 8);
  } catch (error) {
    throw new Error(`cannot read "${location}": ${reasonOf(error)}`, { cause: error });
  }
  return formatOfBytes(head, location);
}

async function loadLegacyH5Model(filePath: string, options: LoadModelOptions, tree?: H5Group, fileBytes?: number): Promise<Model> {
  tree ??= await readH5File(filePath);
  if (!isLegacyKerasTree(tree)) {
    throw new Error(`${filePath}: this HDF5 file is not a Keras model (no "model_config" attribute); if it holds weights, build the model and call model.loadWeights()`);
  }
  const parts = legacyModelParts(tree, filePath, { source: filePath, customObjects: options.customObjects });
  const model = deserializeModelWithin(parts.modelConfig, parts.options, fileBytes ?? (await platform().fileInfo(filePath))?.size ?? 0);
  loadLegacyWeights(model, tree, filePath);
  if (options.compile !== false && parts.compileConfig !== null) {
    compileLeniently(model, parts.compileConfig, filePath);
    const optimizer = model.optimizer;
    if (optimizer !== undefined && optimizer.variables.length > 0) {
      if (legacyFileIsKeras3(tree)) {
        const values = legacyOptimizerValues(tree, optimizer, filePath);
        if (values !== null) optimizer.loadOwnVariables(values);
      } else if ("optimizer_weights" in tree.groups) {
        // As Keras 3: Keras 2's optimizer variables do not map onto Keras 3's.
        console.warn(`${filePath}: the optimizer state saved by Keras 2 cannot be restored in Keras 3's optimizers; the optimizer starts fresh.`);
      }
    }
  }
  return model;
}

async function loadTfjsModel(location: string, options: LoadModelOptions): Promise<Model> {
  const file = await readTfjsModel(location);
  const weightBytes = [...file.weights.values()].reduce((sum, t) => sum + t.size * 4, 0);
  const model = deserializeModelWithin(file.modelConfig, { source: file.source, customObjects: options.customObjects, dialect: TFJS_DIALECT }, weightBytes);
  assignTfjsWeights(model, file);
  if (options.compile !== false && file.trainingConfig !== null) compileLeniently(model, compileConfigFromTrainingConfig(file.trainingConfig), file.source);
  return model;
}

/**
 * `keras.models.loadModel(location)`: rebuilds a model written by keras-ts, Keras 3, Keras 2 or
 * TF.js — architecture, weights, and (unless `compile: false`) the compile settings and the
 * optimizer state, so training resumes where it stopped. The format is read from the file itself:
 * a `.keras` zip archive, a legacy HDF5 `.h5` model, or a TF.js `model.json` (a path to it, its
 * folder, `tfjs://folder`, or an http(s) URL). Any of them by URL (in a browser, relative to the
 * page), and `indexeddb://name` in a browser.
 */
export async function loadModel(location: string, options: LoadModelOptions = {}): Promise<Model> {
  if (typeof location !== "string" || location.length === 0) throw new TypeError("loadModel: the file path must be a non-empty string");
  // A URL (any location in a browser) or IndexedDB: the whole file at once, its format from its bytes.
  if (!location.startsWith(TFJS_PREFIX) && !isLocalFile(location)) {
    if (location.endsWith("/")) return loadTfjsModel(location, options);
    const bytes = await readLocation(location);
    // A model.json names its weight files relative to its own URL: the TF.js reader fetches them.
    if (formatOfBytes(bytes, location) === "tfjs") return loadTfjsModel(location, options);
    return loadModelFromBytes(bytes, { ...options, source: location });
  }
  const kind = await sniffFormat(location);
  if (kind === "h5") return loadLegacyH5Model(location, options);
  if (kind === "tfjs") return loadTfjsModel(location, options);
  return loadKerasArchive(await readKerasArchive(location), location, options);
}

/**
 * A model from the bytes of a `.keras` or legacy `.h5` file (a file the page's user picked, a
 * message from a worker). `source` names it in error messages.
 */
export async function loadModelFromBytes(bytes: Uint8Array, options: LoadModelOptions & { source?: string } = {}): Promise<Model> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("loadModelFromBytes: bytes must be a Uint8Array");
  const source = options.source ?? "<bytes>";
  const kind = formatOfBytes(bytes, source);
  if (kind === "tfjs") throw new Error(`${source} is a TF.js model.json: load it by its URL (its weights are in separate files)`);
  if (kind === "h5") {
    if (!isHdf5(bytes)) throw new Error(`${source}: not an HDF5 file (no HDF5 signature)`);
    return loadLegacyH5Model(source, options, await readH5(bytes, source), bytes.length);
  }
  return loadKerasArchive(decodeKerasArchive(bytes, source), source, options);
}

async function loadKerasArchive(archive: ReturnType<typeof decodeKerasArchive>, location: string, options: LoadModelOptions): Promise<Model> {
  const config = archive.config;
  const model = deserializeModelWithin(config, { source: location, customObjects: options.customObjects }, archive.weightsH5.length);
  const compileConfig = config.compile_config;
  if (options.compile !== false && isPlainObject(compileConfig)) compileFromConfig(model, compileConfig, location);
  const source = `${location} (model.weights.h5)`;
  const tree = await readH5(archive.weightsH5, source);
  loadWeightsTree(model, tree, source);
  loadAssetsInto(model, archive.assets ?? {}, `${location} (assets)`);
  return model;
}
