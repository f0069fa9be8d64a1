/* matmul.c - C (M x N) = beta * C + op(A) * op(B), three ways.
 *
 *   matmul_naive    the specification: three loops, one dot product per element.
 *   matmul_blocked  the same arithmetic, reorganised for the cache and the
 *                   vector unit: copy ("pack") tiles of A and B into small
 *                   contiguous buffers, then run a tiny fixed-size kernel that
 *                   keeps an MR x NR tile of C in registers.
 *   matmul          matmul_blocked on several threads, each one owning a slab
 *                   of C, or a system BLAS when built with BLAS=1.
 *
 * The blocked loop nest follows the BLIS/GotoBLAS design:
 *
 *   for jc in N by NC          B panel  KC x NC   (lives in L3)
 *     for pc in K by KC        (K in equal blocks of at most KC)
 *       pack B panel
 *       for ic in M by MC      A block  MC x KC   (lives in L2)
 *         pack A block
 *         for jr in NC by NR   B sliver KC x NR   (lives in L1)
 *           for ir in MC by MR
 *             kernel: MR x NR tile of C += A sliver * B sliver
 */
#include "matmul.h"
#include "threads.h"
#include "timer.h"
#include "util.h"
#include "vector_width.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef USE_BLAS
#include <cblas.h>
#endif

/* Sizes of the register tile (MR x NR) and of the cache blocks. The tile is
 * sized for the vector registers of the machine the compiler builds for
 * (-march=native: this one). With AVX-512, a row of NR = 32 floats is two of
 * the 32 512-bit registers, so the tile takes 16 of them. With AVX or AVX2's
 * 16 registers of 8 floats, a 4 x 24 tile takes 12, leaving room for a row of
 * B and a broadcast of A. These were measured, not derived: GCC 12 turns some
 * other shapes (6 x 16, 8 x 16 with AVX2) into shuffles at a twentieth of the
 * speed. The double build only needs to be correct. The B sliver (KC x NR)
 * stays in the 48 KB L1 cache, the A block (MC x KC) in the 1 MB L2. Try
 * others with e.g. -DMR=6 -DKC=384. */
#ifndef MR
#define MR (VECTOR_FLOATS == 16 ? 8 : 4)
#endif
#ifndef NR
#define NR (VECTOR_FLOATS == 16 ? 32 : 3 * VECTOR_FLOATS)
#endif
/* matmul_rows_at's tile is wider with AVX-512: 8 x 48 (24 registers) reads
 * its B rows, scattered through an image, a third less often per
 * multiply-add than 8 x 32, and was 20% faster on convolutions here. */
#define NR_AT (VECTOR_FLOATS == 16 ? 48 : NR)
#ifndef KC
#define KC 256
#endif
#ifndef MC
#define MC (16 * MR)            /* 128 rows with AVX-512, 64 with AVX */
#endif
#ifndef NC
#define NC 2048
#endif
_Static_assert(NR_AT <= MATMUL_ROW_SLACK, "matmul_rows_at reads a tile's width past a row");

/* Packing buffers up to this many reals (32 KB of float) live on the stack. */
#define SMALL_BUFFER 8192

/* GCC would inline the kernel into the loop nest of gemm_blocked, where it
 * allocates registers worse: measured 5-15% slower on the small shapes. */
#ifdef __GNUC__
#define KERNEL_NOINLINE __attribute__((noinline))
#else
#define KERNEL_NOINLINE
#endif

/* Two kernels share one body (multiply_tile), copied into each so that the
 * packed one keeps its strides as constants: left to itself, GCC made a call
 * of it instead. */
#ifdef __GNUC__
#define ALWAYS_INLINE __attribute__((always_inline))
#else
#define ALWAYS_INLINE
#endif

/* GCC turns the copy of a sliver's row from an untransposed B (32 floats
 * side by side) into a call of memmove for each row, with registers saved
 * and restored around it. The packing functions ask GCC to keep such loops
 * as loops, which it vectorises in place: 2 to 3.5% off the multiplies of
 * the recurrent nets and MLPs (128 x 512 x 128: 139 to 136 us, one thread).
 * The kernels ask the same: their register tile, zeroed by `= {0}` and
 * handed to store_tile, became a memset of the whole tile on the stack
 * before every tile and a memcpy per row after it (1.5 KB and 8 calls for
 * a tile of 8 x 48), where a few vector stores do: DeepConvNet's
 * convolutions ran 3-8% faster without them (one thread, alternated runs). */
#if defined(__GNUC__) && !defined(__clang__)
#define PLAIN_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define PLAIN_LOOPS
#endif

/* ---- the specification ------------------------------------------------------ */

