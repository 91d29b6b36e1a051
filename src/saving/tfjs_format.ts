/**
 * The TensorFlow.js layers format: `model.json` plus binary weight shards
 * (tfjs-core/src/io/types.ts `ModelJSON`, `WeightsManifestConfig`; tfjs-layers `LayersModel.save`).
 *
 *   {format: "layers-model", generatedBy, convertedBy,
 *    modelTopology: <the Keras model config> (tfjs-layers `save()`)
 *                 | {keras_version, backend, model_config, training_config} (the converter),
 *    weightsManifest: [{paths: ["group1-shard1of2.bin", ...], weights: [{name, shape, dtype, quantization?}]}]}
 *
 * Each group's weights are laid end to end, little-endian, across the group's shards in order.
 * Weight names are `<layer name>/<weight name>` (the converter may prefix scopes). TF.js computes
 * activations with Keras 2's formulas (hard_sigmoid = clip(0.2x + 0.5, 0, 1)), so every file of
 * this format is read with that dialect, whatever Keras version converted it.
 *
 * Untrusted input: shard paths may not leave the model's folder (or, for URLs, its origin); each
 * weight's size comes from its shape and must fit the shards, which must add up exactly.
 *
 * Writing gives what the converter gives for a Keras 2 model (TF.js's layers read Keras 2 configs,
 * not Keras 3's): layer entries as {class_name, config}, dtypes as strings, InputLayer with
 * `batch_input_shape`, functional nodes as `[[layer, node, tensor, kwargs], ...]`, weights as
 * float32/int32 in 4 MiB shards `group1-shardNofM.bin`.
 */
import { platform } from "../platform/platform.js";
import { isLocalFile } from "./locations.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import type { Layer } from "../layers/layer.js";
import type { Model } from "../models/model.js";
import type { DType, TypedArray } from "../backend/dtypes.js";
import type { ConfigDialect } from "./config_variants.js";

export const TFJS_DIALECT: ConfigDialect = { keras2Activations: true };
const SHARD_BYTES = 4 * 1024 * 1024;
/** A model.json larger than this is not a model description. */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where a model.json and its shards are: a folder on disk or a base URL. */
interface Location {
  /** The model.json's own name for messages. */
  source: string;
  read(relative: string, maxBytes: number): Promise<Uint8Array>;
}

function isUrl(location: string): boolean {
  return !isLocalFile(location);
}

function localLocation(modelJsonPath: string): Location {
  const { path } = platform();
  const dir = path.dirname(path.resolve(modelJsonPath));
  return {
    source: modelJsonPath,
    async read(relative, maxBytes) {
      // A shard path is a file name in the model's folder (or below it), never outside it.
      if (relative.length === 0 || path.isAbsolute(relative) || relative.split(/[\\/]/).includes("..")) {
        throw new Error(`${modelJsonPath}: weight shard path ${JSON.stringify(relative)} leaves the model's folder`);
      }
      const file = path.join(dir, relative);
      const size = (await platform().fileInfo(file))?.size;
      if (size !== undefined && size > maxBytes) throw new Error(`${modelJsonPath}: weight shard "${relative}" has ${size} bytes, more than the manifest's ${maxBytes}`);
      try {
        return await platform().readFile(file);
      } catch (error) {
        throw new Error(`${modelJsonPath}: cannot read weight shard "${relative}": ${reasonOf(error)}`, { cause: error });
      }
    },
  };
}

