/** `keras.backend`: which kernels are running. */
export { backendName as backend, getBackend, setBackend, type Backend } from "./backend.js";
export { ReferenceBackend } from "./reference/index.js";
export { NativeBackend, tryCreateNativeBackend, loadNativeAddon } from "./native/index.js";
export { ready, type ReadyOptions, type BackendChoice } from "./ready.js";