/* A is M x K (K x M if transA), B is K x N (N x K if transB), C is M x N. */
void matmul_naive(int transA, int transB, int M, int N, int K,
                  const real *A, const real *B, real beta, real *C)
{
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            real sum = 0;
            for (int k = 0; k < K; k++) {
                real a = transA ? A[(size_t)k * M + i] : A[(size_t)i * K + k];
                real b = transB ? B[(size_t)j * K + k] : B[(size_t)k * N + j];
                sum += a * b;
            }
            real *c = &C[(size_t)i * N + j];
            /* beta == 0 overwrites: 0 * NaN would be NaN, so never read C. */
            *c = beta == 0 ? sum : beta * *c + sum;
        }
    }
}

/* ---- the blocked version ------------------------------------------------------ */

static int min_int(int a, int b) { return a < b ? a : b; }

/* Inside the blocked code every matrix has a leading dimension (the distance
 * between rows), so that a thread can work on a slab of a larger matrix:
 *   op(A)(i, k) = transA ? A[k * lda + i] : A[i * lda + k]
 *   op(B)(k, j) = transB ? B[j * ldb + k] : B[k * ldb + j]                     */

/* Both operands are packed the same way. A sliver is W "lines" (W = MR rows
 * of op(A), or W = NR columns of op(B)) over kc steps of k, stored k by k:
 * dst[k * W + l] is line l at step k, which sits in memory at X[l * ls + k * ks].
 * Lines past n are zero, so the kernel always computes a full tile and the
 * edges of C need no special case. Each call site below passes constant
 * strides for one layout, so after inlining GCC vectorises the copy. */
PLAIN_LOOPS static inline void pack_sliver(const real *X, size_t ls, size_t ks, int n, int kc, int W,
                                           real *restrict dst)
{
    if (n == W) {
        for (int k = 0; k < kc; k++)
            for (int l = 0; l < W; l++)
                dst[k * W + l] = X[l * ls + k * ks];
    } else {                        /* an edge: masked loads, still vectorised */
        for (int k = 0; k < kc; k++)
            for (int l = 0; l < W; l++)
                dst[k * W + l] = l < n ? X[l * ls + k * ks] : 0;
    }
}

/* Rows i0..i0+mc, columns p0..p0+kc of op(A) into slivers of MR rows. */
PLAIN_LOOPS static void pack_A(int transA, const real *A, int lda, int i0, int mc, int p0, int kc,
                               real *restrict buf)
{
    for (int i = 0; i < mc; i += MR) {
        int n = min_int(MR, mc - i);
        real *dst = buf + (size_t)i * kc;
        if (transA)                 /* A is K x M: the MR rows of op(A) side by side */
            pack_sliver(A + (size_t)p0 * lda + i0 + i, 1, lda, n, kc, MR, dst);
        else                        /* A is M x K: each row of op(A) along k */
            pack_sliver(A + (size_t)(i0 + i) * lda + p0, lda, 1, n, kc, MR, dst);
    }
}

/* A full sliver of a transposed B: dst[k * NR + l] = X[l * ls + k], NR rows of
 * X read along k. Element by element, each k reads one number from each of NR
 * rows, which for a power-of-two ls (a 512-wide weight matrix) all fall in the
 * same few cache sets and evict each other. In squares of 16 k by NR rows,
 * each row is read a whole cache line at a time. */
PLAIN_LOOPS static void pack_transposed(const real *X, size_t ls, int kc, real *restrict dst)
{
    int k0 = 0;
    for (; k0 + 16 <= kc; k0 += 16)
        for (int l = 0; l < NR; l++)
            for (int k = k0; k < k0 + 16; k++)
                dst[k * NR + l] = X[l * ls + k];
    for (int l = 0; l < NR; l++)
        for (int k = k0; k < kc; k++)
            dst[k * NR + l] = X[l * ls + k];
}

/* Rows p0..p0+kc, columns j0..j0+nc of op(B) into slivers of NR columns.
 * With in_place, the full slivers of an untransposed B are skipped: the kernel
 * reads them where they are (see gemm_blocked). */
PLAIN_LOOPS static void pack_B(int transB, const real *B, int ldb, int p0, int kc, int j0, int nc,
                               int in_place, real *restrict buf)
{
    for (int j = 0; j < nc; j += NR) {
        int n = min_int(NR, nc - j);
        if (in_place && n == NR)
            continue;
        real *dst = buf + (size_t)j * kc;
        if (transB && n == NR)      /* B is N x K: NR rows of B become the sliver's columns */
            pack_transposed(B + (size_t)(j0 + j) * ldb + p0, ldb, kc, dst);
        else if (transB)
            pack_sliver(B + (size_t)(j0 + j) * ldb + p0, ldb, 1, n, kc, NR, dst);
        else                        /* B is K x N: the NR columns side by side */
            pack_sliver(B + (size_t)p0 * ldb + j0 + j, 1, ldb, n, kc, NR, dst);
    }
}

/* The same slivers for a B that is gathered, not stored: op(B)(k, j) is
 * X[koff[k] + joff[j]] (a convolution's col, read from the image it would
 * have been copied from; see matmul_gathered in matmul.h). */
