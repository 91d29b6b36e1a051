import { platform } from "../platform/platform.js";
import { getBackend, setBackend, type Backend } from "./backend.js";
import { browserGlobals } from "../platform/dom.js";
import { ReferenceBackend } from "./reference/index.js";

export type BackendChoice = "webgpu" | "wasm" | "reference";

export interface ReadyOptions {
  /** The backends to try, in order, in a browser. Default: webgpu, wasm, reference. */
  prefer?: readonly BackendChoice[];
  /** How to load the WebAssembly backend: `baseUrl`, the folder of its .wasm files. */
  wasm?: { baseUrl?: string };
  /**
   * `allowFallbackAdapter: true` takes WebGPU on a software adapter too (SwiftShader, which the
   * browser reports as a fallback adapter); by default such an adapter is skipped, since the
   * WebAssembly backend is faster on the same CPU.
   */
  webgpu?: { allowFallbackAdapter?: boolean };
}

interface GpuProbe {
  gpu?: { requestAdapter(): Promise<{ isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string } } | null> };
}

/** Backends a browser loads asynchronously, by name; each throws when it cannot run here. */
const loaders: Partial<Record<BackendChoice, (options: ReadyOptions) => Promise<Backend>>> = {
  async webgpu({ webgpu = {} }) {
    const gpu = (browserGlobals() as { navigator?: GpuProbe }).navigator?.gpu;
    if (gpu === undefined) throw new Error("this browser has no WebGPU");
    const adapter = await gpu.requestAdapter();
    if (adapter === null) throw new Error("WebGPU has no adapter here (no GPU, or WebGPU turned off)");
    if ((adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter) === true && webgpu.allowFallbackAdapter !== true) {
      throw new Error(`WebGPU has only a software adapter here (${adapter.info?.vendor ?? "?"} ${adapter.info?.architecture ?? ""}), slower than WebAssembly on the same CPU`.replace(" )", ")"));
    }
    await setBackend("webgpu");
    return getBackend();
  },
};

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
