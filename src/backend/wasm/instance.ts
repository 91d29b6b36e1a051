import type { TypedArray } from "../dtypes.js";
import { webAssembly, type WasmMemory, type WasmModule } from "./wasm_api.js";

/*
 * One instance of the WebAssembly kernels (native/wasm/, built by scripts/build_wasm.mjs), whatever
 * the host: it takes a compiled module and, for threads, a way to start a worker; the loaders
 * (load_node.ts, load_url.ts) supply those. Nothing here imports a Node module, so it bundles for
 * a browser.
 *
 * Tensors stay in JavaScript ArrayBuffers (nothing to dispose): a kernel call copies its inputs
 * into a scratch arena in the module's memory, runs, and copies its outputs out into fresh typed
 * arrays. The arena is one block reused by every call and grown when a call needs more.
 *
 * Threads: with a SharedArrayBuffer-backed memory the module is the one built with atomics, and
 * `threads - 1` workers instantiate it on the same memory and wait in its thread pool
 * (native/wasm/threadpool.c); the calling thread posts jobs to them and takes part.
 */

/** The module's exports (native/kt.h, native/ew_jobs.h, native/wasm/*.c); pointers are byte offsets. */
export interface WasmExports {
  kt_w_malloc(bytes: number): number;
  kt_w_free(ptr: number): void;
  kt_w_heap_size(): number;
  kt_w_threads(): number;
  kt_w_set_threads(n: number): void;
  kt_w_error(): number;
  kt_w_set_stack(top: number): void;
  kt_w_binary(op: number, ta: number, tb: number, outDtype: number, a: number, aLen: number, b: number, bLen: number, out: number, n: number, mode: number, plan: number, planLen: number): number;
  kt_w_select(outDtype: number, cond: number, condLen: number, a: number, aLen: number, b: number, bLen: number, out: number, n: number, plan: number, planLen: number): number;
  kt_unary(op: number, dtype: number, outDtype: number, x: number, out: number, n: number): number;
  kt_sgemm_batched(batch: number, m: number, n: number, k: number, transA: number, transB: number, a: number, strideA: number, b: number, strideB: number, c: number): void;
  kt_igemm_batched(batch: number, m: number, n: number, k: number, transA: number, transB: number, a: number, strideA: number, b: number, strideB: number, c: number): void;
  kt_reduce_f32(op: number, x: number, out: number, outer: number, n: number, inner: number): void;
  kt_argreduce_f32(isMax: number, x: number, out: number, outer: number, n: number, inner: number): void;
  kt_softmax_f32(x: number, out: number, rows: number, cols: number, log: number): void;
  kt_transpose2d(x: number, out: number, batch: number, rows: number, cols: number, esize: number): void;
  kt_cast(x: number, src: number, out: number, dst: number, n: number): void;
  kt_fill(out: number, dtype: number, n: number, value: number): void;
  kt_dense_forward(x: number, w: number, bias: number, out: number, m: number, k: number, n: number, act: number): void;
  kt_dense_backward(dOut: number, out: number, x: number, w: number, m: number, k: number, n: number, act: number, dz: number, dX: number, dW: number, db: number): void;
  kt_softmax_xent(logits: number, rows: number, cols: number, labels: number, dense: number, loss: number): void;
  kt_softmax_xent_backward(logits: number, rows: number, cols: number, labels: number, dense: number, rowScale: number, out: number): void;
  kt_sgd(w: number, grad: number, m: number, size: number, lr: number, mu: number, decay: number, nesterov: number): void;
  kt_rmsprop(w: number, grad: number, v: number, m: number, a: number, size: number, lr: number, rho: number, mu: number, eps: number, decay: number): void;
  kt_adam(w: number, grad: number, m: number, v: number, vh: number, size: number, alpha: number, beta1: number, beta2: number, eps: number, decay: number): void;
  kt_reduce_any(op: number, x: number, dtype: number, out: number, outDtype: number, outer: number, n: number, inner: number): void;
  kt_argreduce_int(isMax: number, x: number, dtype: number, out: number, outer: number, n: number, inner: number): void;
  kt_count_argmax_matches(pred: number, rows: number, cols: number, labels: number, labelsDtype: number, oneHot: number, oneHotDtype: number): number;
  kt_normalize(
    x: number, dtype: number, out: number, blocks: number, rank: number, dims: number, sliceStrides: number, inner: number, innerKept: number,
    slices: number, kind: number, epsilonMode: number, p: number, q: number, bound: number,
  ): number;
  kt_copy_strided(src: number, srcOffset: number, srcStrides: number, dst: number, dstOffset: number, dstStrides: number, dims: number, rank: number, esize: number): void;
  kt_concat(xs: number, widths: number, count: number, outer: number, out: number, esize: number): void;
  kt_cumulative(isProd: number, x: number, dtype: number, out: number, outDtype: number, outer: number, n: number, inner: number): void;
  kt_scatter_add(updates: number, dtype: number, indices: number, m: number, out: number, outer: number, n: number, inner: number): void;
  kt_gather_along_axis(x: number, esize: number, indices: number, out: number, outer: number, n: number, m: number, inner: number): void;
  kt_scatter_add_along_axis(updates: number, dtype: number, indices: number, out: number, outer: number, n: number, m: number, inner: number): void;
  kt_w_conv_forward(x: number, w: number, bias: number, out: number, geom: number, act: number): number;
  kt_w_conv_backward(dOut: number, out: number, x: number, w: number, geom: number, act: number, dX: number, dW: number, db: number): number;
  kt_w_pool(mode: number, a: number, x: number, out: number, geom: number): number;
  kt_bn_training(x: number, gamma: number, beta: number, out: number, mean: number, variance: number, outer: number, channels: number, inner: number, eps: number): void;
  kt_bn_inference(x: number, mean: number, variance: number, gamma: number, beta: number, out: number, outer: number, channels: number, inner: number, eps: number): void;
  kt_bn_training_backward(
    dOut: number, x: number, mean: number, variance: number, gamma: number, outer: number, channels: number, inner: number, eps: number, dX: number, dGamma: number, dBeta: number,
  ): void;
  kt_lstm_forward(x: number, h0: number, c0: number, r: number, mask: number, b: number, t: number, u: number, back: number, zeroOut: number, out: number, h: number, c: number, ws: number): void;
  kt_lstm_backward(dOut: number, r: number, mask: number, ws: number, b: number, t: number, u: number, back: number, zeroOut: number, dx: number, dh: number, dc: number, dr: number): number;
  kt_gru_forward(x: number, h0: number, r: number, rb: number, mask: number, b: number, t: number, u: number, back: number, zeroOut: number, out: number, h: number, ws: number): number;
  kt_gru_backward(dOut: number, r: number, mask: number, ws: number, b: number, t: number, u: number, back: number, zeroOut: number, dx: number, dh: number, dr: number, db: number): number;
  kt_attention_forward(q: number, k: number, v: number, mask: number, maskShape: number, dims: number, scale: number, causal: number, out: number, probs: number): void;
  kt_attention_backward(
    dOut: number, q: number, k: number, v: number, mask: number, maskShape: number, probs: number, dims: number, scale: number, causal: number, dq: number, dk: number, dv: number,
  ): void;
  /* The threaded build only. */
  kt_worker_main?(): void;
  kt_w_workers?(): number;
  kt_w_tls_size?(): number;
  kt_w_tls_align?(): number;
  __wasm_init_tls?(block: number): void;
}

