import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { KERAS_TS_VERSION } from "../src/version.js";

test("KERAS_TS_VERSION is package.json's version (a bundle has no package.json to read)", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  assert.equal(KERAS_TS_VERSION, pkg.version);
});
