/* The layers chapter 06's GANs add to common/: transposed convolution
 * (gradient checks over strides and paddings, and the adjoint identity
 * <conv(x), y> = <x, convT(y)>), LeakyReLU, Tanh, sigmoid with binary
 * cross-entropy from logits for real and fake targets, batch norm over
 * channels; two ParamSets in one model file; the eigen-solver and the two
 * sample scores (Inception Score and Fréchet distance). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_norm.h"
#include "conv_transpose.h"
#include "eigen.h"
#include "gradcheck.h"
#include "layers.h"
#include "model.h"
#include "params.h"
#include "rng.h"
#include "scores.h"
#include "sigmoid_with_loss.h"
#include "test.h"
#include "threads.h"
#include "util.h"

static real *rand_buf(Rng *rng, size_t n, double lo, double hi)
{
    real *p = xmalloc(n * sizeof(real));
    fill_uniform(rng, p, n, lo, hi);
    return p;
}

/* ---- transposed convolution -------------------------------------------------------- */

/* N, in_C, in_H, in_W, out_C, FH, FW, stride, pad */
static const int tcases[][9] = {
    {2, 3, 3, 3, 2, 4, 4, 2, 1},        /* DCGAN's step: 3x3 -> 6x6 */
    {1, 2, 4, 3, 3, 3, 3, 1, 1},        /* stride 1, "same" */
    {2, 2, 3, 2, 1, 3, 2, 3, 0},        /* stride 3, no padding, a wide filter */
    {1, 4, 2, 2, 2, 5, 5, 2, 2},        /* padding wider than the stride */
    {3, 1, 2, 3, 2, 2, 2, 2, 0},        /* 2x2 stride 2: no overlap */
};
enum { NT = sizeof tcases / sizeof tcases[0] };

typedef struct {
    ConvShape s;
    int N;
    real *x, *W, *b, *R, *y;
    ConvWork work;
} TCase;

static void tcase_make(TCase *c, int k, Rng *rng)
{
    const int *t = tcases[k];
    c->N = t[0];
    c->s = conv_transpose_shape(t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]);
    size_t nx = (size_t)c->N * c->s.FN * c->s.OH * c->s.OW, ny = (size_t)c->N * c->s.C * c->s.H * c->s.W;
    c->x = rand_buf(rng, nx, -1, 1);
    c->W = rand_buf(rng, (size_t)c->s.FN * c->s.C * c->s.FH * c->s.FW, -1, 1);
    c->b = rand_buf(rng, c->s.C, -1, 1);
    c->R = rand_buf(rng, ny, -1, 1);
    c->y = xmalloc(ny * sizeof(real));
    c->work = conv_work_create(&c->s, 1);
}

static void tcase_free(TCase *c)
{
    free(c->x), free(c->W), free(c->b), free(c->R), free(c->y);
    conv_work_free(&c->work);
}

static double tconv_loss(void *ctx)
{
    TCase *c = ctx;
    conv_transpose_forward(c->y, c->x, c->W, c->b, &c->s, c->N, &c->work);
    return dot_real(c->y, c->R, (size_t)c->N * c->s.C * c->s.H * c->s.W);
}

static void test_conv_transpose_shapes(void)
{
    ConvShape s = conv_transpose_shape(128, 7, 7, 64, 4, 4, 2, 1);
    CHECK(s.H == 14 && s.W == 14 && s.C == 64 && s.FN == 128 && s.OH == 7);
    s = conv_transpose_shape(64, 14, 14, 1, 4, 4, 2, 1);
    CHECK(s.H == 28 && s.W == 28);
}

