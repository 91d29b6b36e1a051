import type { Backend } from "../../src/backend/backend.js";
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