async function fetchBytes(url: string, maxBytes: number, what: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${what}: cannot fetch ${url}: ${reasonOf(error)}`, { cause: error });
  }
  if (!response.ok) throw new Error(`${what}: fetching ${url} gave HTTP ${response.status} ${response.statusText}`);
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw new Error(`${what}: ${url} has ${declared} bytes, more than the ${maxBytes} expected`);
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`${what}: ${url} sent more than the ${maxBytes} bytes expected`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function urlLocation(modelJsonUrl: string): Location {
  const base = new URL(modelJsonUrl);
  return {
    source: modelJsonUrl,
    async read(relative, maxBytes) {
      const url = new URL(relative, base);
      if (url.origin !== base.origin) throw new Error(`${modelJsonUrl}: weight shard ${JSON.stringify(relative)} is on another origin`);
      return fetchBytes(url.href, maxBytes, modelJsonUrl);
    },
  };
}

/** A path or URL of a model.json, a folder holding one, or `tfjs://folder`, as a model.json location. */
export async function resolveModelJson(location: string): Promise<{ modelJson: string; isUrl: boolean }> {
  const bare = location.startsWith("tfjs://") ? location.slice("tfjs://".length) : location;
  if (isUrl(bare)) {
    const url = platform().absoluteUrl(bare);
    return { modelJson: url.endsWith("/") ? `${url}model.json` : url, isUrl: true };
  }
  // Not there: the read below says so.
  if ((await platform().fileInfo(bare))?.kind === "directory") return { modelJson: platform().path.join(bare, "model.json"), isUrl: false };
  return { modelJson: bare, isUrl: false };
}

/** What a model.json holds, checked. */
export interface TfjsModel {
  modelConfig: Record<string, unknown>;
  trainingConfig: Record<string, unknown> | null;
  /** Weights by manifest name, in manifest order. */
  weights: Map<string, Tensor>;
  source: string;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "bool";
  /** The stored element type and, for affine quantization, scale and min. */
  stored: { dtype: string; scale?: number; min?: number };
  byteLength: number;
  group?: string;
}

function parseWeightSpec(raw: unknown, source: string): WeightSpec {
  if (!isPlainObject(raw) || typeof raw.name !== "string" || !Array.isArray(raw.shape)) {
    throw new Error(`${source}: a weightsManifest entry is not {name, shape, dtype}: ${JSON.stringify(raw)?.slice(0, 200)}`);
  }
  const shape = raw.shape as unknown[];
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || (d as number) < 0) throw new Error(`${source}: weight '${raw.name}' has an invalid shape ${JSON.stringify(shape)}`);
    count *= d as number;
    if (count > Number.MAX_SAFE_INTEGER / 8) throw new Error(`${source}: weight '${raw.name}' has an impossible shape ${JSON.stringify(shape)}`);
  }
  const dtype = raw.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "int32" && dtype !== "bool") {
    throw new Error(`${source}: weight '${raw.name}' has dtype ${JSON.stringify(dtype)}; supported: float32, int32, bool`);
  }
  let stored: WeightSpec["stored"] = { dtype };
  if (raw.quantization !== undefined) {
    const q = raw.quantization;
    if (!isPlainObject(q) || !(q.dtype === "uint8" || q.dtype === "uint16" || q.dtype === "float16")) {
      throw new Error(`${source}: weight '${raw.name}' has an unsupported quantization ${JSON.stringify(q)}`);
    }
    if (q.dtype !== "float16" && (typeof q.scale !== "number" || typeof q.min !== "number")) {
      throw new Error(`${source}: weight '${raw.name}': ${q.dtype} quantization needs a numeric scale and min`);
    }
    stored = { dtype: q.dtype, scale: q.scale as number | undefined, min: q.min as number | undefined };
  }
  return {
    name: raw.name,
    shape: shape as number[],
    dtype,
    stored,
    byteLength: count * DTYPE_BYTES[stored.dtype],
    group: typeof raw.group === "string" ? raw.group : undefined,
  };
}

function decodeWeight(spec: WeightSpec, bytes: Uint8Array): Tensor {
  const count = spec.byteLength / DTYPE_BYTES[spec.stored.dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let data: TypedArray;
  if (spec.stored.dtype === spec.dtype) {
    // A copy, aligned; Node runs on little-endian machines only, as TF.js's shards are.
    const own = bytes.slice().buffer;
    data = spec.dtype === "float32" ? new Float32Array(own) : spec.dtype === "int32" ? new Int32Array(own) : new Uint8Array(own);
  } else {
    const values = new Float32Array(count);
    const { dtype, scale = 1, min = 0 } = spec.stored;
    for (let i = 0; i < count; i++) {
      if (dtype === "uint8") values[i] = bytes[i] * scale + min;
      else if (dtype === "uint16") values[i] = view.getUint16(i * 2, true) * scale + min;
      else values[i] = float16ToFloat32(view.getUint16(i * 2, true));
    }
    data = spec.dtype === "int32" ? Int32Array.from(values, Math.round) : spec.dtype === "bool" ? Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0)) : values;
  }
  return makeTensor(data, spec.shape, spec.dtype as DType);
}

