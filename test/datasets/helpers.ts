/**
 * Shared by the dataset tests: small .npz fixtures made by NumPy (kept here as base64 text, so
 * the reader is checked against the real writer), a throwaway HTTP server on 127.0.0.1, temp dirs.
 */
import { createServer, type Server } from "node:http";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";

/**
 * `np.savez_compressed(f, x_train=..., y_train=..., x_test=..., y_test=...)` with
 * x_train = ((arange(2*28*28).reshape(2,28,28) * 7) % 256).astype(uint8), y_train = [3, 1],
 * x_test = (arange(784).reshape(1,28,28) % 200).astype(uint8), y_test = [7] (all uint8).
 * Deflated entries, zip64 local headers (NumPy forces zip64). Element sums: x_train 199312, x_test 76536.
 */
export const MINI_MNIST_NPZ_B64 =
  "UEsDBC0AAAAIAAAAIQDWW6VT//////////8LABQAeF90cmFpbi5ucHkBABAAoAYAAAAAAABlAQAAAAAAAJvsF+obEMnIUMZQrZ6S" +
  "WpxcpG6loF5Taqiuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CkYWIKypo1CrQA7gYmDnE5VR1jK0sHfzDYlOyiwo" +
  "r2vtmTxr4Yr12/YeOX3p5oPn777+YeYSlJBX0zWxdvIMCI9LzSmuauzonzZ3yepNOw8cP3f1zuNXH3/8Z+MVkVbSNDC3c/UJjkrM" +
  "yC+rbemeNHPB8nVb9xw+dfHG/Wdvv/xm4hQQl1PVMbZy9PAPi03JLqpsaO+bOmfxqo079h87e+X2o5cfvv9j5RGWUtTQN7N18Q6K" +
  "TEjPK61p7po4Y/6ytVt2Hzp54fq9p28+/2Lk4BeTVdE2snRw9wuNSc4qrKhv650ye9HKDdv3HT1z+dbDF++//WXhFpJUUNcztXH2" +
  "CoyIT8stqW7qnDB93tI1m3cdPHH+2t0nrz/9HPX/qP9H/T/q/1H/Y/c/AFBLAwQtAAAACAAAACEAWjFa9P//////////CwAUAHlf" +
  "dHJhaW4ubnB5AQAQAIIAAAAAAAAARgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBeU2qorqOgnpZfVFKUmBefX5SSChJ3S8wp" +
  "TgWKF2ckFqQC+RpGOpo6CrUKFAAuZkYAUEsDBC0AAAAIAAAAIQDJJXUy//////////8KABQAeF90ZXN0Lm5weQEAEACQAwAAAAAA" +
  "AB8BAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgXlNqqK6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkahjoKRhYgrKmj" +
  "UKtADuBiYGRiZmFlY+fg5OLm4eXjFxAUEhYRFROXkJSSlpGVk1dQVFJWUVVT19DU0tbR1dM3MDQyNjE1M7ewtLK2sbWzd3B0cnZx" +
  "dXP38PTy9vH18w8IDAoOCQ0Lj4iMio6JjYtPSExKTklNS8/IzMrOyc3LLygsKi4pLSuvqKyqrqmtq29obGpuaW1r7+js6u7p7euf" +
  "MHHS5ClTp02fMXPW7Dlz581fsHDR4iVLly1fsXLV6jVr163fsHHT5i1bt23fsXPX7j179+0/cPDQ4SNHjx0f9ceoP6jhDwBQSwME" +
  "LQAAAAgAAAAhAE4XxSn//////////woAFAB5X3Rlc3QubnB5AQAQAIEAAAAAAAAARQAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRu" +
  "paBeU2qorqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RqGOpo6CrUKFAAudgBQSwECLQMtAAAACAAAACEA1lulU2UBAACg" +
  "BgAACwAAAAAAAAAAAAAAgAEAAAAAeF90cmFpbi5ucHlQSwECLQMtAAAACAAAACEAWjFa9EYAAACCAAAACwAAAAAAAAAAAAAAgAGi" +
  "AQAAeV90cmFpbi5ucHlQSwECLQMtAAAACAAAACEAySV1Mh8BAACQAwAACgAAAAAAAAAAAAAAgAElAgAAeF90ZXN0Lm5weVBLAQIt" +
  "Ay0AAAAIAAAAIQBOF8UpRQAAAIEAAAAKAAAAAAAAAAAAAACAAYADAAB5X3Rlc3QubnB5UEsFBgAAAAAEAAQA4gAAAAEEAAAAAA==";

/**
 * `np.savez` (stored entries) of i32 = int32 [[-1,2,70000],[4,5,-6]], f32 = float32 [1.5,-2.25],
 * f64 = float64 [0.1, 1e300], b = bool [True,False,True], i8 = int8 [-128,127],
 * u16 = uint16 [65535,1], be = big-endian int16 [-2,300], s = float32 scalar 3.5, i64 = int64 [1,2].
 */
