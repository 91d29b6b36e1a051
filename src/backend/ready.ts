import { platform } from "../platform/platform.js";
import { getBackend, setBackend, type Backend } from "./backend.js";
import { ReferenceBackend } from "./reference/index.js";

export type BackendChoice = "webgpu" | "wasm" | "reference";

export interface ReadyOptions {
  /** The backends to try, in order, in a browser. Default: webgpu, wasm, reference. */
  prefer?: readonly BackendChoice[];
  /** How to load the WebAssembly backend: `baseUrl`, the folder of its .wasm files. */
  wasm?: { baseUrl?: string };
}

/** Backends a browser loads asynchronously, by name; each throws when it cannot run here. */
const loaders: Partial<Record<BackendChoice, (options: ReadyOptions) => Promise<Backend>>> = {};

let chosen: Promise<Backend> | undefined;

/**
 * `await keras.backend.ready()`: the fastest backend this host has, made the active one. In Node
 * that is the automatic choice (native, else reference), made at once. In a browser, where
 * WebAssembly and WebGPU load asynchronously, the first of `prefer` that loads (WebGPU where the
 * browser has an adapter, else WebAssembly, else the TypeScript reference backend); the reasons the
 * others did not are logged with `console.info`. Later calls give the same backend.
 */
export function ready(options: ReadyOptions = {}): Promise<Backend> {
  if (platform().name !== "browser") return Promise.resolve(getBackend());
  chosen ??= choose(options);
  return chosen;
}

async function choose(options: ReadyOptions): Promise<Backend> {
  const order = options.prefer ?? ["webgpu", "wasm", "reference"];
  const skipped: string[] = [];
  for (const name of order) {
    if (name === "reference") {
      const backend = new ReferenceBackend();
      setBackend(backend);
      if (skipped.length > 0) console.info(`keras-ts: using the reference backend (${skipped.join("; ")})`);
      return backend;
    }
    const load = loaders[name];
    if (load === undefined) {
      skipped.push(`${name}: not built into this keras-ts`);
      continue;
    }
    try {
      const backend = await load(options);
      setBackend(backend);
      return backend;
    } catch (error) {
      skipped.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`keras.backend.ready: no backend of ${JSON.stringify(order)} loads here (${skipped.join("; ")})`);
}