/** Reads and checks a model.json and its shards (from disk or over http(s)). */
export async function readTfjsModel(location: string): Promise<TfjsModel> {
  const { modelJson, isUrl: remote } = await resolveModelJson(location);
  const where = remote ? urlLocation(modelJson) : localLocation(modelJson);
  const source = where.source;
  let jsonBytes: Uint8Array;
  if (remote) {
    jsonBytes = await fetchBytes(modelJson, MAX_MODEL_JSON_BYTES, modelJson);
  } else {
    try {
      jsonBytes = await platform().readFile(modelJson);
    } catch (error) {
      throw new Error(`cannot read "${modelJson}": ${reasonOf(error)}`, { cause: error });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(jsonBytes));
  } catch (error) {
    throw new Error(`${source} is not a valid TF.js model.json: ${reasonOf(error)}`, { cause: error });
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed.modelTopology)) throw new Error(`${source} is not a TF.js layers model: it has no "modelTopology" object`);
  if (parsed.format !== undefined && parsed.format !== "layers-model") {
    throw new Error(`${source} is a TF.js "${String(parsed.format)}" model; only "layers-model" files (Keras models) can be loaded`);
  }
  const topology = parsed.modelTopology;
  const modelConfig = isPlainObject(topology.model_config) ? topology.model_config : topology;
  if (typeof modelConfig.class_name !== "string") throw new Error(`${source}: modelTopology has no model class_name`);
  const trainingConfig = isPlainObject(topology.training_config) ? topology.training_config : isPlainObject(parsed.trainingConfig) ? parsed.trainingConfig : null;
  const manifest = parsed.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new Error(`${source}: "weightsManifest" is not a list`);
  const weights = new Map<string, Tensor>();
  for (const [g, group] of manifest.entries()) {
    if (!isPlainObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights) || !group.paths.every((p) => typeof p === "string")) {
      throw new Error(`${source}: weightsManifest group ${g} is not {paths, weights}`);
    }
    const specs = group.weights.map((w) => parseWeightSpec(w, source));
    const needed = specs.reduce((sum, s) => sum + s.byteLength, 0);
    const shards: Uint8Array[] = [];
    let total = 0;
    for (const shardPath of group.paths as string[]) {
      const bytes = await where.read(shardPath, needed - total);
      shards.push(bytes);
      total += bytes.length;
    }
    if (total !== needed) {
      throw new Error(`${source}: weight group ${g} needs ${needed} bytes for its ${specs.length} weights but its shards hold ${total} (a shard is truncated or the manifest is wrong)`);
    }
    const buffer = shards.length === 1 ? shards[0] : new Uint8Array(total);
    if (shards.length > 1) {
      let at = 0;
      for (const shard of shards) {
        buffer.set(shard, at);
        at += shard.length;
      }
    }
    let offset = 0;
    for (const spec of specs) {
      const bytes = buffer.subarray(offset, offset + spec.byteLength);
      offset += spec.byteLength;
      if (spec.group === "optimizer") continue;
      if (weights.has(spec.name)) throw new Error(`${source}: the manifest lists weight '${spec.name}' twice`);
      weights.set(spec.name, decodeWeight(spec, bytes));
    }
  }
  return { modelConfig, trainingConfig, weights, source };
}

/** The layers that own weights, nested models opened up: TF.js names a weight after its own layer. */
function weightOwners(model: Model): Layer[] {
  return model.layers.flatMap((layer) => (Array.isArray((layer as Model).layers) ? weightOwners(layer as Model) : [layer]));
}

/**
 * Assigns a model.json's weights to `model`'s layers: each variable takes the weight named
 * `<layer>/<variable>` (or ending in `/<layer>/<variable>`). Every weight must be used and every
 * variable found, with its shape; nothing is assigned unless all fit.
 */
export function assignTfjsWeights(model: Model, file: TfjsModel): void {
  const unused = new Set(file.weights.keys());
  const assignments: { variable: Variable; value: Tensor }[] = [];
  const problems: string[] = [];
  for (const layer of weightOwners(model)) {
    for (const variable of layer.weights) {
      const wanted = `${layer.name}/${variable.name}`;
      let name: string | undefined = file.weights.has(wanted) ? wanted : undefined;
      if (name === undefined) {
        const candidates = [...unused].filter((n) => n.endsWith(`/${wanted}`));
        if (candidates.length === 1) name = candidates[0];
      }
      if (name === undefined) {
        problems.push(`layer '${layer.name}' (${layer.className()}): no weight '${wanted}' in the manifest`);
        continue;
      }
      const value = file.weights.get(name)!;
      const same = value.shape.length === variable.shape.length && value.shape.every((d, k) => d === variable.shape[k]);
      if (!same) {
        problems.push(`weight '${name}': the model expects [${variable.shape.join(", ")}], the file has [${value.shape.join(", ")}]`);
        continue;
      }
      unused.delete(name);
      assignments.push({ variable, value: value.dtype === variable.dtype ? value : makeTensor(Float32Array.from(value.dataSync() as ArrayLike<number>), [...value.shape], variable.dtype) });
    }
  }
  for (const name of unused) problems.push(`weight '${name}' in the manifest belongs to no layer of the model`);
  if (problems.length > 0) throw new Error(`Cannot load weights from ${file.source}: ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  for (const { variable, value } of assignments) variable.assign(value);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A Keras 3 object entry as TF.js (and Keras 2) write it: {class_name, config}, dtypes as names. */
function toKeras2(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((v) => toKeras2(v, where));
  if (!isPlainObject(value)) return value;
  if (value.class_name === "DTypePolicy" && isPlainObject(value.config)) return value.config.name;
  if (value.class_name === "__keras_tensor__") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "module" || key === "registered_name" || key === "build_config" || key === "shared_object_id") continue;
    if (key.endsWith("activation") && inner === "hard_sigmoid") {
      throw new Error(`${where}: Keras 3's hard_sigmoid (relu6(x + 3) / 6) has no TF.js equivalent; TF.js's hard_sigmoid is Keras 2's clip(0.2x + 0.5, 0, 1)`);
    }
    out[key] = key.endsWith("activation") && inner === "keras2_hard_sigmoid" ? "hard_sigmoid" : toKeras2(inner, where);
  }
  return out;
}