static void test_conv_transpose_gradient(void)
{
    Rng rng;
    rng_seed(&rng, 61);
    for (int k = 0; k < NT; k++) {
        TCase c;
        tcase_make(&c, k, &rng);
        const ConvShape *s = &c.s;
        size_t nx = (size_t)c.N * s->FN * s->OH * s->OW, nw = (size_t)s->FN * s->C * s->FH * s->FW;
        real *dx = xmalloc(nx * sizeof(real)), *dW = xcalloc(nw, sizeof(real)), *db = xcalloc(s->C, sizeof(real));
        tconv_loss(&c);
        conv_transpose_backward(dx, dW, db, c.R, c.x, c.W, s, c.N, &c.work);
        real *ndx = xmalloc(nx * sizeof(real)), *ndW = xmalloc(nw * sizeof(real)), *ndb = xmalloc(s->C * sizeof(real));
        numerical_gradient(tconv_loss, &c, c.x, nx, ndx);
        numerical_gradient(tconv_loss, &c, c.W, nw, ndW);
        numerical_gradient(tconv_loss, &c, c.b, s->C, ndb);
        double ex = vector_relative_error(dx, ndx, nx), eW = vector_relative_error(dW, ndW, nw);
        double eb = vector_relative_error(db, ndb, s->C), tol = gradcheck_tolerance();
        if (ex > tol || eW > tol || eb > tol)
            printf("  case %d: relative error dx %.3g, dW %.3g, db %.3g\n", k, ex, eW, eb);
        CHECK(ex <= tol && eW <= tol && eb <= tol);
        tcase_free(&c);
        free(dx), free(dW), free(db), free(ndx), free(ndW), free(ndb);
    }
}

/* The generator's first transposed convolution (7x7 to 14x14) is a thin layer:
 * the threads share each chunk's multiply and col2im. Its forward and backward
 * give the same bits on 1 and 2 threads. */
static void test_conv_transpose_same_on_1_and_2_threads(void)
{
    const int N = 16;
    ConvShape s = conv_transpose_shape(32, 7, 7, 16, 4, 4, 2, 1);
    CHECK(conv_thin(&s, N));
    Rng rng;
    rng_seed(&rng, 63);
    size_t nx = (size_t)N * 32 * 49, ny = (size_t)N * 16 * 196, nw = (size_t)32 * 16 * 16;
    real *x = rand_buf(&rng, nx, -1, 1), *W = rand_buf(&rng, nw, -1, 1), *b = rand_buf(&rng, 16, -1, 1);
    real *dy = rand_buf(&rng, ny, -1, 1), *y[2], *dx[2], *dW[2], *db[2];
    ConvWork work = conv_work_create(&s, 1);
    int saved = get_threads();
    for (int t = 0; t < 2; t++) {
        set_threads(t + 1);
        y[t] = xmalloc(ny * sizeof(real)), dx[t] = xmalloc(nx * sizeof(real));
        dW[t] = xcalloc(nw, sizeof(real)), db[t] = xcalloc(16, sizeof(real));
        conv_transpose_forward(y[t], x, W, b, &s, N, &work);
        conv_transpose_backward(dx[t], dW[t], db[t], dy, x, W, &s, N, &work);
    }
    set_threads(saved);
    CHECK(memcmp(y[0], y[1], ny * sizeof(real)) == 0);
    CHECK(memcmp(dx[0], dx[1], nx * sizeof(real)) == 0);
    CHECK(memcmp(dW[0], dW[1], nw * sizeof(real)) == 0);
    CHECK(memcmp(db[0], db[1], 16 * sizeof(real)) == 0);
    for (int t = 0; t < 2; t++)
        free(y[t]), free(dx[t]), free(dW[t]), free(db[t]);
    free(x), free(W), free(b), free(dy);
    conv_work_free(&work);
}

/* <conv(a), b> = <a, convT(b)> without biases: the transpose is the adjoint.
 * conv maps a (N, C, H, W) to (N, FN, OH, OW); convT maps b back. */
