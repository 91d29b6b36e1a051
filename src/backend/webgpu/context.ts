/// <reference types="@webgpu/types" />
import { DeviceArray, deviceReadError } from "../device_array.js";
import type { TypedArray } from "../dtypes.js";

/*
 * The WebGPU plumbing under the kernels: the device, a pool of storage buffers, compiled pipelines,
 * one dispatch per kernel call, and the transfers to and from the host.
 *
 * Every element type is 4 bytes on the GPU (WGSL has no 8-bit storage): float32 as f32, int32 as
 * i32, uint8 and bool as u32 holding 0..255. Uploads widen a Uint8Array, readbacks narrow it back.
 *
 * Each kernel call is submitted at once (one command buffer per dispatch). That keeps the queue's
 * order simple: an upload or a parameter write (`queue.writeBuffer`) into a buffer just taken from
 * the pool lands after every command already submitted that used it.
 */

export type StorageType = DeviceArray["storageType"];

/** The WGSL element type of each storage type. */
export const WGSL_TYPE: Record<StorageType, "f32" | "i32" | "u32"> = { Float32Array: "f32", Int32Array: "i32", Uint8Array: "u32" };

export function storageTypeOf(x: TypedArray | DeviceArray): StorageType {
  if (x instanceof DeviceArray) return x.storageType;
  return x instanceof Float32Array ? "Float32Array" : x instanceof Int32Array ? "Int32Array" : "Uint8Array";
}

function hostArray(type: StorageType, length: number): TypedArray {
  return type === "Float32Array" ? new Float32Array(length) : type === "Int32Array" ? new Int32Array(length) : new Uint8Array(length);
}

/** Threads per workgroup of the one-dimensional kernels. */
export const WORKGROUP = 256;
const MAX_GROUPS_PER_DIM = 65535;

/**
 * Buffers come in size classes (four per power of two), so that a freed buffer serves the next
 * request of about its size. Freed buffers are kept up to `maxPooledBytes`, then destroyed.
 */
function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  if (b <= 1024) return Math.ceil(b / 64) * 64;
  const p = 2 ** Math.floor(Math.log2(b));
  const step = p / 4;
  return Math.ceil(b / step) * step;
}

class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  pooledBytes = 0;
  liveBytes = 0;
  maxPooledBytes = 256 * 1024 * 1024;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    this.liveBytes += size;
    if (reused !== undefined) {
      this.pooledBytes -= size;
      return reused;
    }
    return this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  }

  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.liveBytes -= size;
    if (this.pooledBytes + size > this.maxPooledBytes) {
      buffer.destroy();
      return;
    }
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(buffer);
    this.pooledBytes += size;
  }
}

/** A tensor's elements in a GPU buffer. The buffer goes back to the pool when this object is garbage collected. */
export class GpuArray extends DeviceArray {
  /** The values on the host, once read back or when uploaded from there; dropped when the buffer is written in place. */
  private host: TypedArray | undefined;
  private reading: Promise<TypedArray> | undefined;

  constructor(
    readonly context: GpuContext,
    readonly buffer: GPUBuffer,
    readonly length: number,
    readonly storageType: StorageType,
    host?: TypedArray,
  ) {
    super();
    this.host = host;
    context.track(this);
  }

  get owner(): object {
    return this.context.owner;
  }

  hostCopy(): TypedArray | undefined {
    return this.host;
  }

  readSync(): TypedArray {
    if (this.host !== undefined) return this.host;
    throw deviceReadError("webgpu", "a synchronous read (dataSync, arraySync, item, toString, or a kernel that runs on the CPU)");
  }

  read(): Promise<TypedArray> {
    if (this.host !== undefined) return Promise.resolve(this.host);
    if (this.reading === undefined) {
      const reading = this.context.download(this).then((values) => {
        // A write in place while the readback was on its way makes these values stale.
        if (this.reading === reading) this.host = values;
        this.reading = undefined;
        return values;
      });
      this.reading = reading;
    }
    return this.reading;
  }

  /** Called after a kernel wrote this buffer in place. */
  written(): void {
    this.host = undefined;
    this.reading = undefined;
  }

  slice(): GpuArray {
    const out = this.context.allocate(this.storageType, this.length);
    this.context.copy(this, out);
    return out;
  }

  set(source: TypedArray | DeviceArray): void {
    if (source.length !== this.length) throw new RangeError(`GpuArray.set: ${source.length} values for ${this.length} elements`);
    const from = this.context.toGpu(source, this.storageType);
    if (from !== this) this.context.copy(from, this);
  }
}

interface Binding {
  buffer: GPUBuffer;
}

export class GpuContext {
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Uploads of host arrays that are never written in place, so that each is uploaded once. */
  private readonly uploads = new WeakMap<TypedArray, GpuArray>();
  private readonly finalizer = new FinalizationRegistry<GPUBuffer>((buffer) => this.pool.release(buffer));
  /** Kernel dispatches since creation, for tests and `memory()`. */
  dispatches = 0;
  uploadCount = 0;
  downloadCount = 0;
  private lost: string | undefined;

  constructor(
    readonly device: GPUDevice,
    /** The backend whose kernels take this context's arrays. */
    readonly owner: object,
    private readonly isWrittenInPlace: (x: TypedArray) => boolean,
  ) {
    this.pool = new BufferPool(device);
    device.lost?.then((info) => {
      this.lost = `${info.reason}: ${info.message}`;
    });
  }

  track(array: GpuArray): void {
    this.finalizer.register(array, array.buffer);
  }

  allocate(type: StorageType, length: number): GpuArray {
    this.checkAlive();
    return new GpuArray(this, this.pool.acquire(length * 4), length, type);
  }

