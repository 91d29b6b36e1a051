import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

test("keras.backend.ready() in Node is the automatic choice, made at once", async () => {
  const backend = await keras.backend.ready({ prefer: ["reference"] });
  assert.equal(backend, keras.backend.getBackend());
  assert.equal(backend.name, keras.backend.backend());
});
