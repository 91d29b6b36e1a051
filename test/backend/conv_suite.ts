import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ReferenceBackend } from "../../src/backend/reference/index.js";
import type { CompiledBackend, CompiledTarget } from "./compiled_targets.js";
import { EPILOGUE_ACTIVATIONS, type ConvArgs, type PoolArgs } from "../../src/backend/fused_kernels.js";
import { convSizes, poolSizes } from "../../src/backend/conv_geometry.js";
import { fallbacks, resetFallbacks } from "../../src/backend/fallbacks.js";
import { convCases, convGeometry, poolCases } from "../helpers/conv_oracle.js";
import { randomValues } from "../helpers/random.js";
import { assertClose, assertSame } from "./kernel_check.js";

/*
 * A compiled backend's conv, pooling and batch-norm kernels (native at every SIMD level the CPU
 * has, wasm; see compiled_targets.ts) against the reference ones: every padding, stride, dilation,
 * group count (depthwise and 1x1 included), both data formats, 1 to 3 spatial axes, odd sizes,
 * images large enough to be cut into several patch blocks, and batches split over threads. Conv results may differ by float32 accumulation order
 * (bound: 1e-5 of the sum of |terms|); pooling matches bit for bit, NaN included; batch
 * normalization to float32 rounding.
 */

const ref = new ReferenceBackend();

const abs = (a: Float32Array) => a.map(Math.abs);

/** Kernel outputs that may be null (a gradient not asked for) must be there, then close. */
function assertPresentClose(got: Float32Array | null, want: Float32Array | null, scale: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.ok(got !== null && want !== null, `${what}: missing`);
  assertClose(got, want, scale, tol, what);
}

/** The seeded cases plus shapes that take the other paths: patch blocks, 1x1, depthwise, wide channels. */
function allConvCases(): ConvArgs[] {
  const extra: ConvArgs[] = [
    convGeometry(3, [17, 15], [3, 3], 40, 24, 1, [1, 1], [1, 1], "same", false),
    convGeometry(2, [13, 11], [3, 3], 40, 24, 1, [2, 1], [1, 2], "same", true),
    convGeometry(3, [9, 7], [1, 1], 20, 12, 1, [1, 1], [1, 1], "valid", false),
    convGeometry(2, [9, 7], [1, 1], 20, 12, 1, [1, 1], [1, 1], "valid", true),
    convGeometry(2, [9, 7], [1, 1], 20, 12, 1, [2, 2], [1, 1], "valid", false),
    convGeometry(3, [8, 9], [3, 3], 6, 6, 6, [1, 1], [1, 1], "same", false),
    convGeometry(2, [8, 9], [3, 2], 5, 10, 5, [2, 1], [1, 2], "same", true),
    convGeometry(4, [28, 28], [3, 3], 1, 8, 1, [1, 1], [1, 1], "valid", false),
    convGeometry(2, [7, 6], [3, 3], 1, 5, 1, [2, 1], [1, 2], "same", true),
    convGeometry(5, [13, 13], [3, 3], 8, 16, 1, [1, 1], [1, 1], "valid", false),
    convGeometry(2, [6, 5, 4], [3, 3, 2], 4, 6, 2, [1, 2, 1], [1, 1, 2], "same", false),
    convGeometry(2, [31], [5], 7, 9, 1, [3], [2], "causal", false),
  ];
  return [...convCases(30, 77, 4), ...extra];
}

