/**
 * The legacy Keras HDF5 format (`model.save("m.h5")` in Keras 2, and in Keras 3 by extension):
 * keras/src/legacy/saving/legacy_h5_format.py and tf.keras 2's hdf5_format.py.
 *
 *   / attrs: keras_version, backend, model_config (JSON), training_config (JSON, if compiled)
 *   /model_weights attrs: layer_names, backend, keras_version
 *   /model_weights/<layer name> attrs: weight_names (paths of its datasets, relative to the group)
 *   /model_weights/<layer name>/<...>/kernel[:0]     one dataset per weight
 *   /optimizer_weights attrs: weight_names; the optimizer's variables in its own order
 *
 * What differs between writers, all read here: Keras 2 names datasets `<layer>/kernel:0`, Keras
 * 3.5+ `<model>/<layer>/kernel`, Keras 3.1 just `kernel`; name lists are fixed-length byte strings
 * (Keras 2.1-2.4) or variable-length strings (2.14, 3.x); a weightless layer's `weight_names` may
 * be an empty float64 array; lists over 64 KB are split into `weight_names0`, `weight_names1`, ...;
 * Keras 2.0/2.1 wrote a Sequential `model_config.config` as a bare list of layers. A layer's
 * weights are its trainable then non-trainable variables, as Keras's `_legacy_weights`.
 *
 * Writing follows Keras 3.11 (the `keras3_mnist_cnn_legacy.h5` fixture): variable-length strings,
 * datasets at `<layer>/<model>/<layer>/<weight>`, an empty `top_level_model_weights` group.
 */
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import type { Layer } from "../layers/layer.js";
import type { Model } from "../models/model.js";
import type { Optimizer, SavedValue } from "../optimizers/optimizer.js";
import { dialectOf } from "./config_variants.js";
import { getH5Dataset, getH5Group, type H5AttrValue, type H5Dataset, type H5Group } from "./h5_io.js";
import { datasetToTensor, optimizerDatasets, optimizerValue, tensorToDataset } from "./h5_tensors.js";

import type { DeserializationOptions } from "./layer_serialization.js";

export const LEGACY_BACKEND = "keras-ts";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An attribute that Keras may have split into `name0`, `name1`, ... (over 64 KB) as a string list. */
export function readNameList(group: H5Group, name: string, where: string): string[] {
  const attrs = group.attrs ?? {};
  const parts: H5AttrValue[] = [];
  if (name in attrs) parts.push(attrs[name]);
  else for (let i = 0; `${name}${i}` in attrs; i++) parts.push(attrs[`${name}${i}`]);
  const out: string[] = [];
  for (const part of parts) {
    if (typeof part === "string") out.push(part);
    else if (Array.isArray(part) && part.every((v) => typeof v === "string")) out.push(...(part as string[]));
    else if (Array.isArray(part) && part.length === 0) continue;
    else throw new Error(`${where}: attribute "${name}" is not a list of names`);
  }
  return out;
}

function stringAttr(group: H5Group, name: string): string | undefined {
  const value = group.attrs?.[name];
  return typeof value === "string" ? value : undefined;
}

