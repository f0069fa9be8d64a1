/* The counting method (vol. 2 ch. 2): the co-occurrence matrix and PPMI of the
 * book's sentence, checked against the numbers printed in the book; cosine
 * similarity, most_similar and analogy; the randomized SVD against matrices
 * whose singular values are known. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cooccurrence.h"
#include "rng.h"
#include "similarity.h"
#include "svd.h"
#include "test.h"
#include "util.h"

/* "you say goodbye and i say hello ." with the book's word ids */
enum { YOU, SAY, GOODBYE, AND, I, HELLO, DOT, V7 };
static const int corpus[] = { YOU, SAY, GOODBYE, AND, I, SAY, HELLO, DOT };
enum { CORPUS_N = sizeof corpus / sizeof corpus[0] };

static void test_co_matrix_of_the_book(void)
{
    /* vol. 2 section 2.3.4, window_size 1 */
    static const int expected[V7][V7] = {
        { 0, 1, 0, 0, 0, 0, 0 },
        { 1, 0, 1, 0, 1, 1, 0 },
        { 0, 1, 0, 1, 0, 0, 0 },
        { 0, 0, 1, 0, 1, 0, 0 },
        { 0, 1, 0, 1, 0, 0, 0 },
        { 0, 1, 0, 0, 0, 0, 1 },
        { 0, 0, 0, 0, 0, 1, 0 },
    };
    int C[V7 * V7];
    memset(C, 0x55, sizeof C);              /* garbage: create_co_matrix must overwrite */
    create_co_matrix(C, corpus, CORPUS_N, V7, 1);
    for (int i = 0; i < V7; i++)
        for (int j = 0; j < V7; j++)
            CHECK(C[i * V7 + j] == expected[i][j]);
}

static void test_co_matrix_window_2(void)
{
    /* By hand: "say" stands at positions 1 and 5. Within 2 of position 1:
     * you, goodbye, and; within 2 of position 5: and, i, hello, . */
    int C[V7 * V7];
    create_co_matrix(C, corpus, CORPUS_N, V7, 2);
    static const int say_row[V7] = { 1, 0, 1, 2, 1, 1, 1 };
    for (int j = 0; j < V7; j++)
        CHECK(C[SAY * V7 + j] == say_row[j]);
    for (int i = 0; i < V7; i++)
        for (int j = 0; j < V7; j++)
            CHECK(C[i * V7 + j] == C[j * V7 + i]);
}

static void test_ppmi_of_the_book(void)
{
    int C[V7 * V7];
    real M[V7 * V7];
    create_co_matrix(C, corpus, CORPUS_N, V7, 1);
    ppmi(M, C, V7);
    /* N = 14 counts; row sums S = 1, 4, 2, 2, 2, 2, 1. The book prints
     * 1.807, 0.807 and 2.807: log2(14 / (1 * 4)), log2(14 / (4 * 2)), log2(14 / (2 * 1)). */
    CHECK_NEAR(M[YOU * V7 + SAY], log2(3.5), 1e-6);
    CHECK_NEAR(M[YOU * V7 + SAY], 1.807, 1e-3);
    CHECK_NEAR(M[SAY * V7 + GOODBYE], 0.807, 1e-3);
    CHECK_NEAR(M[GOODBYE * V7 + AND], 1.807, 1e-3);
    CHECK_NEAR(M[HELLO * V7 + DOT], 2.807, 1e-3);
    CHECK_NEAR(M[DOT * V7 + HELLO], 2.807, 1e-3);
    /* zero counts give 0, not log2(eps) */
    CHECK(M[YOU * V7 + YOU] == 0);
    CHECK(M[YOU * V7 + DOT] == 0);
    for (int i = 0; i < V7 * V7; i++)
        CHECK(M[i] >= 0 && isfinite(M[i]));
}

