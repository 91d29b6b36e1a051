"""Which BLAS a Python peer of `npm run bench` really runs on, read from /proc/self/maps.

Debian's numpy and torch call the system libblas.so.3, an alternative that may point at OpenBLAS
(libopenblas0-pthread) or at the reference BLAS (libblas3, 5-20x slower: no comparison). Call
describe() after the first matrix product, when the library is loaded. `kind` is "openblas",
"mkl", "blis", "atlas", "reference" (netlib's), "none" (nothing mapped) or "other"; for OpenBLAS
`core` names the kernels it chose (OPENBLAS_CORETYPE forces them) and `isa` their instruction set.
"""
import ctypes
import os

# OpenBLAS core names (openblas_get_corename, lower case) by the widest vectors their SGEMM kernels use.
_CORE_ISA = {
    "skylakex": "AVX-512", "cooperlake": "AVX-512", "sapphirerapids": "AVX-512",
    "haswell": "AVX2", "zen": "AVX2", "excavator": "AVX2",
    "sandybridge": "AVX", "bulldozer": "AVX", "piledriver": "AVX", "steamroller": "AVX",
    "neoversen1": "NEON", "neoversen2": "SVE", "neoversev1": "SVE", "armv8": "NEON", "cortexa57": "NEON",
}


def mapped_libraries():
    """Real paths of the mapped shared objects whose name says BLAS (or MKL / BLIS)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if line.rstrip().endswith(".so") or ".so." in line}
    except OSError:
        return []
    keep = [p for p in paths if p.startswith("/") and any(s in os.path.basename(p).lower() for s in ("blas", "mkl", "blis", "atlas"))]
    return sorted({os.path.realpath(p) for p in keep})


def _openblas(path):
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode()
        core = None
        try:
            lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
        except AttributeError:
            pass
        return config, core
    except (OSError, AttributeError):
        return None, None


def _kind_of_path(path):
    p = path.lower()
    for kind in ("openblas", "mkl", "blis", "atlas"):
        if kind in p:
            return kind
    # Netlib's reference BLAS: Debian installs it as .../blas/libblas.so.3.
    return "reference" if os.path.basename(os.path.dirname(path)) == "blas" else "other"


def describe(hint=None):
    """dict(kind, libraries, core, isa, text). `hint` is what the caller knows otherwise (torch's
    BLAS_INFO, for a BLAS linked statically into torch)."""
    libs = mapped_libraries()
    out = dict(kind="none", libraries=[os.path.basename(p) for p in libs], core=None, isa=None, text="")
    # Debian's numpy and torch call libblas.so.3, whichever library that alternative is; another
    # BLAS may be mapped beside it (OpenBLAS's liblapack.so.3 loads libopenblas), unused for GEMM.
    interface = [p for p in libs if os.path.basename(p).lower().startswith("libblas.so")]
    if interface:
        out["kind"] = _kind_of_path(interface[0])
    elif any("openblas" in os.path.basename(p).lower() for p in libs):
        out["kind"] = "openblas"
    elif any(os.path.basename(p).lower().startswith("libmkl") for p in libs) or hint == "mkl":
        out["kind"] = "mkl"
    elif libs:
        out["kind"] = _kind_of_path(libs[0])
    if out["kind"] == "openblas":
        config, core = None, None
        for p in libs:
            if "openblas" in p.lower():
                config, core = _openblas(p)
                if config:
                    break
        out.update(core=core, isa=_CORE_ISA.get((core or "").lower()))
        out["text"] = f"{' '.join((config or 'OpenBLAS').split(' ')[:2])}, {core or '?'} kernels" + (f" ({out['isa']})" if out["isa"] else "")
    elif out["kind"] == "none":
        out["text"] = "no BLAS library mapped" + (f" (torch: BLAS_INFO={hint})" if hint else "")
    else:
        names = {"mkl": "Intel MKL", "blis": "BLIS", "atlas": "ATLAS", "reference": "reference BLAS (netlib)", "other": "unknown BLAS"}
        out["text"] = f"{names[out['kind']]}: {', '.join(out['libraries'])}"
    return out