function parseJsonAttr(root: H5Group, name: string, source: string): Record<string, unknown> | null {
  const text = stringAttr(root, name);
  if (text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: the "${name}" attribute is not valid JSON: ${reasonOf(error)}`, { cause: error });
  }
  if (!isPlainObject(value)) throw new Error(`${source}: the "${name}" attribute is not a JSON object`);
  return value;
}

/** True when the HDF5 tree is a legacy Keras model or weights file. */
export function isLegacyKerasTree(tree: H5Group): boolean {
  return tree.attrs?.model_config !== undefined || "model_weights" in tree.groups || tree.attrs?.layer_names !== undefined;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

interface LayerWeightsInFile {
  name: string;
  datasets: H5Dataset[];
}

/** The layers of `model_weights` (or a weights-only file's root) in `layer_names` order. */
function layersInFile(group: H5Group, source: string): LayerWeightsInFile[] {
  const names = readNameList(group, "layer_names", source);
  return names.map((name) => {
    const layerGroup = getH5Group(group, name);
    if (layerGroup === undefined || !Object.prototype.hasOwnProperty.call(group.groups, name)) {
      throw new Error(`${source}: layer_names lists '${name}' but there is no group "${name}"`);
    }
    const datasets = readNameList(layerGroup, "weight_names", `${source}: ${name}`).map((weightName) => {
      const dataset = getH5Dataset(layerGroup, weightName);
      if (dataset === undefined) throw new Error(`${source}: layer '${name}' lists weight "${weightName}" but the file has no such dataset`);
      return dataset;
    });
    return { name, datasets };
  });
}

export interface LegacyLoadOptions {
  /** Match layers by name instead of by order (Keras's `by_name=True`). */
  byName?: boolean;
  /** With byName: skip (with a warning) layers whose weights do not fit instead of failing. */
  skipMismatch?: boolean;
}

/**
 * Keras's `load_weights_from_hdf5_group` (by order of the layers that have weights) and
 * `load_weights_from_hdf5_group_by_name`. Everything is checked before anything is assigned.
 */
export function loadLegacyWeights(model: Layer, tree: H5Group, source: string, options: LegacyLoadOptions = {}): void {
  const weightsGroup = getH5Group(tree, "model_weights") ?? tree;
  const inFile = layersInFile(weightsGroup, source);
  const layers = ((model as Model).layers ?? [model]).filter((layer) => layer.weights.length > 0 || options.byName);
  const assignments: { variable: Variable; value: Tensor }[] = [];
  const problems: string[] = [];
  const match = (layer: Layer, stored: LayerWeightsInFile): void => {
    const variables = layer.weights;
    const label = `layer '${layer.name}' (${layer.className()})`;
    if (variables.length !== stored.datasets.length) {
      problems.push(`${label} expects ${variables.length} weight(s) but the file's layer '${stored.name}' holds ${stored.datasets.length}`);
      return;
    }
    const pending: { variable: Variable; value: Tensor }[] = [];
    for (let i = 0; i < variables.length; i++) {
      const dataset = stored.datasets[i];
      const variable = variables[i];
      const same = dataset.shape.length === variable.shape.length && dataset.shape.every((d, k) => d === variable.shape[k]);
      if (!same) {
        problems.push(`${label}: shape mismatch for weight '${variable.name}': the model expects ${shapeText(variable.shape)}, the file has ${shapeText(dataset.shape)}`);
        return;
      }
      pending.push({ variable, value: datasetToTensor(dataset, variable.dtype) });
    }
    assignments.push(...pending);
  };
  if (options.byName) {
    const byName = new Map(inFile.map((entry) => [entry.name, entry]));
    for (const layer of layers) {
      const stored = byName.get(layer.name);
      if (stored !== undefined) match(layer, stored);
    }
  } else {
    const storedWithWeights = inFile.filter((entry) => entry.datasets.length > 0);
    if (storedWithWeights.length !== layers.length) {
      throw new Error(
        `Cannot load weights from ${source}: the file holds weights for ${storedWithWeights.length} layer(s) ` +
          `[${storedWithWeights.map((e) => e.name).join(", ")}] but the model has ${layers.length} layer(s) with weights ` +
          `[${layers.map((l) => l.name).join(", ")}]; pass { byName: true } to match layers by name`,
      );
    }
    layers.forEach((layer, i) => match(layer, storedWithWeights[i]));
  }
  if (problems.length > 0) {
    const message = `Cannot load weights from ${source}: ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`;
    if (!options.skipMismatch) throw new Error(message);
    console.warn(`${message}\nThese were skipped (skipMismatch).`);
  }
  for (const { variable, value } of assignments) variable.assign(value);
}

