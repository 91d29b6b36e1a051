import { getBackend, setBackend, type Backend } from "../../src/backend/backend.js";
import { CORE_KERNEL_NAMES } from "../../src/backend/core_kernels.js";

/**
 * A backend with `backend`'s core kernels and no fused ones: every fused kernel then runs its
 * composed default, as on a new backend that has only the core.
 */
export function coreOnly(backend: Backend): Backend {
  const core: Record<string, unknown> = { name: `${backend.name}-core-only` };
  for (const name of CORE_KERNEL_NAMES) core[name] = (backend[name] as (...args: unknown[]) => unknown).bind(backend);
  return core as unknown as Backend;
}

export type KernelCall = { name: string; args: unknown[] };

/** Runs `body` with a backend that records every call of the named kernels (the active backend does the work). */
export function withKernelSpy<T>(names: readonly string[], body: (calls: KernelCall[]) => T): T {
  const real = getBackend();
  const calls: KernelCall[] = [];
  const spy: Backend = Object.create(real);
  for (const name of names) {
    const fn = ((real as unknown as Record<string, (...a: unknown[]) => unknown>)[name]).bind(real);
    (spy as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls.push({ name, args });
      return fn(...args);
    };
  }
  setBackend(spy);
  try {
    return body(calls);
  } finally {
    setBackend(real);
  }
}
