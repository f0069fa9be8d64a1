/* Embedding and TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss (with ignored
 * positions), TimeDropout (with a fixed mask), and gradient clipping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "clip_grads.h"
#include "embedding.h"
#include "gradcheck.h"
#include "layers.h"
#include "test.h"
#include "time_layers.h"
#include "util.h"

enum { N = 3, T = 4 };

/* ---- Embedding ------------------------------------------------------------------------------ */

enum { V = 6, D = 5 };

typedef struct {
    int idx[N * T];
    real W[V * D], y[N * T * D], R[N * T * D];
} EmbedCase;

static double embed_loss(void *ctx)
{
    EmbedCase *c = ctx;
    time_embedding_forward(c->y, c->idx, c->W, N, T, V, D);
    return dot_real(c->y, c->R, N * T * D);
}

static void test_embedding_forward_picks_rows(void)
{
    real W[V * D], y[4 * D];
    for (int i = 0; i < V * D; i++)
        W[i] = (real)i;
    int idx[4] = {2, 0, 5, 2};
    embedding_forward(y, idx, W, 4, V, D);
    for (int n = 0; n < 4; n++)
        for (int j = 0; j < D; j++)
            CHECK(y[n * D + j] == W[idx[n] * D + j]);
}

static void test_time_embedding_gradient(void)
{
    /* The ids repeat (12 ids, 6 words, and word 1 three times in a row): a
     * backward that kept only one of a word's rows would fail here. */
    EmbedCase c;
    Rng rng;
    rng_seed(&rng, 1);
    for (int i = 0; i < N * T; i++)
        c.idx[i] = rng_int(&rng, V - 1);            /* word V-1 never comes: its dW stays 0 */
    c.idx[0] = c.idx[1] = c.idx[2] = 1;
    fill_uniform(&rng, c.W, V * D, -1, 1);
    fill_uniform(&rng, c.R, N * T * D, -1, 1);
    real dW[V * D] = {0}, num[V * D];
    embed_loss(&c);
    time_embedding_backward(dW, c.R, c.idx, N, T, V, D);
    numerical_gradient(embed_loss, &c, c.W, V * D, num);
    CHECK(vector_relative_error(dW, num, V * D) <= gradcheck_tolerance());
    for (int j = 0; j < D; j++)
        CHECK(dW[(V - 1) * D + j] == 0);
}

/* dW is a sum per word in the order of the ids, for 1 thread or 2: the same bits.
 * The batch is big enough for the threads to be used (N*D above the threshold),
 * with D not a multiple of the column block. */
static void test_embedding_backward_same_for_any_thread_count(void)
{
    enum { BN = 700, BV = 40, BD = 130 };
    int *idx = malloc(BN * sizeof(int));
    real *dy = malloc((size_t)BN * BD * sizeof(real));
    real *expect = calloc((size_t)BV * BD, sizeof(real));
    real *dW = malloc((size_t)BV * BD * sizeof(real));
    Rng rng;
    rng_seed(&rng, 2);
    for (int n = 0; n < BN; n++)
        idx[n] = rng_int(&rng, BV);
    fill_uniform(&rng, dy, (size_t)BN * BD, -1, 1);
    for (int n = 0; n < BN; n++)                    /* the definition, one thread */
        for (int j = 0; j < BD; j++)
            expect[idx[n] * BD + j] += dy[n * BD + j];
#ifdef _OPENMP
    int saved = omp_get_max_threads();
#endif
    for (int threads = 1; threads <= 2; threads++) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        for (int i = 0; i < BV * BD; i++)
            dW[i] = 0;
        embedding_backward(dW, dy, idx, BN, BV, BD);
        CHECK(memcmp(dW, expect, (size_t)BV * BD * sizeof(real)) == 0);
    }
#ifdef _OPENMP
    omp_set_num_threads(saved);
#endif
    free(idx), free(dy), free(expect), free(dW);
}

/* ---- TimeAffine -------------------------------------------------------------------------------- */

enum { AD = 4, AM = 3 };

typedef struct {
    real x[N * T * AD], W[AD * AM], b[AM], y[N * T * AM], R[N * T * AM];
} AffineCase;

static double affine_loss(void *ctx)
{
    AffineCase *c = ctx;
    time_affine_forward(c->y, c->x, c->W, c->b, N, T, AD, AM);
    return dot_real(c->y, c->R, N * T * AM);
}

