/* Chapter 06's GANs: the whole generator-through-discriminator gradient (a
 * directional check in the double build), a discriminator step that lowers
 * its loss with G fixed, a generator step that raises D(G(z)) with D fixed,
 * the moving average of G's weights, and the scores on a trained SimpleConvNet: real test digits above 9,
 * constant images about 1. */
#include "../06_gan/gan_nets.c"

#include "gradcheck.h"
#include "optimizer.h"
#include "scores.h"
#include "simple_conv_net.h"
#include "test.h"
#include "test_files.h"

static Dataset train_set, test_set;

/* ---- gradients through both nets ------------------------------------------------------ */

typedef struct {
    Gan *g;
    Rng noise;              /* the same z at every evaluation */
    int *t, N, d_step;
    real *x;
} StepCase;

static double step_loss(void *ctx)
{
    StepCase *c = ctx;
    c->g->rng = c->noise;
    return c->d_step ? gan_d_step(c->g, c->x, c->t, c->N) : gan_g_step(c->g, c->t, c->N);
}

/* Central differences are wrong where a ReLU unit sits within h of 0 and the
 * probe crosses its kink; the seeds (weights and noise) are ones where none
 * does, so that what is left is the gradient's own error. */
static void check_step_gradient(GanKind kind, int classes, int d_step, uint64_t seed)
{
    const int N = kind == GAN_DCGAN ? 2 : 4;
    if (sizeof(real) != sizeof(double)) {
        printf("  (the directional check needs the double build: float's rounding swamps it)\n");
        return;
    }
    Gan g;
    gan_init(&g, kind, classes, 1, 28, 28, N, seed);
    StepCase c = {&g, g.rng, NULL, N, d_step, NULL};
    int t[4] = {3, 1, 4, 1};
    c.t = t;
    c.x = xmalloc((size_t)N * 784 * sizeof(real));
    dataset_gather(&train_set, (int[]){0, 1, 2, 3}, N, c.x, NULL);
    ParamSet *ps = d_step ? &g.D.params : &g.G.params;
    step_loss(&c);
    real *grad = xmalloc(ps->trainable_size * sizeof(real));
    memcpy(grad, ps->grads, ps->trainable_size * sizeof(real));
    Rng dir;
    rng_seed(&dir, 17);
    double worst = 0;
    /* directions: each costs two passes through both nets (one for the DCGAN,
     * whose passes are the slow ones under the sanitizers) */
    for (int k = 0; k < (kind == GAN_DCGAN ? 1 : 2); k++) {
        double e = directional_gradient_check(step_loss, &c, ps->values, grad, ps->trainable_size, &dir, NULL, NULL);
        worst = e > worst ? e : worst;
    }
    double tol = gradcheck_tolerance();
    if (worst > tol)
        printf("  %s%s %s step: relative error %.3g\n", classes ? "conditional " : "", gan_kind_name(kind),
               d_step ? "D" : "G", worst);
    CHECK(worst <= tol);
    free(grad), free(c.x);
    gan_free(&g);
}

static void test_mlp_generator_through_discriminator_gradient(void) { check_step_gradient(GAN_MLP, 0, 0, 5); }
static void test_mlp_discriminator_gradient(void) { check_step_gradient(GAN_MLP, 0, 1, 5); }
static void test_dcgan_generator_through_discriminator_gradient(void) { check_step_gradient(GAN_DCGAN, 0, 0, 6); }
static void test_dcgan_discriminator_gradient(void) { check_step_gradient(GAN_DCGAN, 0, 1, 5); }
static void test_conditional_dcgan_generator_gradient(void) { check_step_gradient(GAN_DCGAN, 10, 0, 5); }
static void test_conditional_mlp_discriminator_gradient(void) { check_step_gradient(GAN_MLP, 10, 1, 5); }

/* ---- R1: a gradient of a gradient, by central differences ----------------------------- */

typedef struct {
    Gan *g;
    int N;
} R1Case;

/* The penalty itself, gamma/2 |dL/dx|^2 / N, by one backward pass. */
static double r1_value(void *ctx)
{
    R1Case *c = ctx;
    return c->g->r1_gamma / 2 * r1_slope(c->g, c->N) / c->N;
}