export const TYPES_NPZ_B64 =
  "UEsDBC0AAAAAAAAAIQAcNgMp//////////8HABQAaTMyLm5weQEAEACYAAAAAAAAAJgAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3In" +
  "OiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAg" +
  "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr/////AgAAAHARAQAEAAAABQAAAPr///9QSwMELQAAAAAAAAAhAIdR" +
  "iU///////////wcAFABmMzIubnB5AQAQAIgAAAAAAAAAiAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJh" +
  "bl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg" +
  "ICAgICAgICAgICAgICAgICAgCgAAwD8AABDAUEsDBC0AAAAAAAAAIQD/kyFm//////////8HABQAZjY0Lm5weQEAEACQAAAAAAAA" +
  "AJAAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwg" +
  "fSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqamZmZmZm5P5x1AIg8" +
  "5Dd+UEsDBC0AAAAAAAAAIQAWk4y7//////////8FABQAYi5ucHkBABAAgwAAAAAAAACDAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2Ny" +
  "JzogJ3xiMScsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgzLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAg" +
  "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAQABUEsDBC0AAAAAAAAAIQBFgdSq//////////8GABQAaTgubnB5" +
  "AQAQAIIAAAAAAAAAggAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICd8aTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hh" +
  "cGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCoB/" +
  "UEsDBC0AAAAAAAAAIQA0izFu//////////8HABQAdTE2Lm5weQEAEACEAAAAAAAAAIQAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3In" +
  "OiAnPHUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAg" +
  "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//wEAUEsDBC0AAAAAAAAAIQDulZ8M//////////8GABQAYmUubnB5" +
  "AQAQAIQAAAAAAAAAhAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc+aTInLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hh" +
  "cGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCv/+" +
  "ASxQSwMELQAAAAAAAAAhAGHDWzP//////////wUAFABzLm5weQEAEACEAAAAAAAAAIQAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3In" +
  "OiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAg" +
  "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAGBAUEsDBC0AAAAAAAAAIQAM/Bzp//////////8HABQAaTY0Lm5w" +
  "eQEAEACQAAAAAAAAAJAAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3No" +
  "YXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoB" +
  "AAAAAAAAAAIAAAAAAAAAUEsBAi0DLQAAAAAAAAAhABw2AymYAAAAmAAAAAcAAAAAAAAAAAAAAIABAAAAAGkzMi5ucHlQSwECLQMt" +
  "AAAAAAAAACEAh1GJT4gAAACIAAAABwAAAAAAAAAAAAAAgAHRAAAAZjMyLm5weVBLAQItAy0AAAAAAAAAIQD/kyFmkAAAAJAAAAAH" +
  "AAAAAAAAAAAAAACAAZIBAABmNjQubnB5UEsBAi0DLQAAAAAAAAAhABaTjLuDAAAAgwAAAAUAAAAAAAAAAAAAAIABWwIAAGIubnB5" +
  "UEsBAi0DLQAAAAAAAAAhAEWB1KqCAAAAggAAAAYAAAAAAAAAAAAAAIABFQMAAGk4Lm5weVBLAQItAy0AAAAAAAAAIQA0izFuhAAA" +
  "AIQAAAAHAAAAAAAAAAAAAACAAc8DAAB1MTYubnB5UEsBAi0DLQAAAAAAAAAhAO6VnwyEAAAAhAAAAAYAAAAAAAAAAAAAAIABjAQA" +
  "AGJlLm5weVBLAQItAy0AAAAAAAAAIQBhw1szhAAAAIQAAAAFAAAAAAAAAAAAAACAAUgFAABzLm5weVBLAQItAy0AAAAAAAAAIQAM" +
  "/BzpkAAAAJAAAAAHAAAAAAAAAAAAAACAAQMGAABpNjQubnB5UEsFBgAAAAAJAAkA1wEAAMwGAAAAAA==";

export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

export async function tempDir(t: { after: (fn: () => Promise<void>) => void }, prefix = "keras-ts-datasets-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file below `dir`, relative; [] when `dir` does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** What the server answers for a path: the bytes, an HTTP status, or a body cut off half-way. */
export type Route = Uint8Array | number | { truncate: Uint8Array };

export interface TestServer {
  baseUrl: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 serving `routes` (by file name under /); unknown paths get 404. */
export async function serve(t: { after: (fn: () => Promise<void>) => void }, routes: Record<string, Route>): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").replace(/^\/+/, ""));
    requests.push(name);
    const route = routes[name];
    if (route === undefined || typeof route === "number") {
      res.writeHead(route ?? 404, { "content-type": "text/plain" });
      res.end("no such file");
    } else if (route instanceof Uint8Array) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": route.length });
      res.end(route);
    } else {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": route.truncate.length });
      res.write(route.truncate.subarray(0, route.truncate.length >> 1), () => res.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t.after(close);
  return { baseUrl: `http://127.0.0.1:${port}/`, requests, close };
}