  private checkAlive(): void {
    if (this.lost !== undefined) throw new Error(`keras-ts: the WebGPU device was lost (${this.lost})`);
  }

  /**
   * `x` on the GPU, as an array of `type`: a GpuArray of this context as it is; a host array
   * uploaded (once, unless it is memory written in place), converted to `type` first if needed.
   */
  toGpu(x: TypedArray | DeviceArray, type: StorageType = storageTypeOf(x)): GpuArray {
    if (x instanceof GpuArray && x.context === this && x.storageType === type) return x;
    const host = x instanceof DeviceArray ? x.readSync() : x;
    const cacheable = !(x instanceof DeviceArray) && !this.isWrittenInPlace(host) && storageTypeOf(host) === type;
    if (cacheable) {
      const cached = this.uploads.get(host);
      if (cached !== undefined) return cached;
    }
    const values = storageTypeOf(host) === type ? host : convertHost(host, type);
    const out = new GpuArray(this, this.pool.acquire(values.length * 4), values.length, type, cacheable ? host : undefined);
    this.write(out.buffer, values);
    this.uploadCount++;
    if (cacheable) this.uploads.set(host, out);
    return out;
  }

  private write(buffer: GPUBuffer, values: TypedArray): void {
    if (values.length === 0) return;
    const words = values instanceof Uint8Array ? Uint32Array.from(values) : values;
    this.device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
  }

  copy(from: GpuArray, to: GpuArray): void {
    if (from.length === 0) return;
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(from.buffer, 0, to.buffer, 0, from.length * 4);
    this.device.queue.submit([encoder.finish()]);
    to.written();
  }

  async download(array: GpuArray): Promise<TypedArray> {
    this.checkAlive();
    const out = hostArray(array.storageType, array.length);
    if (array.length === 0) return out;
    const bytes = array.length * 4;
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(array.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    this.downloadCount++;
    try {
      await staging.mapAsync(GPUMapMode.READ);
      const mapped = staging.getMappedRange();
      if (out instanceof Uint8Array) out.set(new Uint32Array(mapped));
      else new Uint8Array(out.buffer).set(new Uint8Array(mapped));
      staging.unmap();
    } finally {
      staging.destroy();
    }
    return out;
  }

  private pipeline(key: string, source: () => string): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (pipeline === undefined) {
      const module = this.device.createShaderModule({ code: source(), label: key });
      pipeline = this.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" }, label: key });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /**
   * Runs the kernel `key` (its WGSL made by `source` on first use) over `groups` workgroups (a
   * count, spread over two dimensions past the per-dimension limit; the shader recovers the
   * linear index with `groupIndex`). Bindings: `inputs` (read), `outputs` (read_write), then the
   * parameter words (read) — in the order the shader declares them.
   */
  run(key: string, source: () => string, inputs: readonly GpuArray[], outputs: readonly GpuArray[], params: ArrayLike<number> | Uint32Array, groups: number): void {
    if (groups === 0) return;
    const x = Math.min(groups, MAX_GROUPS_PER_DIM);
    const y = Math.ceil(groups / x);
    if (y > MAX_GROUPS_PER_DIM) throw new RangeError(`keras-ts webgpu: ${groups} workgroups exceed the dispatch limit`);
    this.run3(key, source, inputs, outputs, params, [x, y, 1]);
  }

  /** `run` with the workgroup grid given in three dimensions (the GEMM's blocks and batch). */
  run3(key: string, source: () => string, inputs: readonly GpuArray[], outputs: readonly GpuArray[], params: ArrayLike<number> | Uint32Array, grid: readonly [number, number, number]): void {
    this.checkAlive();
    if (grid[0] * grid[1] * grid[2] === 0) return;
    const pipeline = this.pipeline(key, source);
    const words = params instanceof Uint32Array ? params : Uint32Array.from(params);
    const paramBuffer = this.pool.acquire(Math.max(words.length, 1) * 4);
    if (words.length > 0) this.device.queue.writeBuffer(paramBuffer, 0, words.buffer, words.byteOffset, words.byteLength);
    const bindings: Binding[] = [...inputs, ...outputs, { buffer: paramBuffer }];
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((b, i) => ({ binding: i, resource: { buffer: b.buffer } })),
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.pool.release(paramBuffer);
    this.dispatches++;
    for (const out of outputs) out.written();
  }

  memory(): { liveBytes: number; pooledBytes: number; dispatches: number; uploads: number; downloads: number } {
    return { liveBytes: this.pool.liveBytes, pooledBytes: this.pool.pooledBytes, dispatches: this.dispatches, uploads: this.uploadCount, downloads: this.downloadCount };
  }
}

/** Converts on the host as a typed-array store does (the reference's `cast` without bool). */
function convertHost(x: TypedArray, type: StorageType): TypedArray {
  const out = hostArray(type, x.length);
  out.set(x);
  return out;
}

/** Packs numbers as parameter words: integers as u32/i32 bits, `f(v)` as f32 bits. */
export class Params {
  private readonly words: number[] = [];
  private static readonly f32 = new Float32Array(1);
  private static readonly u32 = new Uint32Array(Params.f32.buffer);

  int(...values: number[]): this {
    for (const v of values) this.words.push(v >>> 0);
    return this;
  }

  float(...values: number[]): this {
    for (const v of values) {
      Params.f32[0] = v;
      this.words.push(Params.u32[0]);
    }
    return this;
  }

  ints(values: readonly number[]): this {
    return this.int(...values);
  }

  get length(): number {
    return this.words.length;
  }

  done(): Uint32Array {
    return Uint32Array.from(this.words);
  }
}

export function groupsFor(threads: number, perGroup = WORKGROUP): number {
  return Math.ceil(threads / perGroup);
}