export function convCrossCheck(target: CompiledTarget): void {
  const { created } = target;
  const skip = "error" in created ? created.error : false;
  const forEachLevel = (fn: (level: string) => void) => {
    if (skip === false) target.forEachLevel(fn);
  };
  describe(`${target.label} conv, pooling and batch-norm kernels against the reference`, { skip }, () => {
    const be = ("backend" in created ? created.backend : undefined) as CompiledBackend;

    test("convForward and convBackward: every activation, gradient targets, no fallback", () => {
      resetFallbacks();
      forEachLevel((isa) => {
        let seed = isa.length * 1000;
        for (const args of allConvCases()) {
          const sizes = convSizes(args);
          const x = randomValues(sizes.x, seed++, -2, 2);
          const w = randomValues(sizes.w, seed++);
          const bias = randomValues(args.outChannels, seed++);
          const dOut = randomValues(sizes.out, seed++);
          const outScale = ref.convForward(abs(x), abs(w), abs(bias), args, "linear");
          const dxScale = ref.convBackward(abs(dOut), null, null, abs(w), args, "linear", true, false, false).dX!;
          const dwScale = ref.convBackward(abs(dOut), null, abs(x), null, args, "linear", false, true, true);
          for (const act of EPILOGUE_ACTIVATIONS) {
            const what = `${isa} ${act} ${JSON.stringify(args)}`;
            const want = ref.convForward(x, w, bias, args, act);
            const got = be.convForward(x, w, bias, args, act);
            assertPresentClose(got, want, outScale, `${what} forward`);
            const wantG = ref.convBackward(dOut, want, x, w, args, act, true, true, true);
            const dW = new Float32Array(sizes.w).fill(NaN);
            const gotG = be.convBackward(dOut, want, x, w, args, act, true, dW, true);
            assert.equal(gotG.dW, dW, `${what}: dW into the target given`);
            assertPresentClose(gotG.dX, wantG.dX, dxScale, `${what} dX`);
            assertPresentClose(gotG.dW, wantG.dW, dwScale.dW!, `${what} dW`);
            assertPresentClose(gotG.db, wantG.db, dwScale.db!, `${what} db`);
          }
          const what = `${isa} ${JSON.stringify(args)}`;
          // Without bias; each gradient alone, with the unused operands absent.
          assertPresentClose(be.convForward(x, w, null, args, "linear"), ref.convForward(x, w, null, args, "linear"), outScale, `${what} no bias`);
          const onlyX = be.convBackward(dOut, null, null, w, args, "linear", true, false, false);
          assert.equal(onlyX.dW, null);
          assertPresentClose(onlyX.dX, ref.convBackward(dOut, null, null, w, args, "linear", true, false, false).dX, dxScale, `${what} dX alone`);
          const onlyW = be.convBackward(dOut, null, x, null, args, "linear", false, true, false);
          assert.equal(onlyW.dX, null);
          assertPresentClose(onlyW.dW, ref.convBackward(dOut, null, x, null, args, "linear", false, true, false).dW, dwScale.dW!, `${what} dW alone`);
        }
      });
      assert.deepEqual(fallbacks().filter((f) => f.kernel.startsWith("conv")), [], "every conv call ran in C");
    });

    test("conv on 1 and 2 threads gives the same results", () => {
      const args = convGeometry(6, [12, 10], [3, 3], 16, 8, 1, [1, 1], [1, 1], "same", false);
      const sizes = convSizes(args);
      const x = randomValues(sizes.x, 1, -2, 2);
      const w = randomValues(sizes.w, 2);
      const dOut = randomValues(sizes.out, 3);
      const threads = be.info().threads;
      try {
        be.setNumThreads(1);
        const one = be.convBackward(dOut, null, x, w, args, "linear", true, true, true);
        be.setNumThreads(Math.max(2, threads));
        const two = be.convBackward(dOut, null, x, w, args, "linear", true, true, true);
        assertSame(two.dX!, one.dX!, "dX");
        const scale = ref.convBackward(abs(dOut), null, abs(x), null, args, "linear", false, true, true);
        assertPresentClose(two.dW, one.dW, scale.dW!, "dW");
        assertPresentClose(two.db, one.db, scale.db!, "db");
      } finally {
        be.setNumThreads(threads);
      }
    });

    test("pooling kernels match the reference bit for bit (NaN and ties included)", () => {
      resetFallbacks();
      forEachLevel((isa) => {
        let seed = isa.length * 31;
        const cases: PoolArgs[] = [
          ...poolCases(40, 5),
          { batch: 3, channels: 32, inputSize: [26, 26], outputSize: [13, 13], poolSize: [2, 2], strides: [2, 2], padBefore: [0, 0], channelsFirst: false },
          { batch: 2, channels: 17, inputSize: [11, 11], outputSize: [6, 6], poolSize: [3, 3], strides: [2, 2], padBefore: [1, 1], channelsFirst: false },
          { batch: 2, channels: 5, inputSize: [11, 11], outputSize: [6, 6], poolSize: [3, 3], strides: [2, 2], padBefore: [1, 1], channelsFirst: true },
        ];
        for (const args of cases) {
          const sizes = poolSizes(args);
          const x = randomValues(sizes.x, seed++, -2, 2);
          // Ties and special values.
          for (let i = 0; i < x.length; i += 7) x[i] = Math.round(x[i]);
          if (x.length > 10) [x[3], x[9]] = [NaN, -0];
          const dOut = randomValues(sizes.out, seed++);
          if (dOut.length > 2) dOut[1] = -0;
          const what = `${isa} ${JSON.stringify(args)}`;
          assertSame(be.maxPoolForward(x, args), ref.maxPoolForward(x, args), `${what} max`);
          assertSame(be.maxPoolBackward(dOut, x, args), ref.maxPoolBackward(dOut, x, args), `${what} max backward`);
          assertSame(be.avgPoolForward(x, args), ref.avgPoolForward(x, args), `${what} avg`);
          assertSame(be.avgPoolBackward(dOut, args), ref.avgPoolBackward(dOut, args), `${what} avg backward`);
        }
      });
      assert.deepEqual(fallbacks().filter((f) => f.kernel.includes("Pool")), [], "every pooling call ran in C");
    });

    test("batch normalization kernels match the reference (channels last and first, threaded sums)", () => {
      resetFallbacks();
      forEachLevel((isa) => {
        let seed = isa.length * 13;
        for (const [outer, channels, inner] of [[7, 3, 1], [3, 5, 9], [4096, 12, 1], [2, 6, 3000], [1, 1, 1], [9, 1, 4]]) {
          const args = { outer, channels, inner, epsilon: 1e-3 };
          const n = outer * channels * inner;
          const x = randomValues(n, seed++, -2, 5);
          const gamma = randomValues(channels, seed++, 0.5, 1.5);
          const beta = randomValues(channels, seed++);
          const what = `${isa} [${outer}, ${channels}, ${inner}]`;
          const want = ref.batchNormTraining(x, gamma, beta, args);
          const got = be.batchNormTraining(x, gamma, beta, args);
          assertPresentClose(got.mean, want.mean, new Float32Array(channels).fill(4), `${what} mean`, 1e-6);
          assertPresentClose(got.variance, want.variance, want.variance.map((v) => v + 1e-3), `${what} variance`, 1e-6);
          assertPresentClose(got.out, want.out, want.out.map((v) => Math.abs(v) + 1), `${what} out`, 1e-6);
          const plain = be.batchNormTraining(x, null, null, args).out;
          assertPresentClose(plain, ref.batchNormTraining(x, null, null, args).out, plain.map((v) => Math.abs(v) + 1), `${what} out without gamma, beta`, 1e-6);
          const inf = be.batchNormInference(x, want.mean, want.variance, gamma, beta, args);
          assertSame(inf, ref.batchNormInference(x, want.mean, want.variance, gamma, beta, args), `${what} inference`);
          const dOut = randomValues(n, seed++);
          const wantG = ref.batchNormTrainingBackward(dOut, x, want.mean, want.variance, gamma, args, true, true, true);
          const dBeta = new Float32Array(channels);
          const gotG = be.batchNormTrainingBackward(dOut, x, want.mean, want.variance, gamma, args, true, true, dBeta);
          assert.equal(gotG.dBeta, dBeta, `${what}: dBeta into the target given`);
          const m = outer * inner;
          assertPresentClose(gotG.dX, wantG.dX, wantG.dX!.map((v) => Math.abs(v) + 1), `${what} dX`, 1e-5);
          assertPresentClose(gotG.dGamma, wantG.dGamma, new Float32Array(channels).fill(m), `${what} dGamma`, 1e-6);
          assertPresentClose(gotG.dBeta, wantG.dBeta, new Float32Array(channels).fill(m), `${what} dBeta`, 1e-6);
          const onlyX = be.batchNormTrainingBackward(dOut, x, want.mean, want.variance, null, args, true, false, false);
          assert.equal(onlyX.dGamma, null);
          assertPresentClose(onlyX.dX, ref.batchNormTrainingBackward(dOut, x, want.mean, want.variance, null, args, true, false, false).dX, wantG.dX!.map((v) => Math.abs(v) + 1), `${what} dX without gamma`, 1e-5);
        }
      });
      assert.deepEqual(fallbacks().filter((f) => f.kernel.startsWith("batchNorm")), [], "every batch-norm call ran in C");
    });

    test("the C kernels reject inconsistent arguments (the reference then reports them)", () => {
      const args = convGeometry(1, [4, 4], [3, 3], 2, 2, 1, [1, 1], [1, 1], "valid", false);
      assert.throws(() => be.convForward(new Float32Array(5), new Float32Array(36), null, args, "relu"), /convForward kernel: x has 5 elements, expected 32/);
      assert.throws(() => be.maxPoolForward(new Float32Array(3), { ...poolCases(1, 1)[0], batch: 1, channels: 1 }), /maxPoolForward kernel: x has 3 elements/);
    });
  });
}
