/**
 * The real Keras / TF.js model files in ../shared/fixtures/models (beside the repository, never
 * copied into it). A plain clone has no such folder: a test that needs it declares
 * `{ skip: fixturesMissing() }` and is skipped with a message naming the folder it looked for. CI
 * sets KERAS_TS_REQUIRE_FIXTURES=1, which turns the absence into a failure, so no fixture test goes
 * quietly unrun there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../../../shared/fixtures/models/", import.meta.url));

export const REQUIRE_FIXTURES_VARIABLE = "KERAS_TS_REQUIRE_FIXTURES";

function fixturesRequired(): boolean {
  return /^(1|true|yes)$/i.test(process.env[REQUIRE_FIXTURES_VARIABLE] ?? "");
}

/** false when the fixtures are there; else the reason to skip (or a thrown error, when required). */
export function fixturesMissing(): string | false {
  if (fs.existsSync(FIXTURES_DIR) && fs.statSync(FIXTURES_DIR).isDirectory()) return false;
  const reason = `the fixture folder ${FIXTURES_DIR} is missing (it is ../shared/fixtures/models beside the repository)`;
  if (fixturesRequired()) throw new Error(`${reason}; ${REQUIRE_FIXTURES_VARIABLE} is set and requires it`);
  return reason;
}

/** The path of a fixture file or folder, e.g. fixturePath("keras2_tiny_mlp.h5"). */
export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}
