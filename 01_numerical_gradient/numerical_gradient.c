/* Chapter 01 - numerical gradient and gradient descent (the book's chapter 4).
 *
 *   check     the two loss functions on the book's example; numerical derivatives
 *             and gradients against their exact forms
 *   descent   gradient descent on f(x0, x1) = x0^2 + x1^2 from (-3, 4), with its path plotted
 *   train     the two-layer net 784-50-10 trained with numerical gradients: honestly slow
 *   (none)    the tour: all three, a few training iterations, and what the full run would cost
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "dataset.h"
#include "functions.h"
#include "gradient.h"
#include "idx.h"
#include "init.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "rng.h"
#include "threads.h"
#include "timer.h"
#include "two_layer_net.h"
#include "util.h"

static const ProgramInfo info = {
    "01_numerical_gradient",
    "numerical differentiation, gradient descent, and a net trained the slow way",
    "usage: 01_numerical_gradient [check | descent | train] [options]\n"
    "\n"
    "  check     the two loss functions, and numerical derivatives against the exact ones\n"
    "  descent   gradient descent on x0^2 + x1^2, with its path as a PNG\n"
    "  train     train 784-50-10 on MNIST with numerical gradients (--iters N, or --full)\n"
    "  (nothing) the chapter's tour: all three, with a few training iterations",
    /* --iters, not --epochs, sets the length; there is no progress bar to quiet. */
    USE_BATCH | USE_LR | USE_SEED | USE_THREADS | USE_DATA,
};

typedef struct {
    CommonOptions c;
    int iters;
    int full;
    int hidden;
} Config;

/* ---- loss functions ------------------------------------------------------------ */

/* The book's example (section 4.2): ten outputs of a softmax, and the answer is 2. */
static void loss_functions(void)
{
    const real y[2][10] = {
        {0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0},  /* most on 2: right */
        {0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0},  /* most on 7: wrong */
    };
    const int t = 2;
    printf("Loss functions: ten outputs y against the answer t = %d (one-hot)\n", t);
    for (int i = 0; i < 2; i++)
        printf("  y puts 0.6 on %d (%s):  mean squared error %.4f   cross-entropy %.4f\n",
               i == 0 ? 2 : 7, i == 0 ? "right" : "wrong", (double)mean_squared_error(y[i], &t, 1, 10),
               (double)cross_entropy_error(y[i], &t, 1, 10));
    printf("  (the book prints 0.0975 and 0.5108, then 0.5975 and 2.3026)\n"
           "  Both grow as y moves away from t. The nets of this course use cross-entropy:\n"
           "  after a softmax its gradient is simply y - t (chapter 02).\n\n");
}

/* ---- functions to differentiate ----------------------------------------------- */

/* f(x) = 0.01 x^2 + 0.1 x, the book's function_1; f'(x) = 0.02 x + 0.1 */
static double function_1(void *ctx)
{
    double x = *(real *)ctx;
    return 0.01 * x * x + 0.1 * x;
}

/* f(x0, x1) = x0^2 + x1^2, the book's function_2; its gradient is (2 x0, 2 x1) */
static double function_2(void *ctx)
{
    const real *x = ctx;
    return (double)x[0] * x[0] + (double)x[1] * x[1];
}

static void check(void)
{
    printf("Numerical derivatives by central difference, h = %g\n", numerical_gradient_step());
    printf("  f(x) = 0.01 x^2 + 0.1 x\n");
    for (int i = 0; i < 2; i++) {
        real x = i == 0 ? 5 : 10;
        real d;
        numerical_gradient(function_1, &x, &x, 1, &d);
        printf("    f'(%2.0f): numerical %.10f   exact %.10f\n", (double)x, (double)d, 0.02 * x + 0.1);
    }
    printf("  f(x0, x1) = x0^2 + x1^2, gradient (2 x0, 2 x1)\n");
    const real points[3][2] = {{3, 4}, {0, 2}, {3, 0}};
    for (int i = 0; i < 3; i++) {
        real x[2] = {points[i][0], points[i][1]}, g[2];
        numerical_gradient(function_2, x, x, 2, g);
        printf("    at (%g, %g): numerical (%.6f, %.6f)   exact (%g, %g)\n", (double)x[0],
               (double)x[1], (double)g[0], (double)g[1], 2.0 * x[0], 2.0 * x[1]);
    }
    printf("  (the float rounding of f(x+h) - f(x-h) is why the digits stop matching after a few)\n\n");
}

/* ---- gradient descent ------------------------------------------------------------ */

