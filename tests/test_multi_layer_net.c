/* Gradient checks for tanh, Dropout, BatchNormalization, weight decay and the
 * MultiLayerNetExtend as a whole; batch norm's two modes; a batch-norm model
 * saved and loaded; a short run on MNIST that must learn. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_norm.h"
#include "dropout.h"
#include "gradcheck.h"
#include "idx.h"
#include "layers.h"
#include "model.h"
#include "multi_layer_net.h"
#include "optimizer.h"
#include "test.h"
#include "util.h"

/* ---- tanh ---------------------------------------------------------------------------- */

enum { EN = 24 };
typedef struct {
    real x[EN], y[EN], R[EN];
} TanhCase;

static double tanh_loss(void *ctx)
{
    TanhCase *c = ctx;
    tanh_forward(c->y, c->x, EN);
    return dot_real(c->y, c->R, EN);
}

static void test_tanh_gradient(void)
{
    TanhCase c;
    Rng rng;
    rng_seed(&rng, 11);
    fill_uniform(&rng, c.x, EN, -3, 3);
    fill_uniform(&rng, c.R, EN, -1, 1);
    tanh_loss(&c);
    real dx[EN], ndx[EN];
    tanh_backward(dx, c.R, c.y, EN);
    numerical_gradient(tanh_loss, &c, c.x, EN, ndx);
    CHECK(vector_relative_error(dx, ndx, EN) <= gradcheck_tolerance());
}

/* ---- Dropout --------------------------------------------------------------------------- */

enum { DN = 40 };
typedef struct {
    real x[DN], y[DN], R[DN];
    uint8_t mask[DN];
    Rng start;      /* the generator's state before the forward pass */
} DropCase;

/* Every evaluation starts the generator from the same state, so every forward
 * pass draws the same mask: the function being differentiated is fixed. */
static double drop_loss(void *ctx)
{
    DropCase *c = ctx;
    Rng rng = c->start;
    dropout_forward(c->y, c->x, c->mask, DN, 0.5, 1, &rng);
    return dot_real(c->y, c->R, DN);
}

static void test_dropout_gradient_fixed_mask(void)
{
    DropCase c;
    Rng rng;
    rng_seed(&rng, 12);
    fill_uniform(&rng, c.x, DN, -2, 2);
    fill_uniform(&rng, c.R, DN, -1, 1);
    c.start = rng;
    drop_loss(&c);
    int kept = 0;
    for (int i = 0; i < DN; i++) {
        kept += c.mask[i];
        CHECK(c.y[i] == (c.mask[i] ? c.x[i] : 0));
    }
    CHECK(kept > 5 && kept < DN - 5);    /* ratio 0.5: some of each */
    real dx[DN], ndx[DN];
    dropout_backward(dx, c.R, c.mask, DN);
    numerical_gradient(drop_loss, &c, c.x, DN, ndx);
    CHECK(vector_relative_error(dx, ndx, DN) <= gradcheck_tolerance());
}

static void test_dropout_keeps_expected_value(void)
{
    /* Training keeps about (1 - ratio) of the units; inference scales by (1 - ratio). */
    enum { M = 20000 };
    real *x = xmalloc(M * sizeof(real)), *y = xmalloc(M * sizeof(real));
    uint8_t *mask = xmalloc(M);
    for (int i = 0; i < M; i++)
        x[i] = 1;
    Rng rng;
    rng_seed(&rng, 13);
    dropout_forward(y, x, mask, M, 0.2, 1, &rng);
    double sum = 0;
    for (int i = 0; i < M; i++)
        sum += y[i];
    CHECK_NEAR(sum / M, 0.8, 0.01);
    dropout_forward(y, x, mask, M, 0.2, 0, &rng);
    CHECK_NEAR(y[0], 0.8, 1e-6);
    CHECK_NEAR(y[M - 1], 0.8, 1e-6);
    free(x);
    free(y);
    free(mask);
}

/* ---- BatchNormalization ------------------------------------------------------------------ */

enum { BN_N = 6, BN_D = 5 };
typedef struct {
    real x[BN_N * BN_D], y[BN_N * BN_D], R[BN_N * BN_D];
    real gamma[BN_D], beta[BN_D], mean[BN_D], var[BN_D];
    real xn[BN_N * BN_D], std[BN_D];
} BnCase;