static void test_cos_similarity(void)
{
    int C[V7 * V7];
    real W[V7 * V7];
    create_co_matrix(C, corpus, CORPUS_N, V7, 1);
    for (int i = 0; i < V7 * V7; i++)
        W[i] = (real)C[i];
    /* the book: cos_similarity(you, i) = 0.7071067691154799 */
    CHECK_NEAR(cos_similarity(W + YOU * V7, W + I * V7, V7), 0.70710677, 1e-6);
    real x[3] = { 1, 2, 3 }, minus_x[3] = { -2, -4, -6 }, zero[3] = { 0, 0, 0 };
    CHECK_NEAR(cos_similarity(x, x, 3), 1, 1e-6);
    CHECK_NEAR(cos_similarity(x, minus_x, 3), -1, 1e-6);
    CHECK(cos_similarity(x, zero, 3) == 0);         /* eps: no division by zero */
}

static void test_most_similar_of_the_book(void)
{
    int C[V7 * V7];
    real W[V7 * V7];
    create_co_matrix(C, corpus, CORPUS_N, V7, 1);
    for (int i = 0; i < V7 * V7; i++)
        W[i] = (real)C[i];
    /* The book's most_similar('you', ...): goodbye, i, hello at 0.7071, then
     * say and and at 0. Equal similarities come in the order of the ids. */
    int ids[5];
    double sims[5];
    CHECK(most_similar(ids, sims, YOU, W, V7, V7, 5) == 5);
    static const int expected[5] = { GOODBYE, I, HELLO, SAY, AND };
    for (int i = 0; i < 5; i++)
        CHECK(ids[i] == expected[i]);
    CHECK_NEAR(sims[0], 0.70710677, 1e-6);
    CHECK_NEAR(sims[2], 0.70710677, 1e-6);
    CHECK_NEAR(sims[3], 0, 1e-9);
    /* asking for more than there are gives all words but the query, best first */
    int all_ids[10];
    double all_sims[10];
    CHECK(most_similar(all_ids, all_sims, SAY, W, V7, V7, 10) == V7 - 1);
    for (int i = 0; i < V7 - 1; i++) {
        CHECK(all_ids[i] != SAY);
        if (i > 0)
            CHECK(all_sims[i - 1] >= all_sims[i]);
    }
}

static void test_most_similar_ordering(void)
{
    /* Vectors at known angles from word 0: 0, 10, 20, ... degrees (word 1 the
     * same direction, longer; word 5 opposite). */
    enum { V = 7, D = 2 };
    static const double deg[V] = { 0, 0, 80, 20, 40, 180, 10 };
    real W[V * D];
    for (int w = 0; w < V; w++) {
        W[w * D] = (real)((w + 1) * cos(deg[w] * M_PI / 180));
        W[w * D + 1] = (real)((w + 1) * sin(deg[w] * M_PI / 180));
    }
    int ids[4];
    double sims[4];
    CHECK(most_similar(ids, sims, 0, W, V, D, 4) == 4);
    CHECK(ids[0] == 1 && ids[1] == 6 && ids[2] == 3 && ids[3] == 4);
    CHECK_NEAR(sims[1], cos(10 * M_PI / 180), 1e-6);
}

static void test_analogy_on_hand_made_vectors(void)
{
    /* Three features: royal, female, person. king - man + woman = queen. */
    enum { MAN, WOMAN, KING, QUEEN, PRINCE, APPLE, V = 6, D = 3 };
    static const real W[V * D] = {
        0, 0, 1,        /* man */
        0, 1, 1,        /* woman */
        1, 0, 1,        /* king */
        1, 1, 1,        /* queen */
        0.9f, 0.2f, 1,  /* prince: close to king */
        -1, 0, 0.2f,    /* apple */
    };
    int ids[3];
    double sims[3];
    CHECK(analogy(ids, sims, MAN, KING, WOMAN, W, V, D, 3) == 3);
    CHECK(ids[0] == QUEEN);
    CHECK_NEAR(sims[0], 1, 1e-6);
    CHECK(ids[1] == PRINCE);
    for (int i = 0; i < 3; i++)
        CHECK(ids[i] != MAN && ids[i] != KING && ids[i] != WOMAN);
    /* and the other way round: queen - woman + man = king, which is no longer a question word */
    CHECK(analogy(ids, sims, WOMAN, QUEEN, MAN, W, V, D, 1) == 1);
    CHECK(ids[0] == KING);
}

