/* test_matmul.c - the three matrix multiplies against a double-precision reference.
 *
 * Every variant, on odd shapes (and shapes just past the block sizes in
 * matmul.c with AVX-512: MR 8, NR 32, KC 256, MC 128, NC 2048; AVX2: 4 and 24), in all four transpose
 * combinations, with beta 0 on a C full of NaN and with beta 1. matmul must
 * also give bit-identical results on 1, 2 and 3 threads. */
#include "matmul.h"
#include "rng.h"
#include "threads.h"
#include "transpose.h"
#include "util.h"

#include "test.h"

#include <float.h>
#include <string.h>

#ifdef DL_DOUBLE
#define EPS DBL_EPSILON
#else
#define EPS FLT_EPSILON
#endif

typedef void (*MatmulFn)(int, int, int, int, int, const real *, const real *, real, real *);

static const struct { const char *name; MatmulFn fn; } variants[] = {
    {"naive", matmul_naive}, {"blocked", matmul_blocked}, {"matmul", matmul},
};

/* M, N, K: odd sizes, the two-layer net's (Affine forward, its two backward
 * products, the second layer), exact and just-past block sizes, and a K that
 * splits into three blocks. */
static const int shapes[][3] = {
    {1, 1, 1}, {3, 5, 7}, {17, 33, 65},
    {100, 50, 784}, {784, 50, 100}, {100, 784, 50}, {100, 10, 50},
    {8, 32, 256}, {9, 33, 257}, {50, 512, 128}, {1, 65, 128}, {1, 300, 600}, {129, 31, 3}, {130, 65, 300}, {5, 2049, 2}, {2, 3, 520},
};
#define NSHAPES ((int)(sizeof shapes / sizeof shapes[0]))

static real *random_matrix(Rng *r, size_t n)
{
    real *x = xmalloc(n * sizeof(real));
    for (size_t i = 0; i < n; i++)
        x[i] = (real)(2 * rng_uniform(r) - 1);
    return x;
}

static const real beta_0_1[2] = {0, 1};

/* Runs fn on one problem once per beta, and compares with a double-precision
 * reference. Rounding error of a K-term dot product is at most about K * eps/2
 * times the sum of |a * b|, so the tolerance grows with K. Returns the number
 * of elements outside it (and prints the first). */
static int check_one(const char *name, MatmulFn fn, int tA, int tB, int M, int N, int K,
                     const real *betas, int nbetas)
{
    Rng r;
    rng_seed(&r, (uint64_t)(M * 131 + N * 17 + K) + (uint64_t)(tA * 2 + tB));
    size_t mn = (size_t)M * N;
    real *A = random_matrix(&r, (size_t)M * K);
    real *B = random_matrix(&r, (size_t)K * N);
    real *C0 = random_matrix(&r, mn);
    real *C = xmalloc(mn * sizeof(real));
    double *sum = xmalloc(mn * sizeof(double)), *mag = xmalloc(mn * sizeof(double));
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double s = 0, m = 0;
            for (int k = 0; k < K; k++) {
                double a = tA ? A[(size_t)k * M + i] : A[(size_t)i * K + k];
                double b = tB ? B[(size_t)j * K + k] : B[(size_t)k * N + j];
                s += a * b;
                m += fabs(a * b);
            }
            sum[(size_t)i * N + j] = s;
            mag[(size_t)i * N + j] = m;
        }
    }

    int bad = 0;
    for (int b = 0; b < nbetas; b++) {
        real beta = betas[b];
        for (size_t i = 0; i < mn; i++)
            C[i] = beta == 0 ? (real)NAN : C0[i];   /* beta 0 must not read C */
        fn(tA, tB, M, N, K, A, B, beta, C);
        for (size_t i = 0; i < mn; i++) {
            double c0 = beta == 0 ? 0 : (double)beta * C0[i];
            double want = c0 + sum[i];
            double tol = (K + 2) * EPS * (mag[i] + fabs(c0)) + EPS;
            if (!(fabs(C[i] - want) <= tol)) {
                if (!bad)
                    printf("  %s transA=%d transB=%d %dx%dx%d beta=%g: C[%d][%d] = %.9g, want %.9g\n",
                           name, tA, tB, M, N, K, (double)beta, (int)(i / N), (int)(i % N),
                           (double)C[i], want);
                bad++;
            }
        }
    }
    free(A);
    free(B);
    free(C0);
    free(C);
    free(sum);
    free(mag);
    return bad;
}

/* Every shape and transpose combination, beta 0 and 1, for one variant. */
static void check_variant(int v)
{
    for (int s = 0; s < NSHAPES; s++)
        for (int t = 0; t < 4; t++)
            CHECK(check_one(variants[v].name, variants[v].fn, t >> 1, t & 1,
                            shapes[s][0], shapes[s][1], shapes[s][2], beta_0_1, 2) == 0);
}

