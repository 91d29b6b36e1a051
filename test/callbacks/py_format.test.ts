import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatKeyError, pyFloatRepr, pyFormat, pyFormatValue } from "../../src/callbacks/callback_utils.js";

// Expected strings are what CPython 3 prints for repr(x) / format(x, spec).

test("pyFloatRepr matches Python's repr(float)", () => {
  const cases: [number, string][] = [
    [1, "1.0"],
    [0.1, "0.1"],
    [0.1 + 0.2, "0.30000000000000004"],
    [-2.5, "-2.5"],
    [123, "123.0"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [1e16, "1e+16"],
    [1234567890123456, "1234567890123456.0"],
    [123456789012345680, "1.2345678901234568e+17"],
    [1e22, "1e+22"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [0, "0.0"],
    [-0, "-0.0"],
    [NaN, "nan"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
  ];
  for (const [x, expected] of cases) assert.equal(pyFloatRepr(x), expected, `repr(${x})`);
});

test("pyFormatValue: floats with f/e/g/%/no type, rounding half to even on the exact value", () => {
  const cases: [number, string, string][] = [
    [0.12345, ".2f", "0.12"],
    [0.125, ".2f", "0.12"],
    [0.375, ".2f", "0.38"],
    [2.675, ".2f", "2.67"],
    [1.005, ".2f", "1.00"],
    [0.5, ".0f", "0"],
    [1.5, ".0f", "2"],
    [2.5, ".0f", "2"],
    [3, "f", "3.000000"],
    [-1.5, "08.3f", "-001.500"],
    [1234567.891, ",.2f", "1,234,567.89"],
    [0.000123456, ".4e", "1.2346e-04"],
    [25, ".0e", "2e+01"],
    [0, "e", "0.000000e+00"],
    [12345.678, "E", "1.234568E+04"],
    [0.0001, "g", "0.0001"],
    [0.00001, "g", "1e-05"],
    [1234567, "g", "1.23457e+06"],
    [100, "g", "100"],
    [123456, "g", "123456"],
    [0.5, ".3", "0.5"],
    [12, ".3", "12.0"],
    [123, ".3", "1.23e+02"],
    [100, ".3", "1e+02"],
    [0.5, "%", "50.000000%"],
    [0.1234, ".1%", "12.3%"],
    [0.25, "", "0.25"],
    [1, "", "1.0"],
    [1, "10", "       1.0"],
    [NaN, ".2f", "nan"],
    [Infinity, ".2f", "inf"],
    [-Infinity, "F", "-INF"],
    [3, "#.0f", "3."],
    [-0, ".1f", "-0.0"],
    [-0.04, "z.1f", "0.0"],
    [2.5, "+.1f", "+2.5"],
    [2.5, " .1f", " 2.5"],
    [2.5, "*^9.2f", "**2.50***"],
    [2.5, "<6.1f", "2.5   "],
  ];
  for (const [x, spec, expected] of cases) assert.equal(pyFormatValue({ float: x }, spec), expected, `format(${x}, '${spec}')`);
});

test("pyFormatValue: ints and strs", () => {
  const ints: [number, string, string][] = [
    [3, "02d", "03"],
    [3, "", "3"],
    [123, "02d", "123"],
    [-3, "03d", "-03"],
    [3, ">5", "    3"],
    [3, "<5", "3    "],
    [3, "^5", "  3  "],
    [3, "+d", "+3"],
    [1234567, ",", "1,234,567"],
    [1234567, "_d", "1_234_567"],
    [255, "x", "ff"],
    [255, "#X", "0XFF"],
    [5, "b", "101"],
    [3, ".2f", "3.00"],
    [3, "e", "3.000000e+00"],
  ];
  for (const [x, spec, expected] of ints) assert.equal(pyFormatValue({ int: x }, spec), expected, `format(${x}, '${spec}')`);
  assert.equal(pyFormatValue({ str: "ab" }, ">4"), "  ab");
  assert.equal(pyFormatValue({ str: "abcdef" }, ".3"), "abc");
  assert.throws(() => pyFormatValue({ float: 1 }, "02d"), /Unknown format code 'd' for object of type 'float'/);
  assert.throws(() => pyFormatValue({ int: 1 }, ".2d"), /Precision not allowed in integer format specifier/);
  assert.throws(() => pyFormatValue({ float: 1 }, "q"), /Invalid format specifier/);
});

test("pyFormat: templates like str.format(**values)", () => {
  const values = { epoch: { int: 7 }, val_loss: { float: 0.123456 }, loss: { float: 1 } };
  assert.equal(pyFormat("model_{epoch:02d}-{val_loss:.2f}.keras", values), "model_07-0.12.keras");
  assert.equal(pyFormat("{epoch}_{loss}_{val_loss:.4f}", values), "7_1.0_0.1235");
  assert.equal(pyFormat("{{epoch}}-{epoch}}}", values), "{epoch}-7}");
  assert.equal(pyFormat("{loss!r}", values), "1.0");
  assert.equal(pyFormat("plain.keras", values), "plain.keras");
  assert.throws(() => pyFormat("{missing}", values), (e: unknown) => e instanceof FormatKeyError && e.key === "missing" && e.message === "'missing'");
  assert.throws(() => pyFormat("{}", values), /Replacement index 0 out of range/);
  assert.throws(() => pyFormat("{epoch", values), /expected '}' before end of string/);
  assert.throws(() => pyFormat("a}b", values), /Single '}' encountered/);
});