static void test_conv_transpose_is_adjoint(void)
{
    Rng rng;
    rng_seed(&rng, 62);
    for (int k = 0; k < NT; k++) {
        TCase c;
        tcase_make(&c, k, &rng);
        const ConvShape *s = &c.s;
        size_t big = (size_t)c.N * s->C * s->H * s->W, small = (size_t)c.N * s->FN * s->OH * s->OW;
        real *a = rand_buf(&rng, big, -1, 1), *conv_a = xmalloc(small * sizeof(real));
        convolution_forward(conv_a, a, c.W, NULL, s, c.N, &c.work);
        conv_transpose_forward(c.y, c.x, c.W, NULL, s, c.N, &c.work);   /* convT(b), b = x */
        double left = dot_real(conv_a, c.x, small), right = dot_real(a, c.y, big);
        CHECK_NEAR(left, right, 1e-9 * (1 + fabs(left)) + (sizeof(real) == 4 ? 1e-3 * (1 + fabs(left)) : 0));
        /* and the direct convolution agrees on the left side */
        real *direct = xmalloc(small * sizeof(real)), *zero = xcalloc(s->FN, sizeof(real));
        convolution_direct_forward(direct, a, c.W, zero, s, c.N);
        CHECK(vector_relative_error(direct, conv_a, small) < (sizeof(real) == 4 ? 1e-5 : 1e-12));
        free(a), free(conv_a), free(direct), free(zero);
        tcase_free(&c);
    }
}

/* ---- elementwise layers and the loss ------------------------------------------------- */

typedef struct {
    int kind;           /* 0 LeakyReLU, 1 Tanh */
    size_t n;
    real *x, *y, *R;
} ActCase;

static double act_loss(void *ctx)
{
    ActCase *c = ctx;
    if (c->kind == 0)
        leaky_relu_forward(c->y, c->x, c->n, (real)0.2);
    else
        tanh_forward(c->y, c->x, c->n);
    return dot_real(c->y, c->R, c->n);
}

static void check_activation(int kind)
{
    Rng rng;
    rng_seed(&rng, 63 + kind);
    ActCase c = {kind, 40, NULL, NULL, NULL};
    c.x = rand_buf(&rng, c.n, -2, 2);
    for (size_t i = 0; i < c.n; i++)        /* away from LeakyReLU's kink at 0 */
        if (fabs((double)c.x[i]) < 0.05)
            c.x[i] = (real)0.3;
    c.R = rand_buf(&rng, c.n, -1, 1);
    c.y = xmalloc(c.n * sizeof(real));
    real *dx = xmalloc(c.n * sizeof(real)), *ndx = xmalloc(c.n * sizeof(real));
    act_loss(&c);
    if (kind == 0)
        leaky_relu_backward(dx, c.R, c.y, c.n, (real)0.2);
    else
        tanh_backward(dx, c.R, c.y, c.n);
    numerical_gradient(act_loss, &c, c.x, c.n, ndx);
    CHECK(vector_relative_error(dx, ndx, c.n) <= gradcheck_tolerance());
    free(c.x), free(c.y), free(c.R), free(dx), free(ndx);
}

static void test_leaky_relu_gradient(void) { check_activation(0); }
static void test_tanh_gradient(void) { check_activation(1); }

static void test_leaky_relu_values(void)
{
    real x[3] = {-2, 0, 3}, y[3];
    leaky_relu_forward(y, x, 3, (real)0.2);
    CHECK_NEAR(y[0], -0.4, 1e-6);
    CHECK(y[1] == 0 && y[2] == 3);
}

typedef struct {
    int N, target;
    real *x, *y;
    int *t;
} BceCase;

static double bce_loss(void *ctx)
{
    BceCase *c = ctx;
    return sigmoid_with_loss_forward(c->y, c->x, c->t, c->N, 1);
}

/* The discriminator's loss: targets all 1 (real) or all 0 (fake). */
static void check_bce(int target)
{
    Rng rng;
    rng_seed(&rng, 65 + target);
    BceCase c = {8, target, NULL, NULL, NULL};
    c.x = rand_buf(&rng, c.N, -3, 3);
    c.y = xmalloc(c.N * sizeof(real));
    c.t = xmalloc(c.N * sizeof(int));
    for (int i = 0; i < c.N; i++)
        c.t[i] = target;
    real *dx = xmalloc(c.N * sizeof(real)), *ndx = xmalloc(c.N * sizeof(real));
    bce_loss(&c);
    sigmoid_with_loss_backward(dx, c.y, c.t, c.N, 1, 1);
    numerical_gradient(bce_loss, &c, c.x, c.N, ndx);
    CHECK(vector_relative_error(dx, ndx, c.N) <= gradcheck_tolerance());
    /* very sure and right: a loss near 0, and finite; very sure and wrong: about |x| */
    real big[2] = {target ? 50 : -50, target ? -50 : 50}, yb[2];
    int tb[2] = {target, target};
    real loss = sigmoid_with_loss_forward(yb, big, tb, 2, 1);
    CHECK(isfinite(loss));
    CHECK_NEAR(loss, 50.0 / 2, 1e-3);
    free(c.x), free(c.y), free(c.t), free(dx), free(ndx);
}