static void test_naive_matches_reference(void) { check_variant(0); }

/* matmul_rows_at and matmul_cols_at read B through offsets (conv_implicit.c
 * points them into padded images). As MatmulFn for untransposed A: B's rows
 * (or op(B)'s columns) are laid out in reverse order in a buffer with room
 * after the last, and found through their offsets. */
static void rows_at_fn(int tA, int tB, int M, int N, int K, const real *A, const real *B,
                       real beta, real *C)
{
    if (tA || tB)
        die("rows_at_fn: untransposed only");
    real *X = xmalloc(((size_t)K * N + MATMUL_ROW_SLACK) * sizeof(real));
    int *koff = xmalloc(K * sizeof(int));
    for (int k = 0; k < K; k++) {
        koff[k] = (K - 1 - k) * N;
        memcpy(X + koff[k], B + (size_t)k * N, N * sizeof(real));
    }
    for (int i = 0; i < MATMUL_ROW_SLACK; i++)
        X[(size_t)K * N + i] = (real)NAN;         /* read, but must not reach C */
    matmul_rows_at(M, N, K, A, K, X, koff, beta, C, N);
    free(X), free(koff);
}

static void cols_at_fn(int tA, int tB, int M, int N, int K, const real *A, const real *B,
                       real beta, real *C)
{
    if (tA || !tB)
        die("cols_at_fn: B transposed only");
    real *X = xmalloc((size_t)K * N * sizeof(real));
    int *joff = xmalloc(N * sizeof(int));
    for (int j = 0; j < N; j++) {
        joff[j] = (N - 1 - j) * K;
        memcpy(X + joff[j], B + (size_t)j * K, K * sizeof(real));
    }
    matmul_cols_at(M, N, K, A, K, X, joff, beta, C, N);
    free(X), free(joff);
}

static void test_rows_and_cols_at_match_reference(void)
{
    for (int s = 0; s < NSHAPES; s++) {
        CHECK(check_one("rows_at", rows_at_fn, 0, 0, shapes[s][0], shapes[s][1], shapes[s][2],
                        beta_0_1, 2) == 0);
        CHECK(check_one("cols_at", cols_at_fn, 0, 1, shapes[s][0], shapes[s][1], shapes[s][2],
                        beta_0_1, 2) == 0);
    }
}
/* A packed once (matmul_pack) then used: the same bits as matmul_rows_at,
 * with rows of A that are not multiples of the register tile, several
 * blocks of rows (M over 128) and of K (over 256), A's rows apart by more
 * than K, and beta 0 and 1. */
static void test_rows_at_packed_same_bits(void)
{
    const int cases[][3] = {{16, 48, 2523}, {130, 50, 600}, {7, 100, 300}, {1, 5, 3}, {33, 97, 257}};
    Rng rng;
    rng_seed(&rng, 5);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int M = cases[c][0], N = cases[c][1], K = cases[c][2], lda = K + 3;
        real *A = random_matrix(&rng, (size_t)M * lda), *X = random_matrix(&rng, (size_t)K * N + MATMUL_ROW_SLACK);
        real *C0 = xmalloc((size_t)M * N * sizeof(real)), *C1 = xmalloc((size_t)M * N * sizeof(real));
        real *packed = xmalloc(matmul_packed_size(M, K) * sizeof(real));
        int *koff = xmalloc(K * sizeof(int));
        for (int k = 0; k < K; k++)
            koff[k] = (K - 1 - k) * N;
        matmul_pack(M, K, A, lda, packed);
        for (int beta = 0; beta < 2; beta++) {
            for (size_t i = 0; i < (size_t)M * N; i++)
                C0[i] = C1[i] = (real)i;
            matmul_rows_at(M, N, K, A, lda, X, koff, beta, C0, N);
            matmul_rows_at_packed(M, N, K, packed, X, koff, beta, C1, N);
            CHECK(memcmp(C0, C1, (size_t)M * N * sizeof(real)) == 0);
        }
        free(A), free(X), free(C0), free(C1), free(packed), free(koff);
    }
}

/* matmul_strided and matmul_strided_at, which read A where it lies (only a
 * last sliver of fewer rows than the register tile is packed): the same bits
 * as matmul_blocked on the same numbers, for blocks of larger matrices (rows
 * further apart than they are long), rows past the register tile and the
 * row blocks (M over 128), K over 256, beta 0 and 1, and products 16 columns
 * wide or less, which take a tile of twice the rows with AVX-512. */