/* r1_gradient's difference of two gradients against numerical derivatives of
 * the penalty; the lazy form's k times the weight; D's batch norm statistics
 * untouched. The check moves the pixels by 1e-6 in its difference (relative
 * error 3e-10 here): training's 0.01 also steps over LeakyReLU kinks, whose
 * jumps the exact derivative leaves out (29% apart on this small net). */
static void test_r1_gradient(void)
{
    if (sizeof(real) != sizeof(double)) {
        printf("  (the directional check needs the double build: float's rounding swamps it)\n");
        return;
    }
    const int N = 2;
    Gan g;
    gan_init(&g, GAN_DCGAN, 0, 1, 28, 28, N, 5);
    gan_set_r1(&g, 1.5, 1);
    g.r1_step = 1e-6;
    real *x = xmalloc((size_t)N * 784 * sizeof(real));
    dataset_gather(&train_set, (int[]){0, 1}, N, x, NULL);
    gan_images_to_tanh(g.d_in, x, (size_t)N * 784);
    ParamSet *ps = &g.D.params;
    const size_t P = ps->trainable_size, S = ps->size - P;
    real *state = xmalloc(S * sizeof(real)), *grad = xmalloc(P * sizeof(real));
    memcpy(state, ps->values + P, S * sizeof(real));
    params_zero_grads(ps);
    R1Case c = {&g, N};
    double R = r1_gradient(&g, N);
    memcpy(grad, ps->grads, P * sizeof(real));
    CHECK(memcmp(state, ps->values + P, S * sizeof(real)) == 0);    /* running statistics as they were */
    CHECK(fabs(R - r1_value(&c)) <= 1e-12 * R);
    Rng dir;
    rng_seed(&dir, 17);
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        double e = directional_gradient_check(r1_value, &c, ps->values, grad, P, &dir, NULL, NULL);
        worst = e > worst ? e : worst;
    }
    if (worst > 1e-6)
        printf("  R1 gradient: relative error %.3g\n", worst);
    CHECK(worst <= 1e-6);
    /* on one step in 3, three times the weight */
    gan_set_r1(&g, 1.5, 3);
    g.r1_step = 1e-6;
    params_zero_grads(ps);
    r1_gradient(&g, N);
    double diff = 0, norm = 0;
    for (size_t i = 0; i < P; i++) {
        diff += fabs(ps->grads[i] - 3 * grad[i]);
        norm += fabs(3 * grad[i]);
    }
    if (diff > 1e-12 * norm)
        printf("  lazy R1: %.3g of %.3g\n", diff, norm);
    CHECK(diff <= 1e-12 * norm);
    free(x), free(state), free(grad);
    gan_free(&g);
}

/* ---- each net's step does what it is for ----------------------------------------------- */

static void test_discriminator_step_lowers_its_loss(void)
{
    enum { N = 32 };
    Gan g;
    gan_init(&g, GAN_MLP, 0, 1, 28, 28, N, 7);
    real *x = xmalloc((size_t)N * 784 * sizeof(real));
    int idx[N], t[N];
    for (int i = 0; i < N; i++)
        idx[i] = i;
    dataset_gather(&train_set, idx, N, x, t);
    Rng noise = g.rng;
    real before = gan_d_step(&g, x, t, N);
    Optimizer opt = optimizer_create(ADAM, 0.0002, g.D.params.trainable_size);
    opt.beta1 = 0.5;
    for (int k = 0; k < 5; k++) {       /* G fixed: the same fakes every time */
        g.rng = noise;
        gan_d_step(&g, x, t, N);
        optimizer_update(&opt, g.D.params.values, g.D.params.grads);
    }
    g.rng = noise;
    real after = gan_d_step(&g, x, t, N);
    printf("  D loss %.4f -> %.4f after 5 steps\n", (double)before, (double)after);
    CHECK(after < before - 0.05);
    optimizer_free(&opt);
    free(x);
    gan_free(&g);
}

