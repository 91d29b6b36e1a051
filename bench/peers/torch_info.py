"""What a PyTorch peer of `npm run bench` really ran on: its BLAS, oneDNN, and ATen's CPU capability.

Debian's torch 1.13 calls the system BLAS (libblas.so.3, OpenBLAS when libopenblas0-pthread is
installed) for nn.Linear and the recurrent layers' matrix products, and oneDNN (Debian's libdnnl,
"MKL-DNN" in torch's build info) for convolutions (aten::mkldnn_convolution). OPENBLAS_CORETYPE picks
OpenBLAS's kernels; oneDNN ignores it and takes DNNL_MAX_CPU_ISA instead; ATen's own elementwise
kernels follow ATEN_CPU_CAPABILITY. bench.ts sets all three for each SIMD level; these functions
report what took effect.
"""
import ctypes
import os

import blas_info

# oneDNN 2.x's dnnl_cpu_isa_t values (dnnl_get_effective_cpu_isa), by name.
_DNNL_ISA = {
    0x1: "sse41", 0x3: "avx", 0x7: "avx2", 0x407: "avx2_vnni", 0xf: "avx512_mic", 0x1f: "avx512_mic_4ops",
    0x27: "avx512_core", 0x67: "avx512_core_vnni", 0xe7: "avx512_core_bf16", 0x3e7: "avx512_core_amx",
}


def blas_hint(torch):
    """torch's build setting BLAS_INFO (mkl when MKL is linked into torch itself)."""
    for part in torch.__config__.show().replace("\n", ",").split(","):
        if part.strip().startswith("BLAS_INFO="):
            return part.strip().split("=", 1)[1]
    return None


def cpu_capability(torch):
    """ATen's elementwise kernels: "AVX2", "AVX512", ... (ATEN_CPU_CAPABILITY)."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def onednn():
    """dict(version, isa) of the oneDNN library mapped into this process (after a convolution ran),
    or None when none is mapped (a torch that links it statically, or no conv ran yet)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "libdnnl" in line or "libmkldnn" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
            lib.dnnl_get_effective_cpu_isa.restype = ctypes.c_int
            isa = lib.dnnl_get_effective_cpu_isa()
            lib.dnnl_version.restype = ctypes.POINTER(ctypes.c_int * 3)
            version = ".".join(str(v) for v in lib.dnnl_version().contents)
            return dict(version=version, isa=_DNNL_ISA.get(isa, hex(isa)), library=os.path.basename(path))
        except (OSError, AttributeError):
            continue
    return None


def conv_path(torch, step):
    """Which ATen implementation ran the convolutions of `step()`: the conv op names the profiler saw."""
    with torch.autograd.profiler.profile() as prof:
        step()
    names = {e.name for e in prof.function_events}
    convs = sorted(n for n in names if "conv" in n and n not in ("aten::conv2d", "aten::convolution", "aten::_convolution", "aten::convolution_backward"))
    return convs


def describe(torch, convs=None):
    """What ran: dict(blas, detail, isa). `convs` is conv_path()'s answer for a model with convolutions."""
    blas = blas_info.describe(blas_hint(torch))
    aten = cpu_capability(torch)
    parts = [f"{blas['isa'] + ' BLAS' if blas['isa'] else blas['text']}", f"{aten} elementwise"]
    detail = [f"torch {torch.__version__} (ATen {aten})", blas["text"]]
    if convs is not None:
        dnnl = onednn()
        if any("mkldnn" in c for c in convs):
            where = f"oneDNN {dnnl['version']} {dnnl['isa']}" if dnnl else "oneDNN (linked in torch; ISA unknown)"
        else:
            where = f"ATen {', '.join(convs) or '?'}"
        parts.insert(0, f"conv {where}")
        detail.append(f"convolutions: {', '.join(convs)}" + (f" in {dnnl['library']} {dnnl['version']}, max ISA {dnnl['isa']}" if dnnl else ""))
    return dict(blas=blas, isa=", ".join(parts), detail="; ".join(detail))
