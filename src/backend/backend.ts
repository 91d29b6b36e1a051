import type { CoreKernels } from "./core_kernels.js";
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
export type Backend = CoreKernels & Partial<FusedKernels> & { readonly name: string };

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

/** Makes `backend` the one every op uses from now on. */
export function setBackend(backend: Backend): void {
  active = backend;
}

/** The active backend's name, as `keras.backend.backend()` reports it: "native" or "reference". */
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