PLAIN_LOOPS static void pack_B_gathered(const real *X, const int *koff, const int *joff, int p0, int kc,
                                        int j0, int nc, real *restrict buf)
{
    for (int j = 0; j < nc; j += NR) {
        int n = min_int(NR, nc - j);
        const int *jo = joff + j0 + j;
        real *dst = buf + (size_t)j * kc;
        for (int k = 0; k < kc; k++) {
            const real *xk = X + koff[p0 + k];
            real *d = dst + (size_t)k * NR;
            if (n == NR)
                for (int l = 0; l < NR; l++)
                    d[l] = xk[jo[l]];
            else
                for (int l = 0; l < NR; l++)
                    d[l] = l < n ? xk[jo[l]] : 0;
        }
    }
}

/* The mr x nr corner of a register tile (rows `width` apart) into C (rows ldc
 * apart); first: the first K block for this tile, where beta applies. */
static inline void store_tile(const real *acc, int width, real *restrict C, int ldc, int mr,
                              int nr, int first, real beta)
{
    for (int i = 0; i < mr; i++) {
        real *c = C + (size_t)i * ldc;
        const real *a = acc + (size_t)i * width;
        if (!first || beta == 1)
            for (int j = 0; j < nr; j++)
                c[j] += a[j];
        else if (beta == 0)         /* overwrite: C may hold garbage, even NaN */
            for (int j = 0; j < nr; j++)
                c[j] = a[j];
        else
            for (int j = 0; j < nr; j++)
                c[j] = beta * c[j] + a[j];
    }
}

/* The micro-kernel: the MR x NR tile acc = (A sliver, MR x kc) * (B sliver,
 * kc x NR), then written into the mr x nr corner of C (rows ldc apart), which
 * is smaller than MR x NR only at the edges of C. The B sliver's rows are
 * ldb apart: NR when packed, or B's own row length when read in place.
 * acc has fixed sizes, so GCC
 * unrolls the i and j loops, keeps acc in 2 * MR vector registers, and turns
 * each j loop into two fused multiply-adds with a[i] broadcast.
 * first: this is the first K block for this tile, where beta applies. */
ALWAYS_INLINE PLAIN_LOOPS static inline void multiply_tile(int kc, const real *restrict a, size_t a_row, size_t a_k,
                                                           const real *restrict b, int ldb, real *restrict C,
                                                           int ldc, int mr, int nr, int first, real beta)
{
    real acc[MR][NR];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++)
            acc[i][j] = 0;
    for (int k = 0; k < kc; k++) {
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++)
                acc[i][j] = MADD(a[i * a_row], b[j], acc[i][j]);
        a += a_k;
        b += ldb;
    }
    store_tile(&acc[0][0], NR, C, ldc, mr, nr, first, beta);
}

KERNEL_NOINLINE PLAIN_LOOPS static void kernel(int kc, const real *restrict a, const real *restrict b, int ldb,
                                               real *restrict C, int ldc, int mr, int nr, int first, real beta)
{
    multiply_tile(kc, a, 1, MR, b, ldb, C, ldc, mr, nr, first, beta);     /* the packed sliver */
}

/* The kernel once more, for an A sliver read where it lies, unpacked: its
 * number (i, k) at a[i * a_row + k * a_k]. The same arithmetic, so the same
 * bits. */
KERNEL_NOINLINE PLAIN_LOOPS static void kernel_a_in_place(int kc, const real *restrict a, size_t a_row, size_t a_k,
                                                          const real *restrict b, int ldb, real *restrict C,
                                                          int ldc, int mr, int nr, int first, real beta)
{
    multiply_tile(kc, a, a_row, a_k, b, ldb, C, ldc, mr, nr, first, beta);
}

/* With AVX-512 a product only NR / 2 columns wide (16: a layer of 16 filters)
 * would leave half of every register tile idle. Read in place, A can give the
 * tile twice the rows instead: 16 x 16, the same 16 registers. With AVX2, 16
 * columns fill two thirds of the 4 x 24 tile, and a 4 x 16 one (8 registers)
 * does the same work in two thirds of the multiply-adds. Written as plain
 * loops, GCC 12 turns these shapes into shuffles (see MR above), so each row
 * of the tile is one vector of GCC's vector extensions (two registers with
 * AVX2), and the loop over k adds a number of A times B's row to each. */
#define NARROW_ROWS (VECTOR_FLOATS == 16 ? 2 * MR : MR)
#define NARROW_COLS 16
#if (VECTOR_FLOATS == 16 || VECTOR_FLOATS == 8) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_NARROW 1
#define NARROW_VECTORS (NARROW_COLS / VECTOR_FLOATS)     /* per row of the tile: 1, or 2 with AVX2 */
typedef real NarrowVector __attribute__((vector_size(VECTOR_FLOATS * sizeof(real))));

/* kernel_a_in_place on a NARROW_ROWS x NARROW_COLS tile (always its full
 * rows; nr of its columns are written). */
