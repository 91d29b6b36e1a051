/*
 * The part of the WebAssembly JavaScript API the wasm backend uses, typed here rather than taken
 * from lib.dom or @types/node: keras-ts's declarations then name no global a user's project might
 * lack, and the module stays free of host-specific imports.
 */

/** A compiled module (WebAssembly.Module), opaque to keras-ts. */
export type WasmModule = object;

export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Module: { new (bytes: ArrayBufferView | ArrayBuffer): WasmModule; exports(module: WasmModule): { name: string; kind: string }[] };
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  compile(bytes: ArrayBufferView | ArrayBuffer): Promise<WasmModule>;
  compileStreaming?(response: unknown): Promise<WasmModule>;
  validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}

/** The host's WebAssembly object, or undefined where there is none. */
export function webAssembly(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

/** Whether a memory can be shared with workers here (SharedArrayBuffer exists: Node, or a cross-origin isolated page). */
export function sharedMemoryAvailable(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  return typeof g.SharedArrayBuffer === "function" && g.crossOriginIsolated !== false;
}
