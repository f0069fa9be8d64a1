/* The six optimizers: their first updates against arithmetic done by hand,
 * and convergence on a quadratic. */
#include <math.h>
#include <string.h>

#include "optimizer.h"
#include "test.h"

/* The hand-worked numbers carry 7 digits; float's own rounding (0.999 is not
 * exact in float) costs a few more in the last place. */
#define TOL (sizeof(real) == sizeof(double) ? 1e-6 : 1e-5)

/* f(w) = w0^2 + w1^2, so dL/dw = 2w. The start (1, -1) is symmetric: every
 * rule must move w1 as the mirror image of w0 (a sign slip shows up here). */
static void grad_of_bowl(const real *w, real *g)
{
    g[0] = 2 * w[0];
    g[1] = 2 * w[1];
}

/* Run `steps` updates from (1, -1) and return w0 after each in out[]. */
static void first_steps(OptimizerKind kind, double lr, int steps, double *out)
{
    real w[2] = {1, -1}, g[2];
    Optimizer o = optimizer_create(kind, lr, 2);
    for (int s = 0; s < steps; s++) {
        grad_of_bowl(w, g);
        optimizer_update(&o, w, g);
        out[s] = w[0];
        CHECK_NEAR(w[1], -w[0], 1e-12);
    }
    optimizer_free(&o);
}

static void test_sgd_by_hand(void)
{
    /* w <- w - lr g, lr 0.1:
     *   g = 2     w = 1   - 0.1 * 2   = 0.8
     *   g = 1.6   w = 0.8 - 0.1 * 1.6 = 0.64
     *   g = 1.28  w = 0.64 - 0.128    = 0.512 */
    double w[3];
    first_steps(SGD, 0.1, 3, w);
    CHECK_NEAR(w[0], 0.8, TOL);
    CHECK_NEAR(w[1], 0.64, TOL);
    CHECK_NEAR(w[2], 0.512, TOL);
}

static void test_momentum_by_hand(void)
{
    /* v <- 0.9 v - lr g;  w <- w + v, lr 0.1:
     *   g = 2     v = -0.2                    w = 0.8
     *   g = 1.6   v = -0.18 - 0.16 = -0.34    w = 0.46
     *   g = 0.92  v = -0.306 - 0.092 = -0.398 w = 0.062 */
    double w[3];
    first_steps(MOMENTUM, 0.1, 3, w);
    CHECK_NEAR(w[0], 0.8, TOL);
    CHECK_NEAR(w[1], 0.46, TOL);
    CHECK_NEAR(w[2], 0.062, TOL);
}

static void test_nesterov_by_hand(void)
{
    /* v <- 0.9 v - lr g;  w <- w + 0.81 v - 1.9 lr g, lr 0.1:
     *   g = 2      v = -0.2
     *              w = 1 - 0.162 - 0.38 = 0.458
     *   g = 0.916  v = -0.18 - 0.0916 = -0.2716
     *              w = 0.458 - 0.219996 - 0.17404 = 0.063964 */
    double w[2];
    first_steps(NESTEROV, 0.1, 2, w);
    CHECK_NEAR(w[0], 0.458, TOL);
    CHECK_NEAR(w[1], 0.063964, TOL);
}

static void test_adagrad_by_hand(void)
{
    /* h <- h + g^2;  w <- w - lr g / (sqrt(h) + 1e-7), lr 0.1:
     *   g = 2    h = 4                 w = 1 - 0.2 / 2 = 0.9 (+5e-9 from eps)
     *   g = 1.8  h = 4 + 3.24 = 7.24   w = 0.9 - 0.18 / 2.690725 = 0.833104 */
    double w[2];
    first_steps(ADAGRAD, 0.1, 2, w);
    CHECK_NEAR(w[0], 0.9, TOL);
    CHECK_NEAR(w[1], 0.8331035, TOL);
}

