import type { CoreKernels } from "./core_kernels.js";
import type { TypedArray } from "./dtypes.js";
import { FUSED_KERNEL_NAMES, type FusedKernels } from "./fused_kernels.js";
import { composedKernels } from "./composed.js";
import { recordFallback } from "./fallbacks.js";
import { ReferenceBackend } from "./reference/index.js";
import { tryCreateNativeBackend } from "./native/index.js";
import { platform } from "../platform/platform.js";

export type * from "./core_kernels.js";
export type * from "./fused_kernels.js";
export type * from "./sequence_kernels.js";

/**
 * The kernel seam: every core kernel, and whichever fused kernels the backend has (the others run
 * their composed default, see `fusedKernels`). Only `ops` and autodiff call a Backend, so a faster
 * implementation (native, WebAssembly) replaces the reference one without touching ops or layers.
 */
export type Backend = CoreKernels & Partial<FusedKernels> & {
  readonly name: string;
  /**
   * A fresh copy of `x` that in-place kernels (the optimizer updates) will write: a device backend
   * makes it on the device. Without it, `x.slice()`.
   */
  writableCopy?(x: TypedArray): TypedArray;
};

/** The backends `setBackend` takes by name. */
export type BackendName = "native" | "reference" | "webgpu";

let active: Backend | undefined;
let resolved: { backend: Backend; kernels: FusedKernels } | undefined;
let warnedFallback = false;

/**
 * The backend used until `setBackend` says otherwise: the native (C) one when its addon loads,
 * else the TypeScript reference one, with a one-line warning on stderr. `KERAS_TS_BACKEND=native`
 * or `=reference` forces one (forcing native where it cannot load is an error).
 */
function defaultBackend(): Backend {
  const raw = platform().env("KERAS_TS_BACKEND");
  const wanted = (raw ?? "").trim().toLowerCase();
  if (wanted === "reference") return new ReferenceBackend();
  if (wanted !== "" && wanted !== "native") {
    throw new Error(`keras-ts: KERAS_TS_BACKEND must be "native" or "reference", got ${JSON.stringify(raw)}`);
  }
  const native = tryCreateNativeBackend();
  if ("backend" in native) return native.backend;
  if (wanted === "native") throw new Error(`keras-ts: KERAS_TS_BACKEND=native, but the native backend is unavailable (${native.error})`);
  if (!warnedFallback) {
    warnedFallback = true;
    platform().warn(`keras-ts: native backend unavailable (${native.error}); using the TypeScript reference backend`);
  }
  return new ReferenceBackend();
}

export function getBackend(): Backend {
  if (active === undefined) active = defaultBackend();
  return active;
}

/**
 * Makes `backend` the one every op uses from now on. By name, it returns a promise (a GPU's
 * adapter and device are acquired asynchronously), as TF.js's `setBackend` does:
 *
 *   await keras.backend.setBackend("webgpu");   // throws where WebGPU has no adapter
 *
 * Tensors made before keep their values where they are: a tensor on the GPU is read back when a
 * CPU backend needs it (which needs `await tensor.data()` first; see `Tensor.dataSync`).
 */
export function setBackend(backend: Backend): void;
export function setBackend(name: BackendName): Promise<void>;
export function setBackend(backend: Backend | BackendName): void | Promise<void> {
  if (typeof backend !== "string") {
    active = backend;
    return;
  }
  return backendByName(backend).then((b) => {
    active = b;
  });
}

let webgpu: Promise<Backend> | undefined;

async function backendByName(name: BackendName): Promise<Backend> {
  switch (name) {
    case "reference":
      return new ReferenceBackend();
    case "native": {
      const native = tryCreateNativeBackend();
      if ("error" in native) throw new Error(`keras-ts: the native backend is unavailable (${native.error})`);
      return native.backend;
    }
    case "webgpu": {
      // Loaded on demand, so that a program that never asks for WebGPU does not carry its kernels;
      // one device per program, so that tensors made on it stay usable when it is selected again.
      webgpu ??= import("./webgpu/index.js").then(({ createWebGpuBackend }) => createWebGpuBackend());
      return webgpu.catch((error: unknown) => {
        webgpu = undefined;
        throw error;
      });
    }
    default:
      throw new Error(`keras-ts: setBackend: unknown backend ${JSON.stringify(name)}; expected "native", "reference" or "webgpu"`);
  }
}

/**
 * Reads back every tensor in `tensors` that is on a device (in one batch), after which their
 * synchronous reads (`dataSync`, `item`, ...) work and CPU kernels take them. Immediate on CPU
 * backends: `undefined` when there is nothing to wait for, so a hot loop awaits only when needed.
 */
export function readback(tensors: Iterable<{ readonly onDeviceOnly: boolean; data(): Promise<unknown> }>): Promise<void> | undefined {
  const pending: Promise<unknown>[] = [];
  for (const t of tensors) if (t.onDeviceOnly) pending.push(t.data());
  return pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
}

/** The active backend's name, as `keras.backend.backend()` reports it: "native", "reference" or "webgpu". */
export function backendName(): string {
  return getBackend().name;
}

/**
 * Every fused kernel for the active backend: its own where it has one, else the composed default
 * (src/backend/composed.ts), each call of which is recorded as a fallback.
 */
export function fusedKernels(): FusedKernels {
  const backend = getBackend();
  if (resolved === undefined || resolved.backend !== backend) resolved = { backend, kernels: resolveFused(backend) };
  return resolved.kernels;
}

function resolveFused(backend: Backend): FusedKernels {
  const composed = composedKernels(backend);
  const kernels: Record<string, (...args: never[]) => unknown> = {};
  for (const name of FUSED_KERNEL_NAMES) {
    const own = backend[name] as ((...args: never[]) => unknown) | undefined;
    if (own !== undefined) {
      kernels[name] = own.bind(backend);
    } else {
      const fallback = composed[name] as (...args: never[]) => unknown;
      kernels[name] = (...args: never[]) => {
        recordFallback(backend.name, name, "composed", "the backend has no fused kernel");
        return fallback(...args);
      };
    }
  }
  return kernels as unknown as FusedKernels;
}