static double bn_loss(void *ctx)
{
    BnCase *c = ctx;
    batch_norm_forward(c->y, c->xn, c->std, c->x, c->gamma, c->beta, c->mean, c->var,
                       BN_N, BN_D, 0.9, 1);
    return dot_real(c->y, c->R, BN_N * BN_D);
}

static void test_batch_norm_gradient(void)
{
    BnCase c;
    Rng rng;
    rng_seed(&rng, 14);
    /* Columns with different means and spreads, as a layer's outputs would be. */
    for (int n = 0; n < BN_N; n++)
        for (int j = 0; j < BN_D; j++)
            c.x[n * BN_D + j] = (real)(j - 2 + (0.5 + j) * (rng_uniform(&rng) - 0.5));
    fill_uniform(&rng, c.gamma, BN_D, 0.5, 1.5);
    fill_uniform(&rng, c.beta, BN_D, -0.5, 0.5);
    fill_uniform(&rng, c.R, BN_N * BN_D, -1, 1);
    memset(c.mean, 0, sizeof c.mean);
    for (int j = 0; j < BN_D; j++)
        c.var[j] = 1;
    bn_loss(&c);
    real dx[BN_N * BN_D], dgamma[BN_D] = {0}, dbeta[BN_D] = {0};
    batch_norm_backward(dx, dgamma, dbeta, c.R, c.xn, c.std, c.gamma, BN_N, BN_D);
    real ndx[BN_N * BN_D], ndgamma[BN_D], ndbeta[BN_D];
    numerical_gradient(bn_loss, &c, c.x, BN_N * BN_D, ndx);
    numerical_gradient(bn_loss, &c, c.gamma, BN_D, ndgamma);
    numerical_gradient(bn_loss, &c, c.beta, BN_D, ndbeta);
    double tol = gradcheck_tolerance();
    CHECK(vector_relative_error(dx, ndx, BN_N * BN_D) <= tol);
    CHECK(vector_relative_error(dgamma, ndgamma, BN_D) <= tol);
    CHECK(vector_relative_error(dbeta, ndbeta, BN_D) <= tol);

    /* dx may be the same buffer as dy. */
    real d[BN_N * BN_D];
    memcpy(d, c.R, sizeof d);
    batch_norm_backward(d, dgamma, dbeta, d, c.xn, c.std, c.gamma, BN_N, BN_D);
    CHECK(memcmp(d, dx, sizeof d) == 0);
}

static void test_batch_norm_modes(void)
{
    BnCase c;
    Rng rng;
    rng_seed(&rng, 15);
    fill_uniform(&rng, c.x, BN_N * BN_D, -3, 5);
    for (int j = 0; j < BN_D; j++) {
        c.gamma[j] = 1;
        c.beta[j] = 0;
        c.mean[j] = 0;
        c.var[j] = 1;
    }
    /* Training: every column comes out with mean 0 and variance 1. */
    batch_norm_forward(c.y, c.xn, c.std, c.x, c.gamma, c.beta, c.mean, c.var, BN_N, BN_D, 0.9, 1);
    for (int j = 0; j < BN_D; j++) {
        double m = 0, v = 0;
        for (int n = 0; n < BN_N; n++)
            m += c.y[n * BN_D + j];
        m /= BN_N;
        for (int n = 0; n < BN_N; n++)
            v += (c.y[n * BN_D + j] - m) * (c.y[n * BN_D + j] - m);
        CHECK_NEAR(m, 0, 1e-5);
        CHECK_NEAR(v / BN_N, 1, 1e-4);
    }
    /* With momentum 0 the running statistics become this batch's, so inference
     * on the same batch must give what training gave. */
    real ytrain[BN_N * BN_D], yinf[BN_N * BN_D];
    batch_norm_forward(ytrain, c.xn, c.std, c.x, c.gamma, c.beta, c.mean, c.var, BN_N, BN_D, 0, 1);
    batch_norm_forward(yinf, NULL, NULL, c.x, c.gamma, c.beta, c.mean, c.var, BN_N, BN_D, 0, 0);
    for (int i = 0; i < BN_N * BN_D; i++)
        CHECK_NEAR(yinf[i], ytrain[i], 1e-5);
}

/* ---- weight decay ------------------------------------------------------------------------- */

typedef struct {
    ParamSet *ps;
    double lambda;
} DecayCase;