static void test_rmsprop_by_hand(void)
{
    /* h <- 0.99 h + 0.01 g^2;  w <- w - lr g / (sqrt(h) + 1e-7), lr 0.01:
     *   g = 2    h = 0.04                     w = 1 - 0.02 / 0.2 = 0.9
     *   g = 1.8  h = 0.0396 + 0.0324 = 0.072  w = 0.9 - 0.018 / 0.268328 = 0.832918 */
    double w[2];
    first_steps(RMSPROP, 0.01, 2, w);
    CHECK_NEAR(w[0], 0.9, TOL);
    CHECK_NEAR(w[1], 0.8329180, TOL);
}

static void test_adam_by_hand(void)
{
    /* lr_t = lr sqrt(1 - 0.999^t) / (1 - 0.9^t);  m += 0.1 (g - m);  v += 0.001 (g^2 - v)
     * w <- w - lr_t m / (sqrt(v) + 1e-7), lr 0.1:
     *   t = 1, g = 2:   lr_t = 0.1 * 0.0316228 / 0.1 = 0.0316228, m = 0.2, v = 0.004
     *                   w = 1 - 0.0316228 * 0.2 / 0.0632456 = 0.9  (Adam's first step is lr * sign g)
     *   t = 2, g = 1.8: lr_t = 0.1 * 0.0447102 / 0.19 = 0.0235317, m = 0.36, v = 0.007236
     *                   w = 0.9 - 0.0235317 * 0.36 / 0.0850647 = 0.800413 */
    double w[2];
    first_steps(ADAM, 0.1, 2, w);
    CHECK_NEAR(w[0], 0.9, TOL);
    CHECK_NEAR(w[1], 0.8004125, TOL);
}

/* On the book's f(x, y) = x^2/20 + y^2 from (-7, 2), each rule at the
 * learning rate the book draws it with must reach the minimum at (0, 0). */
static void test_each_optimizer_converges(void)
{
    const double lr[OPTIMIZER_KINDS] = {0.95, 0.1, 0.1, 1.5, 0.1, 0.3};
    for (int k = 0; k < OPTIMIZER_KINDS; k++) {
        real w[2] = {-7, 2}, g[2];
        Optimizer o = optimizer_create((OptimizerKind)k, lr[k], 2);
        for (int s = 0; s < 1000; s++) {
            g[0] = w[0] / 10;                   /* df/dx = x / 10 */
            g[1] = 2 * w[1];                    /* df/dy = 2y */
            optimizer_update(&o, w, g);
        }
        double f = w[0] * w[0] / 20 + w[1] * w[1];
        if (!(f < 1e-4))
            printf("  %s ends at (%g, %g), f = %g\n", optimizer_name((OptimizerKind)k), w[0], w[1], f);
        CHECK(f < 1e-4);                        /* from f = 6.45 at the start */
        CHECK(o.iter == 1000);
        optimizer_free(&o);
    }
}

static void test_names_and_defaults(void)
{
    for (int k = 0; k < OPTIMIZER_KINDS; k++) {
        OptimizerKind back;
        CHECK(optimizer_from_name(optimizer_name((OptimizerKind)k), &back) == 0 && back == (OptimizerKind)k);
    }
    OptimizerKind kind;
    CHECK(optimizer_from_name("adam", &kind) == 0 && kind == ADAM);
    CHECK(optimizer_from_name("adamw", &kind) == -1);
    Optimizer o = optimizer_create(ADAM, 0, 3);
    CHECK(o.lr == 0.001 && o.beta1 == 0.9 && o.beta2 == 0.999);
    optimizer_free(&o);
    o = optimizer_create(RMSPROP, 0, 3);
    CHECK(o.lr == 0.01 && o.decay_rate == 0.99);
    optimizer_free(&o);
    o = optimizer_create(MOMENTUM, 0.5, 3);
    CHECK(o.lr == 0.5 && o.momentum == 0.9);
    optimizer_free(&o);
}

int main(void)
{
    RUN(test_sgd_by_hand);
    RUN(test_momentum_by_hand);
    RUN(test_nesterov_by_hand);
    RUN(test_adagrad_by_hand);
    RUN(test_rmsprop_by_hand);
    RUN(test_adam_by_hand);
    RUN(test_each_optimizer_converges);
    RUN(test_names_and_defaults);
    return test_summary();
}
