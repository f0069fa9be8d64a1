/* test_directional.c - the directional gradient check on whole nets.
 *
 * directional_gradient_check (gradient.c) compares the slope of the loss along
 * a random direction u, (L(p + h u) - L(p - h u)) / 2h, with the backprop
 * gradient's dot product with u: two loss evaluations however many parameters
 * the net has. Each net here is checked along a few directions, and then with
 * gradients made wrong on purpose, which the check must catch.
 *
 * The double build only: in float the numerical side is lost to rounding (see
 * gradient.h), so the float build of this program runs no tests. The right
 * gradients agree to about 1e-8 here, the wrong ones miss by 1e-4 or more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deep_conv_net.h"
#include "gradcheck.h"
#include "gradient.h"
#include "multi_layer_net.h"
#include "simple_conv_net.h"
#include "test.h"
#include "two_layer_net.h"
#include "util.h"

enum { DIRECTIONS = 3 };

/* Check grad (n numbers) against the loss f along DIRECTIONS random directions,
 * then the same with two plausible bugs: the tensor at wrong_offset (wrong_size
 * numbers) 1% too large, and the last tensor's gradient left at zero (a
 * forgotten db), each of which must fail. */
static void check_directions(const char *net_name, ScalarFunction f, void *ctx, real *params,
                             const real *grad, size_t n, size_t wrong_offset, size_t wrong_size,
                             size_t last_offset, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    real *before = xmalloc(n * sizeof(real));
    memcpy(before, params, n * sizeof(real));
    for (int d = 0; d < DIRECTIONS; d++) {
        double num, ana;
        double e = directional_gradient_check(f, ctx, params, grad, n, &rng, &num, &ana);
        if (e > gradcheck_tolerance())
            printf("  %s, direction %d: numerical %.10g, backprop %.10g, relative error %.3g\n",
                   net_name, d, num, ana, e);
        CHECK(e <= gradcheck_tolerance());
    }

    real *wrong = xmalloc(n * sizeof(real));
    for (int bug = 0; bug < 2; bug++) {
        memcpy(wrong, grad, n * sizeof(real));
        if (bug == 0)
            for (size_t i = wrong_offset; i < wrong_offset + wrong_size; i++)
                wrong[i] *= (real)1.01;
        else
            memset(wrong + last_offset, 0, (n - last_offset) * sizeof(real));
        double num, ana;
        double e = directional_gradient_check(f, ctx, params, wrong, n, &rng, &num, &ana);
        if (e <= gradcheck_tolerance())
            printf("  %s, %s: relative error only %.3g (numerical %.10g, backprop %.10g)\n", net_name,
                   bug == 0 ? "W1 1% too large" : "last bias zeroed", e, num, ana);
        CHECK(e > gradcheck_tolerance());
    }
    CHECK(memcmp(before, params, n * sizeof(real)) == 0);      /* the parameters restored exactly */
    free(wrong);
    free(before);
}

/* ---- TwoLayerNet --------------------------------------------------------------------------- */

typedef struct {
    TwoLayerNet *net;
    const real *x;
    const int *t;
    int N;
} TwoLayerCase;

static double two_layer_loss(void *ctx)
{
    TwoLayerCase *c = ctx;
    return two_layer_net_loss(c->net, c->x, c->t, c->N);
}

static void test_two_layer_net(void)
{
    enum { N = 6, IN = 20, H = 15, OUT = 5 };
    Rng rng;
    rng_seed(&rng, 3);
    TwoLayerNet net;
    two_layer_net_init(&net, IN, H, OUT, N, ACT_RELU, (WeightInit){INIT_HE, 0}, &rng);
    fill_uniform(&rng, net.b1, H, -0.1, 0.1);
    fill_uniform(&rng, net.b2, OUT, -0.1, 0.1);
    real x[N * IN];
    int t[N];
    fill_uniform(&rng, x, N * IN, -1, 1);
    for (int i = 0; i < N; i++)
        t[i] = rng_int(&rng, OUT);
    ParamSet *ps = &net.params;
    size_t P = ps->trainable_size;
    real *grad = xmalloc(P * sizeof(real));
    two_layer_net_gradient(&net, x, t, N);
    memcpy(grad, ps->grads, P * sizeof(real));
    TwoLayerCase c = {&net, x, t, N};
    check_directions("TwoLayerNet", two_layer_loss, &c, ps->values, grad, P,
                     ps->info[0].offset, ps->info[0].size, ps->info[ps->count - 1].offset, 11);
    free(grad);
    two_layer_net_free(&net);
}