__attribute__((optimize("fp-contract=fast")))    /* acc + a * b as one fused multiply-add, as MADD */
KERNEL_NOINLINE static void kernel_a_in_place_narrow(int kc, const real *restrict a, size_t a_row, size_t a_k,
                                                     const real *restrict b, int ldb, real *restrict C, int ldc,
                                                     int nr, int first, real beta)
{
    NarrowVector acc[NARROW_ROWS][NARROW_VECTORS];
    for (int i = 0; i < NARROW_ROWS; i++)
        for (int v = 0; v < NARROW_VECTORS; v++)
            acc[i][v] = (NarrowVector){0};
    for (int k = 0; k < kc; k++) {
        NarrowVector bk[NARROW_VECTORS];
        for (int v = 0; v < NARROW_VECTORS; v++)       /* a vector at a time: one load each */
            memcpy(&bk[v], b + v * VECTOR_FLOATS, sizeof bk[v]);
        for (int i = 0; i < NARROW_ROWS; i++)
            for (int v = 0; v < NARROW_VECTORS; v++)
                acc[i][v] += a[i * a_row] * bk[v];
        a += a_k;
        b += ldb;
    }
    if (nr == NARROW_COLS && (!first || beta == 0 || beta == 1)) {
        /* whole rows, straight from the registers: store_tile's loops, of a
         * length known only at run time, took as long as a short product */
        const int add = !first || beta == 1;
        for (int i = 0; i < NARROW_ROWS; i++)
            for (int v = 0; v < NARROW_VECTORS; v++) {
                real *c = C + (size_t)i * ldc + v * VECTOR_FLOATS;
                NarrowVector sum = acc[i][v];
                if (add) {
                    NarrowVector old;
                    memcpy(&old, c, sizeof old);
                    sum = old + sum;
                }
                memcpy(c, &sum, sizeof sum);
            }
        return;
    }
    real out[NARROW_ROWS][NARROW_COLS];
    memcpy(out, acc, sizeof out);
    store_tile(&out[0][0], NARROW_COLS, C, ldc, NARROW_ROWS, nr, first, beta);
}
#else
#define HAVE_NARROW 0
/* Never called (HAVE_NARROW is 0): it keeps gemm_core's loop free of #if. */
static void kernel_a_in_place_narrow(int kc, const real *a, size_t a_row, size_t a_k, const real *b, int ldb,
                                     real *C, int ldc, int nr, int first, real beta)
{
    (void)kc, (void)a, (void)a_row, (void)a_k, (void)b, (void)ldb, (void)C, (void)ldc, (void)nr, (void)first,
        (void)beta;
}
#endif

/* C (1 x N) = beta * C + a * op(B) for one row a and an untransposed B: the
 * matrix-vector product of generating text one character at a time. The
 * blocked kernel would fill MR rows of its tile for this one, so it runs
 * along B's rows instead, vectorised across j. The arithmetic is the
 * kernel's, in the same order (a multiply-add chain from 0 over each K block
 * of kb, then added to C), so a row alone gets the same bits as in a batch. */
static void gemm_one_row(int N, int K, int kb, const real *a, int a_step, const real *B, int ldb,
                         real beta, real *C)
{
    enum { CHUNK = 256 };           /* columns at a time: acc stays in the L1 cache */
    real acc[CHUNK];
    for (int j0 = 0; j0 < N; j0 += CHUNK) {
        int nc = min_int(CHUNK, N - j0);
        for (int pc = 0; pc < K; pc += kb) {
            int kc = min_int(kb, K - pc);
            for (int j = 0; j < nc; j++)
                acc[j] = 0;
            for (int k = pc; k < pc + kc; k++) {
                real ak = a[(size_t)k * a_step];
                const real *b = B + (size_t)k * ldb + j0;
                for (int j = 0; j < nc; j++)
                    acc[j] = MADD(ak, b[j], acc[j]);
            }
            real *c = C + j0;
            if (pc > 0 || beta == 1)
                for (int j = 0; j < nc; j++)
                    c[j] += acc[j];
            else if (beta == 0)
                for (int j = 0; j < nc; j++)
                    c[j] = acc[j];
            else
                for (int j = 0; j < nc; j++)
                    c[j] = beta * c[j] + acc[j];
        }
    }
}

/* Round n up to a multiple of m. */
static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* The packing buffers, only as large as a problem needs: on the stack (small)
 * when they fit, for malloc and free would cost a few percent of a small
 * multiply; else from the heap, where they cost nothing by comparison. */
static real *pack_buffer(size_t reals, real *small)
{
    if (reals <= SMALL_BUFFER)
        return small;
    return xmalloc_aligned(reals * sizeof(real));
}

static void gemm_core(int transA, int transB, int M, int N, int K,
                      const real *A, int lda, const real *B, int ldb,
                      real beta, real *C, int ldc, const int *koff, const int *joff, int a_in_place);

/* One thread's blocked multiply of an M x N slab of C (see the loop nest at
 * the top). Every element of C gets the same arithmetic whatever the slab:
 * for each K block in order, a fused multiply-add chain from 0 over that
 * block, then added to C. So results do not depend on how C is cut up. */
