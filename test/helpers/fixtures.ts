/**
 * The real Keras / TF.js model files in ../shared/fixtures/models (beside the repository, never
 * copied into it). A test that needs them declares `{ skip: fixturesMissing() }`: without the
 * folder it is skipped with a message naming the folder, unless KERAS_TS_REQUIRE_FIXTURES=1, which
 * turns the absence into a failure (CI, where the folder must be there).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../../../shared/fixtures/models/", import.meta.url));

/** false when the fixtures are there; else the reason to skip (or a thrown error, when required). */
export function fixturesMissing(): string | false {
  if (fs.existsSync(FIXTURES_DIR)) return false;
  const reason = `the fixture folder ${FIXTURES_DIR} is missing (it is ../shared/fixtures/models beside the repository)`;
  if (process.env.KERAS_TS_REQUIRE_FIXTURES === "1") throw new Error(`${reason}; KERAS_TS_REQUIRE_FIXTURES=1 requires it`);
  return reason;
}

/** The path of a fixture file or folder, e.g. fixturePath("keras2_tiny_mlp.h5"). */
export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}