/** Pages the memory starts with: the module's stack and data (scripts/build_wasm.mjs, INITIAL_MEMORY). */
export const INITIAL_PAGES = 32;
/** The most a wasm32 memory can grow to (4 GB less a page). */
export const MAXIMUM_PAGES = 65535;
/** Bytes of each worker thread's C stack. */
const WORKER_STACK_BYTES = 512 * 1024;

/** What a worker needs to join the pool: the module, the shared memory, and its stack and TLS blocks. */
export interface WorkerStart {
  module: WasmModule;
  memory: WasmMemory;
  stackTop: number;
  tls: number;
}

/**
 * The body of a worker, as source text each host wraps (a Node worker_threads `eval` script, a
 * browser Blob worker) around the start message: instantiate the module on the shared memory, move
 * to its own stack and thread-local block, and enter the pool, which never returns.
 */
export const WORKER_BODY = `function start(init) {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const e = instance.exports;
  e.kt_w_set_stack(init.stackTop);
  e.__wasm_init_tls(init.tls);
  e.kt_worker_main();
}`;

export interface WasmInstanceOptions {
  module: WasmModule;
  /** Pages (64 KB) the memory may grow to, at most MAXIMUM_PAGES (the default). */
  maximumPages?: number;
  /** Threads including the caller; above 1 the module must be the threaded build and `spawn` given. */
  threads: number;
  /** Starts one worker running WORKER_BODY with this start message. */
  spawn?: (start: WorkerStart) => void;
}

const ALIGN = 64;

function alignUp(n: number): number {
  return (n + ALIGN - 1) & ~(ALIGN - 1);
}

export class WasmInstance {
  readonly exports: WasmExports;
  readonly memory: WasmMemory;
  /** Whether the module is the threaded build (on a shared memory). */
  readonly threaded: boolean;
  private buffer!: ArrayBufferLike;
  private u8v!: Uint8Array;
  private i32v!: Int32Array;
  private f32v!: Float32Array;
  /** Workers started (they join the pool once their instance is running). */
  workersStarted = 0;
  private arena = 0;
  private arenaBytes = 0;
  private next = 0;

