/* Per-ISA copies of the elementwise loops (ew_impl.h), selected at run time. */
#include "kt.h"
#include "ew_math.h"
#include "ew_ops.h"
#include "vmath.h"

#define KT_SFX(name) name##_c
#include "ew_impl.h"
#undef KT_SFX

#if KT_X86
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define KT_SFX(name) name##_avx2
#define KT_VEC256 1
#include "ew_impl.h"
#undef KT_VEC256
#undef KT_SFX
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define KT_SFX(name) name##_avx512
#define KT_VEC512 1
#include "ew_impl.h"
#undef KT_VEC512
#undef KT_SFX
#pragma GCC pop_options
#endif

const ew_table *kt_ew(void) {
#if KT_X86
  int isa = kt_isa();
  if (isa == KT_ISA_AVX512) return &ew_table_avx512;
  if (isa == KT_ISA_AVX2) return &ew_table_avx2;
#endif
  return &ew_table_c;
}
