/* Gradient checks for the layers and the two-layer net; functions that must
 * stay finite; the random number generator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "functions.h"
#include "gradcheck.h"
#include "init.h"
#include "layers.h"
#include "matmul.h"
#include "rng.h"
#include "test.h"
#include "two_layer_net.h"
#include "util.h"

/* ---- Affine ---------------------------------------------------------------------- */

enum { AN = 4, AIN = 7, AOUT = 5 };
typedef struct {
    real x[AN * AIN], W[AIN * AOUT], b[AOUT], R[AN * AOUT], y[AN * AOUT];
} AffineCase;

static double affine_loss(void *ctx)
{
    AffineCase *c = ctx;
    affine_forward(c->y, c->x, c->W, c->b, AN, AIN, AOUT);
    return dot_real(c->y, c->R, AN * AOUT);
}

/* x, W and the upstream gradient R, uniform in [-1, 1] from a seed. */
static void affine_case_fill(AffineCase *c, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    fill_uniform(&rng, c->x, AN * AIN, -1, 1);
    fill_uniform(&rng, c->W, AIN * AOUT, -1, 1);
    fill_uniform(&rng, c->R, AN * AOUT, -1, 1);
}

static void test_affine_gradient(void)
{
    AffineCase c;
    Rng rng;
    rng_seed(&rng, 1);
    fill_uniform(&rng, c.x, AN * AIN, -1, 1);
    fill_uniform(&rng, c.W, AIN * AOUT, -1, 1);
    fill_uniform(&rng, c.b, AOUT, -1, 1);
    fill_uniform(&rng, c.R, AN * AOUT, -1, 1);
    real dx[AN * AIN], dW[AIN * AOUT] = {0}, db[AOUT] = {0};
    affine_loss(&c);
    affine_backward(dx, dW, db, c.R, c.x, c.W, AN, AIN, AOUT);
    real ndx[AN * AIN], ndW[AIN * AOUT], ndb[AOUT];
    numerical_gradient(affine_loss, &c, c.x, AN * AIN, ndx);
    numerical_gradient(affine_loss, &c, c.W, AIN * AOUT, ndW);
    numerical_gradient(affine_loss, &c, c.b, AOUT, ndb);
    double tol = gradcheck_tolerance();
    CHECK(vector_relative_error(dx, ndx, AN * AIN) <= tol);
    CHECK(vector_relative_error(dW, ndW, AIN * AOUT) <= tol);
    CHECK(vector_relative_error(db, ndb, AOUT) <= tol);
}

static void test_affine_backward_accumulates(void)
{
    /* Parameter gradients are added to, so two backward calls give twice one. */
    AffineCase c;
    affine_case_fill(&c, 2);
    real dW1[AIN * AOUT] = {0}, db1[AOUT] = {0}, dW2[AIN * AOUT] = {0}, db2[AOUT] = {0};
    affine_backward(NULL, dW1, db1, c.R, c.x, c.W, AN, AIN, AOUT);
    affine_backward(NULL, dW2, db2, c.R, c.x, c.W, AN, AIN, AOUT);
    affine_backward(NULL, dW2, db2, c.R, c.x, c.W, AN, AIN, AOUT);
    for (int i = 0; i < AIN * AOUT; i++)
        CHECK_NEAR(dW2[i], 2 * dW1[i], 1e-5);
    for (int i = 0; i < AOUT; i++)
        CHECK_NEAR(db2[i], 2 * db1[i], 1e-5);
}

/* dW NULL: only dx, the very same (a GAN's G step through D asks no more). */
static void test_affine_dx_alone(void)
{
    AffineCase c;
    affine_case_fill(&c, 3);
    real dx1[AN * AIN], dx2[AN * AIN], dW[AIN * AOUT] = {0}, db[AOUT] = {0};
    affine_backward(dx1, dW, db, c.R, c.x, c.W, AN, AIN, AOUT);
    affine_backward(dx2, NULL, NULL, c.R, c.x, c.W, AN, AIN, AOUT);
    CHECK(memcmp(dx1, dx2, sizeof dx1) == 0);
}

/* A few outputs: dW comes through dW^T += dy^T x (affine_narrow_dW), which
 * must be the very bits of x^T dy added to dW, also when the batch spans
 * several of the multiply's K blocks (600 rows: 3) and dW already holds sums. */