static double decay_loss(void *ctx)
{
    DecayCase *c = ctx;
    return weight_decay_loss(c->ps, c->lambda);
}

static void test_weight_decay_gradient(void)
{
    ParamSet ps;
    params_init(&ps);
    params_add(&ps, "W1", 2, (int[]){3, 4}, 1);
    params_add(&ps, "b1", 1, (int[]){4}, 0);
    params_add(&ps, "W2", 2, (int[]){4, 2}, 1);
    params_alloc(&ps);
    Rng rng;
    rng_seed(&rng, 16);
    fill_uniform(&rng, ps.values, ps.size, -1, 1);
    DecayCase c = {&ps, 0.1};
    /* lambda/2 sum W^2 by hand over W1 and W2 only: biases are not decayed. */
    double sum = 0;
    for (int k = 0; k < ps.count; k++)
        if (ps.info[k].decay)
            sum += dot_real(params_value(&ps, k), params_value(&ps, k), ps.info[k].size);
    CHECK_NEAR(decay_loss(&c), 0.05 * sum, 1e-6);
    params_zero_grads(&ps);
    weight_decay_backward(&ps, 0.1);
    real *analytic = xmalloc(ps.size * sizeof(real));
    memcpy(analytic, ps.grads, ps.size * sizeof(real));
    numerical_gradient(decay_loss, &c, ps.values, ps.size, ps.grads);
    CHECK(vector_relative_error(analytic, ps.grads, ps.size) <= gradcheck_tolerance());
    for (int i = 0; i < 4; i++)
        CHECK(analytic[ps.info[1].offset + i] == 0);     /* db1 untouched */
    free(analytic);
    params_free(&ps);
}

/* ---- the whole net -------------------------------------------------------------------------- */

typedef struct {
    MultiLayerNet *net;
    const real *x;
    const int *t;
    int N;
    Rng start;      /* dropout generator state: the same masks on every evaluation */
} NetCase;

static double net_loss(void *ctx)
{
    NetCase *c = ctx;
    c->net->rng = c->start;
    return multi_layer_net_loss(c->net, c->x, c->t, c->N, 1);
}

static void check_net(Activation act, int batchnorm, int dropout, double decay)
{
    enum { N = 5, IN = 8, OUT = 4 };
    MultiLayerNetConfig cfg = {
        .input = IN, .output = OUT, .hidden_count = 3, .hidden = {7, 6, 5},
        .activation = act, .init = {INIT_FIXED, 0.7}, .weight_decay = decay,
        .use_batchnorm = batchnorm, .use_dropout = dropout, .dropout_ratio = 0.3,
    };
    Rng rng;
    rng_seed(&rng, 17);
    MultiLayerNet net;
    multi_layer_net_init(&net, &cfg, N, &rng);
    /* Non-zero biases, gamma and beta, so their gradients are exercised too. */
    for (int k = 0; k < net.params.count; k++) {
        const ParamInfo *p = &net.params.info[k];
        if (p->trainable && !p->decay)
            fill_uniform(&rng, params_value(&net.params, k), p->size, 0.5, 1.0);
    }
    real x[N * IN];
    int t[N];
    fill_uniform(&rng, x, N * IN, -1, 1);
    for (int n = 0; n < N; n++)
        t[n] = rng_int(&rng, OUT);
    NetCase c = {&net, x, t, N, net.rng};
    size_t P = net.params.trainable_size;
    real *backprop = xmalloc(P * sizeof(real));
    net.rng = c.start;
    multi_layer_net_gradient(&net, x, t, N);
    memcpy(backprop, net.params.grads, P * sizeof(real));
    numerical_gradient(net_loss, &c, net.params.values, P, net.params.grads);
    if (sizeof(real) == sizeof(float)) {
        /* Float's rounding in f(x+h) - f(x-h) drowns the small gradients, so
         * the float build checks the whole vector; the double build, tensor by tensor. */
        CHECK(vector_relative_error(backprop, net.params.grads, P) <= gradcheck_tolerance());
        free(backprop);
        multi_layer_net_free(&net);
        return;
    }
    for (int k = 0; k < net.params.count; k++) {
        const ParamInfo *p = &net.params.info[k];
        if (!p->trainable)
            continue;
        const real *a = backprop + p->offset, *b = net.params.grads + p->offset;
        /* A bias in front of batch norm has no effect at all (the batch mean
         * is subtracted right after), so its true gradient is 0: check that
         * both sides say so rather than their ratio. */
        int before_bn = batchnorm && p->name[0] == 'b' && p->name[1] != 'e' &&
                        atoi(p->name + 1) < net.layer_count;
        if (before_bn) {
            double worst = 0;
            for (size_t i = 0; i < p->size; i++)
                worst = fmax(worst, fmax(fabs((double)a[i]), fabs((double)b[i])));
            if (worst > 1e-8)
                printf("  %s: gradient %.3g, should be 0\n", p->name, worst);
            CHECK(worst <= 1e-8);
            continue;
        }
        double e = vector_relative_error(a, b, p->size);
        if (e > gradcheck_tolerance())
            printf("  %s (%s%s%s): relative error %.3g\n", p->name, activation_name(act),
                   batchnorm ? ", batch norm" : "", dropout ? ", dropout" : "", e);
        CHECK(e <= gradcheck_tolerance());
    }
    free(backprop);
    multi_layer_net_free(&net);
}