static void descent(const Config *cfg)
{
    enum { STEPS = 20 };
    const double rates[3] = {0.1, 10.0, 1e-10};
    const char *why[3] = {"converges to the minimum at (0, 0)",
                          "too large: it jumps out and diverges",
                          "too small: it hardly moves"};
    real path[(STEPS + 1) * 2];
    printf("Gradient descent on f(x0, x1) = x0^2 + x1^2 from (-3, 4), %d steps\n", STEPS);
    for (int k = 0; k < 3; k++) {
        real x[2] = {-3, 4};
        gradient_descent(function_2, x, x, 2, rates[k], STEPS, k == 0 ? path : NULL);
        if (isfinite((double)x[0]) && isfinite((double)x[1]))
            printf("  lr %-6g -> (%.4g, %.4g)   %s\n", rates[k], (double)x[0], (double)x[1], why[k]);
        else    /* past about 1e4, x + h rounds to x in float and the difference quotient is 0/0 */
            printf("  lr %-6g -> overflow: x grew until x + h could not be told from x   %s\n",
                   rates[k], why[k]);
    }

    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], script[8192];
    out_path(tsv, cfg->c.out, "descent_path.tsv");
    TsvLog *log = tsv_open(tsv, "step\tx0\tx1");
    for (int s = 0; s <= STEPS; s++) {
        double row[3] = {s, path[2 * s], path[2 * s + 1]};
        tsv_row(log, row, 3);
    }
    tsv_close(log);
    out_path(png, cfg->c.out, "descent_path.png");
    snprintf(script, sizeof script,
             "set title 'Gradient descent on x0^2 + x1^2 (lr 0.1, 20 steps)'\n"
             "set size square\nset xrange [-4.5:4.5]\nset yrange [-4.5:4.5]\n"
             "set xlabel 'x0'\nset ylabel 'x1'\nset grid\n"
             "plot for [r=1:5] [t=0:2*pi] '+' using (r*cos(t)):(r*sin(t)) with lines lc rgb '#cccccc' notitle, "
             "'%s' using 2:3 skip 1 with linespoints pt 7 ps 0.8 lc rgb '#1f4e9c' title 'x after each step'\n",
             tsv);
    if (plot_png(png, 600, 600, script) == 0)
        printf("  plot: %s\n", png);
    printf("\n");
}

/* ---- training with numerical gradients --------------------------------------------- */

typedef struct {
    double seconds_per_gradient;
    double first_loss, last_loss;
    int iters;
} TrainResult;

/* The book's train_neuralnet.py with its loop written out here on purpose, not
 * through the shared trainer (common/trainer.c) that chapters 02 to 04 use: a
 * random mini-batch, the numerical gradient, W -= lr * dW. Each gradient takes
 * seconds, so the lesson is this loop and its cost, not a long run. */
static TrainResult train(const Config *cfg, const Dataset *train_set, const Dataset *test_set)
{
    const int batch = cfg->c.batch;
    const int iters = cfg->full ? 10000 : cfg->iters;
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    TwoLayerNet net;
    two_layer_net_init(&net, 784, cfg->hidden, 10, batch > 1000 ? batch : 1000, ACT_SIGMOID,
                       (WeightInit){INIT_FIXED, 0.01}, &rng);
    ParamSet *ps = &net.params;
    printf("Training %d-%d-10 (sigmoid) with numerical gradients: SGD lr %g, batch %d, %d iteration%s,\n"
           "%zu parameters, so %zu forward passes per gradient, %d thread%s\n",
           784, cfg->hidden, cfg->c.lr, batch, iters, iters == 1 ? "" : "s", ps->trainable_size,
           2 * ps->trainable_size, get_threads(), get_threads() == 1 ? "" : "s");

    real *x = xmalloc((size_t)batch * 784 * sizeof(real));
    int *t = xmalloc((size_t)batch * sizeof(int));
    int *idx = xmalloc((size_t)batch * sizeof(int));
    char tsv[OUT_PATH_SIZE];
    out_path(tsv, cfg->c.out, "numerical_train.tsv");
    TsvLog *log = tsv_open(tsv, "iteration\tloss_before\tloss_after\tseconds");

    TrainResult r = {0};
    double total = 0;
    for (int i = 0; i < iters; i++) {
        for (int b = 0; b < batch; b++)
            idx[b] = rng_int(&rng, train_set->count);
        dataset_gather(train_set, idx, batch, x, t);
        double before = two_layer_net_loss(&net, x, t, batch);
        double t0 = now_seconds();
        two_layer_net_numerical_gradient(&net, x, t, batch);
        double dt = now_seconds() - t0;
        total += dt;
        for (size_t k = 0; k < ps->trainable_size; k++)     /* SGD: W -= lr * dW */
            ps->values[k] -= (real)cfg->c.lr * ps->grads[k];
        /* The same batch after the step: the loss a gradient step must lower. */
        double after = two_layer_net_loss(&net, x, t, batch);
        double row[4] = {i + 1, before, after, dt};
        tsv_row(log, row, 4);
        if (i == 0)
            r.first_loss = before;
        r.last_loss = after;
        printf("  iteration %d: batch loss %.6f -> %.6f   gradient took %.2f s\n", i + 1, before,
               after, dt);
        fflush(stdout);
        if (iters > 10 && (i + 1) % 600 == 0)
            printf("  test accuracy after %d iterations: %.4f\n", i + 1,
                   two_layer_net_accuracy(&net, test_set));
    }
    tsv_close(log);
    r.iters = iters;
    r.seconds_per_gradient = iters ? total / iters : 0;
    if (iters) {
        double book = 10000 * r.seconds_per_gradient;
        printf("One numerical gradient takes %.2f s here. The book's 10,000 iterations would take\n"
               "%.0f s = %.1f hours (chapter 02's backprop does them in a few seconds).\n\n",
               r.seconds_per_gradient, book, book / 3600);
    }
    free(x);
    free(t);
    free(idx);
    two_layer_net_free(&net);
    return r;
}