static void gemm_blocked(int transA, int transB, int M, int N, int K,
                         const real *A, int lda, const real *B, int ldb,
                         real beta, real *C, int ldc)
{
    gemm_core(transA, transB, M, N, K, A, lda, B, ldb, beta, C, ldc, NULL, NULL, 0);
}

/* koff and joff non-NULL: B is gathered from X = B (pack_B_gathered), and
 * transB and ldb are unused. a_in_place: the kernel reads A's whole slivers
 * where they lie (kernel_a_in_place), and only a last sliver of fewer than MR
 * rows is packed. The arithmetic does not change with either. */
static void gemm_core(int transA, int transB, int M, int N, int K,
                      const real *A, int lda, const real *B, int ldb,
                      real beta, real *C, int ldc, const int *koff, const int *joff, int a_in_place)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {                   /* no products: C = beta * C */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                C[(size_t)i * ldc + j] = beta == 0 ? 0 : beta * C[(size_t)i * ldc + j];
        return;
    }
    /* K in equal blocks of at most KC (576 = 3 x 192, not 256 + 256 + 64: a
     * thin last block would spend its time loading and storing C). The blocks
     * depend on K alone, so every element of C sees the same sums. */
    int kblocks = (K + KC - 1) / KC;
    int kb = (K + kblocks - 1) / kblocks;
    if (M == 1 && !transB && !koff) {   /* one row: op(A)(0, k) is A[k * (transA ? lda : 1)] */
        gemm_one_row(N, K, kb, A, transA ? lda : 1, B, ldb, beta, C);
        return;
    }

    _Alignas(64) real small[SMALL_BUFFER];
    size_t a_size = round_up((size_t)min_int(M, MC), MR) * kb;
    size_t b_size = round_up((size_t)min_int(N, NC), NR) * kb;
    real *abuf = pack_buffer(a_size + b_size, small), *bbuf = abuf + a_size;

    /* A row of an untransposed B already holds a sliver's NR numbers side by
     * side, as the kernel wants them. When A is short (at most 64 rows: 8
     * register tiles with AVX-512), each B sliver serves only a few tiles,
     * and copying it costs more than it saves: the kernel then reads B in place. This is the recurrent nets'
     * case (a batch of 50 rows times a weight matrix, every time step). */
    int in_place = !transB && M <= 64 && !koff;

    for (int jc = 0; jc < N; jc += NC) {
        int nc = min_int(NC, N - jc);
        for (int pc = 0; pc < K; pc += kb) {
            int kc = min_int(kb, K - pc);
            if (koff)
                pack_B_gathered(B, koff, joff, pc, kc, jc, nc, bbuf);
            else
                pack_B(transB, B, ldb, pc, kc, jc, nc, in_place, bbuf);
            for (int ic = 0; ic < M; ic += MC) {
                int mc = min_int(MC, M - ic);
                int unpacked = a_in_place ? mc / MR * MR : 0;   /* the rows read in place */
                pack_A(transA, A, lda, ic + unpacked, mc - unpacked, pc, kc, abuf + (size_t)unpacked * kc);
                for (int jr = 0; jr < nc; jr += NR) {
                    int nr = min_int(NR, nc - jr);
                    const real *b = bbuf + (size_t)jr * kc;
                    int b_step = NR;
                    if (in_place && nr == NR)
                        b = B + (size_t)pc * ldb + jc + jr, b_step = ldb;
                    const int narrow = HAVE_NARROW && a_in_place && nr <= NARROW_COLS;
                    for (int ir = 0; ir < mc;) {
                        real *c = C + (size_t)(ic + ir) * ldc + jc + jr;
                        /* op(A)(i, k): A[k * lda + i] if transA, else A[i * lda + k] */
                        const real *a = transA ? A + (size_t)pc * lda + ic + ir : A + (size_t)(ic + ir) * lda + pc;
                        const size_t a_row = transA ? 1 : (size_t)lda, a_k = transA ? (size_t)lda : 1;
                        if (narrow && ir + NARROW_ROWS <= unpacked) {
                            kernel_a_in_place_narrow(kc, a, a_row, a_k, b, b_step, c, ldc, nr, pc == 0, beta);
                            ir += NARROW_ROWS;
                            continue;
                        }
                        if (ir < unpacked)
                            kernel_a_in_place(kc, a, a_row, a_k, b, b_step, c, ldc, MR, nr, pc == 0, beta);
                        else
                            kernel(kc, abuf + (size_t)ir * kc, b, b_step, c, ldc, min_int(MR, mc - ir), nr, pc == 0,
                                   beta);
                        ir += MR;
                    }
                }
            }
        }
    }
    if (abuf != small)
        free(abuf);
}

/* A is M x K (K x M if transA), B is K x N (N x K if transB), C is M x N. */
void matmul_blocked(int transA, int transB, int M, int N, int K,
                    const real *A, const real *B, real beta, real *C)
{
    gemm_blocked(transA, transB, M, N, K, A, transA ? M : K, B, transB ? K : N, beta, C, N);
}