/* ---- the randomized SVD ---------------------------------------------------------- */

/* Orthonormal columns: Gram-Schmidt on a random normal (rows, cols) matrix. */
static void random_orthonormal_columns(real *Q, int rows, int cols, Rng *rng)
{
    rng_fill_normal(rng, Q, (size_t)rows * cols, 1.0);
    for (int j = 0; j < cols; j++) {
        for (int i = 0; i < j; i++) {
            double dot = 0;
            for (int r = 0; r < rows; r++)
                dot += (double)Q[r * cols + j] * Q[r * cols + i];
            for (int r = 0; r < rows; r++)
                Q[r * cols + j] -= (real)dot * Q[r * cols + i];
        }
        double nrm = 0;
        for (int r = 0; r < rows; r++)
            nrm += (double)Q[r * cols + j] * Q[r * cols + j];
        for (int r = 0; r < rows; r++)
            Q[r * cols + j] /= (real)sqrt(nrm);
    }
}

static void test_randomized_svd_known_spectrum(void)
{
    /* A = P diag(s) R^T with P (m, r), R (n, r) orthonormal and s_i = 10 * 0.7^i:
     * full rank, so the top k must be found by the power iterations. */
    enum { M = 40, N = 30, R = 30, K = 5 };
    Rng rng;
    rng_seed(&rng, 7);
    real *P = xmalloc(sizeof(real) * M * R), *Rm = xmalloc(sizeof(real) * N * R);
    real *A = xcalloc(M * N, sizeof(real));
    double s[R];
    random_orthonormal_columns(P, M, R, &rng);
    random_orthonormal_columns(Rm, N, R, &rng);
    for (int i = 0; i < R; i++)
        s[i] = 10 * pow(0.7, i);
    for (int a = 0; a < M; a++)
        for (int b = 0; b < N; b++) {
            double sum = 0;
            for (int i = 0; i < R; i++)
                sum += (double)P[a * R + i] * s[i] * Rm[b * R + i];
            A[a * N + b] = (real)sum;
        }
    real U[M * K], S[K], Vt[K * N];
    randomized_svd(A, M, N, K, 5, 6, &rng, U, S, Vt);
    int dbl = sizeof(real) == sizeof(double);
    for (int i = 0; i < K; i++) {
        CHECK_NEAR(S[i], s[i], dbl ? 1e-9 : 1e-4);
        /* the singular vectors are P's and R's columns, up to sign */
        double du = 0, dv = 0;
        for (int a = 0; a < M; a++)
            du += (double)U[a * K + i] * P[a * R + i];
        for (int b = 0; b < N; b++)
            dv += (double)Vt[i * N + b] * Rm[b * R + i];
        CHECK_NEAR(fabs(du), 1, dbl ? 1e-9 : 1e-4);
        CHECK_NEAR(du * dv, 1, dbl ? 1e-9 : 1e-4);      /* the same sign on both sides */
        /* the sign convention: the largest-magnitude entry of each u is positive */
        int arg = 0;
        for (int a = 1; a < M; a++)
            if (fabs(U[a * K + i]) > fabs(U[arg * K + i]))
                arg = a;
        CHECK(U[arg * K + i] > 0);
    }
    /* A^T (n, m), wider than tall, has the same singular values */
    real *At = xmalloc(sizeof(real) * M * N), Ut[N * K], St[K];
    for (int a = 0; a < M; a++)
        for (int b = 0; b < N; b++)
            At[b * M + a] = A[a * N + b];
    randomized_svd(At, N, M, K, 5, 6, &rng, Ut, St, NULL);
    for (int i = 0; i < K; i++)
        CHECK_NEAR(St[i], s[i], dbl ? 1e-9 : 1e-4);
    free(At);
    free(A);
    free(Rm);
    free(P);
}