static void test_time_affine_gradient(void)
{
    AffineCase c;
    Rng rng;
    rng_seed(&rng, 3);
    fill_uniform(&rng, c.x, N * T * AD, -1, 1);
    fill_uniform(&rng, c.W, AD * AM, -1, 1);
    fill_uniform(&rng, c.b, AM, -1, 1);
    fill_uniform(&rng, c.R, N * T * AM, -1, 1);
    real dx[N * T * AD], dW[AD * AM] = {0}, db[AM] = {0};
    affine_loss(&c);
    time_affine_backward(dx, dW, db, c.R, c.x, c.W, N, T, AD, AM);
    real ndx[N * T * AD], ndW[AD * AM], ndb[AM];
    numerical_gradient(affine_loss, &c, c.x, N * T * AD, ndx);
    numerical_gradient(affine_loss, &c, c.W, AD * AM, ndW);
    numerical_gradient(affine_loss, &c, c.b, AM, ndb);
    double tol = gradcheck_tolerance();
    CHECK(vector_relative_error(dx, ndx, N * T * AD) <= tol);
    CHECK(vector_relative_error(dW, ndW, AD * AM) <= tol);
    CHECK(vector_relative_error(db, ndb, AM) <= tol);
}

/* ---- TimeSoftmaxWithLoss ------------------------------------------------------------------------- */

enum { SV = 5 };

typedef struct {
    real x[N * T * SV], y[N * T * SV];
    int t[N * T];
} SoftmaxCase;

static double softmax_loss(void *ctx)
{
    SoftmaxCase *c = ctx;
    return time_softmax_with_loss_forward(c->y, c->x, c->t, N, T, SV);
}

static void softmax_case_init(SoftmaxCase *c, int seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    fill_uniform(&rng, c->x, N * T * SV, -2, 2);
    for (int i = 0; i < N * T; i++)
        c->t[i] = rng_int(&rng, SV);
    /* padding: the end of the second and third sequences */
    c->t[1 * T + 3] = IGNORE_LABEL;
    c->t[2 * T + 2] = c->t[2 * T + 3] = IGNORE_LABEL;
}

static void test_time_softmax_with_loss_gradient_with_ignored_positions(void)
{
    SoftmaxCase c;
    softmax_case_init(&c, 4);
    softmax_loss(&c);
    real dx[N * T * SV], num[N * T * SV];
    time_softmax_with_loss_backward(dx, c.y, c.t, N, T, SV);
    numerical_gradient(softmax_loss, &c, c.x, N * T * SV, num);
    CHECK(vector_relative_error(dx, num, N * T * SV) <= gradcheck_tolerance());
    for (int i = 0; i < N * T; i++)
        if (c.t[i] == IGNORE_LABEL)
            for (int k = 0; k < SV; k++)
                CHECK(dx[i * SV + k] == 0);
}

/* The loss is SoftmaxWithLoss's mean over the 9 counted positions alone: the
 * 3 ignored ones change neither the sum nor the count. */
static void test_time_softmax_with_loss_is_mean_over_counted_positions(void)
{
    SoftmaxCase c;
    softmax_case_init(&c, 5);
    real loss = softmax_loss(&c);
    real xs[N * T * SV], ys[N * T * SV];
    int ts[N * T], rows = 0;
    for (int i = 0; i < N * T; i++)
        if (c.t[i] != IGNORE_LABEL) {
            memcpy(xs + rows * SV, c.x + i * SV, SV * sizeof(real));
            ts[rows++] = c.t[i];
        }
    CHECK(rows == N * T - 3);
    CHECK_NEAR(loss, softmax_with_loss_forward(ys, xs, ts, rows, SV), 1e-6);
    c.x[(2 * T + 3) * SV + 1] += 10;             /* scores at an ignored position */
    CHECK(softmax_loss(&c) == loss);
    /* Nothing counted: a loss of 0 and no gradient, not 0/0. */
    for (int i = 0; i < N * T; i++)
        c.t[i] = IGNORE_LABEL;
    CHECK(softmax_loss(&c) == 0);
    real dx[N * T * SV];
    time_softmax_with_loss_backward(dx, c.y, c.t, N, T, SV);
    for (int i = 0; i < N * T * SV; i++)
        CHECK(dx[i] == 0);
}

/* ---- TimeDropout ------------------------------------------------------------------------------------ */

enum { DN = N * T * 2 };

typedef struct {
    real x[DN], y[DN], mask[DN], R[DN];
} DropoutCase;

static double dropout_loss(void *ctx)
{
    DropoutCase *c = ctx;
    time_dropout_forward(c->y, c->x, c->mask, DN, 1);
    return dot_real(c->y, c->R, DN);
}

static void test_time_dropout_with_a_fixed_mask(void)
{
    DropoutCase c;
    Rng rng;
    rng_seed(&rng, 6);
    fill_uniform(&rng, c.x, DN, -1, 1);
    fill_uniform(&rng, c.R, DN, -1, 1);
    for (int i = 0; i < DN; i++)                    /* ratio 0.5: kept units are doubled */
        c.mask[i] = i % 3 == 0 ? 0 : 2;
    dropout_loss(&c);
    for (int i = 0; i < DN; i++)
        CHECK(c.y[i] == (i % 3 == 0 ? 0 : 2 * c.x[i]));
    real dx[DN], num[DN];
    time_dropout_backward(dx, c.R, c.mask, DN);
    numerical_gradient(dropout_loss, &c, c.x, DN, num);
    CHECK(vector_relative_error(dx, num, DN) <= gradcheck_tolerance());
    for (int i = 0; i < DN; i += 3)
        CHECK(dx[i] == 0);
    time_dropout_forward(c.y, c.x, c.mask, DN, 0);  /* inference: the identity */
    CHECK(memcmp(c.y, c.x, sizeof c.x) == 0);
}