static void test_bce_from_logits_real(void) { check_bce(1); }
static void test_bce_from_logits_fake(void) { check_bce(0); }

/* ---- batch norm over channels -------------------------------------------------------- */

typedef struct {
    int N, C, P;
    real *x, *y, *xn, *std, *gamma, *beta, *rm, *rv, *R;
} BnCase;

static double bn_loss(void *ctx)
{
    BnCase *c = ctx;
    batch_norm_channels_forward(c->y, c->xn, c->std, c->x, c->gamma, c->beta, c->rm, c->rv, c->N, c->C,
                                c->P, 0.9, 1);
    return dot_real(c->y, c->R, (size_t)c->N * c->C * c->P);
}

static void test_batch_norm_channels_gradient(void)
{
    Rng rng;
    rng_seed(&rng, 67);
    BnCase c = {.N = 3, .C = 4, .P = 5};
    size_t n = (size_t)c.N * c.C * c.P;
    c.x = rand_buf(&rng, n, -2, 2);
    c.R = rand_buf(&rng, n, -1, 1);
    c.gamma = rand_buf(&rng, c.C, 0.5, 1.5);
    c.beta = rand_buf(&rng, c.C, -1, 1);
    c.y = xmalloc(n * sizeof(real)), c.xn = xmalloc(n * sizeof(real));
    c.std = xmalloc(c.C * sizeof(real));
    c.rm = xcalloc(c.C, sizeof(real)), c.rv = xcalloc(c.C, sizeof(real));
    real *dx = xmalloc(n * sizeof(real)), *dg = xcalloc(c.C, sizeof(real)), *dbe = xcalloc(c.C, sizeof(real));
    bn_loss(&c);
    /* each channel has mean 0 and variance 1 over its N*P numbers */
    for (int ch = 0; ch < c.C; ch++) {
        double m = 0, v = 0;
        for (int i = 0; i < c.N; i++)
            for (int p = 0; p < c.P; p++)
                m += c.xn[((size_t)i * c.C + ch) * c.P + p];
        for (int i = 0; i < c.N; i++)
            for (int p = 0; p < c.P; p++)
                v += pow(c.xn[((size_t)i * c.C + ch) * c.P + p], 2);
        CHECK_NEAR(m / (c.N * c.P), 0, 1e-5);
        CHECK_NEAR(v / (c.N * c.P), 1, 1e-3);
    }
    batch_norm_channels_backward(dx, dg, dbe, c.R, c.xn, c.std, c.gamma, c.N, c.C, c.P);
    real *ndx = xmalloc(n * sizeof(real)), *ndg = xmalloc(c.C * sizeof(real)), *ndb = xmalloc(c.C * sizeof(real));
    numerical_gradient(bn_loss, &c, c.x, n, ndx);
    numerical_gradient(bn_loss, &c, c.gamma, c.C, ndg);
    numerical_gradient(bn_loss, &c, c.beta, c.C, ndb);
    double tol = gradcheck_tolerance();
    CHECK(vector_relative_error(dx, ndx, n) <= tol);
    CHECK(vector_relative_error(dg, ndg, c.C) <= tol);
    CHECK(vector_relative_error(dbe, ndb, c.C) <= tol);
    free(c.x), free(c.R), free(c.gamma), free(c.beta), free(c.y), free(c.xn), free(c.std), free(c.rm), free(c.rv);
    free(dx), free(dg), free(dbe), free(ndx), free(ndg), free(ndb);
}

/* P = 1 is the features layer: the same numbers as batch_norm_forward. */
/* A batch big enough for threads to take channels: the same bits on 1 and 2,
 * forward (training and inference) and backward; channels of 7x7, and
 * features (P = 1, added up side by side). */
