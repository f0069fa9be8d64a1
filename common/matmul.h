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

/* Products whose B is a view rather than a matrix, for convolutions without
 * im2col (conv_implicit.c). One thread; A is M x K, row-major with rows lda
 * apart, C has rows ldc apart.
 *
 * matmul_rows_at: row k of B is the N numbers at X + koff[k]. The kernel reads
 *   up to MATMUL_ROW_SLACK numbers past the N-th (a register tile's width),
 *   so X must have that much room after every row; they never reach C.
 * matmul_cols_at: column j of B is the K numbers at X + joff[j]. */
#define MATMUL_ROW_SLACK 64     /* what matmul_rows_at may read past a row */
void matmul_rows_at(int M, int N, int K, const real *A, int lda, const real *X, const int *koff,
                    real beta, real *C, int ldc);
void matmul_cols_at(int M, int N, int K, const real *A, int lda, const real *X, const int *joff,
                    real beta, real *C, int ldc);

/* matmul_rows_at with A packed beforehand, for an A that meets several B:
 * matmul_pack lays A out as the kernel reads it, in matmul_packed_size(M, K)
 * reals; each product is then matmul_rows_at's, bit for bit, without
 * packing A again. */
size_t matmul_packed_size(int M, int K);
void matmul_pack(int M, int K, const real *A, int lda, real *packed);
void matmul_rows_at_packed(int M, int N, int K, const real *packed, const real *X, const int *koff,
                           real beta, real *C, int ldc);

/* C (M x N, rows ldc apart) = beta * C + A B, where A is M x K (rows lda
 * apart) and B is never stored: B(k, j) = X[koff[k] + joff[j]]. A strided
 * convolution's col is such a gather from the image (convolution.c): packing
 * B for the blocked kernel reads it there, where im2col would first write
 * col out and the multiply then copy it again. Every number of C gets the
 * arithmetic of matmul_blocked on the stored col, bit for bit. threaded: on
 * all threads (bands of C's columns), else on this one. */
void matmul_gathered(int threaded, int M, int N, int K, const real *A, int lda, const real *X,
                     const int *koff, const int *joff, real beta, real *C, int ldc);

/* C (M x N, rows ldc apart) = beta * C + A B on this thread, A (M x K) and
 * B (K x N) untransposed with rows lda and ldb apart: a block of larger
 * matrices, multiplied where it lies (winograd.c's 36 products). A is not
 * packed: with B only one or two register tiles wide (a layer's filters or
 * channels), the copy was read once or twice, and reading A in place made
 * DeepConvNet's step 1.029x faster with AVX-512, 1.023x with AVX2 (make
 * step-ab, 150 steps, 2026-12-04). A product's last 16 columns or fewer
 * take a narrow register tile: with AVX-512 twice the rows (16 x 16), not
 * half of an 8 x 32 one; with AVX2 4 x 16, not two thirds of 4 x 24. The
 * same bits as matmul_blocked. */
void matmul_strided(int M, int N, int K, const real *A, int lda, const real *B, int ldb,
                    real beta, real *C, int ldc);

/* The same with A stored transposed, K x M (rows lda apart): C = beta * C + A^T B. */
void matmul_strided_at(int M, int N, int K, const real *A, int lda, const real *B, int ldb,
                       real beta, real *C, int ldc);

/* Fused multiply-adds per second on one thread at the kernels' vector width,
 * in GFLOP/s (2 per multiply-add): the ceiling the multiply is measured against. */
double matmul_peak_gflops(void);

/* A short description of the build: "blocked+OpenMP", "OpenBLAS", ... */
const char *matmul_backend(void);

#endif
