/* Shared by the WebAssembly-only sources (native/wasm/). */
#ifndef KT_WASM_H
#define KT_WASM_H
/* A function the JavaScript side calls, exported under this name. */
#define KT_EXPORT(name) __attribute__((export_name(name)))
#endif