int main(int argc, char **argv)
{
    Config cfg = {0};
    options_defaults(&cfg.c);
    cfg.c.out = "out/01_numerical_gradient";
    cfg.c.lr = 0.1;
    cfg.iters = 3;
    cfg.hidden = 50;
    int summary = 0;
    const Option extra[] = {
        {"summary", OPT_FLAG, &summary, NULL, "print the net's layers, parameters, memory and FLOPs, and stop"},
        {"iters", OPT_INT, &cfg.iters, "N", "training iterations with numerical gradients (default 3)"},
        {"full", OPT_FLAG, &cfg.full, NULL, "the book's full 10,000 iterations (the tour prints what they would take here)"},
        {"hidden", OPT_INT, &cfg.hidden, "N", "hidden units (default 50)"},
        {0},
    };
    const char *pos[1];
    int npos = options_parse(argc, argv, &info, &cfg.c, extra, pos, 1);
    const char *commands[] = {"tour", "check", "descent", "train", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    if (cfg.iters < 1)
        die("--iters must be at least 1, not %d", cfg.iters);
    if (cfg.hidden < 1 || cfg.hidden > 100000)
        die("--hidden must be 1 to 100000, not %d", cfg.hidden);
    if (summary) {
        Rng rng;
        rng_seed(&rng, cfg.c.seed);
        TwoLayerNet net;
        two_layer_net_init(&net, 784, cfg.hidden, 10, cfg.c.batch, ACT_SIGMOID, (WeightInit){INIT_FIXED, 0.01}, &rng);
        Summary s;
        two_layer_net_summary(&net, &s);
        summary_print(&s, &net.params, cfg.c.batch);
        two_layer_net_free(&net);
        return 0;
    }
    options_make_out(&cfg.c);
    int tour = strcmp(cmd, "tour") == 0;
    if (tour || strcmp(cmd, "check") == 0) {
        loss_functions();
        check();
    }
    if (tour || strcmp(cmd, "descent") == 0)
        descent(&cfg);
    if (tour || strcmp(cmd, "train") == 0) {
        Dataset train_set, test_set;
        mnist_load_or_die(cfg.c.data, 10, &train_set, &test_set);
        if (train_set.images.shape[2] * train_set.images.shape[3] != 784)
            die("%s: this chapter's net takes 28x28 images", cfg.c.data);
        TrainResult r = train(&cfg, &train_set, &test_set);
        if (tour) {
            printf("Summary of chapter 01\n");
            printf("  gradient descent on x0^2 + x1^2: (-3, 4) -> (0, 0) with lr 0.1\n");
            printf("  numerical-gradient training: batch loss %.4f -> %.4f in %d iterations\n",
                   r.first_loss, r.last_loss, r.iters);
            printf("  one full numerical gradient: %.2f s; 10,000 iterations: %.1f hours\n",
                   r.seconds_per_gradient, 10000 * r.seconds_per_gradient / 3600);
            printf("  outputs in %s/\n", cfg.c.out);
        }
        dataset_free(&train_set);
        dataset_free(&test_set);
    }
    return 0;
}