/** A Keras 3 inbound node `{args, kwargs}` as Keras 2's `[[layer, node, tensor, kwargs], ...]`. */
function keras2InboundNode(node: unknown): unknown {
  if (!isPlainObject(node) || !Array.isArray(node.args)) return node;
  const kwargs = isPlainObject(node.kwargs) ? node.kwargs : {};
  const tensors = Array.isArray(node.args[0]) ? node.args[0] : [node.args[0]];
  return tensors.map((t: unknown) => {
    const history = isPlainObject(t) && isPlainObject(t.config) ? t.config.keras_history : undefined;
    if (!Array.isArray(history)) throw new Error(`TF.js export: a layer call's input is not a tensor: ${JSON.stringify(t)?.slice(0, 200)}`);
    return [...history, kwargs];
  });
}

/** The model config in the Keras 2 form TF.js reads. */
export function tfjsModelConfig(serialized: Record<string, unknown>, where: string): Record<string, unknown> {
  const config = toKeras2({ class_name: serialized.class_name, config: serialized.config }, where) as Record<string, unknown>;
  const inner = config.config as Record<string, unknown>;
  if (Array.isArray(inner.layers)) {
    inner.layers = inner.layers.map((entry: Record<string, unknown>) => {
      const layerConfig = { ...(entry.config as Record<string, unknown>) };
      if (entry.class_name === "InputLayer" && "batch_shape" in layerConfig) {
        layerConfig.batch_input_shape = layerConfig.batch_shape;
        delete layerConfig.batch_shape;
      }
      const out: Record<string, unknown> = { ...entry, config: layerConfig };
      if (Array.isArray(entry.inbound_nodes)) out.inbound_nodes = entry.inbound_nodes.map(keras2InboundNode);
      return out;
    });
  }
  for (const key of ["input_layers", "output_layers"]) {
    const value = inner[key];
    // Keras 3 writes a single input or output as a bare [layer, node, tensor]; Keras 2 as a list.
    if (Array.isArray(value) && typeof value[0] === "string") inner[key] = [value];
    else if (isPlainObject(value)) inner[key] = Object.values(value);
  }
  return config;
}

/** Writes `model.json` and its shards into `dir` (created if needed), each file atomically. */
export async function writeTfjsModel(
  model: Model,
  serialized: Record<string, unknown>,
  dir: string,
  generatedBy: string,
  writeFile: (file: string, bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const modelConfig = tfjsModelConfig(serialized, `Cannot save model '${model.name}' in TF.js format`);
  const specs: { name: string; shape: number[]; dtype: string }[] = [];
  const parts: Uint8Array[] = [];
  for (const layer of weightOwners(model)) {
    for (const variable of layer.weights) {
      const value = variable.value;
      if (value.dtype !== "float32" && value.dtype !== "int32") {
        throw new Error(`Cannot save model '${model.name}' in TF.js format: weight '${layer.name}/${variable.name}' has dtype ${value.dtype}`);
      }
      const data = value.dataSync() as Float32Array | Int32Array;
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      specs.push({ name: `${layer.name}/${variable.name}`, shape: [...value.shape], dtype: value.dtype });
      parts.push(bytes);
    }
  }
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const shardCount = Math.max(1, Math.ceil(total / SHARD_BYTES));
  const paths = Array.from({ length: shardCount }, (_, i) => `group1-shard${i + 1}of${shardCount}.bin`);
  const modelJson = {
    format: "layers-model",
    generatedBy,
    convertedBy: null,
    modelTopology: { ...modelConfig, keras_version: generatedBy, backend: "tensor_flow.js" },
    weightsManifest: [{ paths, weights: specs }],
  };
  const { join } = platform().path;
  await platform().makeDirectory(dir);
  for (let i = 0; i < shardCount; i++) await writeFile(join(dir, paths[i]), all.subarray(i * SHARD_BYTES, Math.min(total, (i + 1) * SHARD_BYTES)));
  await writeFile(join(dir, "model.json"), new TextEncoder().encode(JSON.stringify(modelJson)));
}