static void test_generator_step_raises_d_of_g(void)
{
    enum { N = 32 };
    Gan g;
    gan_init(&g, GAN_MLP, 0, 1, 28, 28, N, 8);
    real *z = xmalloc((size_t)N * g.z_dim * sizeof(real));
    Rng r;
    rng_seed(&r, 9);
    rng_fill_normal(&r, z, (size_t)N * g.z_dim, 1);
    double before = gan_mean_d_fake(&g, z, NULL, N);
    Optimizer opt = optimizer_create(ADAM, 0.0002, g.G.params.trainable_size);
    opt.beta1 = 0.5;
    for (int k = 0; k < 5; k++) {       /* D fixed: only G is updated */
        gan_g_step(&g, NULL, N);
        optimizer_update(&opt, g.G.params.values, g.G.params.grads);
    }
    double after = gan_mean_d_fake(&g, z, NULL, N);
    printf("  mean D(G(z)) %.4f -> %.4f after 5 steps\n", before, after);
    CHECK(after > before + 0.01);
    optimizer_free(&opt);
    free(z);
    gan_free(&g);
}

/* ---- the averaged generator ----------------------------------------------------------------- */

/* avg = d avg + (1 - d) x: d 0 copies x, d 1 keeps avg, in between the formula. */
static void test_moving_average_update(void)
{
    real avg[3] = {1, -2, 0.5}, x[3] = {3, 4, -0.25};
    ema_update(avg, x, 3, 1);
    CHECK(avg[0] == 1 && avg[1] == -2 && avg[2] == (real)0.5);
    ema_update(avg, x, 3, 0.75);
    CHECK_NEAR(avg[0], 0.75 * 1 + 0.25 * 3, 1e-6);
    CHECK_NEAR(avg[1], 0.75 * -2 + 0.25 * 4, 1e-6);
    CHECK_NEAR(avg[2], 0.75 * 0.5 + 0.25 * -0.25, 1e-6);
    ema_update(avg, x, 3, 0);
    CHECK(avg[0] == x[0] && avg[1] == x[1] && avg[2] == x[2]);
}

/* The warm-up: (1 + t) / (10 + t) until that passes the decay. */
static void test_moving_average_warm_up(void)
{
    CHECK_NEAR(ema_decay_at(0.999, 0), 0.1, 1e-12);
    CHECK_NEAR(ema_decay_at(0.999, 90), 91.0 / 100, 1e-12);
    CHECK_NEAR(ema_decay_at(0.999, 8990), 0.999, 1e-12);
    CHECK(ema_decay_at(0.999, 100000) == 0.999);
    CHECK(ema_decay_at(0.5, 100) == 0.5);
}

/* The averaged G starts as G, follows G's weights by the formula after each
 * step (the running statistics too), and is what gan_generate draws with;
 * batch norm statistics measured anew do not depend on the old ones. */
static void test_averaged_generator_follows_g(void)
{
    enum { N = 4 };
    Gan g;
    gan_init(&g, GAN_DCGAN, 0, 1, 28, 28, N, 3);
    gan_average_start(&g, 0.999);
    const size_t n = g.G.params.size;
    CHECK(g.G_avg.size == n && g.G_avg.trainable_size == g.G.params.trainable_size);
    CHECK(memcmp(g.G_avg.values, g.G.params.values, n * sizeof(real)) == 0);
    real *before = xmalloc(n * sizeof(real));
    memcpy(before, g.G_avg.values, n * sizeof(real));
    for (size_t i = 0; i < n; i++)      /* as if G had taken a step */
        g.G.params.values[i] += (real)0.01 * (real)(i % 7);
    gan_average_update(&g, 5);          /* d = 6/15 */
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double want = 0.4 * before[i] + 0.6 * g.G.params.values[i];
        worst = fmax(worst, fabs(g.G_avg.values[i] - want));
    }
    CHECK(worst < 1e-6);
    /* gan_generate uses the average, gan_generate_with the weights it is given */
    real z[N * 100], a[N * 784], b[N * 784], c[N * 784];
    Rng r;
    rng_seed(&r, 4);
    rng_fill_normal(&r, z, sizeof z / sizeof z[0], 1);
    gan_generate(&g, a, z, NULL, N);
    gan_generate_with(&g, &g.G_avg, b, z, NULL, N);
    gan_generate_with(&g, &g.G.params, c, z, NULL, N);
    CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(a, c, sizeof a) != 0);
    /* measured statistics: the same whatever was there before, G's own untouched */
    int mean = g.G.layer[1].mean;
    real *stats = params_value(&g.G_avg, mean);
    const size_t state = n - g.G.params.trainable_size;
    gan_average_measure_bn(&g, 3, 11);
    real *first = xmalloc(state * sizeof(real));
    memcpy(first, stats, state * sizeof(real));
    for (size_t i = 0; i < state; i++)
        stats[i] = 42;
    memcpy(before, g.G.params.values, n * sizeof(real));
    gan_average_measure_bn(&g, 3, 11);
    CHECK(memcmp(first, stats, state * sizeof(real)) == 0);
    CHECK(memcmp(before, g.G.params.values, n * sizeof(real)) == 0);
    CHECK(g.G.bn_momentum == BATCH_NORM_MOMENTUM);
    free(first), free(before);
    gan_free(&g);
}

