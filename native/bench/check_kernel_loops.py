"""Checks that no GEMM micro-kernel keeps its accumulators on the stack (x86-64, GCC).

    python3 native/bench/check_kernel_loops.py [cc]

Compiles native/gemm.c as the addon does, finds the innermost loops of each kernel that contain
FMAs, and reports those that also store a vector register to the stack: a sign that the compiler
spilled the accumulators, which halves the kernel's speed or worse (perf-notes.md, ukr256).
Exits 1 when it finds one.
"""
import os
import re
import subprocess
import sys
import tempfile

KERNELS = ["ukr256", "ukr512", "direct256", "direct512"]
HERE = os.path.dirname(os.path.abspath(__file__))


def functions(asm):
    bodies, current = {}, None
    for line in asm.splitlines():
        m = re.match(r"^([A-Za-z_][\w.]*):", line)
        if m:
            current = m.group(1)
            bodies[current] = []
        elif current is not None:
            bodies[current].append(line)
    return bodies


def innermost_loops(lines):
    labels = {m.group(1): i for i, l in enumerate(lines) if (m := re.match(r"^(\.L\w+):", l))}
    loops = []
    for i, l in enumerate(lines):
        m = re.match(r"\s+j\w+\s+(\.L\w+)", l)
        if m and m.group(1) in labels and labels[m.group(1)] < i:
            loops.append((labels[m.group(1)], i))
    return [a for a in loops if not any(b != a and a[0] <= b[0] and b[1] <= a[1] for b in loops)]


def main():
    cc = sys.argv[1] if len(sys.argv) > 1 else "gcc"
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "gemm.s")
        subprocess.run([cc, "-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-S",
                        os.path.join(HERE, "..", "gemm.c"), "-o", out], check=True)
        bodies = functions(open(out).read())
    spill = re.compile(r"\sv?mov\w*\s+%[xyz]mm\d+,\s*-?\d*\(%(rsp|rbp)")
    bad = 0
    for name in KERNELS:
        if name not in bodies:
            print(f"{name}: not found (inlined or renamed?)")
            bad += 1
            continue
        loops = [(s, e) for s, e in innermost_loops(bodies[name]) if any("vfmadd" in l for l in bodies[name][s:e + 1])]
        spilling = [(s, e) for s, e in loops if any(spill.search(l) for l in bodies[name][s:e + 1])]
        print(f"{name}: {len(loops)} FMA loops, {len(spilling)} storing vectors to the stack")
        bad += len(spilling)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