void matmul_strided(int M, int N, int K, const real *A, int lda, const real *B, int ldb,
                    real beta, real *C, int ldc)
{
    gemm_core(0, 0, M, N, K, A, lda, B, ldb, beta, C, ldc, NULL, NULL, 1);
}

void matmul_strided_at(int M, int N, int K, const real *A, int lda, const real *B, int ldb,
                       real beta, real *C, int ldc)
{
    gemm_core(1, 0, M, N, K, A, lda, B, ldb, beta, C, ldc, NULL, NULL, 1);
}

/* ---- operands found at offsets: convolution without im2col --------------------- */

/* The micro-kernel once more, but row k of the B sliver starts at b + boff[k]:
 * a shifted view of an image (see conv_implicit.c), read where it lies. The
 * arithmetic, and so every bit of the result, is the kernel's. */
KERNEL_NOINLINE PLAIN_LOOPS static void kernel_rows_at(int kc, const real *restrict a, const real *restrict b,
                                                       const int *restrict boff, real *restrict C, int ldc,
                                                       int mr, int nr, int first, real beta)
{
    real acc[MR][NR_AT];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR_AT; j++)
            acc[i][j] = 0;
    for (int k = 0; k < kc; k++) {
        const real *bk = b + boff[k];
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR_AT; j++)
                acc[i][j] = MADD(a[i], bk[j], acc[i][j]);
        a += MR;
    }
    store_tile(&acc[0][0], NR_AT, C, ldc, mr, nr, first, beta);
}

/* K in blocks of at most KC, all of about the same size */
static int k_block(int K)
{
    int kblocks = (K + KC - 1) / KC;
    return (K + kblocks - 1) / kblocks;
}

/* Rows ic .. ic + mc of C (+)= the packed block of A (mc rows, K block pc ..
 * pc + kc) times B's rows pc .. pc + kc, read at their offsets. */
static void rows_at_block(int mc, int N, int kc, int pc, const real *abuf, const real *X, const int *koff,
                          real beta, real *C, int ldc)
{
    /* a B sliver (kc rows of NR_AT) stays in the L1 cache while every tile of
     * A's rows passes over it */
    for (int jr = 0; jr < N; jr += NR_AT)
        for (int ir = 0; ir < mc; ir += MR)
            kernel_rows_at(kc, abuf + (size_t)ir * kc, X + jr, koff + pc, C + (size_t)ir * ldc + jr, ldc,
                           min_int(MR, mc - ir), min_int(NR_AT, N - jr), pc == 0, beta);
}

void matmul_rows_at(int M, int N, int K, const real *A, int lda, const real *X, const int *koff,
                    real beta, real *C, int ldc)
{
    if (M <= 0 || N <= 0 || K <= 0)
        die("matmul_rows_at: empty product (%d x %d x %d)", M, N, K);
    const int kb = k_block(K);
    _Alignas(64) real small[SMALL_BUFFER];
    real *abuf = pack_buffer(round_up((size_t)min_int(M, MC), MR) * kb, small);
    for (int pc = 0; pc < K; pc += kb) {
        int kc = min_int(kb, K - pc);
        for (int ic = 0; ic < M; ic += MC) {
            int mc = min_int(MC, M - ic);
            pack_A(0, A, lda, ic, mc, pc, kc, abuf);
            rows_at_block(mc, N, kc, pc, abuf, X, koff, beta, C + (size_t)ic * ldc, ldc);
        }
    }
    if (abuf != small)
        free(abuf);
}

/* The packed A holds matmul_rows_at's blocks one after the other: K block pc
 * (round_up(M, MR) rows of it) from round_up(M, MR) * pc on, and in it rows
 * ic .. ic + mc from ic * kc on. */
size_t matmul_packed_size(int M, int K)
{
    return round_up((size_t)M, MR) * (size_t)K;
}

/* Where the block of rows ic.., K block pc .. pc + kc starts in the packed A */
static size_t packed_block(int M, int pc, int ic, int kc)
{
    return matmul_packed_size(M, pc) + (size_t)ic * kc;
}

void matmul_pack(int M, int K, const real *A, int lda, real *packed)
{
    const int kb = k_block(K);
    for (int pc = 0; pc < K; pc += kb) {
        int kc = min_int(kb, K - pc);
        for (int ic = 0; ic < M; ic += MC)
            pack_A(0, A, lda, ic, min_int(MC, M - ic), pc, kc, packed + packed_block(M, pc, ic, kc));
    }
}

void matmul_rows_at_packed(int M, int N, int K, const real *packed, const real *X, const int *koff,
                           real beta, real *C, int ldc)
{
    if (M <= 0 || N <= 0 || K <= 0)
        die("matmul_rows_at_packed: empty product (%d x %d x %d)", M, N, K);
    const int kb = k_block(K);
    for (int pc = 0; pc < K; pc += kb) {
        int kc = min_int(kb, K - pc);
        for (int ic = 0; ic < M; ic += MC)
            rows_at_block(min_int(MC, M - ic), N, kc, pc, packed + packed_block(M, pc, ic, kc), X, koff, beta,
                          C + (size_t)ic * ldc, ldc);
    }
}

