/**
 * The shared fixtures (real Keras / TF.js model files with reference outputs) live outside the
 * repository, in ../shared/fixtures beside its root. A plain clone has no such folder: tests that
 * need it skip, naming the folder they looked for. CI sets KERAS_TS_REQUIRE_FIXTURES=1, which turns
 * a missing folder into a failure, so no fixture test goes quietly unrun there.
 *
 *   const mlp = requireFixture("models/keras3_mnist_mlp.keras");
 *   test("loads Keras's MLP", { skip: mlp.skip }, async () => { ... mlp.path ... });
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const REQUIRE_FIXTURES_VARIABLE = "KERAS_TS_REQUIRE_FIXTURES";

/** The folder the fixtures are looked for in (absolute), whether or not it exists. */
export function fixtureDir(): string {
  return path.resolve(REPO_ROOT, "..", "shared", "fixtures");
}

export interface Fixture {
  /** Absolute path of the fixture (under `fixtureDir()`). */
  path: string;
  /** For node:test's `skip` option: false when the fixtures are present, else why the test skips. */
  skip: string | false;
}

function fixturesRequired(): boolean {
  return /^(1|true|yes)$/i.test(process.env[REQUIRE_FIXTURES_VARIABLE] ?? "");
}

/**
 * A fixture by its path inside the fixtures folder ("models/keras3_mnist_mlp.keras"). Only a missing
 * folder skips: with the folder present, a missing file is the test's failure to report. With
 * KERAS_TS_REQUIRE_FIXTURES=1 a missing folder throws instead of skipping.
 */
export function requireFixture(name: string): Fixture {
  const dir = fixtureDir();
  const where = path.join(dir, name);
  if (existsSync(dir) && statSync(dir).isDirectory()) return { path: where, skip: false };
  const reason = `the shared fixtures folder ${dir} is absent (it sits in ../shared beside the repository)`;
  if (fixturesRequired()) throw new Error(`${REQUIRE_FIXTURES_VARIABLE} is set, but ${reason}; the tests need ${name} from it`);
  return { path: where, skip: reason };
}