/** Keras 2's optimizer_config spellings, as Keras 3's legacy loader accepts them. */
function modernOptimizerConfig(config: Record<string, unknown>): Record<string, unknown> {
  const inner = isPlainObject(config.config) ? { ...config.config } : {};
  if ("lr" in inner && !("learning_rate" in inner)) inner.learning_rate = inner.lr;
  delete inner.lr;
  if (inner.decay !== undefined && inner.decay !== 0 && inner.decay !== null) {
    console.warn(`The file's optimizer uses decay=${String(inner.decay)}, which Keras 3 (and keras-ts) no longer support; it is ignored.`);
  }
  delete inner.decay;
  return { ...config, config: inner };
}

/** Keras 2's loss spellings ("reduction": "auto"). */
function modernLoss(loss: unknown): unknown {
  if (isPlainObject(loss) && isPlainObject(loss.config) && loss.config.reduction === "auto") {
    return { ...loss, config: { ...loss.config, reduction: "sum_over_batch_size" } };
  }
  if (Array.isArray(loss)) return loss.map(modernLoss);
  return loss;
}

/** A legacy `training_config` as a Keras 3 `compile_config`. */
export function compileConfigFromTrainingConfig(trainingConfig: Record<string, unknown>): Record<string, unknown> {
  const { optimizer_config: optimizerConfig, sample_weight_mode: _unused, ...rest } = trainingConfig;
  return {
    ...rest,
    loss: modernLoss(rest.loss),
    optimizer: isPlainObject(optimizerConfig) ? modernOptimizerConfig(optimizerConfig) : null,
  };
}

/**
 * The optimizer state of a legacy file, when it is Keras 3's (iteration, learning rate, then the
 * slots in the optimizer's order, as in a `.keras` file). Keras 2's layout (iter, all m, all v)
 * is not Keras 3's: as Keras 3 does, the optimizer then starts fresh with a warning.
 */
export function legacyOptimizerValues(tree: H5Group, optimizer: Optimizer, source: string): SavedValue[] | null {
  const group = getH5Group(tree, "optimizer_weights");
  if (group === undefined) return null;
  const names = readNameList(group, "weight_names", `${source}: optimizer_weights`);
  const datasets = names.map((name) => getH5Dataset(group, name));
  const slots = optimizer.variables;
  const fits =
    datasets.every((d) => d !== undefined) &&
    datasets.length === slots.length + 2 &&
    slots.every((slot, i) => {
      const d = datasets[i + 2]!;
      return d.shape.length === slot.shape.length && d.shape.every((n, k) => n === slot.shape[k]);
    });
  if (!fits) {
    console.warn(`${source}: the saved optimizer state does not fit optimizer '${optimizer.name}' (${names.length} values for ${slots.length} slots); the optimizer starts fresh.`);
    return null;
  }
  return datasets.map((d, i) => optimizerValue(d!, i));
}

export interface LegacyModelParts {
  modelConfig: Record<string, unknown>;
  compileConfig: Record<string, unknown> | null;
  options: DeserializationOptions;
}

/** The model config, compile config and reading dialect of a legacy model file. */
export function legacyModelParts(tree: H5Group, source: string, options: DeserializationOptions): LegacyModelParts {
  const modelConfig = parseJsonAttr(tree, "model_config", source);
  if (modelConfig === null) {
    throw new Error(`${source}: this HDF5 file has no "model_config" attribute: it holds weights only; build the model and call model.loadWeights() instead`);
  }
  const trainingConfig = parseJsonAttr(tree, "training_config", source);
  const kerasVersion = stringAttr(tree, "keras_version") ?? stringAttr(getH5Group(tree, "model_weights") ?? tree, "keras_version");
  return {
    modelConfig,
    compileConfig: trainingConfig === null ? null : compileConfigFromTrainingConfig(trainingConfig),
    options: { ...options, dialect: dialectOf(kerasVersion) },
  };
}

/** Whether the config's optimizer is Keras 3's (its state can be restored). */
export function legacyFileIsKeras3(tree: H5Group): boolean {
  const version = stringAttr(tree, "keras_version");
  return version !== undefined && Number.parseInt(version, 10) >= 3;
}


// ---------------------------------------------------------------------------------------------
// Writing