/* C (+)= A B where both operands run along the product's inner dimension:
 * A's rows and B's columns are contiguous. Packing B for the kernel above
 * would transpose it; instead, each element of a DOT_R x DOT_C tile of C is a
 * dot product, computed DOT_V lanes at a time (one or two vector registers)
 * and added up across the lanes at the end. The inner dimension goes in
 * blocks of DOT_QB, so the B columns of a tile stay in the L1 cache while
 * every tile of A's rows passes over them. */
enum {                                          /* measured, as MR and NR: */
    DOT_V = VECTOR_FLOATS == 16 ? 16 : 2 * VECTOR_FLOATS,   /* AVX-512: 4 x 6 sums of one */
    DOT_R = VECTOR_FLOATS == 16 ? 4 : 3,                    /* register, 24 of 32; AVX: */
    DOT_C = VECTOR_FLOATS == 16 ? 6 : 2,                    /* 3 x 2 sums of two, 12 of 16 */
    DOT_QB = 1024
};

KERNEL_NOINLINE PLAIN_LOOPS static void dot_tile(int kc, const real *const *a, const real *const *b,
                                                 real *restrict C, int ldc, int mr, int nc, int first, real beta)
{
    real acc[DOT_R][DOT_C][DOT_V];
    for (int i = 0; i < DOT_R; i++)
        for (int j = 0; j < DOT_C; j++)
            for (int v = 0; v < DOT_V; v++)
                acc[i][j][v] = 0;
    int k = 0;
    for (; k + DOT_V <= kc; k += DOT_V)
        for (int i = 0; i < DOT_R; i++)
            for (int j = 0; j < DOT_C; j++)
                for (int v = 0; v < DOT_V; v++)
                    acc[i][j][v] = MADD(a[i][k + v], b[j][k + v], acc[i][j][v]);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nc; j++) {
            real sum = 0;
            for (int v = 0; v < DOT_V; v++)
                sum += acc[i][j][v];
            for (int r = k; r < kc; r++)        /* the last few, one by one */
                sum = MADD(a[i][r], b[j][r], sum);
            real *c = C + (size_t)i * ldc + j;
            *c = first ? (beta == 0 ? sum : beta * *c + sum) : *c + sum;
        }
}

void matmul_cols_at(int M, int N, int K, const real *A, int lda, const real *X, const int *joff,
                    real beta, real *C, int ldc)
{
    if (M <= 0 || N <= 0 || K <= 0)
        die("matmul_cols_at: empty product (%d x %d x %d)", M, N, K);
    for (int pc = 0; pc < K; pc += DOT_QB) {
        int kc = min_int(DOT_QB, K - pc);
        for (int jr = 0; jr < N; jr += DOT_C) {
            int nc = min_int(DOT_C, N - jr);
            const real *b[DOT_C];
            for (int j = 0; j < DOT_C; j++)     /* past the edge: repeat a column, unused */
                b[j] = X + joff[jr + (j < nc ? j : 0)] + pc;
            for (int ir = 0; ir < M; ir += DOT_R) {
                int mr = min_int(DOT_R, M - ir);
                const real *a[DOT_R];
                for (int i = 0; i < DOT_R; i++)
                    a[i] = A + (size_t)(ir + (i < mr ? i : 0)) * lda + pc;
                dot_tile(kc, a, b, C + (size_t)ir * ldc + jr, ldc, mr, nc, pc == 0, beta);
            }
        }
    }
}

/* ---- the threaded version -------------------------------------------------------- */

/* Below this many multiply-adds, starting threads costs more than it saves. */
#ifndef SMALL_WORK
#define SMALL_WORK (64 * 64 * 64)
#endif

/* A is M x K (K x M if transA), B is K x N (N x K if transB), C is M x N.
 * Each thread takes a band of C's rows or of its columns (whichever makes
 * less copying, see below) and runs the blocked multiply on it alone. No two threads
 * write the same element and K is never split, so the result is bit for bit
 * that of matmul_blocked whatever the number of threads. Each thread packs
 * its own copy of the operand the bands share (all of op(B) for row bands):
 * a little extra copying, but no synchronisation at all. */
