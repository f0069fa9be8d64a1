/* matmul.h - the one matrix multiply every chapter uses.
 *
 *   C (M x N) = beta * C + op(A) * op(B)
 *
 * op(A) is M x K: A is stored M x K, or K x M when transA is nonzero (then op(A) = A^T).
 * op(B) is K x N: B is stored K x N, or N x K when transB is nonzero.
 * All matrices are contiguous and row-major. beta is 0 (overwrite C) or 1
 * (accumulate into C, as backward passes do with gradients); other values work too.
 *
 * Three versions sit side by side: matmul_naive is the specification (three
 * loops), matmul_blocked is the cache-blocked, vectorisable kernel on one
 * thread, and matmul (what the layers call) is the blocked kernel spread over
 * OpenMP threads (as many as set_threads in threads.h says), or a system BLAS
 * when built with BLAS=1. */
#ifndef DL_MATMUL_H
#define DL_MATMUL_H

#include "tensor.h"

void matmul_naive(int transA, int transB, int M, int N, int K,
                  const real *A, const real *B, real beta, real *C);
void matmul_blocked(int transA, int transB, int M, int N, int K,
                    const real *A, const real *B, real beta, real *C);
void matmul(int transA, int transB, int M, int N, int K,
            const real *A, const real *B, real beta, real *C);

/* A short description of the build: "blocked+OpenMP", "OpenBLAS", ... */
const char *matmul_backend(void);

#endif
