/* vector_width.h - what the register-tiled kernels (matmul.c,
 * conv_one_channel.c) need to know about the machine they are built for: how
 * many floats one vector register holds, and how to ask for a fused
 * multiply-add. */
#ifndef DL_VECTOR_WIDTH_H
#define DL_VECTOR_WIDTH_H

#include <math.h>

/* Floats per vector register at the width the compiler builds for
 * (-march=native: this machine's; ISA=avx2: 8). */
#if defined(__AVX512F__)
#define VECTOR_FLOATS 16
#elif defined(__AVX__)
#define VECTOR_FLOATS 8
#else
#define VECTOR_FLOATS 4
#endif

/* a * b + c in one rounding when the machine has a fused multiply-add (C99's
 * FP_FAST_FMA[F] says so), which GCC then vectorises. With -std=c11 GCC does
 * not fuse a * b + c on its own (-ffp-contract=off), so we ask explicitly. */
#ifdef DL_DOUBLE
#ifdef FP_FAST_FMA
#define MADD(a, b, c) fma(a, b, c)
#endif
#else
#ifdef FP_FAST_FMAF
#define MADD(a, b, c) fmaf(a, b, c)
#endif
#endif
#ifndef MADD
#define MADD(a, b, c) ((a) * (b) + (c))
#endif

#endif