void matmul(int transA, int transB, int M, int N, int K,
            const real *A, const real *B, real beta, real *C)
{
    int lda = transA ? M : K, ldb = transB ? K : N;
#ifdef USE_BLAS
    if (M <= 0 || N <= 0)
        return;
    /* BLAS insists on leading dimensions of at least 1, even when K is 0. */
    lda = lda > 1 ? lda : 1;
    ldb = ldb > 1 ? ldb : 1;
#ifdef DL_DOUBLE
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, 1.0, A, lda, B, ldb, beta, C, N);
#else
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, 1.0f, A, lda, B, ldb, beta, C, N);
#endif
#else
    /* Inside a parallel region a layer has already split its work between the
     * threads (TimeLSTM gives each a band of the batch): multiply on this one. */
    int threads = in_parallel() ? 1 : get_threads();
    double work = (double)M * N * K;
    /* Cut C into bands of whole register tiles. Bands of rows each pack all of
     * op(B) (K x N), bands of columns all of op(A) (M x K): so rows when M >= N,
     * unless that side has too few tiles to go round the threads. */
    int row_tiles = (M + MR - 1) / MR, col_tiles = (N + NR - 1) / NR;
    int by_rows = M >= N;
    int preferred = by_rows ? row_tiles : col_tiles, other = by_rows ? col_tiles : row_tiles;
    if (preferred < threads && preferred < other)
        by_rows = !by_rows;
    int tiles = by_rows ? row_tiles : col_tiles;
    if (threads > tiles)
        threads = tiles;
    if (threads <= 1 || work < SMALL_WORK) {
        gemm_blocked(transA, transB, M, N, K, A, lda, B, ldb, beta, C, N);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int t0 = (int)((long)tiles * t / nt), t1 = (int)((long)tiles * (t + 1) / nt);
        if (by_rows) {
            int i0 = t0 * MR, i1 = min_int(t1 * MR, M);
            gemm_blocked(transA, transB, i1 - i0, N, K,
                         transA ? A + i0 : A + (size_t)i0 * lda, lda, B, ldb,
                         beta, C + (size_t)i0 * N, N);
        } else {
            int j0 = t0 * NR, j1 = min_int(t1 * NR, N);
            gemm_blocked(transA, transB, M, j1 - j0, K, A, lda,
                         transB ? B + (size_t)j0 * ldb : B + j0, ldb,
                         beta, C + j0, N);
        }
    }
#endif
#endif
}

void matmul_gathered(int threaded, int M, int N, int K, const real *A, int lda, const real *X,
                     const int *koff, const int *joff, real beta, real *C, int ldc)
{
    int threads = threaded && !in_parallel() ? get_threads() : 1;
    int tiles = (N + NR - 1) / NR;
    threads = threads < tiles ? threads : tiles;
    if (threads <= 1 || (double)M * N * K < SMALL_WORK) {
        gemm_core(0, 0, M, N, K, A, lda, X, 0, beta, C, ldc, koff, joff, 0);
        return;
    }
#ifdef _OPENMP
    /* bands of C's columns, whole register tiles each: every thread gathers
     * only its own columns of B */
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int j0 = (int)((long)tiles * t / nt) * NR, j1 = min_int((int)((long)tiles * (t + 1) / nt) * NR, N);
        if (j1 > j0)
            gemm_core(0, 0, M, j1 - j0, K, A, lda, X, 0, beta, C + j0, ldc, koff, joff + j0, 0);
    }
#endif
}

/* The machine's peak on one thread, as the kernels see it: 12 independent
 * chains of vector fused multiply-adds, counted as 2 operations per lane, for
 * about a tenth of a second. 12 is enough to hide each one's latency (4
 * cycles on two units: 8 in flight), and few enough to stay in registers
 * with AVX2's 16: with 16 chains the AVX2 build spilled them to memory and
 * read 61 GFLOP/s on a core that does 110 (the AMD EPYC of chapter 04). */
#if defined(__GNUC__) && !defined(__clang__)
/* GCC would turn the loops inside out (-floop-interchange), which makes each
 * chain run alone: a measure of latency, not of throughput. */
__attribute__((optimize("no-loop-interchange")))
#endif
double matmul_peak_gflops(void)
{
    enum { CHAINS = 12, STEPS = 1 << 16 };
    real acc[CHAINS][VECTOR_FLOATS];
    for (int c = 0; c < CHAINS; c++)
        for (int v = 0; v < VECTOR_FLOATS; v++)
            acc[c][v] = (real)(c + v);
    const real m = (real)0.999999, a = (real)1e-6;
    double best = 0;
    for (int run = 0; run < 5; run++) {
        double t0 = now_seconds();
        for (int i = 0; i < STEPS; i++)
            for (int c = 0; c < CHAINS; c++)
                for (int v = 0; v < VECTOR_FLOATS; v++)
                    acc[c][v] = MADD(acc[c][v], m, a);
        double t = now_seconds() - t0, gflops = 2.0 * CHAINS * VECTOR_FLOATS * STEPS / t / 1e9;
        best = gflops > best ? gflops : best;
    }
    volatile real sink = 0;         /* the sums are used: the loop cannot be dropped */
    for (int c = 0; c < CHAINS; c++)
        sink += acc[c][0];
    (void)sink;
    return best;
}

const char *matmul_backend(void)
{
#if defined(USE_BLAS)
    return "OpenBLAS (cblas_"
#ifdef DL_DOUBLE
        "dgemm"
#else
        "sgemm"
#endif
        ")";
#elif defined(_OPENMP)
    return "blocked+OpenMP";
#else
    return "blocked";
#endif
}