/* ---- the scores on a trained scorer ------------------------------------------------------- */

static SimpleConvNet scorer;

static void softmax_rows(real *p, const real *a, int N, int K)
{
    for (int n = 0; n < N; n++) {
        double mx = a[n * K], sum = 0;
        for (int k = 1; k < K; k++)
            mx = a[n * K + k] > mx ? a[n * K + k] : mx;
        for (int k = 0; k < K; k++)
            sum += p[n * K + k] = (real)exp(a[n * K + k] - mx);
        for (int k = 0; k < K; k++)
            p[n * K + k] = (real)(p[n * K + k] / sum);
    }
}

static double score_of(const real *images, int N)
{
    real *p = xmalloc((size_t)N * 10 * sizeof(real));
    for (int n = 0; n < N; n += 100) {
        int b = N - n < 100 ? N - n : 100;
        softmax_rows(p + (size_t)n * 10, simple_conv_net_predict(&scorer, images + (size_t)n * 784, b), b, 10);
    }
    double is = inception_score(p, N, 10);
    free(p);
    return is;
}

static void test_scores_on_a_trained_scorer(void)
{
    /* SimpleConvNet as chapter 04 trains it, for half an epoch (the chapter's
     * scorer trains two: test digits IS 9.27 there). The sanitised double
     * build is too slow to train it: there the net is untrained, and only
     * constant images (IS 1 whatever the net) and real ones (more) are compared. */
    const int dbl = sizeof(real) == sizeof(double), iters = dbl ? 0 : 200, N = dbl ? 500 : 2000;
    Rng rng;
    rng_seed(&rng, 21);
    simple_conv_net_init(&scorer, 1, 28, 28, 30, 5, 100, 10, 100, (WeightInit){INIT_HE, 0}, &rng);
    Optimizer opt = optimizer_create(ADAM, 0.002, scorer.params.trainable_size);
    real *x = xmalloc(100 * 784 * sizeof(real));
    int t[100], idx[100];
    for (int i = 0; i < iters; i++) {
        for (int b = 0; b < 100; b++)
            idx[b] = rng_int(&rng, train_set.count);
        dataset_gather(&train_set, idx, 100, x, t);
        simple_conv_net_gradient(&scorer, x, t, 100);
        optimizer_update(&opt, scorer.params.values, scorer.params.grads);
    }
    double is_real = score_of(test_set.images.data, N);
    for (int i = 0; i < 100 * 784; i++)
        x[i] = (real)0.5;
    double is_constant = score_of(x, 100);
    printf("  IS of %d test digits %.3f, of constant images %.6f\n", N, is_real, is_constant);
    CHECK(dbl ? is_real > is_constant + 0.01 : is_real > 8);
    CHECK_NEAR(is_constant, 1, 1e-6);
    optimizer_free(&opt);
    free(x);
    simple_conv_net_free(&scorer);
}

int main(void)
{
    RUN(test_moving_average_update);
    RUN(test_moving_average_warm_up);
    RUN(test_averaged_generator_follows_g);
    if (test_load_mnist(&train_set, &test_set) != 0)
        return 1;
    RUN(test_mlp_generator_through_discriminator_gradient);
    RUN(test_mlp_discriminator_gradient);
    RUN(test_dcgan_generator_through_discriminator_gradient);
    RUN(test_dcgan_discriminator_gradient);
    RUN(test_conditional_dcgan_generator_gradient);
    RUN(test_conditional_mlp_discriminator_gradient);
    RUN(test_r1_gradient);
    RUN(test_discriminator_step_lowers_its_loss);
    RUN(test_generator_step_raises_d_of_g);
    RUN(test_scores_on_a_trained_scorer);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return test_summary();
}