static void check_batch_norm_same_on_1_and_2_threads(int N, int C, int P)
{
    const size_t n = (size_t)N * C * P;
    Rng rng;
    rng_seed(&rng, 68);
    real *x = rand_buf(&rng, n, -2, 2), *dy = rand_buf(&rng, n, -1, 1);
    real *gamma = rand_buf(&rng, C, 0.5, 1.5), *beta = rand_buf(&rng, C, -1, 1);
    real *out[2][6];            /* y, xn, dx, dgamma, dbeta, y at inference */
    int saved = get_threads();
    for (int t = 0; t < 2; t++) {
        set_threads(t + 1);
        real **o = out[t], *std = xmalloc(C * sizeof(real));
        real *rm = xcalloc(C, sizeof(real)), *rv = xcalloc(C, sizeof(real));
        for (int k = 0; k < 6; k++)
            o[k] = xcalloc(n, sizeof(real));
        batch_norm_channels_forward(o[0], o[1], std, x, gamma, beta, rm, rv, N, C, P, 0.9, 1);
        batch_norm_channels_backward(o[2], o[3], o[4], dy, o[1], std, gamma, N, C, P);
        batch_norm_channels_forward(o[5], o[1], std, x, gamma, beta, rm, rv, N, C, P, 0.9, 0);
        free(std), free(rm), free(rv);
    }
    set_threads(saved);
    for (int k = 0; k < 6; k++) {
        CHECK(memcmp(out[0][k], out[1][k], (k == 3 || k == 4 ? (size_t)C : n) * sizeof(real)) == 0);
        free(out[0][k]), free(out[1][k]);
    }
    free(x), free(dy), free(gamma), free(beta);
}

static void test_batch_norm_channels_same_on_1_and_2_threads(void)
{
    check_batch_norm_same_on_1_and_2_threads(16, 64, 49);
    check_batch_norm_same_on_1_and_2_threads(64, 1000, 1);
}

static void test_batch_norm_channels_with_one_position_is_features(void)
{
    Rng rng;
    rng_seed(&rng, 68);
    enum { N = 4, D = 3 };
    real x[N * D], g[D] = {1, 2, 0.5}, b[D] = {0, 1, -1}, y1[N * D], y2[N * D], xn[N * D], sd[D];
    real rm1[D] = {0}, rv1[D] = {0}, rm2[D] = {0}, rv2[D] = {0};
    fill_uniform(&rng, x, N * D, -1, 1);
    batch_norm_forward(y1, xn, sd, x, g, b, rm1, rv1, N, D, 0.9, 1);
    batch_norm_channels_forward(y2, xn, sd, x, g, b, rm2, rv2, N, D, 1, 0.9, 1);
    CHECK(memcmp(y1, y2, sizeof y1) == 0 && memcmp(rv1, rv2, sizeof rv1) == 0);
}

/* ---- two ParamSets in one file ---------------------------------------------------- */

static void test_two_param_sets_in_one_file(void)
{
    ParamSet g, d, all, back_g, back_d;
    ParamSet *sets[2] = {&g, &d}, *backs[2] = {&back_g, &back_d};
    const char *prefixes[2] = {"G.", "D."};
    for (int k = 0; k < 2; k++) {
        ParamSet *ps[2] = {sets[k], backs[k]};
        for (int j = 0; j < 2; j++) {
            params_init(ps[j]);
            params_add(ps[j], "W1", 2, (int[]){3, 2 + k}, 1);
            params_add(ps[j], "b1", 1, (int[]){2 + k}, 0);
            params_add_state(ps[j], "mean", 1, (int[]){2});
            params_alloc(ps[j]);
        }
        for (size_t i = 0; i < sets[k]->size; i++)
            sets[k]->values[i] = (real)(100 * k + i);
    }
    params_join(&all, (const ParamSet *const *)sets, prefixes, 2);
    CHECK(all.count == 6 && params_find(&all, "G.W1") >= 0 && params_find(&all, "D.mean") >= 0);
    CHECK(all.trainable_size == g.trainable_size + d.trainable_size);
    char path[] = "/tmp/test_gan_layers_XXXXXX", err[MODEL_ERR_SIZE];
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(model_save(path, &all, NULL, err) == 0);
    ParamSet loaded;
    params_join(&loaded, (const ParamSet *const *)backs, prefixes, 2);
    CHECK(model_load(path, &loaded, err) == 0);
    params_split(&loaded, backs, prefixes, 2);
    CHECK(memcmp(g.values, back_g.values, g.size * sizeof(real)) == 0);
    CHECK(memcmp(d.values, back_d.values, d.size * sizeof(real)) == 0);
    /* a generator's file is not a discriminator's: the names differ */
    ParamSet only_g;
    params_join(&only_g, (const ParamSet *const *)backs, prefixes, 1);
    CHECK(model_load(path, &only_g, err) != 0);
    remove(path);
    params_free(&g), params_free(&d), params_free(&all), params_free(&back_g), params_free(&back_d);
    params_free(&loaded), params_free(&only_g);
}