/* ---- MultiLayerNet with batch norm and dropout ------------------------------------------------ */

typedef struct {
    MultiLayerNet *net;
    const real *x;
    const int *t;
    int N;
    Rng masks;      /* the dropout generator's state: the same masks on every evaluation */
} MultiLayerCase;

static double multi_layer_loss(void *ctx)
{
    MultiLayerCase *c = ctx;
    c->net->rng = c->masks;
    return multi_layer_net_loss(c->net, c->x, c->t, c->N, 1);
}

static void test_multi_layer_net_batchnorm_dropout(void)
{
    enum { N = 8, IN = 30, OUT = 6 };
    MultiLayerNetConfig cfg = {
        .input = IN, .output = OUT, .hidden_count = 3, .hidden = {25, 20, 15},
        .activation = ACT_RELU, .init = {INIT_HE, 0}, .weight_decay = 0.01,
        .use_batchnorm = 1, .use_dropout = 1, .dropout_ratio = 0.2,
    };
    Rng rng;
    rng_seed(&rng, 5);
    MultiLayerNet net;
    multi_layer_net_init(&net, &cfg, N, &rng);
    for (int k = 0; k < net.params.count; k++) {    /* biases, gamma and beta away from 0 and 1 */
        const ParamInfo *p = &net.params.info[k];
        if (p->trainable && !p->decay)
            fill_uniform(&rng, params_value(&net.params, k), p->size, 0.5, 1.0);
    }
    real x[N * IN];
    int t[N];
    fill_uniform(&rng, x, N * IN, -1, 1);
    for (int i = 0; i < N; i++)
        t[i] = rng_int(&rng, OUT);
    ParamSet *ps = &net.params;
    size_t P = ps->trainable_size;
    MultiLayerCase c = {&net, x, t, N, net.rng};
    real *grad = xmalloc(P * sizeof(real));
    net.rng = c.masks;
    multi_layer_net_gradient(&net, x, t, N);
    memcpy(grad, ps->grads, P * sizeof(real));
    /* the last trainable tensor is the scores' bias */
    int last = 0;
    for (int k = 0; k < ps->count; k++)
        if (ps->info[k].trainable)
            last = k;
    check_directions("MultiLayerNet (batch norm, dropout)", multi_layer_loss, &c, ps->values, grad, P,
                     ps->info[0].offset, ps->info[0].size, ps->info[last].offset, 12);
    free(grad);
    multi_layer_net_free(&net);
}

/* ---- SimpleConvNet ------------------------------------------------------------------------- */

typedef struct {
    SimpleConvNet *net;
    const real *x;
    const int *t;
    int N;
} SimpleCase;

static double simple_loss(void *ctx)
{
    SimpleCase *c = ctx;
    return simple_conv_net_loss(c->net, c->x, c->t, c->N);
}

static void test_simple_conv_net(void)
{
    enum { N = 3, C = 1, H = 28, W = 28, CLASSES = 10 };
    Rng rng;
    rng_seed(&rng, 7);
    SimpleConvNet net;
    /* the book's sizes on MNIST's: 30 filters 5x5, 100 hidden, 10 classes (0.44M parameters) */
    simple_conv_net_init(&net, C, H, W, 30, 5, 100, CLASSES, N, (WeightInit){INIT_HE, 0}, &rng);
    fill_uniform(&rng, net.b1, 30, -0.1, 0.1);
    fill_uniform(&rng, net.b2, 100, -0.1, 0.1);
    fill_uniform(&rng, net.b3, CLASSES, -0.1, 0.1);
    real *x = xmalloc((size_t)N * C * H * W * sizeof(real));
    int t[N] = {3, 0, 7};
    fill_uniform(&rng, x, (size_t)N * C * H * W, 0, 1);
    ParamSet *ps = &net.params;
    size_t P = ps->trainable_size;
    real *grad = xmalloc(P * sizeof(real));
    simple_conv_net_gradient(&net, x, t, N);
    memcpy(grad, ps->grads, P * sizeof(real));
    SimpleCase c = {&net, x, t, N};
    check_directions("SimpleConvNet", simple_loss, &c, ps->values, grad, P,
                     ps->info[0].offset, ps->info[0].size, ps->info[ps->count - 1].offset, 13);
    free(grad);
    free(x);
    simple_conv_net_free(&net);
}