static void test_time_dropout_mask(void)
{
    enum { M = 20000 };
    static real mask[M], again[M];
    Rng rng;
    rng_seed(&rng, 7);
    time_dropout_mask(mask, M, 0.3, &rng);
    int kept = 0, other = 0;
    for (int i = 0; i < M; i++) {
        if (mask[i] != 0)
            kept++;
        if (mask[i] != 0 && mask[i] != (real)(1 / 0.7))
            other++;
    }
    CHECK(other == 0);                              /* 0 or 1 / (1 - ratio), nothing else */
    CHECK_NEAR((double)kept / M, 0.7, 0.02);
    rng_seed(&rng, 7);
    time_dropout_mask(again, M, 0.3, &rng);         /* the same seed, the same mask */
    CHECK(memcmp(mask, again, sizeof mask) == 0);
}

/* ---- gradient clipping ---------------------------------------------------------------------------- */

static double norm_of(const real *g, size_t n)
{
    return sqrt(dot_real(g, g, n));
}

static void test_clip_grads_scales_to_max_norm(void)
{
    enum { G = 50 };
    real g[G], before[G];
    Rng rng;
    rng_seed(&rng, 8);
    fill_uniform(&rng, g, G, -3, 3);
    memcpy(before, g, sizeof g);
    double norm = norm_of(g, G);
    CHECK(norm > 5);
    double exact = sizeof(real) == sizeof(double) ? 1e-12 : 1e-6;
    CHECK_NEAR(clip_grads(g, G, 5), norm, exact * norm);        /* returns the norm before */
    CHECK_NEAR(norm_of(g, G), 5, exact * 5);                    /* exactly max_norm after */
    for (int i = 0; i < G; i++)                                 /* same direction */
        CHECK_NEAR(g[i], before[i] * (5 / norm), exact * 3);
    /* (3, 4) has norm 5: clipped to 1 it is (0.6, 0.8). */
    real v[2] = {3, 4};
    CHECK_NEAR(clip_grads(v, 2, 1), 5, exact);
    CHECK_NEAR(v[0], 0.6, exact);
    CHECK_NEAR(v[1], 0.8, exact);
}

static void test_clip_grads_leaves_small_gradients(void)
{
    real g[3] = {1, -2, 2}, before[3];              /* norm 3 */
    memcpy(before, g, sizeof g);
    CHECK_NEAR(clip_grads(g, 3, 3.5), 3, 1e-6);
    CHECK(memcmp(g, before, sizeof g) == 0);        /* untouched, bit for bit */
}

/* The quick sum decides only well under the limit: on either side of it,
 * and right at it, the gradients come out the same bits as clipping by the
 * norm summed in order (here written out again as the reference). */
static void test_clip_grads_same_bits_as_in_order(void)
{
    enum { G = 100000 };
    real *g = xmalloc(G * sizeof(real)), *ref = xmalloc(G * sizeof(real));
    Rng rng;
    rng_seed(&rng, 9);
    fill_uniform(&rng, g, G, -1, 1);
    double sum = 0;
    for (size_t i = 0; i < G; i++)
        sum += (double)g[i] * g[i];
    const double limits[] = {0.5, 0.999999, 1, 1.000001, 2};
    for (int k = 0; k < 5; k++) {
        double max_norm = sqrt(sum) * limits[k];
        memcpy(ref, g, G * sizeof(real));
        if (sqrt(sum) > max_norm)
            for (size_t i = 0; i < G; i++)
                ref[i] = (real)(ref[i] * (max_norm / sqrt(sum)));
        real *c = xmalloc(G * sizeof(real));
        memcpy(c, g, G * sizeof(real));
        clip_grads(c, G, max_norm);
        CHECK(memcmp(c, ref, G * sizeof(real)) == 0);
        free(c);
    }
    free(g), free(ref);
}

int main(void)
{
    RUN(test_embedding_forward_picks_rows);
    RUN(test_time_embedding_gradient);
    RUN(test_embedding_backward_same_for_any_thread_count);
    RUN(test_time_affine_gradient);
    RUN(test_time_softmax_with_loss_gradient_with_ignored_positions);
    RUN(test_time_softmax_with_loss_is_mean_over_counted_positions);
    RUN(test_time_dropout_with_a_fixed_mask);
    RUN(test_time_dropout_mask);
    RUN(test_clip_grads_scales_to_max_norm);
    RUN(test_clip_grads_leaves_small_gradients);
    RUN(test_clip_grads_same_bits_as_in_order);
    return test_summary();
}
