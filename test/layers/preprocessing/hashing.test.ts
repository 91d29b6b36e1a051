import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { fingerprint64, sipHash24 } from "../../../src/layers/preprocessing/string_hashing.js";

const { layers, ops } = keras;

test("Hashing: Keras's own examples (FarmHash fingerprint, SipHash with a salt, mask value)", () => {
  const inp = [["A"], ["B"], ["C"], ["D"], ["E"]];
  assert.deepEqual(new layers.Hashing(3).apply(inp).arraySync(), [[1], [0], [1], [1], [2]]);
  assert.deepEqual(new layers.Hashing(3, { maskValue: "" }).apply([["A"], ["B"], [""], ["C"], ["D"]]).arraySync(), [[1], [1], [0], [2], [2]]);
  assert.deepEqual(new layers.Hashing(3, { salt: [133, 137] }).apply(inp).arraySync(), [[1], [2], [1], [0], [2]]);
  assert.deepEqual(new layers.Hashing(3, { salt: 133 }).apply(inp).arraySync(), [[0], [0], [2], [1], [0]]);
  const words = [["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]];
  assert.deepEqual(new layers.Hashing(2).apply(words).arraySync(), [[0], [0], [1], [0], [0]]);
  assert.deepEqual(new layers.Hashing(3, { maskValue: "omar" }).apply(words).arraySync(), [[0], [1], [2], [1], [1]]);
  assert.deepEqual(new layers.Hashing(2, { salt: [133, 137] }).apply(words).arraySync(), [[0], [1], [0], [1], [0]]);
  assert.deepEqual(new layers.Hashing(2, { salt: [211, 137] }).apply(words).arraySync(), [[1], [0], [1], [0], [1]]);
  // Integers hash as their decimal text.
  const ints = ops.convertToTensor([[0], [1], [2], [3], [4]], "int32");
  assert.deepEqual(new layers.Hashing(3).apply(ints).arraySync(), [[1], [0], [1], [0], [2]]);
  assert.deepEqual(new layers.Hashing(3, { salt: [133, 137] }).apply(ints).arraySync(), [[1], [1], [2], [0], [1]]);
  assert.deepEqual(new layers.Hashing(1).apply(inp).arraySync(), [[0], [0], [0], [0], [0]]);
});

test("Hashing: encodings, config, errors; the hashes are stable on long inputs", () => {
  const oneHot = new layers.Hashing(3, { outputMode: "one_hot" }).apply([["A"], ["B"]]);
  assert.deepEqual(oneHot.arraySync(), [[0, 1, 0], [1, 0, 0]]);
  const multi = new layers.Hashing(3, { outputMode: "multi_hot" }).apply([["A", "B"]]);
  assert.deepEqual(multi.arraySync(), [[1, 1, 0]]);
  const h = new layers.Hashing(5, { salt: [1, 2], maskValue: "x" });
  const config = h.getConfig();
  assert.deepEqual([config.num_bins, config.salt, config.mask_value, config.output_mode], [5, [1, 2], "x", "int"]);
  assert.deepEqual(layers.Hashing.fromConfig(JSON.parse(JSON.stringify(config))).getConfig(), config);
  assert.throws(() => new layers.Hashing(0), /cannot be `None` or non-positive/);
  assert.throws(() => new layers.Hashing(2, { salt: [1, 2, 3] as never }), /salt/);
  // Every length class of FarmHash and SipHash gives the same value twice and differs between inputs.
  for (const len of [0, 3, 7, 12, 20, 40, 70, 200]) {
    const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + 11) % 256);
    assert.equal(fingerprint64(bytes), fingerprint64(bytes.slice()));
    assert.ok(fingerprint64(bytes) < 1n << 64n);
    const other = bytes.slice();
    if (len > 0) other[len - 1] ^= 1;
    if (len > 0) assert.notEqual(fingerprint64(other), fingerprint64(bytes));
    assert.notEqual(sipHash24(bytes, 1n, 2n), sipHash24(bytes, 2n, 1n));
  }
});