static void test_affine_narrow_dW_same_bits(void)
{
    const int shapes[][3] = {{600, 256, 13}, {100, 50, 10}, {64, 784, 2}, {37, 64, 15}};
    for (int s = 0; s < 4; s++) {
        int N = shapes[s][0], in = shapes[s][1], out = shapes[s][2];
        Rng rng;
        rng_seed(&rng, 10 + s);
        real *x = xmalloc((size_t)N * in * sizeof(real)), *dy = xmalloc((size_t)N * out * sizeof(real));
        real *dW = xmalloc((size_t)in * out * sizeof(real)), *ref = xmalloc((size_t)in * out * sizeof(real));
        fill_uniform(&rng, x, (size_t)N * in, -1, 1);
        fill_uniform(&rng, dy, (size_t)N * out, -1, 1);
        fill_uniform(&rng, dW, (size_t)in * out, -1, 1);
        memcpy(ref, dW, (size_t)in * out * sizeof(real));
        matmul(1, 0, in, out, N, x, dy, 1, ref);
        affine_narrow_dW(dW, dy, x, N, in, out);
        CHECK(memcmp(dW, ref, (size_t)in * out * sizeof(real)) == 0);
        free(x), free(dy), free(dW), free(ref);
    }
}

/* ---- element-wise activations ------------------------------------------------------- */

enum { EN = 24 };
typedef struct {
    Activation a;
    real x[EN], y[EN], R[EN];
} ActCase;

static double act_loss(void *ctx)
{
    ActCase *c = ctx;
    activation_forward(c->a, c->y, c->x, EN);
    return dot_real(c->y, c->R, EN);
}

static void check_activation(Activation a)
{
    ActCase c = {.a = a};
    Rng rng;
    rng_seed(&rng, 3);
    fill_uniform(&rng, c.x, EN, -3, 3);
    for (int i = 0; i < EN; i++)        /* keep away from ReLU's kink at 0 */
        if (fabs((double)c.x[i]) < 0.1)
            c.x[i] = (real)0.5;
    fill_uniform(&rng, c.R, EN, -1, 1);
    act_loss(&c);
    real dx[EN], ndx[EN];
    activation_backward(a, dx, c.R, c.y, EN);
    numerical_gradient(act_loss, &c, c.x, EN, ndx);
    CHECK(vector_relative_error(dx, ndx, EN) <= gradcheck_tolerance());
}

static void test_relu_gradient(void) { check_activation(ACT_RELU); }
static void test_sigmoid_gradient(void) { check_activation(ACT_SIGMOID); }
static void test_tanh_gradient(void) { check_activation(ACT_TANH); }

/* activation_forward picks the layer the name says. */
static void test_activation_by_name(void)
{
    const char *names[3] = {"sigmoid", "TANH", "ReLU"};
    const Activation want[3] = {ACT_SIGMOID, ACT_TANH, ACT_RELU};
    const real x[2] = {-0.5f, 0.5f};
    const double y[3][2] = {{0.37754067, 0.62245933}, {-0.46211716, 0.46211716}, {0, 0.5}};
    for (int k = 0; k < 3; k++) {
        Activation a = ACT_SIGMOID;
        CHECK(activation_parse(names[k], &a) == 0 && a == want[k]);
        real out[2];
        activation_forward(a, out, x, 2);
        CHECK_NEAR(out[0], y[k][0], 1e-6);
        CHECK_NEAR(out[1], y[k][1], 1e-6);
    }
    Activation a = ACT_RELU;
    CHECK(activation_parse("elu", &a) == -1 && a == ACT_RELU);   /* unknown: a untouched */
    CHECK(strcmp(activation_name(ACT_RELU), "ReLU") == 0);
    CHECK(strcmp(activation_name(ACT_TANH), "tanh") == 0);
}

/* ---- weight initialisation by name -------------------------------------------------------- */

static void test_weight_init_parse_and_name(void)
{
    WeightInit w;
    char buf[32];
    CHECK(weight_init_parse("he", &w) == 0 && w.kind == INIT_HE);
    CHECK_NEAR(weight_init_std(w, 50), sqrt(2.0 / 50), 1e-12);
    CHECK(strcmp(weight_init_name(w, buf, sizeof buf), "He") == 0);
    CHECK(weight_init_parse("Xavier", &w) == 0 && w.kind == INIT_XAVIER);
    CHECK_NEAR(weight_init_std(w, 50), sqrt(1.0 / 50), 1e-12);
    CHECK(weight_init_parse("0.01", &w) == 0 && w.kind == INIT_FIXED);
    CHECK_NEAR(weight_init_std(w, 50), 0.01, 1e-12);
    CHECK(strcmp(weight_init_name(w, buf, sizeof buf), "std=0.01") == 0);
    CHECK(weight_init_parse("-1", &w) == -1);
    CHECK(weight_init_parse("0", &w) == -1);
    CHECK(weight_init_parse("0.01x", &w) == -1);
    CHECK(weight_init_parse("", &w) == -1);
}