static void test_net_gradient_relu(void) { check_net(ACT_RELU, 0, 0, 0); }
static void test_net_gradient_relu_batchnorm(void) { check_net(ACT_RELU, 1, 0, 0); }
static void test_net_gradient_tanh_dropout(void) { check_net(ACT_TANH, 0, 1, 0); }
static void test_net_gradient_sigmoid_weight_decay(void) { check_net(ACT_SIGMOID, 0, 0, 0.1); }
static void test_net_gradient_everything(void) { check_net(ACT_TANH, 1, 1, 0.05); }

static void test_net_layout(void)
{
    MultiLayerNetConfig cfg = {
        .input = 10, .output = 3, .hidden_count = 2, .hidden = {4, 5},
        .activation = ACT_RELU, .init = {INIT_HE, 0}, .use_batchnorm = 1,
    };
    Rng rng;
    rng_seed(&rng, 18);
    MultiLayerNet net;
    multi_layer_net_init(&net, &cfg, 2, &rng);
    const char *names[] = {"W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3",
                           "running_mean1", "running_var1", "running_mean2", "running_var2"};
    CHECK(net.params.count == 14);
    for (int k = 0; k < 14 && k < net.params.count; k++)
        CHECK(strcmp(net.params.info[k].name, names[k]) == 0);
    CHECK(net.params.trainable_size == 10 * 4 + 4 * 3 + 4 * 5 + 5 * 3 + 5 * 3 + 3);
    /* He: std sqrt(2/10) for W1; the sample std of 40 draws lands near it. */
    double s = sqrt(dot_real(net.layer[0].W, net.layer[0].W, 40) / 40);
    CHECK(s > 0.3 && s < 0.6);
    multi_layer_net_free(&net);
}

/* ---- saving a batch-norm model ------------------------------------------------------------------- */

static void test_batchnorm_model_save_load(void)
{
    enum { N = 16, IN = 12, OUT = 4 };
    MultiLayerNetConfig cfg = {
        .input = IN, .output = OUT, .hidden_count = 2, .hidden = {8, 8},
        .activation = ACT_RELU, .init = {INIT_HE, 0}, .use_batchnorm = 1,
        .use_dropout = 1, .dropout_ratio = 0.2,
    };
    Rng rng;
    rng_seed(&rng, 19);
    MultiLayerNet a, b;
    multi_layer_net_init(&a, &cfg, N, &rng);
    real x[N * IN];
    int t[N];
    Optimizer opt = optimizer_create(ADAM, 0.01, a.params.trainable_size);
    for (int step = 0; step < 20; step++) {   /* a few steps, so running stats move */
        fill_uniform(&rng, x, N * IN, 0, 2);
        for (int n = 0; n < N; n++)
            t[n] = rng_int(&rng, OUT);
        multi_layer_net_gradient(&a, x, t, N);
        optimizer_update(&opt, a.params.values, a.params.grads);
    }
    optimizer_free(&opt);
    int rv = params_find(&a.params, "running_var1");
    CHECK(rv >= 0 && params_value(&a.params, rv)[0] != 1);

    /* Files hold F32: round the double build's numbers to float first, so that
     * what is saved is exactly what a holds, in both builds. */
    for (size_t i = 0; i < a.params.size; i++)
        a.params.values[i] = (real)(float)a.params.values[i];
    char dir[] = "/tmp/dl-test-mln-XXXXXX", path[256], err[MODEL_ERR_SIZE];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/bn.safetensors", dir);
    const char *meta[] = {"network", "multi_layer_net", NULL};
    CHECK(model_save(path, &a.params, meta, err) == 0);
    rng_seed(&rng, 20);
    multi_layer_net_init(&b, &cfg, N, &rng);
    if (model_load(path, &b.params, err) != 0)
        printf("  %s\n", err);
    real ya[N * OUT], yb[N * OUT];
    fill_uniform(&rng, x, N * IN, 0, 2);
    memcpy(ya, multi_layer_net_predict(&a, x, N, 0), sizeof ya);
    memcpy(yb, multi_layer_net_predict(&b, x, N, 0), sizeof yb);
    CHECK(memcmp(ya, yb, sizeof ya) == 0);      /* bit for bit */
    remove(path);
    rmdir(dir);
    multi_layer_net_free(&a);
    multi_layer_net_free(&b);
}

