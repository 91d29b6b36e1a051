import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/* `npm run check:cycles` (part of `npm test`) must catch a runtime import cycle and ignore type-only ones. */

const root = path.resolve(import.meta.dirname, "..");
const depcruise = path.join(root, "node_modules", ".bin", "depcruise");

function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "keras-ts-cycles-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }));
    const r = spawnSync(depcruise, ["--config", path.join(root, ".dependency-cruiser.cjs"), "--ts-config", path.join(dir, "tsconfig.json"), dir], { encoding: "utf8", cwd: dir });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the cycle check fails on a runtime import cycle and passes a type-only one", () => {
  const runtime = cruise({
    "a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
    "b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
  });
  assert.notEqual(runtime.status, 0, runtime.output);
  assert.match(runtime.output, /no-circular/);
  const typeOnly = cruise({
    "a.ts": 'import type { B } from "./b.js";\nexport interface A { b?: B }\nexport const a = 1;\n',
    "b.ts": 'import { a } from "./a.js";\nexport interface B { n: number }\nexport const b = a;\n',
  });
  assert.equal(typeOnly.status, 0, typeOnly.output);
});