/* ---- SoftmaxWithLoss ---------------------------------------------------------------- */

enum { SN = 5, SC = 6 };
typedef struct {
    real x[SN * SC], y[SN * SC];
    int t[SN];
} SoftmaxCase;

static double softmax_loss(void *ctx)
{
    SoftmaxCase *c = ctx;
    return softmax_with_loss_forward(c->y, c->x, c->t, SN, SC);
}

static void test_softmax_with_loss_gradient(void)
{
    SoftmaxCase c;
    Rng rng;
    rng_seed(&rng, 4);
    fill_uniform(&rng, c.x, SN * SC, -2, 2);
    for (int n = 0; n < SN; n++)
        c.t[n] = rng_int(&rng, SC);
    softmax_loss(&c);
    real dx[SN * SC], ndx[SN * SC];
    softmax_with_loss_backward(dx, c.y, c.t, SN, SC);
    numerical_gradient(softmax_loss, &c, c.x, SN * SC, ndx);
    CHECK(vector_relative_error(dx, ndx, SN * SC) <= gradcheck_tolerance());
}

/* ---- the two-layer net as a whole ------------------------------------------------------- */

typedef struct {
    TwoLayerNet *net;
    const real *x;
    const int *t;
    int N;
} NetCase;

static void check_two_layer_net(Activation act)
{
    enum { N = 4, IN = 12, H = 6, OUT = 5 };
    Rng rng;
    rng_seed(&rng, 5);
    TwoLayerNet net;
    two_layer_net_init(&net, IN, H, OUT, N, act, (WeightInit){INIT_FIXED, 0.5}, &rng);
    fill_uniform(&rng, net.b1, H, -0.5, 0.5);
    fill_uniform(&rng, net.b2, OUT, -0.5, 0.5);
    real x[N * IN];
    int t[N];
    fill_uniform(&rng, x, N * IN, 0, 1);
    for (int n = 0; n < N; n++)
        t[n] = rng_int(&rng, OUT);
    size_t P = net.params.trainable_size;
    real *backprop = xmalloc(P * sizeof(real));
    two_layer_net_gradient(&net, x, t, N);
    memcpy(backprop, net.params.grads, P * sizeof(real));
    two_layer_net_numerical_gradient(&net, x, t, N);
    /* Per tensor, so a failure names which one. */
    for (int k = 0; k < net.params.count; k++) {
        const ParamInfo *p = &net.params.info[k];
        double e = vector_relative_error(backprop + p->offset, net.params.grads + p->offset, p->size);
        if (e > gradcheck_tolerance())
            printf("  %s: relative error %.3g\n", p->name, e);
        CHECK(e <= gradcheck_tolerance());
    }
    free(backprop);
    two_layer_net_free(&net);
}

static void test_two_layer_net_gradient_relu(void) { check_two_layer_net(ACT_RELU); }
static void test_two_layer_net_gradient_sigmoid(void) { check_two_layer_net(ACT_SIGMOID); }
static void test_two_layer_net_gradient_tanh(void) { check_two_layer_net(ACT_TANH); }

/* ---- numbers that must stay finite ------------------------------------------------------ */

static void test_softmax_large_inputs_finite(void)
{
    real x[2 * 3] = {1000, 1001, 1002, -1000, 0, 3e37f};
    real y[6];
    softmax(y, x, 2, 3);
    for (int i = 0; i < 6; i++)
        CHECK(isfinite((double)y[i]) && y[i] >= 0 && y[i] <= 1);
    CHECK_NEAR(y[0] + y[1] + y[2], 1, 1e-6);
    CHECK_NEAR(y[2], 0.66524096, 1e-6);     /* softmax([0, 1, 2])[2] */
    CHECK_NEAR(y[5], 1, 1e-6);
}

static void test_cross_entropy_of_zero_probability_finite(void)
{
    real y[2 * 2] = {0, 1, 1, 0};
    int t[2] = {0, 0};                       /* the first row gives its label probability 0 */
    real e = cross_entropy_error(y, t, 2, 2);
    CHECK(isfinite((double)e));
    CHECK_NEAR(e, -0.5 * (log(1e-7) + log(1 + 1e-7)), 1e-3);
}

/* The book's example (section 4.2.1): 0.0975 and 0.5108 when y favours the answer,
 * 0.5975 and 2.3026 when it favours 7; both losses average over the rows. */
