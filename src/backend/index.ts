/** `keras.backend`: which kernels are running. */
export { backendName as backend, getBackend, setBackend, readback, type Backend, type BackendName } from "./backend.js";
export { fallbacks, resetFallbacks, setStrictKernels, type Fallback } from "./fallbacks.js";
export { ReferenceBackend } from "./reference/index.js";
export { NativeBackend, tryCreateNativeBackend, loadNativeAddon } from "./native/index.js";
export { ready, type ReadyOptions, type BackendChoice } from "./ready.js";