/* ---- learning on MNIST ----------------------------------------------------------------------------- */

static void test_short_run_learns(void)
{
    Dataset train, test;
    char err[IDX_ERR_SIZE];
    if (mnist_load(test_data_dir(), 10, &train, &test, err) != 0) {
        printf("  skipped: %s\n", err);
        return;
    }
    real *snapshot = NULL;      /* parameters of the first run after 20 iterations */
    /* 784-32-32-10 ReLU with batch norm and dropout, Adam (lr 0.003), 150
     * iterations of 32 on 3000 images (small enough for the sanitizer build);
     * the first 20 iterations twice, to check that a seed repeats exactly. */
    MultiLayerNetConfig cfg = {
        .input = 784, .output = 10, .hidden_count = 2, .hidden = {32, 32},
        .activation = ACT_RELU, .init = {INIT_HE, 0}, .use_batchnorm = 1,
        .use_dropout = 1, .dropout_ratio = 0.1,
    };
    MultiLayerNet net[2];
    for (int run = 0; run < 2; run++) {
        Rng rng;
        rng_seed(&rng, 42);
        multi_layer_net_init(&net[run], &cfg, 500, &rng);
        Optimizer opt = optimizer_create(ADAM, 0.003, net[run].params.trainable_size);
        real *x = xmalloc(32 * 784 * sizeof(real));
        int t[32], idx[32];
        int iters = run == 0 ? 150 : 20;
        for (int i = 0; i < iters; i++) {
            for (int b = 0; b < 32; b++)
                idx[b] = rng_int(&rng, 3000);
            dataset_gather(&train, idx, 32, x, t);
            multi_layer_net_gradient(&net[run], x, t, 32);
            optimizer_update(&opt, net[run].params.values, net[run].params.grads);
            if (run == 1 && i == 19)
                CHECK(memcmp(net[1].params.values, snapshot, net[1].params.size * sizeof(real)) == 0);
            if (run == 0 && i == 19) {
                snapshot = xmalloc(net[0].params.size * sizeof(real));
                memcpy(snapshot, net[0].params.values, net[0].params.size * sizeof(real));
            }
        }
        free(x);
        optimizer_free(&opt);
    }
    Dataset head = dataset_head(&test, 1000);
    double acc = multi_layer_net_accuracy(&net[0], &head);
    printf("  test accuracy after 150 iterations: %.4f\n", acc);
    CHECK(acc >= 0.80);             /* chance is 0.10; this run reaches about 0.85 */
    dataset_free(&head);
    free(snapshot);
    multi_layer_net_free(&net[0]);
    multi_layer_net_free(&net[1]);
    dataset_free(&train);
    dataset_free(&test);
}

int main(void)
{
    RUN(test_tanh_gradient);
    RUN(test_dropout_gradient_fixed_mask);
    RUN(test_dropout_keeps_expected_value);
    RUN(test_batch_norm_gradient);
    RUN(test_batch_norm_modes);
    RUN(test_weight_decay_gradient);
    RUN(test_net_layout);
    RUN(test_net_gradient_relu);
    RUN(test_net_gradient_relu_batchnorm);
    RUN(test_net_gradient_tanh_dropout);
    RUN(test_net_gradient_sigmoid_weight_decay);
    RUN(test_net_gradient_everything);
    RUN(test_batchnorm_model_save_load);
    RUN(test_short_run_learns);
    return test_summary();
}
