/**
 * The native addon's loader in a browser bundle (the package's `browser` field puts this file in
 * place of ./addon.ts): a page cannot load a Node addon, so the native backend is never there.
 */
export type { NativeAddon } from "./addon.js";

const WHY = "the native addon runs in Node only; in a browser keras-ts runs on WebAssembly (await keras.backend.ready()) or WebGPU";

export function missingAddonMessage(_root: string | undefined): string {
  return WHY;
}

export function loadNativeAddon(): { error: string } {
  return { error: WHY };
}