/* ---- the eigen-solver and the scores ------------------------------------------------- */

static void test_jacobi_eigen(void)
{
    Rng rng;
    rng_seed(&rng, 70);
    enum { n = 12 };
    double S[n * n], A[n * n], V[n * n], lam[n], R[n * n], B[n * n];
    /* S = B B^T, symmetric positive definite */
    for (int i = 0; i < n * n; i++)
        B[i] = rng_normal(&rng);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += B[i * n + k] * B[j * n + k];
            S[i * n + j] = s;
        }
    memcpy(A, S, sizeof A);
    CHECK(eigen_symmetric(A, n, lam, V) >= 0);
    /* S v = lambda v for every column v of V */
    double worst = 0;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++) {
            double sv = 0;
            for (int j = 0; j < n; j++)
                sv += S[i * n + j] * V[j * n + k];
            worst = fmax(worst, fabs(sv - lam[k] * V[i * n + k]));
        }
    CHECK(worst < 1e-9);
    /* the square root squares back to S */
    CHECK(sqrtm_symmetric(R, S, n) == 0);
    worst = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += R[i * n + k] * R[k * n + j];
            worst = fmax(worst, fabs(s - S[i * n + j]));
        }
    CHECK(worst < 1e-9);
}

static void test_frechet_of_a_set_with_itself_is_zero(void)
{
    Rng rng;
    rng_seed(&rng, 71);
    enum { N = 300, d = 10 };
    real *f = xmalloc(N * d * sizeof(real));
    for (int i = 0; i < N * d; i++)
        f[i] = (real)(rng_normal(&rng) * (1 + i % d) + (i % 3));
    double mu[d], S[d * d];
    feature_moments(f, N, d, mu, S);
    CHECK_NEAR(frechet_distance(mu, S, mu, S, d), 0, 1e-8);
    free(f);
}

/* Two Gaussians whose distance is known in closed form: S1 = a I and S2 = Q D Q^T
 * (Q a rotation), so tr((S1 S2)^(1/2)) = sqrt(a) sum sqrt(D). */
static void test_frechet_matches_closed_form(void)
{
    enum { d = 6 };
    double mu1[d] = {0}, mu2[d] = {1, 2, 0, 0, -1, 0.5}, S1[d * d] = {0}, S2[d * d] = {0};
    double D[d] = {0.5, 1, 2, 3, 4, 9}, a = 2;
    for (int i = 0; i < d; i++)
        S1[i * d + i] = a;
    /* Q: a rotation by 0.7 in the plane of axes 0 and 3, and by 0.3 in that of 1 and 5 */
    double Q[d * d] = {0};
    for (int i = 0; i < d; i++)
        Q[i * d + i] = 1;
    Q[0 * d + 0] = Q[3 * d + 3] = cos(0.7), Q[0 * d + 3] = -sin(0.7), Q[3 * d + 0] = sin(0.7);
    Q[1 * d + 1] = Q[5 * d + 5] = cos(0.3), Q[1 * d + 5] = -sin(0.3), Q[5 * d + 1] = sin(0.3);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++)
            for (int k = 0; k < d; k++)
                S2[i * d + j] += Q[i * d + k] * D[k] * Q[j * d + k];
    double expected = 0, tr2 = 0, root = 0;
    for (int i = 0; i < d; i++) {
        expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        tr2 += D[i];
        root += sqrt(D[i]);
    }
    expected += d * a + tr2 - 2 * sqrt(a) * root;
    CHECK_NEAR(frechet_distance(mu1, S1, mu2, S2, d), expected, 1e-9);
    /* symmetric in its two arguments */
    CHECK_NEAR(frechet_distance(mu2, S2, mu1, S1, d), expected, 1e-9);
}