static void test_randomized_svd_of_ppmi(void)
{
    /* PPMI is symmetric, so its singular values are the magnitudes of its
     * eigenvalues; symmetric_eigen finds those independently (and its
     * eigenvectors must rebuild the matrix). With k + oversample = V the
     * subspace is all of R^V and the top 3 come out exactly. */
    int C[V7 * V7];
    real M[V7 * V7];
    create_co_matrix(C, corpus, CORPUS_N, V7, 1);
    ppmi(M, C, V7);
    double G[V7 * V7], E[V7 * V7], eig[V7];
    for (int i = 0; i < V7 * V7; i++)
        G[i] = M[i];
    symmetric_eigen(G, V7, eig, E);
    for (int i = 1; i < V7; i++)
        CHECK(eig[i - 1] >= eig[i]);
    for (int a = 0; a < V7; a++)        /* M = E diag(eig) E^T */
        for (int b = 0; b < V7; b++) {
            double sum = 0;
            for (int i = 0; i < V7; i++)
                sum += E[a * V7 + i] * eig[i] * E[b * V7 + i];
            CHECK_NEAR(sum, M[a * V7 + b], 1e-6);
        }
    double mag[V7];
    for (int i = 0; i < V7; i++)
        mag[i] = fabs(eig[i]);
    for (int i = 0; i < V7; i++)        /* sort the magnitudes, largest first */
        for (int j = i + 1; j < V7; j++)
            if (mag[j] > mag[i]) {
                double t = mag[i];
                mag[i] = mag[j];
                mag[j] = t;
            }
    enum { K = 3 };
    real U[V7 * K], S[K];
    Rng rng;
    rng_seed(&rng, 3);
    randomized_svd(M, V7, V7, K, 4, 2, &rng, U, S, NULL);
    for (int i = 0; i < K; i++)
        CHECK_NEAR(S[i], mag[i], 1e-5);
    CHECK(S[0] > 3);                    /* not a trivial answer: the largest is about 3.5 */
}

static void test_count_based_word_vectors(void)
{
    /* The whole of the book's count_based_methods: a synthetic language of 3
     * groups, where group g's 3 member words only appear as "L_g member R_g".
     * Co-occurrence (window 1), PPMI, then SVD down to 4 numbers a word:
     * every member's nearest neighbour must be a member of its own group. */
    enum { G = 3, MEMBERS = 3, V = G * (MEMBERS + 2), TRIPLES = 300, K = 4 };
    Rng rng;
    rng_seed(&rng, 9);
    int corpus3[3 * TRIPLES];
    for (int t = 0; t < TRIPLES; t++) {
        int g = rng_int(&rng, G);
        corpus3[3 * t] = G * MEMBERS + 2 * g;           /* L_g */
        corpus3[3 * t + 1] = g * MEMBERS + rng_int(&rng, MEMBERS);
        corpus3[3 * t + 2] = G * MEMBERS + 2 * g + 1;   /* R_g */
    }
    int C[V * V];
    real M[V * V], U[V * K], S[K];
    create_co_matrix(C, corpus3, 3 * TRIPLES, V, 1);
    ppmi(M, C, V);
    randomized_svd(M, V, V, K, 4, 3, &rng, U, S, NULL);
    for (int g = 0; g < G; g++)
        for (int i = 0; i < MEMBERS; i++) {
            int ids[2];
            double sims[2];
            CHECK(most_similar(ids, sims, g * MEMBERS + i, U, V, K, 2) == 2);
            for (int r = 0; r < 2; r++)
                CHECK(ids[r] < G * MEMBERS && ids[r] / MEMBERS == g);
            CHECK(sims[1] > 0.99);
        }
}

int main(void)
{
    RUN(test_co_matrix_of_the_book);
    RUN(test_co_matrix_window_2);
    RUN(test_ppmi_of_the_book);
    RUN(test_cos_similarity);
    RUN(test_most_similar_of_the_book);
    RUN(test_most_similar_ordering);
    RUN(test_analogy_on_hand_made_vectors);
    RUN(test_randomized_svd_known_spectrum);
    RUN(test_randomized_svd_of_ppmi);
    RUN(test_count_based_word_vectors);
    return test_summary();
}
