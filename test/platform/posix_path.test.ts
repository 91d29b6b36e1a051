import { test } from "node:test";
import assert from "node:assert/strict";
import { posix } from "node:path";
import * as browserPath from "../../src/platform/posix_path.js";

test("the browser's path arithmetic matches Node's path.posix", () => {
  const joins = [["a", "b"], ["/a/", "b/c"], ["a", "../b"], ["", "x"], ["a/./b", "..", "c"], ["/", ".."], ["..", "a"], ["a", ""], [""]];
  for (const parts of joins) assert.equal(browserPath.join(...parts), posix.join(...parts), `join(${JSON.stringify(parts)})`);
  for (const p of ["/a/b/c", "a/b", "a", "/a", "/", "a/b/", "", "."]) {
    assert.equal(browserPath.dirname(p), posix.dirname(p), `dirname(${JSON.stringify(p)})`);
    assert.equal(browserPath.basename(p), posix.basename(p), `basename(${JSON.stringify(p)})`);
    assert.equal(browserPath.extname(p), posix.extname(p), `extname(${JSON.stringify(p)})`);
    assert.equal(browserPath.isAbsolute(p), posix.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
  }
  for (const p of ["model.keras", "x.tar.gz", ".hidden", "a.b/c", "name."]) assert.equal(browserPath.extname(p), posix.extname(p), p);
  // Relative to "/", as Node's would be from a working directory of "/".
  for (const parts of [["a", "b"], ["/x", "y", "../z"], ["a", "/b", "c"], [".."]]) {
    assert.equal(browserPath.resolve(...parts), posix.resolve("/", ...parts), `resolve(${JSON.stringify(parts)})`);
  }
});