static void test_strided_same_bits_as_blocked(void)
{
    const int cases[][3] = {{64, 32, 32}, {130, 64, 40}, {7, 24, 300}, {1, 5, 3}, {33, 97, 257}, {200, 17, 9},
                            {147, 16, 16}, {45, 9, 70}, {16, 16, 300}};
    Rng rng;
    rng_seed(&rng, 6);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int M = cases[c][0], N = cases[c][1], K = cases[c][2];
        const int lda = K + 5, ldat = M + 3, ldb = N + 2, ldc = N + 7;   /* A, A^T's rows; B's, C's */
        real *A = random_matrix(&rng, (size_t)M * lda), *B = random_matrix(&rng, (size_t)K * ldb);
        real *At = xmalloc((size_t)K * ldat * sizeof(real)), *Ad = xmalloc((size_t)M * K * sizeof(real));
        real *Bd = xmalloc((size_t)K * N * sizeof(real));
        for (int i = 0; i < M; i++)
            for (int k = 0; k < K; k++)
                At[(size_t)k * ldat + i] = Ad[(size_t)i * K + k] = A[(size_t)i * lda + k];
        for (int k = 0; k < K; k++)
            memcpy(Bd + (size_t)k * N, B + (size_t)k * ldb, N * sizeof(real));
        real *C0 = xmalloc((size_t)M * N * sizeof(real)), *C1 = xmalloc((size_t)M * ldc * sizeof(real));
        real *C2 = xmalloc((size_t)M * ldc * sizeof(real));
        for (int beta = 0; beta < 2; beta++) {
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++)
                    C0[(size_t)i * N + j] = C1[(size_t)i * ldc + j] = C2[(size_t)i * ldc + j] = (real)(i - j);
            matmul_blocked(0, 0, M, N, K, Ad, Bd, beta, C0);
            matmul_strided(M, N, K, A, lda, B, ldb, beta, C1, ldc);
            matmul_strided_at(M, N, K, At, ldat, B, ldb, beta, C2, ldc);
            int same = 1;
            for (int i = 0; i < M; i++)
                same &= memcmp(C0 + (size_t)i * N, C1 + (size_t)i * ldc, N * sizeof(real)) == 0 &&
                        memcmp(C0 + (size_t)i * N, C2 + (size_t)i * ldc, N * sizeof(real)) == 0;
            CHECK(same);
        }
        free(A), free(B), free(At), free(Ad), free(Bd), free(C0), free(C1), free(C2);
    }
}

static void test_blocked_matches_reference(void) { check_variant(1); }

static void test_matmul_matches_reference(void)
{
    int saved = get_threads();
    set_threads(2);
    check_variant(2);
    /* A tall and a wide problem, big enough for the threaded path. */
    for (int t = 0; t < 4; t++) {
        CHECK(check_one("matmul", matmul, t >> 1, t & 1, 2000, 30, 25, beta_0_1, 2) == 0);
        CHECK(check_one("matmul", matmul, t >> 1, t & 1, 20, 1000, 40, beta_0_1, 2) == 0);
    }
    set_threads(saved);
}

static void test_other_beta_and_empty_k(void)
{
    for (int v = 0; v < 3; v++) {
        static const real other[2] = {(real)0.5, -2};
        CHECK(check_one(variants[v].name, variants[v].fn, 0, 0, 13, 40, 9, other, 2) == 0);
        CHECK(check_one(variants[v].name, variants[v].fn, 1, 1, 13, 40, 300, other, 2) == 0);
        /* K = 0: C = beta * C, and beta 0 clears even NaN. */
        real C[6] = {NAN, NAN, NAN, NAN, NAN, NAN}, A[1] = {0}, B[1] = {0};
        variants[v].fn(0, 0, 2, 3, 0, A, B, 0, C);
        for (int i = 0; i < 6; i++)
            CHECK(C[i] == 0);
        for (int i = 0; i < 6; i++)
            C[i] = (real)i;
        variants[v].fn(1, 0, 2, 3, 0, A, B, 1, C);
        for (int i = 0; i < 6; i++)
            CHECK(C[i] == (real)i);
    }
}

/* The same bits on any number of threads (K is never split), and the same
 * bits as matmul_blocked, for shapes cut by rows and by columns, in all four
 * transpose combinations. */