function setDataset(group: H5Group, relativePath: string, dataset: H5Dataset): void {
  const parts = relativePath.split("/");
  const last = parts.pop()!;
  let at = group;
  for (const part of parts) at = at.groups[part] ??= { groups: {}, datasets: {} };
  at.datasets[last] = dataset;
}

/** Keras 3's legacy `model_config`: layer entries as `{class_name, config}`, nested objects kept. */
function legacyLayerEntries(config: unknown): unknown {
  if (!isPlainObject(config)) return config;
  if (!Array.isArray(config.layers)) return config;
  return {
    ...config,
    layers: config.layers.map((entry: unknown) => {
      if (!isPlainObject(entry)) return entry;
      const { module: _m, registered_name: _r, build_config: _b, ...rest } = entry;
      return { ...rest, config: legacyLayerEntries(rest.config) };
    }),
  };
}

/**
 * The HDF5 tree of `model.save("m.h5")`, as Keras 3 writes the legacy format. `serialized` is the
 * model's config.json (class_name, config, compile_config).
 */
export function legacyModelTree(model: Model, serialized: Record<string, unknown>, kerasVersion: string): H5Group {
  const root: H5Group = { attrs: {}, groups: {}, datasets: {} };
  root.attrs!.backend = LEGACY_BACKEND;
  root.attrs!.keras_version = kerasVersion;
  root.attrs!.model_config = JSON.stringify({ class_name: serialized.class_name, config: legacyLayerEntries(serialized.config) });
  const compileConfig = serialized.compile_config;
  if (isPlainObject(compileConfig) && model.optimizer !== undefined) {
    const { optimizer, ...training } = compileConfig;
    const optimizerConfig = isPlainObject(optimizer) ? { class_name: optimizer.class_name, config: optimizer.config } : null;
    root.attrs!.training_config = JSON.stringify({ ...training, optimizer_config: optimizerConfig });
  }
  root.groups.model_weights = legacyWeightsGroup(model, kerasVersion);
  const optimizer = model.optimizer;
  if (optimizer !== undefined && optimizer.variables.length > 0) {
    const group: H5Group = { attrs: {}, groups: {}, datasets: {} };
    const datasets = optimizerDatasets(optimizer);
    const names: string[] = [];
    const used = new Set<string>();
    const slotNames = optimizer.variables.map((v) => v.name.replace(/\//g, "_"));
    const labels = datasets.length === slotNames.length + 2 ? ["iteration", "learning_rate", ...slotNames] : ["iteration", ...slotNames];
    datasets.forEach((dataset, i) => {
      let name = `${optimizer.name}/${labels[i] ?? `variable_${i}`}`;
      for (let k = 1; used.has(name); k++) name = `${optimizer.name}/${labels[i]}_${k}`;
      used.add(name);
      names.push(name);
      setDataset(group, name, dataset);
    });
    group.attrs!.weight_names = names;
    root.groups.optimizer_weights = group;
  }
  return root;
}

/** `model_weights` (or a `.h5` weights file's root): one group per layer, `weight_names` listing it. */
export function legacyWeightsGroup(model: Layer, kerasVersion: string): H5Group {
  const group: H5Group = { attrs: { backend: LEGACY_BACKEND, keras_version: kerasVersion }, groups: {}, datasets: {} };
  const layers = (model as Model).layers ?? [model];
  group.attrs!.layer_names = layers.map((layer) => layer.name);
  for (const layer of layers) {
    const layerGroup: H5Group = { attrs: {}, groups: {}, datasets: {} };
    // Unique within the layer: a nested model's variables may share a name ("kernel").
    const used = new Set<string>();
    const names = layer.weights.map((variable) => {
      const base = `${model.name}/${layer.name}/${variable.name}`;
      let name = base;
      for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
      used.add(name);
      return name;
    });
    layerGroup.attrs!.weight_names = names;
    layer.weights.forEach((variable, i) => setDataset(layerGroup, names[i], tensorToDataset(variable.value)));
    group.groups[layer.name] = layerGroup;
  }
  group.groups.top_level_model_weights = { attrs: { weight_names: [] }, groups: {}, datasets: {} };
  return group;
}