static void test_inception_score_bounds(void)
{
    enum { N = 100, K = 10 };
    real p[N * K];
    /* every sample sure of its class, all classes equally often: IS = K */
    for (int i = 0; i < N * K; i++)
        p[i] = (i / K) % K == i % K;
    CHECK_NEAR(inception_score(p, N, K), K, 1e-9);
    /* every sample the same distribution: IS = 1 */
    for (int i = 0; i < N * K; i++)
        p[i] = (real)(i % K == 3 ? 0.91 : 0.01);
    CHECK_NEAR(inception_score(p, N, K), 1, 1e-6);
}

/* The two factors multiply back to the score, and read as they should: ten
 * sure classes equally often, one class for all, every sample undecided. */
static void test_inception_score_parts(void)
{
    enum { N = 200, K = 10 };
    real p[N * K];
    double classes, spread, py[K];
    Rng rng;
    rng_seed(&rng, 5);
    for (int n = 0; n < N; n++) {                   /* random rows, some sharp, some flat */
        double sum = 0;
        for (int k = 0; k < K; k++)
            sum += p[n * K + k] = (real)pow(rng_uniform(&rng), 1 + n % 7);
        for (int k = 0; k < K; k++)
            p[n * K + k] = (real)(p[n * K + k] / sum);
    }
    double is = inception_score_parts(p, N, K, &classes, &spread, py);
    CHECK_NEAR(is, inception_score(p, N, K), 1e-6 * is);
    CHECK(classes >= 1 && classes <= K && spread >= 1 && spread <= K);
    double total = 0;
    for (int k = 0; k < K; k++)
        total += py[k];
    CHECK_NEAR(total, 1, 1e-6);                     /* the rows, in floats, sum to 1 within rounding */

    for (int i = 0; i < N * K; i++)                 /* sure, all classes as often */
        p[i] = (i / K) % K == i % K;
    inception_score_parts(p, N, K, &classes, &spread, NULL);
    CHECK_NEAR(classes, K, 1e-9);
    CHECK_NEAR(spread, 1, 1e-9);
    for (int i = 0; i < N * K; i++)                 /* sure, all the same class */
        p[i] = i % K == 4;
    inception_score_parts(p, N, K, &classes, &spread, py);
    CHECK_NEAR(classes, 1, 1e-9);
    CHECK_NEAR(spread, 1, 1e-9);
    CHECK_NEAR(py[4], 1, 1e-9);
    for (int i = 0; i < N * K; i++)                 /* no sample decided */
        p[i] = (real)(1.0 / K);
    inception_score_parts(p, N, K, &classes, &spread, NULL);
    CHECK_NEAR(classes, K, 1e-6);
    CHECK_NEAR(spread, K, 1e-6);
}

int main(void)
{
    RUN(test_conv_transpose_shapes);
    RUN(test_conv_transpose_gradient);
    RUN(test_conv_transpose_is_adjoint);
    RUN(test_conv_transpose_same_on_1_and_2_threads);
    RUN(test_leaky_relu_values);
    RUN(test_leaky_relu_gradient);
    RUN(test_tanh_gradient);
    RUN(test_bce_from_logits_real);
    RUN(test_bce_from_logits_fake);
    RUN(test_batch_norm_channels_gradient);
    RUN(test_batch_norm_channels_same_on_1_and_2_threads);
    RUN(test_batch_norm_channels_with_one_position_is_features);
    RUN(test_two_param_sets_in_one_file);
    RUN(test_jacobi_eigen);
    RUN(test_frechet_of_a_set_with_itself_is_zero);
    RUN(test_frechet_matches_closed_form);
    RUN(test_inception_score_bounds);
    RUN(test_inception_score_parts);
    return test_summary();
}
