import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/*
 * A plain clone has no ../shared: a test that opened a fixture by its own path would fail there
 * instead of skipping. Every fixture is reached through test/helpers/fixtures.ts (fixturePath,
 * fixturesMissing), which skips or, in CI, fails.
 */
test("tests reach ../shared/fixtures only through test/helpers/fixtures.ts", () => {
  const root = path.dirname(fileURLToPath(import.meta.url));
  const allowed = [path.join(root, "helpers", "fixtures.ts"), fileURLToPath(import.meta.url)];
  const offenders = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => /\.(ts|mjs|js)$/.test(f))
    .map((f) => path.join(root, f))
    .filter((f) => !allowed.includes(f) && /shared[/\\]+fixtures|shared["'`]\s*,\s*["'`]fixtures/.test(readFileSync(f, "utf8")));
  assert.deepEqual(offenders.map((f) => path.relative(root, f)), []);
});
