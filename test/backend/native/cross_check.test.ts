import { crossCheck } from "../cross_check_suite.js";
import { tryCreateNativeBackend } from "../../../src/backend/native/index.js";
import { loadNativeAddon } from "../../../src/backend/native/addon.js";

/* The native kernels against the reference, at every SIMD level this CPU has (the suite is in test/backend/cross_check_suite.ts). */

const loaded = loadNativeAddon();
const levels: ("avx512" | "avx2" | "c")[] = [];
if (!("error" in loaded)) {
  const best = loaded.addon.info().isa;
  levels.push(...(best === "avx512" ? (["avx512", "avx2", "c"] as const) : best === "avx2" ? (["avx2", "c"] as const) : (["c"] as const)));
}

crossCheck({
  name: "native",
  created: tryCreateNativeBackend(),
  levels,
  forEachLevel(fn) {
    if ("error" in loaded) return;
    try {
      for (const isa of levels) {
        loaded.addon.setIsa(isa);
        fn(isa);
      }
    } finally {
      loaded.addon.setIsa(levels[0]);
    }
  },
});