/* ---- DeepConvNet with fixed dropout masks ------------------------------------------------------ */

typedef struct {
    DeepConvNet *net;
    const real *x;
    const int *t;
    int N;
    Rng masks;      /* the same dropout masks on every evaluation */
} DeepCase;

static double deep_loss(void *ctx)
{
    DeepCase *c = ctx;
    c->net->rng = c->masks;
    return deep_conv_net_loss(c->net, c->x, c->t, c->N, 1);
}

static void test_deep_conv_net_dropout(void)
{
    enum { N = 2, C = 1, H = 28, W = 28, CLASSES = 10 };
    Rng rng;
    rng_seed(&rng, 9);
    DeepConvNet net;
    deep_conv_net_init(&net, C, H, W, CLASSES, N, &rng);   /* MNIST's shape: 0.07M parameters */
    ParamSet *ps = &net.params;
    for (int i = 0; i < DEEP_CONVS + 2; i++)
        fill_uniform(&rng, net.b[i], ps->info[2 * i + 1].size, -0.1, 0.1);
    real *x = xmalloc((size_t)N * C * H * W * sizeof(real));
    int t[N] = {4, 9};
    fill_uniform(&rng, x, (size_t)N * C * H * W, 0, 1);
    size_t P = ps->trainable_size;
    DeepCase c = {&net, x, t, N, net.rng};
    real *grad = xmalloc(P * sizeof(real));
    net.rng = c.masks;
    deep_conv_net_gradient(&net, x, t, N);
    memcpy(grad, ps->grads, P * sizeof(real));
    check_directions("DeepConvNet (dropout masks fixed)", deep_loss, &c, ps->values, grad, P,
                     ps->info[0].offset, ps->info[0].size, ps->info[ps->count - 1].offset, 14);
    free(grad);
    free(x);
    deep_conv_net_free(&net);
}

/* 04_cnn bench's look inside the step: with timing on, every stage gets some
 * time in both passes, and the gradient is the same bits as without it. */
static void test_deep_conv_net_timing(void)
{
    enum { N = 2, C = 1, H = 28, W = 28, CLASSES = 10 };
    Rng rng;
    rng_seed(&rng, 9);
    DeepConvNet net;
    deep_conv_net_init(&net, C, H, W, CLASSES, N, &rng);
    real *x = xmalloc((size_t)N * C * H * W * sizeof(real));
    int t[N] = {4, 9};
    fill_uniform(&rng, x, (size_t)N * C * H * W, 0, 1);
    const size_t P = net.params.trainable_size;
    real *grad = xmalloc(P * sizeof(real));
    const Rng masks = net.rng;                          /* the same dropout masks twice */
    deep_conv_net_gradient(&net, x, t, N);
    memcpy(grad, net.params.grads, P * sizeof(real));
    CHECK(!net.timing);
    memset(net.seconds, 0, sizeof net.seconds);
    net.timing = 1;
    net.rng = masks;
    deep_conv_net_gradient(&net, x, t, N);
    CHECK(memcmp(grad, net.params.grads, P * sizeof(real)) == 0);
    for (int k = 0; k < DEEP_STAGES; k++)
        for (int pass = 0; pass < 2; pass++)
            CHECK(net.seconds[k][pass] > 0 && net.seconds[k][pass] < 10);
    /* timing off again: the counts stay as they are */
    double before = net.seconds[1][0];
    net.timing = 0;
    deep_conv_net_gradient(&net, x, t, N);
    CHECK(net.seconds[1][0] == before);
    free(grad);
    free(x);
    deep_conv_net_free(&net);
}

int main(void)
{
    RUN(test_deep_conv_net_timing);     /* in both precisions */
    if (sizeof(real) != sizeof(double)) {
        printf("(the directional checks run in the double-precision build only)\n");
        return test_summary();
    }
    RUN(test_two_layer_net);
    RUN(test_multi_layer_net_batchnorm_dropout);
    RUN(test_simple_conv_net);
    RUN(test_deep_conv_net_dropout);
    return test_summary();
}