static void test_losses_on_the_books_example(void)
{
    real y[2 * 10] = {0.1f, 0.05f, 0.6f, 0, 0.05f, 0.1f, 0, 0.1f, 0, 0,
                      0.1f, 0.05f, 0.1f, 0, 0.05f, 0.1f, 0, 0.6f, 0, 0};
    int t[2] = {2, 2};
    CHECK_NEAR(mean_squared_error(y, t, 1, 10), 0.0975, 1e-6);
    CHECK_NEAR(mean_squared_error(y + 10, t, 1, 10), 0.5975, 1e-6);
    CHECK_NEAR(cross_entropy_error(y, t, 1, 10), 0.5108254, 1e-6);
    CHECK_NEAR(cross_entropy_error(y + 10, t, 1, 10), 2.3025840, 1e-6);
    CHECK_NEAR(mean_squared_error(y, t, 2, 10), (0.0975 + 0.5975) / 2, 1e-6);
}

static void test_softmax_with_loss_large_scores_finite(void)
{
    real x[2 * 3] = {-1e30f, 0, 1e30f, 88, 89, 90};
    real y[6], dx[6];
    int t[2] = {0, 2};
    real loss = softmax_with_loss_forward(y, x, t, 2, 3);
    softmax_with_loss_backward(dx, y, t, 2, 3);
    CHECK(isfinite((double)loss));
    for (int i = 0; i < 6; i++)
        CHECK(isfinite((double)dx[i]));
}

static void test_sigmoid_extremes(void)
{
    CHECK(sigmoid((real)-1000) == 0 || sigmoid((real)-1000) < 1e-30);
    CHECK(sigmoid((real)1000) == 1);
    CHECK_NEAR(sigmoid(0), 0.5, 1e-12);
    CHECK(isfinite((double)sigmoid((real)-1e30)));
}

static void test_count_correct(void)
{
    /* rows' arg-max: 2, 0 (a tie: the first), 1; labels 2, 1, 1: two right */
    real scores[3 * 3] = {0.1f, 0.2f, 0.7f,
                          0.5f, 0.5f, 0.0f,
                          -1.0f, 3.0f, 2.0f};
    uint8_t labels[3] = {2, 1, 1};
    CHECK(count_correct(scores, labels, 3, 3) == 2);
    CHECK(count_correct(scores, labels, 1, 3) == 1);
    CHECK(count_correct(scores + 3, labels + 1, 1, 3) == 0);
}

/* ---- the random number generator -------------------------------------------------------- */

static void test_rng_repeats_for_a_seed(void)
{
    Rng a, b, c;
    rng_seed(&a, 123);
    rng_seed(&b, 123);
    rng_seed(&c, 124);
    int same = 1, differs = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
        same &= x == y;
        differs |= x != z;
    }
    CHECK(same);
    CHECK(differs);
    int p[10], q[10];
    for (int i = 0; i < 10; i++)
        p[i] = q[i] = i;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    rng_shuffle(&a, p, 10);
    rng_shuffle(&b, q, 10);
    CHECK(memcmp(p, q, sizeof p) == 0);
}

static void test_rng_distributions(void)
{
    Rng r;
    rng_seed(&r, RNG_DEFAULT_SEED);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0;
    int in_range = 1;
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r), g = rng_normal(&r);
        int k = rng_int(&r, 10);
        in_range &= u >= 0 && u < 1 && k >= 0 && k < 10;
        su += u;
        sn += g;
        sn2 += g * g;
    }
    CHECK(in_range);
    CHECK_NEAR(su / n, 0.5, 0.01);
    CHECK_NEAR(sn / n, 0, 0.01);
    CHECK_NEAR(sqrt(sn2 / n), 1, 0.01);
}

int main(void)
{
    RUN(test_affine_gradient);
    RUN(test_affine_dx_alone);
    RUN(test_affine_backward_accumulates);
    RUN(test_affine_narrow_dW_same_bits);
    RUN(test_relu_gradient);
    RUN(test_sigmoid_gradient);
    RUN(test_tanh_gradient);
    RUN(test_activation_by_name);
    RUN(test_weight_init_parse_and_name);
    RUN(test_softmax_with_loss_gradient);
    RUN(test_two_layer_net_gradient_relu);
    RUN(test_two_layer_net_gradient_sigmoid);
    RUN(test_two_layer_net_gradient_tanh);
    RUN(test_softmax_large_inputs_finite);
    RUN(test_cross_entropy_of_zero_probability_finite);
    RUN(test_losses_on_the_books_example);
    RUN(test_softmax_with_loss_large_scores_finite);
    RUN(test_sigmoid_extremes);
    RUN(test_count_correct);
    RUN(test_rng_repeats_for_a_seed);
    RUN(test_rng_distributions);
    return test_summary();
}
