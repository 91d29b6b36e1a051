import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { missingAddonMessage } from "../../../src/backend/native/addon.js";

const packageJson = JSON.parse(readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8")) as { scripts: Record<string, string> };

test("a missing addon in a user's project says to run npm rebuild there, and why it is missing", (t) => {
  const project = mkdtempSync(path.join(os.tmpdir(), "keras-ts-addon-"));
  t.after(() => rmSync(project, { recursive: true, force: true }));
  const root = path.join(project, "node_modules", "keras-ts");
  const skipped = missingAddonMessage(root);
  assert.match(skipped, /keras_native\.node not found: the install did not build it/);
  assert.match(skipped, /`npm install-scripts approve keras-ts`/);
  assert.match(skipped, /build it with `npm rebuild keras-ts` in your project/);
  mkdirSync(path.join(root, "build"), { recursive: true });
  writeFileSync(path.join(root, "build", "native-build.log"), "make: cc: No such file or directory\n");
  const failed = missingAddonMessage(root);
  assert.ok(failed.includes(`the build failed, see ${path.join(root, "build", "native-build.log")}`), failed);
  assert.match(failed, /once it is fixed run `npm rebuild keras-ts` in your project/);
  // A user's project has no scripts/ of keras-ts to run.
  assert.doesNotMatch(skipped + failed, /scripts\//);
});

test("a missing addon in a clone points to npm run build:native, a script the package has", () => {
  const message = missingAddonMessage(path.join(os.tmpdir(), "keras-ts-clone-without-build"));
  assert.match(message, /build it with `npm run build:native`$/);
  assert.equal(packageJson.scripts["build:native"], "node scripts/build_native.mjs");
});
