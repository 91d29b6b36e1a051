import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
const snippets = readFileSync(fileURLToPath(new URL("./readme_snippets.ts", import.meta.url)), "utf8");

/** The lines of a piece of code without indentation and blank lines; imports sit once at the top of the snippets file. */
function codeLines(code: string): string[] {
  return code
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("import "));
}

function readmeTypeScriptBlocks(): string[] {
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

function containsRun(haystack: string[], needle: string[]): boolean {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((line, i) => haystack[start + i] === line)) return true;
  }
  return false;
}

test("every TypeScript snippet of the README is in test/docs/readme_snippets.ts, line for line", () => {
  const blocks = readmeTypeScriptBlocks();
  assert.ok(blocks.length >= 5, `found ${blocks.length} ts blocks in README.md`);
  const typed = codeLines(snippets);
  for (const block of blocks) {
    const lines = codeLines(block);
    assert.ok(containsRun(typed, lines), `README snippet not in readme_snippets.ts (or changed):\n${block}`);
  }
});

test("the README's snippets import keras-ts as users do", () => {
  assert.match(snippets, /^import \* as keras from "keras-ts";$/m);
  for (const block of readmeTypeScriptBlocks()) {
    for (const line of block.split("\n").filter((l) => l.startsWith("import "))) assert.equal(line, 'import * as keras from "keras-ts";');
  }
});
