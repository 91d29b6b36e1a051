/* Runtime ISA selection: AVX-512 (F/BW/VL/DQ + FMA), AVX2 + FMA, or portable C.
 * KERAS_TS_ISA=avx512|avx2|c (or portable) lowers the choice (for testing the other paths). */
#include "kt.h"

#include <stdlib.h>
#include <string.h>

static int detected = -1;
static int chosen = -1;

static int detect(void) {
#if KT_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
    return KT_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return KT_ISA_AVX2;
#endif
  return KT_ISA_C;
}

int kt_isa(void) {
  if (chosen < 0) {
    detected = detect();
    int isa = detected;
    const char *s = getenv("KERAS_TS_ISA");
    if (s != NULL) {
      if (strcmp(s, "c") == 0 || strcmp(s, "portable") == 0) isa = KT_ISA_C;
      else if (strcmp(s, "avx2") == 0 && isa > KT_ISA_AVX2) isa = KT_ISA_AVX2;
    }
    chosen = isa;
  }
  return chosen;
}

void kt_set_isa(int isa) {
  kt_isa();
  if (isa < KT_ISA_C) isa = KT_ISA_C;
  chosen = isa > detected ? detected : isa;
}

const char *kt_isa_name(int isa) {
  return isa == KT_ISA_AVX512 ? "avx512" : isa == KT_ISA_AVX2 ? "avx2" : "c";
}
