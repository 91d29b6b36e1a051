import { test } from "node:test";
import assert from "node:assert/strict";
import { DeviceArray, deviceReadError } from "../../src/backend/device_array.js";
import type { TypedArray } from "../../src/backend/dtypes.js";
import { getBackend, readback, setBackend } from "../../src/backend/backend.js";
import { ReferenceBackend } from "../../src/backend/reference/index.js";
import { makeTensor, Tensor } from "../../src/backend/tensor.js";
import * as ops from "../../src/ops/index.js";

/*
 * Tensors whose storage is on a device (the webgpu backend's GpuArray; here a stand-in whose
 * "device" is a closure and whose readback is a resolved promise): synchronous reads throw the
 * error that names `await tensor.data()`, `data()` reads back and keeps the values, `storage`
 * hands the device array only to the backend that made it. The WebGPU kernels themselves are
 * checked in Chromium (npm run test:webgpu).
 */

class FakeDeviceArray extends DeviceArray {
  readonly storageType = "Float32Array" as const;
  private host: TypedArray | undefined;
  reads = 0;

  constructor(
    private readonly values: Float32Array,
    readonly owner: object,
  ) {
    super();
  }

  get length(): number {
    return this.values.length;
  }

  hostCopy(): TypedArray | undefined {
    return this.host;
  }

  readSync(): TypedArray {
    if (this.host !== undefined) return this.host;
    throw deviceReadError("fake", "a synchronous read");
  }

  async read(): Promise<TypedArray> {
    this.reads++;
    this.host ??= this.values.slice();
    return this.host;
  }

  slice(): DeviceArray {
    return new FakeDeviceArray(this.values.slice(), this.owner);
  }

  set(source: TypedArray | DeviceArray): void {
    this.values.set(source instanceof DeviceArray ? source.readSync() : source);
    this.host = undefined;
  }
}

test("a tensor on a device: synchronous reads throw an error naming data(); data() reads back once, after which they work", async () => {
  const device = new FakeDeviceArray(Float32Array.of(1, 2, 3, 4), {});
  const t = makeTensor(device as unknown as TypedArray, [2, 2], "float32");
  assert.equal(t.onDeviceOnly, true);
  assert.throws(() => t.dataSync(), /await tensor\.data\(\)/);
  assert.throws(() => t.arraySync(), /cannot wait for a GPU readback synchronously/);
  assert.throws(() => t.item(), /item/);
  assert.match(String(t), /on the GPU: await tensor\.data\(\)/);
  assert.deepEqual(Array.from(await t.data()), [1, 2, 3, 4]);
  assert.equal(t.onDeviceOnly, false);
  assert.deepEqual(t.arraySync(), [[1, 2], [3, 4]]);
  assert.deepEqual(Array.from(t.dataSync()), [1, 2, 3, 4]);
  assert.equal(device.reads, 1);
  // A reshape shares the device array, and so its readback.
  assert.deepEqual(t.reshape([4]).arraySync(), [1, 2, 3, 4]);
});

test("storage is the device array only for the backend that made it; another backend gets the values read back", async () => {
  const previous = getBackend();
  const owner = new ReferenceBackend();
  try {
    const device = new FakeDeviceArray(Float32Array.of(5, 6), owner);
    const t = makeTensor(device as unknown as TypedArray, [2], "float32");
    setBackend(owner);
    assert.equal(t.storage as unknown, device);
    setBackend(new ReferenceBackend());
    assert.throws(() => t.storage, /await tensor\.data\(\)/);
    await t.data();
    assert.ok(t.storage instanceof Float32Array);
    assert.deepEqual(Array.from(ops.add(t, 1).dataSync()), [6, 7]);
  } finally {
    setBackend(previous);
  }
});

test("a device array of the wrong storage type cannot make a tensor; element 0 of one is never read as a number", () => {
  const device = new FakeDeviceArray(Float32Array.of(1), {});
  assert.throws(() => new Tensor(device, [1], "int32"), /int32 tensor is stored in a Int32Array, got a device array of Float32Array/);
  assert.throws(() => (device as unknown as Float32Array)[0], /element 0 of a device array/);
});

test("readback: nothing to wait for on host tensors; one promise for those on a device", async () => {
  assert.equal(readback([ops.ones([3]), ops.zeros([2])]), undefined);
  const a = makeTensor(new FakeDeviceArray(Float32Array.of(1), {}) as unknown as TypedArray, [1], "float32");
  const b = makeTensor(new FakeDeviceArray(Float32Array.of(2), {}) as unknown as TypedArray, [1], "float32");
  const pending = readback([a, b, ops.ones([1])]);
  assert.ok(pending instanceof Promise);
  await pending;
  assert.equal(a.item() + b.item(), 3);
  assert.equal(readback([a, b]), undefined);
});

test('setBackend("webgpu") selects it where an adapter exists, else rejects with the reason; unknown names are refused', async () => {
  const previous = getBackend();
  try {
    const outcome = await setBackend("webgpu").then(() => "selected", (error: Error) => error.message);
    if (outcome === "selected") assert.equal(getBackend().name, "webgpu");
    else {
      assert.match(outcome, /WebGPU is not available|WebGPU has no adapter/);
      assert.equal(getBackend(), previous);
    }
    setBackend(previous);
    await assert.rejects(setBackend("cuda" as "webgpu"), /unknown backend "cuda"/);
  } finally {
    setBackend(previous);
  }
});