static void test_threads_bit_identical(void)
{
    static const int big[][3] = {
        {100, 50, 784}, {784, 50, 100}, {100, 784, 50}, {2000, 30, 25}, {150, 100, 300}, {40, 3000, 7},
    };
    int saved = get_threads();
    for (int s = 0; s < (int)(sizeof big / sizeof big[0]); s++) {
        int M = big[s][0], N = big[s][1], K = big[s][2];
        int tA = s & 1, tB = (s >> 1) & 1;
        Rng r;
        rng_seed(&r, (uint64_t)s + 7);
        real *A = random_matrix(&r, (size_t)M * K);
        real *B = random_matrix(&r, (size_t)K * N);
        real *C0 = random_matrix(&r, (size_t)M * N);
        size_t bytes = (size_t)M * N * sizeof(real);
        real *ref = xmalloc(bytes), *C = xmalloc(bytes);
        for (int beta = 0; beta < 2; beta++) {
            memcpy(ref, C0, bytes);
            matmul_blocked(tA, tB, M, N, K, A, B, (real)beta, ref);
            for (int threads = 1; threads <= 3; threads++) {
                set_threads(threads);
                memcpy(C, C0, bytes);
                matmul(tA, tB, M, N, K, A, B, (real)beta, C);
#ifdef USE_BLAS
                int same = 1;   /* BLAS=1: matmul is the system BLAS, not ours */
#else
                int same = memcmp(C, ref, bytes) == 0;
#endif
                if (!same)
                    printf("  %dx%dx%d transA=%d transB=%d beta=%d: %d threads differ from blocked\n",
                           M, N, K, tA, tB, beta, threads);
                CHECK(same);
            }
        }
        free(A);
        free(B);
        free(C0);
        free(ref);
        free(C);
    }
    set_threads(saved);
}

static void test_threads_and_backend(void)
{
    int saved = get_threads();
    set_threads(2);
#ifdef _OPENMP
    CHECK(get_threads() == 2);
#else
    CHECK(get_threads() == 1);
#endif
    set_threads(saved);
    CHECK(get_threads() == saved);
    CHECK(matmul_backend() != NULL && matmul_backend()[0] != '\0');
}

/* One row multiplied alone (text generation's matrix-vector product, which
 * has its own loop) gets the same bits as the same row inside a batch. */
static void test_one_row_same_bits_as_in_a_batch(void)
{
    enum { M = 9, N = 300, K = 600 };
    static real A[M * K], B[K * N], C[M * N], row[N];
    Rng rng;
    rng_seed(&rng, 3);
    for (int i = 0; i < M * K; i++)
        A[i] = (real)rng_uniform(&rng) - (real)0.5;
    for (int i = 0; i < K * N; i++)
        B[i] = (real)rng_uniform(&rng) - (real)0.5;
    for (int beta = 0; beta < 2; beta++) {
        for (int i = 0; i < M * N; i++)
            C[i] = (real)0.25;
        for (int j = 0; j < N; j++)
            row[j] = (real)0.25;
        matmul_blocked(0, 0, M, N, K, A, B, beta, C);
        matmul_blocked(0, 0, 1, N, K, A, B, beta, row);
        CHECK(memcmp(row, C, sizeof row) == 0);
    }
}

/* transpose (transpose.h, Winograd's way in and out of its layout) against
 * the definition, on sizes below, at and past its 8 x 8 blocks, with rows
 * that lie further apart than they are long: every number lands where it
 * should, and nothing outside the matrix is written. */
static void test_transpose_matches_definition(void)
{
    enum { MOST = 21, PAD = 3 };
    static const int sizes[] = {1, 3, 7, 8, 9, 14, 16, 21};
    real src[MOST * (MOST + PAD)], dst[MOST * (MOST + PAD)];
    for (int i = 0; i < MOST * (MOST + PAD); i++)
        src[i] = (real)i;
    for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++) {
            const int rows = sizes[a], cols = sizes[b];
            const size_t lds = cols + PAD, ldd = rows + 1;
            for (int i = 0; i < MOST * (MOST + PAD); i++)
                dst[i] = -1;
            transpose(dst, ldd, src, lds, rows, cols);
            int wrong = 0;
            for (int j = 0; j < cols; j++)
                for (size_t i = 0; i < ldd; i++)
                    wrong += dst[j * ldd + i] != (i < (size_t)rows ? src[i * lds + j] : -1);
            for (size_t i = cols * ldd; i < MOST * (MOST + PAD); i++)
                wrong += dst[i] != -1;
            CHECK(wrong == 0);
        }
}

int main(void)
{
    RUN(test_naive_matches_reference);
    RUN(test_blocked_matches_reference);
    RUN(test_matmul_matches_reference);
    RUN(test_rows_and_cols_at_match_reference);
    RUN(test_rows_at_packed_same_bits);
    RUN(test_strided_same_bits_as_blocked);
    RUN(test_other_beta_and_empty_k);
    RUN(test_one_row_same_bits_as_in_a_batch);
    RUN(test_threads_bit_identical);
    RUN(test_threads_and_backend);
    RUN(test_transpose_matches_definition);
    return test_summary();
}
