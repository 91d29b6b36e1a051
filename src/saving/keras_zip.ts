/**
 * The `.keras` container of Keras 3: a zip archive holding `metadata.json`
 * (`{"keras_version", "date_saved"}`), `config.json` (the serialized model) and `model.weights.h5`
 * (the weights, an HDF5 file: see ./h5_io.ts). Keras stores the members without compression and
 * so do we.
 *
 * Writing is atomic: the archive goes to a temporary file in the target's directory, is flushed to
 * disk, then renamed over the target, so a failed save leaves any previous file untouched and
 * leaves no temporary file behind (the host's writeFileAtomic, src/platform/node.ts).
 */
import { zipSync, type Zippable } from "fflate";
import { readLocation, writeLocation } from "./locations.js";
import { readZipMembers } from "./zip_reader.js";
import { isHdf5 } from "./h5_io.js";

export const METADATA_FILENAME = "metadata.json";
export const CONFIG_FILENAME = "config.json";
export const WEIGHTS_FILENAME = "model.weights.h5";

/** What goes into a `.keras` archive. */
export interface KerasArchiveParts {
  /** Written as `metadata.json`, e.g. `{ keras_version: "3.8.0", date_saved: "..." }`. */
  metadataJson: object;
  /** Written as `config.json`: `{ module, class_name, config, registered_name, build_config, compile_config }`. */
  configJson: object;
  /** Written as `model.weights.h5`: the bytes of an HDF5 file (see `writeH5`). */
  weightsH5: Uint8Array;
  /** Files under `assets/` (paths relative to it, e.g. "layers/string_lookup/vocabulary.txt"), as Keras's asset store. */
  assets?: Record<string, Uint8Array>;
}

/** What comes out of a `.keras` archive. */
export interface KerasArchive {
  /** Parsed `metadata.json`, or null when the archive has none (Keras does not need it to load). */
  metadata: Record<string, unknown> | null;
  /** Parsed `config.json`. */
  config: Record<string, unknown>;
  /** The bytes of `model.weights.h5` (see `readH5`). */
  weightsH5: Uint8Array;
  /** The files under `assets/`, keyed by their path relative to it (absent when there are none). */
  assets?: Record<string, Uint8Array>;
}

const ASSETS_PREFIX = "assets/";

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function encodeJsonMember(value: unknown, member: string): Uint8Array {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${member} must be a JSON object`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`cannot serialize ${member} to JSON: ${reasonOf(error)}`, { cause: error });
  }
  if (text === undefined) throw new TypeError(`cannot serialize ${member} to JSON`);
  return new TextEncoder().encode(text);
}

/** The bytes of a `.keras` zip archive (members stored, in Keras' order). */
export function encodeKerasArchive(parts: KerasArchiveParts): Uint8Array {
  if (parts === null || typeof parts !== "object") throw new TypeError("encodeKerasArchive: parts must be an object");
  const metadata = encodeJsonMember(parts.metadataJson, METADATA_FILENAME);
  const config = encodeJsonMember(parts.configJson, CONFIG_FILENAME);
  if (!(parts.weightsH5 instanceof Uint8Array)) {
    throw new TypeError(`${WEIGHTS_FILENAME} must be a Uint8Array (the bytes of an HDF5 file)`);
  }
  const files: Zippable = {
    [METADATA_FILENAME]: [metadata, { level: 0 }],
    [CONFIG_FILENAME]: [config, { level: 0 }],
    [WEIGHTS_FILENAME]: [parts.weightsH5, { level: 0 }],
  };
  for (const [name, bytes] of Object.entries(parts.assets ?? {})) files[`${ASSETS_PREFIX}${name}`] = [bytes, { level: 0 }];
  return zipSync(files, { level: 0 });
}

function looksLikeZip(bytes: Uint8Array): boolean {
  // "PK\3\4" (a local file header) or "PK\5\6" (the end record of an empty archive).
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

function parseJsonMember(bytes: Uint8Array, member: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`"${fileName}" is not a valid .keras file: invalid JSON in member "${member}": ${reasonOf(error)}`, { cause: error });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`"${fileName}" is not a valid .keras file: member "${member}" is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Decodes the bytes of a `.keras` archive; `fileNameForErrors` names it in error messages. */
export function decodeKerasArchive(bytes: Uint8Array, fileNameForErrors: string): KerasArchive {
  const name = fileNameForErrors;
  if (!looksLikeZip(bytes)) {
    if (isHdf5(bytes)) {
      throw new Error(`"${name}" is not a valid .keras file: it is an HDF5 file (the legacy Keras .h5 format), not a zip archive`);
    }
    throw new Error(`"${name}" is not a valid .keras file: not a zip archive`);
  }
  const wanted = new Set([METADATA_FILENAME, CONFIG_FILENAME, WEIGHTS_FILENAME]);
  const members = readZipMembers(bytes, (member) => wanted.has(member) || member.startsWith(ASSETS_PREFIX), name);
  for (const member of [CONFIG_FILENAME, WEIGHTS_FILENAME]) {
    if (members.get(member) === undefined) {
      throw new Error(`"${name}" is not a valid .keras file: missing member "${member}"`);
    }
  }
  const config = parseJsonMember(members.get(CONFIG_FILENAME)!, CONFIG_FILENAME, name);
  const metadataBytes = members.get(METADATA_FILENAME);
  const metadata = metadataBytes === undefined ? null : parseJsonMember(metadataBytes, METADATA_FILENAME, name);
  const assets: Record<string, Uint8Array> = {};
  for (const [member, data] of members) if (member.startsWith(ASSETS_PREFIX)) assets[member.slice(ASSETS_PREFIX.length)] = data;
  return { metadata, config, weightsH5: members.get(WEIGHTS_FILENAME)!, ...(Object.keys(assets).length > 0 ? { assets } : {}) };
}

/**
 * Writes `bytes` to `filePath` atomically (the host's temporary file + fsync + rename, see
 * src/platform/node.ts): a failed write leaves any previous file as it was. `indexeddb://name`
 * and `downloads://name` write to the browser's places (./locations.ts).
 */
export function writeFileAtomic(filePath: string, bytes: Uint8Array): Promise<void> {
  return writeLocation(filePath, bytes);
}

/** Writes a `.keras` archive to `filePath`, atomically (see `writeFileAtomic`). */
export async function writeKerasArchive(filePath: string, parts: KerasArchiveParts): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encodeKerasArchive(parts);
  } catch (error) {
    throw new Error(`writeKerasArchive: cannot write "${filePath}": ${reasonOf(error)}`, { cause: error });
  }
  try {
    await writeFileAtomic(filePath, bytes);
  } catch (error) {
    throw new Error(`writeKerasArchive: ${reasonOf(error)}`, { cause: error });
  }
}

/** Reads a `.keras` archive from disk, a URL or IndexedDB (./locations.ts). Errors name the file and the reason. */
export async function readKerasArchive(filePath: string): Promise<KerasArchive> {
  return decodeKerasArchive(await readLocation(filePath), filePath);
}