  constructor(options: WasmInstanceOptions) {
    const { module } = options;
    const wa = webAssembly();
    if (wa === undefined) throw new Error("keras-ts wasm: this JavaScript host has no WebAssembly");
    this.threaded = wa.Module.exports(module).some((e) => e.name === "kt_worker_main");
    const maximum = Math.max(INITIAL_PAGES, Math.min(MAXIMUM_PAGES, Math.floor(options.maximumPages ?? MAXIMUM_PAGES)));
    this.memory = new wa.Memory({ initial: INITIAL_PAGES, maximum, shared: this.threaded });
    const instance = new wa.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as WasmExports;
    this.refresh();
    const e = this.exports;
    if (this.threaded) {
      // The main thread's thread-local block (the workers get theirs below).
      e.__wasm_init_tls!(this.tlsBlock());
      const workers = Math.max(1, Math.floor(options.threads)) - 1;
      if (workers > 0 && options.spawn !== undefined) {
        for (let i = 0; i < workers; i++) {
          const stack = e.kt_w_malloc(WORKER_STACK_BYTES);
          if (stack === 0) break;
          options.spawn({ module, memory: this.memory, stackTop: stack + WORKER_STACK_BYTES, tls: this.tlsBlock() });
          this.workersStarted++;
        }
      }
      e.kt_w_set_threads(Math.max(1, Math.floor(options.threads)));
    }
    this.refresh();
  }

  private tlsBlock(): number {
    const e = this.exports;
    const size = e.kt_w_tls_size!(), align = e.kt_w_tls_align!();
    if (align > ALIGN) throw new Error(`keras-ts wasm: thread-local data aligned to ${align} bytes`);
    const block = e.kt_w_malloc(Math.max(size, 1));
    if (block === 0) throw new Error("keras-ts wasm: out of memory for a thread-local block");
    return block;
  }

  /** Threads the kernels use now: the caller plus the workers that have started, up to the number asked for. */
  threads(): number {
    return this.exports.kt_w_threads();
  }

  /** Resolves once every worker started has joined the pool (or after `timeoutMs`); the kernels run meanwhile, on fewer threads. */
  async ready(timeoutMs = 10000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.exports.kt_w_workers?.() ?? 0) < this.workersStarted && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  setThreads(n: number): void {
    this.exports.kt_w_set_threads(n);
  }

  /** New views after the memory grew (a kernel's allocation or the arena's). */
  private refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.buffer && this.u8v !== undefined && buffer.byteLength === this.u8v.byteLength) return;
    this.buffer = buffer;
    this.u8v = new Uint8Array(buffer);
    this.i32v = new Int32Array(buffer);
    this.f32v = new Float32Array(buffer);
  }

  get u8(): Uint8Array {
    this.refresh();
    return this.u8v;
  }
  get i32(): Int32Array {
    this.refresh();
    return this.i32v;
  }
  get f32(): Float32Array {
    this.refresh();
    return this.f32v;
  }

  /**
   * Starts a call that needs `bytes` of scratch in all (the sum of `reserve`s to come, each rounded
   * up to 64 bytes): grows the arena if needed. Returns false if the memory cannot hold it.
   */
  begin(bytes: number): boolean {
    if (bytes > this.arenaBytes) {
      if (this.arena !== 0) this.exports.kt_w_free(this.arena);
      const want = Math.max(bytes, Math.min(2 * this.arenaBytes, bytes + (64 << 20)), 1 << 16);
      this.arena = this.exports.kt_w_malloc(want);
      this.arenaBytes = this.arena === 0 ? 0 : want;
      if (this.arena === 0) {
        this.arena = this.exports.kt_w_malloc(bytes);
        this.arenaBytes = this.arena === 0 ? 0 : bytes;
      }
    }
    this.next = this.arena;
    return this.arena !== 0 && bytes <= this.arenaBytes;
  }

  /** A 64-byte aligned block of the arena (after `begin` accounted for it). */
  reserve(bytes: number): number {
    const at = this.next;
    this.next += alignUp(bytes);
    return at;
  }

  /** Reserves room for `x` and copies it in. */
  put(x: TypedArray): number {
    const at = this.reserve(x.byteLength);
    this.write(at, x);
    return at;
  }

  write(at: number, x: TypedArray): void {
    if (x instanceof Float32Array) this.f32.set(x, at >>> 2);
    else if (x instanceof Int32Array) this.i32.set(x, at >>> 2);
    else this.u8.set(x, at);
  }

  /** Zeroes `bytes` bytes at `at`. */
  zero(at: number, bytes: number): void {
    this.u8.fill(0, at, at + bytes);
  }

  /** Copies `into.length` elements at `at` into `into`. */
  read(at: number, into: TypedArray): void {
    if (into instanceof Float32Array) into.set(this.f32.subarray(at >>> 2, (at >>> 2) + into.length));
    else if (into instanceof Int32Array) into.set(this.i32.subarray(at >>> 2, (at >>> 2) + into.length));
    else into.set(this.u8.subarray(at, at + into.length));
  }

  /** The message of the last KT_BAD_ARGS. */
  lastError(): string {
    const p = this.exports.kt_w_error();
    const u8 = this.u8;
    let end = p;
    while (end < u8.length && u8[end] !== 0) end++;
    let s = "";
    for (let i = p; i < end; i++) s += String.fromCharCode(u8[i]);
    return s;
  }

  /** Bytes the module's heap has taken (arena included). */
  heapBytes(): number {
    return this.exports.kt_w_heap_size();
  }
}
