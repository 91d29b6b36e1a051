import { NativeBackend } from "../native/index.js";
import { WasmAddon } from "./addon.js";
import type { WasmInstance } from "./instance.js";

/*
 * The WebAssembly CPU backend: the native backend's C kernels compiled to WebAssembly with SIMD128
 * (scripts/build_wasm.mjs), for hosts where the addon cannot load: a browser, or Node without a
 * compiler. It is NativeBackend (every kernel overridden, the same kernel selection and the same
 * counted fallbacks) over the module instead of the addon: WasmAddon gives the module the addon's
 * interface, copying operands in and results out, since tensors stay in JavaScript ArrayBuffers.
 */
export class WasmBackend extends NativeBackend {
  override readonly name: string = "wasm";
  readonly wasm: WasmInstance;

  constructor(wasm: WasmInstance) {
    super(new WasmAddon(wasm));
    this.wasm = wasm;
  }

  /** Resolves once the worker threads have started (kernels called before run on the threads already there). */
  ready(): Promise<void> {
    return this.wasm.ready();
  }
}
