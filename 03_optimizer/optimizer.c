/* Chapter 03 - the tricks of training (the book's chapter 6).
 *
 * How parameters are updated (SGD, Momentum, Nesterov, AdaGrad, RMSprop,
 * Adam), how they start (std 0.01, Xavier, He), and how training is kept from
 * going wrong (batch normalisation, weight decay, dropout, a search for the
 * hyper-parameters). One subcommand per experiment, as the book's scripts:
 *
 *   paths      optimizer_compare_naive.py     paths on f(x, y) = x^2/20 + y^2
 *   compare    optimizer_compare_mnist.py     optimizers on MNIST, loss curves
 *   init       weight_init_activation_histogram.py + weight_init_compare.py
 *   batchnorm  batch_norm_test.py             with and without, 16 weight scales
 *   overfit    overfit_weight_decay.py + overfit_dropout.py
 *   search     hyperparameter_optimization.py random search, validation split
 *   best       everything together on all of MNIST, saved with --save
 *   (none)     the tour: all seven at a size for a few minutes, then a summary
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "dataset.h"
#include "idx.h"
#include "init.h"
#include "matmul.h"
#include "model.h"
#include "multi_layer_net.h"
#include "optimizer.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "rng.h"
#include "threads.h"
#include "timer.h"
#include "trainer.h"
#include "util.h"

static const ProgramInfo info = {
    "03_optimizer",
    "optimizers, weight initialisation, batch norm, regularisation, hyper-parameter search",
    "usage: 03_optimizer [paths | compare | init | batchnorm | overfit | search | best] [options]\n"
    "\n"
    "  paths      each optimizer's path on f(x,y) = x^2/20 + y^2 from (-7, 2)\n"
    "  compare    SGD, Momentum, AdaGrad, Adam on MNIST: 5-layer 100-unit ReLU net,\n"
    "             batch 128, 2000 iterations; loss curves and test accuracies\n"
    "  init       activation histograms under std 1, std 0.01, Xavier, He;\n"
    "             then std 0.01, Xavier and He compared on MNIST\n"
    "  batchnorm  training with and without batch norm at 16 initial weight scales\n"
    "  overfit    a 7-layer net on 300 images: none, weight decay 0.1, dropout 0.2\n"
    "  search     random search for lr and weight decay, on a validation split\n"
    "  best       the chapter's best MLP on all of MNIST (target: 98.3% test accuracy)\n"
    "  (nothing)  the chapter's tour: all seven, at sizes for a few minutes, then a summary\n"
    "\n"
    "  The tour runs the book's sizes except: overfit scores 2000 test images per epoch,\n"
    "  search runs 20 trials, best trains 8 epochs. --full: 10,000, 100 and 20.\n"
    "\n"
    "  --lr, --batch and --epochs apply to best (Adam lr 0.001, batch 100, 8 epochs);\n"
    "  the other experiments use the book's settings.\n"
    "\n"
    "  This chapter's matrices are small (batch 128 x 100 units), so it runs on one\n"
    "  thread unless --threads says otherwise (--threads 0: all cores).",
    USE_ALL,
};

typedef struct {
    CommonOptions c;
    int full;               /* the book's sizes */
    int iters;              /* compare, init: iterations (0: 2000) */
    const char *optimizers; /* compare: which optimizers */
    double target_acc;      /* compare: also time each optimizer to this test accuracy (0: off) */
    int trials;             /* search: trials (0: 20, or 100 with --full) */
    const char *save;       /* best: where the model goes */
    int width, depth;       /* best: hidden layer width and count */
    double dropout;         /* best: dropout ratio (0: off) */
    double decay;           /* best: weight decay lambda */
    int resume;             /* best: go on from the checkpoint in --out */
    int summary;            /* best: print the net's layers and stop */
} Config;

/* ---- small helpers -------------------------------------------------------------- */

/* Mini-batch buffers, allocated once for up to `max` rows. */
typedef struct {
    real *x;
    int *t, *idx;
    int max;
} Batch;

static Batch batch_new(int max, int pixels)
{
    Batch b = {xmalloc((size_t)max * pixels * sizeof(real)), xmalloc((size_t)max * sizeof(int)),
               xmalloc((size_t)max * sizeof(int)), max};
    return b;
}

static void batch_free(Batch *b)
{
    free(b->x);
    free(b->t);
    free(b->idx);
}

/* One step of the book's loops: a random mini-batch (np.random.choice), the
 * gradient by backprop, the optimizer's update. Returns the loss.
 * Experiments 2 to 6 keep these short loops of their own on purpose, as the
 * book's scripts do: they train several nets side by side on the same random
 * batches (four optimizers, three initialisations, 32 batch-norm runs, 20
 * search trials) and compare them step by step; the shared trainer
 * (common/trainer.c) runs one net at a time. Experiment 7 uses the trainer. */
static real train_step(MultiLayerNet *net, Optimizer *opt, const Dataset *d, Batch *b, int n, Rng *rng)
{
    for (int i = 0; i < n; i++)
        b->idx[i] = rng_int(rng, d->count);
    dataset_gather(d, b->idx, n, b->x, b->t);
    real loss = multi_layer_net_gradient(net, b->x, b->t, n);
    optimizer_update(opt, net->params.values, net->params.grads);
    return loss;
}

/* The book's MultiLayerNetExtend for MNIST: `depth` hidden layers of `width`. */
static MultiLayerNetConfig mnist_net(int depth, int width, Activation act, WeightInit init)
{
    MultiLayerNetConfig c = {.input = 784, .output = 10, .hidden_count = depth,
                             .activation = act, .init = init};
    for (int i = 0; i < depth; i++)
        c.hidden[i] = width;
    return c;
}

static void show_plot(const char *png, int w, int h, const char *script)
{
    if (plot_png(png, w, h, script) == 0)
        printf("  plot: %s\n", png);
}

/* Moving average of the last `w` values (the book smooths its loss curves too). */
static void smooth(const double *x, double *y, int n, int w)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        sum += x[i];
        if (i >= w)
            sum -= x[i - w];
        y[i] = sum / (i < w ? i + 1 : w);
    }
}

/* ---- 1. paths on f(x, y) = x^2/20 + y^2 ------------------------------------------------ */

typedef struct {
    double final_f[OPTIMIZER_KINDS];
} PathsResult;

static PathsResult paths(const Config *cfg)
{
    /* The book's learning rates for SGD, Momentum, AdaGrad, Adam; Nesterov and
     * RMSprop get ones that make their paths comparable. */
    const double lr[OPTIMIZER_KINDS] = {0.95, 0.1, 0.1, 1.5, 0.1, 0.3};
    enum { STEPS = 30 };
    real path[OPTIMIZER_KINDS][STEPS + 1][2];
    PathsResult r;
    printf("1. Optimizer paths on f(x, y) = x^2/20 + y^2 from (-7, 2), %d steps each\n", STEPS);
    printf("   the valley is 20 times steeper in y than in x: a step that suits y is tiny for x\n");
    printf("   %-9s %6s %20s %12s\n", "optimizer", "lr", "point after 30 steps", "f there");
    for (int k = 0; k < OPTIMIZER_KINDS; k++) {
        real w[2] = {-7, 2}, g[2];
        Optimizer o = optimizer_create((OptimizerKind)k, lr[k], 2);
        path[k][0][0] = w[0];
        path[k][0][1] = w[1];
        for (int s = 1; s <= STEPS; s++) {
            g[0] = w[0] / 10;       /* df/dx = x / 10 */
            g[1] = 2 * w[1];        /* df/dy = 2 y */
            optimizer_update(&o, w, g);
            path[k][s][0] = w[0];
            path[k][s][1] = w[1];
        }
        optimizer_free(&o);
        r.final_f[k] = w[0] * w[0] / 20.0 + w[1] * w[1];
        printf("   %-9s %6g      (%7.3f, %7.3f) %12.2e\n", optimizer_name((OptimizerKind)k), lr[k],
               w[0], w[1], r.final_f[k]);
    }

    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], script[8192];
    out_path(tsv, cfg->c.out, "paths.tsv");
    char header[512] = "step";
    for (int k = 0; k < OPTIMIZER_KINDS; k++) {
        char col[64];
        snprintf(col, sizeof col, "\t%s_x\t%s_y", optimizer_name((OptimizerKind)k),
                 optimizer_name((OptimizerKind)k));
        strcat(header, col);
    }
    TsvLog *log = tsv_open(tsv, header);
    for (int s = 0; s <= STEPS; s++) {
        double row[1 + 2 * OPTIMIZER_KINDS] = {s};
        for (int k = 0; k < OPTIMIZER_KINDS; k++) {
            row[1 + 2 * k] = path[k][s][0];
            row[2 + 2 * k] = path[k][s][1];
        }
        tsv_row(log, row, 1 + 2 * OPTIMIZER_KINDS);
    }
    tsv_close(log);

    /* Contour lines of f are ellipses: f = c at (sqrt(20c) cos t, sqrt(c) sin t). */
    int n = snprintf(script, sizeof script,
                     "set multiplot layout 2,3 title 'Optimizer paths on f(x,y) = x^2/20 + y^2 from (-7, 2), %d steps'\n"
                     "set parametric\nset trange [0:2*pi]\nset xrange [-10:10]\nset yrange [-5:5]\n"
                     "set size ratio -1\nunset key\nset xlabel 'x'\nset ylabel 'y'\n"
                     "levels = '0.25 1 2.5 5 10 20 40'\n", STEPS);
    for (int k = 0; k < OPTIMIZER_KINDS; k++)
        n += snprintf(script + n, sizeof script - n,
                      "set title '%s (lr %g)'\n"
                      "plot for [c in levels] sqrt(20*c)*cos(t), sqrt(c)*sin(t) lc rgb '#bbbbbb', "
                      "'%s' using %d:%d with linespoints pt 7 ps 0.5 lw 1.5 lc rgb '#d62728', "
                      "'+' using (0):(0) with points pt 3 ps 2 lc rgb '#000000'\n",
                      optimizer_name((OptimizerKind)k), lr[k], tsv, 2 + 2 * k, 3 + 2 * k);
    snprintf(script + n, sizeof script - n, "unset multiplot\n");
    out_path(png, cfg->c.out, "paths.png");
    show_plot(png, 1200, 620, script);
    printf("\n");
    return r;
}

/* ---- 2. optimizers compared on MNIST ------------------------------------------------------- */

typedef struct {
    int count;
    OptimizerKind kind[OPTIMIZER_KINDS];
    double test_acc[OPTIMIZER_KINDS];
    double final_loss[OPTIMIZER_KINDS];
    double seconds[OPTIMIZER_KINDS];
    double total_seconds;
    int iters;
} CompareResult;

static int parse_optimizer_list(const char *list, OptimizerKind *kinds)
{
    int n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n == OPTIMIZER_KINDS)
            die("--optimizers: at most %d names", OPTIMIZER_KINDS);
        if (optimizer_from_name(tok, &kinds[n]) != 0)
            die("--optimizers: unknown optimizer '%s' (sgd, momentum, nesterov, adagrad, rmsprop, adam)", tok);
        n++;
    }
    if (n == 0)
        die("--optimizers: no optimizer named");
    return n;
}

/* Every this many iterations compare checks the test accuracy against --target-acc. */
#define TARGET_CHECK_EVERY 50

/* Train the same net (same initial weights, same mini-batches) once per
 * setting, so that only the setting differs; losses[k][i] per iteration.
 * With a test set, reach[k] gets the training seconds (its test checks not
 * counted) after which setting k first had test accuracy >= cfg->target_acc,
 * or -1 if it never did. */
static void train_curves(const Config *cfg, const Dataset *train, const MultiLayerNetConfig *nets,
                         const OptimizerKind *kinds, int count, int iters, int batch,
                         double **losses, double *seconds, MultiLayerNet *keep_last,
                         const char *const *labels, const Dataset *test, double *reach)
{
    Batch b = batch_new(batch, 784);
    for (int k = 0; k < count; k++) {
        Rng rng;
        rng_seed(&rng, cfg->c.seed);
        MultiLayerNet net;
        multi_layer_net_init(&net, &nets[k], batch > 1000 ? batch : 1000, &rng);
        Optimizer opt = optimizer_create(kinds[k], 0, net.params.trainable_size);
        Progress prog;
        progress_start(&prog, labels[k], iters);
        double t0 = now_seconds(), checking = 0;
        if (test)
            reach[k] = -1;
        for (int i = 0; i < iters; i++) {
            losses[k][i] = train_step(&net, &opt, train, &b, batch, &rng);
            if (test && reach[k] < 0 && (i + 1) % TARGET_CHECK_EVERY == 0) {
                double c0 = now_seconds();      /* the check is not training: its time is left out */
                if (multi_layer_net_accuracy(&net, test) >= cfg->target_acc)
                    reach[k] = c0 - t0 - checking;
                checking += now_seconds() - c0;
            }
            if (i % 50 == 0 || i == iters - 1) {
                double avg = 0;         /* the last 50 losses: one mini-batch is noisy */
                int from = i >= 49 ? i - 49 : 0;
                for (int j = from; j <= i; j++)
                    avg += losses[k][j];
                char status[48];
                snprintf(status, sizeof status, "loss %.4f", avg / (i - from + 1));
                progress_update(&prog, i + 1, status);
            }
        }
        seconds[k] = now_seconds() - t0 - checking;
        progress_finish(&prog);
        optimizer_free(&opt);
        if (keep_last)
            keep_last[k] = net;
        else
            multi_layer_net_free(&net);
    }
    batch_free(&b);
}

/* losses[k] smoothed into one TSV and one plot with a line per setting. */
static void plot_curves(const Config *cfg, const char *name, const char *title, double **losses,
                        const char *const *labels, int count, int iters)
{
    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], header[512] = "iteration", script[8800];
    for (int k = 0; k < count; k++) {
        strcat(header, "\t");
        strcat(header, labels[k]);
    }
    out_path(tsv, cfg->c.out, "%s.tsv", name);
    double *sm = xmalloc((size_t)count * iters * sizeof(double));
    for (int k = 0; k < count; k++)
        smooth(losses[k], sm + (size_t)k * iters, iters, 20);
    TsvLog *log = tsv_open(tsv, header);
    for (int i = 0; i < iters; i++) {
        double row[1 + OPTIMIZER_KINDS] = {i};
        for (int k = 0; k < count; k++)
            row[1 + k] = sm[(size_t)k * iters + i];
        tsv_row(log, row, 1 + count);
    }
    tsv_close(log);
    free(sm);
    out_path(png, cfg->c.out, "%s.png", name);
    snprintf(script, sizeof script,
             "set title '%s'\nset xlabel 'iteration'\nset ylabel 'training loss (moving average of 20)'\n"
             "set grid\nset yrange [0:2.5]\n"
             "set key outside right top\n"    /* inside, the flat lines near 2.3 ran through it */
             "plot for [k=2:%d] '%s' using 1:k with lines lw 2 title columnhead(k)\n",
             title, count + 1, tsv);
    show_plot(png, 800, 500, script);
}

static CompareResult compare(const Config *cfg, const Dataset *train, const Dataset *test)
{
    CompareResult r = {0};
    r.count = parse_optimizer_list(cfg->optimizers, r.kind);
    r.iters = cfg->iters ? cfg->iters : 2000;
    const int batch = 128;
    printf("2. Optimizers on MNIST: 784-100-100-100-100-10 ReLU (He init), batch %d, %d iterations,\n"
           "   the book's learning rates (0.01, Adam 0.001), the same start and mini-batches for all\n",
           batch, r.iters);
    MultiLayerNetConfig nets[OPTIMIZER_KINDS];
    const char *labels[OPTIMIZER_KINDS];
    double *losses[OPTIMIZER_KINDS];
    for (int k = 0; k < r.count; k++) {
        nets[k] = mnist_net(4, 100, ACT_RELU, (WeightInit){INIT_HE, 0});
        labels[k] = optimizer_name(r.kind[k]);
        losses[k] = xmalloc((size_t)r.iters * sizeof(double));
    }
    MultiLayerNet trained[OPTIMIZER_KINDS];
    double reach[OPTIMIZER_KINDS];
    train_curves(cfg, train, nets, r.kind, r.count, r.iters, batch, losses, r.seconds, trained, labels,
                 cfg->target_acc > 0 ? test : NULL, reach);
    printf("   %-9s %10s %14s %10s\n", "optimizer", "loss", "test accuracy", "time");
    for (int k = 0; k < r.count; k++) {
        double avg = 0;
        int from = r.iters > 100 ? r.iters - 100 : 0;
        for (int i = from; i < r.iters; i++)
            avg += losses[k][i];
        r.final_loss[k] = avg / (r.iters - from);
        r.test_acc[k] = multi_layer_net_accuracy(&trained[k], test);
        r.total_seconds += r.seconds[k];
        printf("   %-9s %10.4f %14.4f %9.2fs\n", labels[k], r.final_loss[k], r.test_acc[k], r.seconds[k]);
        multi_layer_net_free(&trained[k]);
    }
    printf("   (loss: mean of the last 100 mini-batches; time: training only, %d thread%s, %s)\n",
           get_threads(), get_threads() == 1 ? "" : "s", matmul_backend());
    printf("   training time for all %d: %.2f s\n", r.count, r.total_seconds);
    for (int k = 0; cfg->target_acc > 0 && k < r.count; k++) {
        if (reach[k] >= 0)
            printf("   %s reached test accuracy %.4f in %.3f s of training\n", labels[k], cfg->target_acc, reach[k]);
        else
            printf("   %s did not reach test accuracy %.4f in %d iterations\n", labels[k], cfg->target_acc, r.iters);
    }
    if (cfg->target_acc > 0)
        printf("   (test accuracy checked every %d iterations, its time left out)\n", TARGET_CHECK_EVERY);
    plot_curves(cfg, "compare", "Optimizers on MNIST (5-layer, 100-unit ReLU net, batch 128)",
                losses, labels, r.count, r.iters);
    for (int k = 0; k < r.count; k++)
        free(losses[k]);
    printf("\n");
    return r;
}

/* ---- 3. weight initialisation ------------------------------------------------------------- */

typedef struct {
    double last_layer_spread[5];    /* std of the 5th layer's activations per setting */
    double loss[3];                 /* final loss of std 0.01, Xavier, He on MNIST */
} InitResult;

static InitResult init_experiment(const Config *cfg, const Dataset *train)
{
    InitResult r = {0};
    /* Part 1: 1000 random inputs through 5 layers of 100 units (no training);
     * the spread of each layer's outputs shows whether a signal survives depth. */
    enum { ROWS = 1000, UNITS = 100, LAYERS = 5, BINS = 30, SETTINGS = 5 };
    const struct {
        Activation act;
        WeightInit init;
        const char *title;
    } set[SETTINGS] = {
        {ACT_SIGMOID, {INIT_FIXED, 1.0}, "sigmoid, std 1"},
        {ACT_SIGMOID, {INIT_FIXED, 0.01}, "sigmoid, std 0.01"},
        {ACT_SIGMOID, {INIT_XAVIER, 0}, "sigmoid, Xavier"},
        {ACT_TANH, {INIT_XAVIER, 0}, "tanh, Xavier"},
        {ACT_RELU, {INIT_HE, 0}, "ReLU, He"},
    };
    printf("3. Weight initialisation: 1000 random inputs through 5 layers of 100 units\n");
    printf("   %-18s %s\n", "", "std of each layer's activations, layer 1 .. 5");
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    real *x = xmalloc((size_t)ROWS * UNITS * sizeof(real));
    rng_fill_normal(&rng, x, (size_t)ROWS * UNITS, 1.0);
    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE];
    static char script[32768];
    int n = snprintf(script, sizeof script,
                     "set multiplot layout 5,5 title 'Activation histograms per layer (1000 random inputs, 5 layers of 100 units)' "
                     "margins 0.06,0.99,0.06,0.93 spacing 0.035,0.05\n"
                     "unset key\nset style fill solid 0.8 noborder\nset boxwidth 0.9 relative\n"
                     "set tics font ',7'\nset format y '%%gk'\nset ytics scale 0.5\n");
    for (int s = 0; s < SETTINGS; s++) {
        MultiLayerNetConfig nc = {.input = UNITS, .output = 10, .hidden_count = LAYERS,
                                  .activation = set[s].act, .init = set[s].init};
        for (int l = 0; l < LAYERS; l++)
            nc.hidden[l] = UNITS;
        MultiLayerNet net;
        multi_layer_net_init(&net, &nc, ROWS, &rng);
        multi_layer_net_predict(&net, x, ROWS, 0);
        /* The book's histograms: 30 bins over (0, 1), (-1, 1) for tanh. ReLU has no
         * upper bound, so its bins reach its largest output in the five layers, rounded
         * up. Its exact zeros (about half the units) are left out, or they would dwarf the rest. */
        double lo = set[s].act == ACT_TANH ? -1 : 0, hi = 1;
        if (set[s].act == ACT_RELU) {
            double top = 0;
            for (int l = 0; l < LAYERS; l++)
                for (size_t i = 0; i < (size_t)ROWS * UNITS; i++)
                    top = fmax(top, net.layer[l].z[i]);
            hi = ceil(top);
        }
        double counts[LAYERS][BINS] = {{0}};
        printf("   %-18s", set[s].title);
        for (int l = 0; l < LAYERS; l++) {
            const real *z = net.layer[l].z;
            double sum = 0, sum2 = 0;
            for (size_t i = 0; i < (size_t)ROWS * UNITS; i++) {
                sum += z[i];
                sum2 += (double)z[i] * z[i];
                if (set[s].act == ACT_RELU && z[i] == 0)
                    continue;
                int bin = (int)((z[i] - lo) / (hi - lo) * BINS);
                if (bin >= 0 && bin < BINS)
                    counts[l][bin]++;
                else if (z[i] == hi)
                    counts[l][BINS - 1]++;
            }
            double mean = sum / (ROWS * UNITS);
            double sd = sqrt(fmax(0, sum2 / (ROWS * UNITS) - mean * mean));
            printf(" %7.4f", sd);
            if (l == LAYERS - 1)
                r.last_layer_spread[s] = sd;
        }
        printf("\n");
        out_path(tsv, cfg->c.out, "init_hist_%d.tsv", s + 1);
        TsvLog *log = tsv_open(tsv, "bin_centre\tlayer1\tlayer2\tlayer3\tlayer4\tlayer5");
        for (int b = 0; b < BINS; b++) {
            double row[1 + LAYERS] = {lo + (b + 0.5) * (hi - lo) / BINS};
            for (int l = 0; l < LAYERS; l++)
                row[1 + l] = counts[l][b];
            tsv_row(log, row, 1 + LAYERS);
        }
        tsv_close(log);
        for (int l = 0; l < LAYERS; l++)
            n += snprintf(script + n, sizeof script - n,
                          "set title '%s: layer %d' font ',9'\nset xrange [%g:%g]\nset yrange [0:*]\n"
                          "%s\n%s\n"
                          "plot '%s' using 1:(column(%d)/1000.0) with boxes lc rgb '%s'\n",
                          set[s].title, l + 1, lo, hi,
                          s == SETTINGS - 1 ? "set xlabel 'activation value' font ',9' offset 0,0.5" : "unset xlabel",
                          l == 0 ? "set ylabel 'outputs in the bin' font ',9' offset 1.5,0" : "unset ylabel",
                          tsv, l + 2,
                          s < 2 ? "#d62728" : "#1f77b4");
        multi_layer_net_free(&net);
    }
    free(x);
    snprintf(script + n, sizeof script - n, "unset multiplot\n");
    out_path(png, cfg->c.out, "init_hist.png");
    show_plot(png, 1400, 1100, script);
    printf("   std 1: sigmoid outputs pile up at 0 and 1, where its gradient vanishes;\n"
           "   std 0.01: all near 0.5, every unit says the same thing; Xavier and He keep a spread\n");

    /* Part 2: the book's weight_init_compare.py on MNIST. */
    const int iters = cfg->iters ? cfg->iters : 2000;
    const int batch = 128;
    printf("   On MNIST: 784-100-100-100-100-10 ReLU, SGD lr 0.01, batch %d, %d iterations\n", batch, iters);
    MultiLayerNetConfig nets[3] = {
        mnist_net(4, 100, ACT_RELU, (WeightInit){INIT_FIXED, 0.01}),
        mnist_net(4, 100, ACT_RELU, (WeightInit){INIT_XAVIER, 0}),
        mnist_net(4, 100, ACT_RELU, (WeightInit){INIT_HE, 0}),
    };
    OptimizerKind kinds[3] = {SGD, SGD, SGD};
    char names[3][32];
    const char *labels[3];      /* "std=0.01", "Xavier", "He" */
    for (int k = 0; k < 3; k++)
        labels[k] = weight_init_name(nets[k].init, names[k], sizeof names[k]);
    double *losses[3], seconds[3];
    for (int k = 0; k < 3; k++)
        losses[k] = xmalloc((size_t)iters * sizeof(double));
    train_curves(cfg, train, nets, kinds, 3, iters, batch, losses, seconds, NULL, labels, NULL, NULL);
    printf("   %-9s %s\n", "init", "loss (mean of the last 100 mini-batches)");
    for (int k = 0; k < 3; k++) {
        double avg = 0;
        int from = iters > 100 ? iters - 100 : 0;
        for (int i = from; i < iters; i++)
            avg += losses[k][i];
        r.loss[k] = avg / (iters - from);
        printf("   %-9s %.4f\n", labels[k], r.loss[k]);
    }
    plot_curves(cfg, "init_mnist", "Weight init on MNIST (5-layer ReLU net, SGD lr 0.01)",
                losses, labels, 3, iters);
    for (int k = 0; k < 3; k++)
        free(losses[k]);
    printf("\n");
    return r;
}

/* ---- 4. batch normalisation ------------------------------------------------------------------ */

typedef struct {
    int wins, scales;           /* scales at which batch norm ends ahead */
    double bn_mean, plain_mean; /* final training accuracy, averaged over the scales */
} BatchNormResult;

/* Train for `epochs` on `train` with random mini-batches and return the
 * accuracy on `eval` before each epoch and at the end (epochs + 1 values). */
static void train_epochs(MultiLayerNet *net, Optimizer *opt, const Dataset *train, int batch,
                         int epochs, Rng *rng, const Dataset *eval, double *acc, const Dataset *eval2,
                         double *acc2, Progress *prog)
{
    Batch b = batch_new(batch, 784);
    int per_epoch = train->count / batch > 1 ? train->count / batch : 1;
    for (int e = 0; e <= epochs; e++) {
        acc[e] = multi_layer_net_accuracy(net, eval);
        if (eval2)
            acc2[e] = multi_layer_net_accuracy(net, eval2);
        if (e == epochs)
            break;
        for (int i = 0; i < per_epoch; i++)
            train_step(net, opt, train, &b, batch, rng);
        if (prog) {
            char status[48];
            snprintf(status, sizeof status, "acc %.3f", acc[e]);
            progress_update(prog, prog->done + 1, status);
        }
    }
    batch_free(&b);
}

static BatchNormResult batchnorm(const Config *cfg, const Dataset *train_full)
{
    enum { SCALES = 16 };
    const int epochs = 20, batch = 100;
    BatchNormResult r = {0};
    r.scales = SCALES;
    Dataset train = dataset_head(train_full, 1000);
    printf("4. Batch normalisation: 784-(100 x 5)-10 ReLU on 1000 images, SGD lr 0.01, batch %d,\n"
           "   %d epochs, weights drawn with std from 1 down to 1e-4 (16 scales)\n", batch, epochs);
    double acc[2][SCALES][21];
    Progress prog;
    progress_start(&prog, "batchnorm", 2L * SCALES * epochs);
    for (int s = 0; s < SCALES; s++) {
        double w = pow(10, -4.0 * s / (SCALES - 1));    /* np.logspace(0, -4, 16) */
        for (int bn = 0; bn < 2; bn++) {
            MultiLayerNetConfig nc = mnist_net(5, 100, ACT_RELU, (WeightInit){INIT_FIXED, w});
            nc.use_batchnorm = bn;
            Rng rng;
            rng_seed(&rng, cfg->c.seed);
            MultiLayerNet net;
            multi_layer_net_init(&net, &nc, 1000, &rng);
            Optimizer opt = optimizer_create(SGD, 0.01, net.params.trainable_size);
            train_epochs(&net, &opt, &train, batch, epochs, &rng, &train, acc[bn][s], NULL, NULL, &prog);
            optimizer_free(&opt);
            multi_layer_net_free(&net);
        }
    }
    progress_finish(&prog);
    printf("   %-10s %12s %12s\n", "weight std", "with BN", "without");
    for (int s = 0; s < SCALES; s++) {
        double w = pow(10, -4.0 * s / (SCALES - 1));
        printf("   %-10.2e %12.3f %12.3f\n", w, acc[1][s][epochs], acc[0][s][epochs]);
        r.wins += acc[1][s][epochs] > acc[0][s][epochs];
        r.bn_mean += acc[1][s][epochs] / SCALES;
        r.plain_mean += acc[0][s][epochs] / SCALES;
    }
    printf("   (training accuracy after %d epochs) batch norm ahead at %d of %d scales\n",
           epochs, r.wins, SCALES);

    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], header[2048] = "epoch";
    static char script[16384];
    for (int s = 0; s < SCALES; s++) {
        char col[64];
        snprintf(col, sizeof col, "\tbn_%d\tplain_%d", s, s);
        strcat(header, col);
    }
    out_path(tsv, cfg->c.out, "batchnorm.tsv");
    TsvLog *log = tsv_open(tsv, header);
    for (int e = 0; e <= epochs; e++) {
        double row[1 + 2 * SCALES] = {e};
        for (int s = 0; s < SCALES; s++) {
            row[1 + 2 * s] = acc[1][s][e];
            row[2 + 2 * s] = acc[0][s][e];
        }
        tsv_row(log, row, 1 + 2 * SCALES);
    }
    tsv_close(log);
    int n = snprintf(script, sizeof script,
                     "set multiplot layout 4,4 title 'Training accuracy with batch norm (blue, solid) and without (grey, dashed), "
                     "by initial weight std' margins 0.06,0.99,0.06,0.92 spacing 0.04,0.07\n"
                     "set yrange [0:1]\nset xrange [0:%d]\nset tics font ',8'\nunset key\n", epochs);
    for (int s = 0; s < SCALES; s++) {
        double w = pow(10, -4.0 * s / (SCALES - 1));
        n += snprintf(script + n, sizeof script - n,
                      "set title 'W std %.2g' font ',10'\n%s\n%s\n"
                      "plot '%s' using 1:%d with lines lw 2 lc rgb '#1f77b4' title 'batch norm', "
                      "'' using 1:%d with lines lw 2 dt 2 lc rgb '#7f7f7f' title 'normal'\n",
                      w, s >= SCALES - 4 ? "set xlabel 'epoch' font ',9' offset 0,0.5" : "unset xlabel",
                      s % 4 == 0 ? "set ylabel 'training accuracy' font ',9' offset 1,0" : "unset ylabel",
                      tsv, 2 + 2 * s, 3 + 2 * s);
    }
    snprintf(script + n, sizeof script - n, "unset multiplot\n");
    out_path(png, cfg->c.out, "batchnorm.png");
    show_plot(png, 1200, 1000, script);
    dataset_free(&train);
    printf("\n");
    return r;
}

/* ---- 5. overfitting and its cures ------------------------------------------------------------ */

typedef struct {
    double train_acc[3], test_acc[3];
} OverfitResult;

static OverfitResult overfit(const Config *cfg, const Dataset *train_full, const Dataset *test_full)
{
    const char *names[3] = {"none", "decay", "dropout"};
    const char *titles[3] = {"no regularisation", "weight decay (lambda 0.1)", "dropout (ratio 0.2)"};
    /* The book: 201 epochs (none, weight decay) and 301 (dropout, which learns
     * slower). The tour scores 2000 test images per epoch, --full all 10,000. */
    const int epochs_full[3] = {201, 201, 301};

    OverfitResult r = {0};
    Dataset train = dataset_head(train_full, 300);
    Dataset test = dataset_head(test_full, cfg->full ? 10000 : 2000);
    const int batch = 100;
    printf("5. Overfitting: 784-(100 x 6)-10 ReLU on only 300 training images, SGD lr 0.01, batch %d,\n"
           "   accuracy on the 300 and on %d test images after each epoch\n", batch, test.count);
    printf("   %-10s %7s %10s %10s %8s\n", "", "epochs", "train acc", "test acc", "gap");
    for (int c = 0; c < 3; c++) {
        int epochs = epochs_full[c];
        MultiLayerNetConfig nc = mnist_net(6, 100, ACT_RELU, (WeightInit){INIT_HE, 0});
        if (c == 1)
            nc.weight_decay = 0.1;
        if (c == 2) {
            nc.use_dropout = 1;
            nc.dropout_ratio = 0.2;
        }
        Rng rng;
        rng_seed(&rng, cfg->c.seed);
        MultiLayerNet net;
        multi_layer_net_init(&net, &nc, 1000, &rng);
        Optimizer opt = optimizer_create(SGD, 0.01, net.params.trainable_size);
        double *tr = xmalloc((size_t)(epochs + 1) * sizeof(double));
        double *te = xmalloc((size_t)(epochs + 1) * sizeof(double));
        Progress prog;
        progress_start(&prog, names[c], epochs);
        train_epochs(&net, &opt, &train, batch, epochs, &rng, &train, tr, &test, te, &prog);
        progress_finish(&prog);
        r.train_acc[c] = tr[epochs];
        r.test_acc[c] = te[epochs];
        printf("   %-10s %7d %10.4f %10.4f %8.4f\n", names[c], epochs, tr[epochs], te[epochs],
               tr[epochs] - te[epochs]);
        char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], script[6144];
        out_path(tsv, cfg->c.out, "overfit_%s.tsv", names[c]);
        TsvLog *log = tsv_open(tsv, "epoch\ttrain_acc\ttest_acc");
        for (int e = 0; e <= epochs; e++)
            tsv_row(log, (double[]){e, tr[e], te[e]}, 3);
        tsv_close(log);
        out_path(png, cfg->c.out, "overfit_%s.png", names[c]);
        snprintf(script, sizeof script,
                 "set title 'Overfitting, 300 training images: %s'\nset xlabel 'epoch'\n"
                 "set ylabel 'accuracy'\nset yrange [0:1]\nset xrange [0:%d]\nset grid\nset key bottom right\n"
                 "plot '%s' using 1:2 with lines lw 2 title 'train', '' using 1:3 with lines lw 2 dt 2 title 'test'\n",
                 titles[c], epochs, tsv);
        show_plot(png, 700, 450, script);
        free(tr);
        free(te);
        optimizer_free(&opt);
        multi_layer_net_free(&net);
    }
    printf("   without regularisation the net fits its 300 images (train %.3f) while the test\n"
           "   accuracy stalls at %.3f; weight decay and dropout narrow the gap (%.3f, %.3f)\n\n",
           r.train_acc[0], r.test_acc[0], r.train_acc[1] - r.test_acc[1], r.train_acc[2] - r.test_acc[2]);
    dataset_free(&train);
    dataset_free(&test);
    return r;
}

/* ---- 6. random hyper-parameter search --------------------------------------------------------- */

typedef struct {
    double lr, decay, val_acc, train_acc;
} Trial;

typedef struct {
    int trials;
    Trial best;
} SearchResult;

static int by_val_acc(const void *a, const void *b)
{
    double x = ((const Trial *)a)->val_acc, y = ((const Trial *)b)->val_acc;
    return (x < y) - (x > y);
}

static SearchResult search(const Config *cfg, const Dataset *train_full)
{
    SearchResult r = {0};
    r.trials = cfg->trials ? cfg->trials : cfg->full ? 100 : 20;
    const int epochs = 50, batch = 100, N = 500, val_n = 100;
    /* The validation set comes out of the training data, shuffled first; the
     * test set is never looked at while choosing hyper-parameters. */
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    int idx[500];
    for (int i = 0; i < N; i++)
        idx[i] = i;
    rng_shuffle(&rng, idx, N);
    Dataset val = dataset_subset(train_full, idx, val_n);
    Dataset train = dataset_subset(train_full, idx + val_n, N - val_n);
    printf("6. Random search: lr = 10^U(-6, -2), weight decay = 10^U(-8, -4), %d trials;\n"
           "   784-(100 x 6)-10 ReLU, SGD, %d epochs on %d images, scored on %d validation images\n",
           r.trials, epochs, train.count, val.count);
    Trial *t = xmalloc((size_t)r.trials * sizeof(Trial));
    double acc[51], tacc[51];
    Progress prog;
    progress_start(&prog, "search", (long)r.trials * epochs);
    for (int k = 0; k < r.trials; k++) {
        t[k].decay = pow(10, rng_uniform(&rng) * 4 - 8);
        t[k].lr = pow(10, rng_uniform(&rng) * 4 - 6);
        MultiLayerNetConfig nc = mnist_net(6, 100, ACT_RELU, (WeightInit){INIT_HE, 0});
        nc.weight_decay = t[k].decay;
        MultiLayerNet net;
        multi_layer_net_init(&net, &nc, 500, &rng);
        Optimizer opt = optimizer_create(SGD, t[k].lr, net.params.trainable_size);
        train_epochs(&net, &opt, &train, batch, epochs, &rng, &val, acc, &train, tacc, &prog);
        t[k].val_acc = acc[epochs];
        t[k].train_acc = tacc[epochs];
        optimizer_free(&opt);
        multi_layer_net_free(&net);
    }
    progress_finish(&prog);
    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], script[10240];
    out_path(tsv, cfg->c.out, "search.tsv");
    TsvLog *log = tsv_open(tsv, "trial\tlr\tweight_decay\tval_acc\ttrain_acc");
    for (int k = 0; k < r.trials; k++)
        tsv_row(log, (double[]){k, t[k].lr, t[k].decay, t[k].val_acc, t[k].train_acc}, 5);
    tsv_close(log);
    qsort(t, (size_t)r.trials, sizeof *t, by_val_acc);
    int show = r.trials < 5 ? r.trials : 5;
    printf("   best %d trials:\n   %4s %10s %13s %9s %9s\n", show, "", "lr", "weight decay", "val acc", "train acc");
    for (int k = 0; k < show; k++)
        printf("   %4d %10.2e %13.2e %9.3f %9.3f\n", k + 1, t[k].lr, t[k].decay, t[k].val_acc, t[k].train_acc);
    r.best = t[0];
    double lo = t[0].lr, hi = t[0].lr;     /* over the trials within 0.1 of the best */
    for (int k = 1; k < r.trials && t[k].val_acc >= t[0].val_acc - 0.1; k++) {
        lo = fmin(lo, t[k].lr);
        hi = fmax(hi, t[k].lr);
    }
    printf("   the best learning rates sit in a band (%.1e to %.1e here); weight decay in this\n"
           "   range matters far less. The next, finer search would sample inside that band.\n", lo, hi);
    /* The best trials, the ones printed above, in their own colour (ties may add one or
     * two). The threshold sits half a step (half an image) below the last one's accuracy,
     * clear of the rounding in the TSV. */
    const double top = t[show - 1].val_acc - 0.5 / val.count;
    snprintf(script, sizeof script,
             "set multiplot layout 1,2 title 'Random search: validation accuracy after %d epochs (%d trials)'\n"
             "set logscale x\nset format x '10^{%%L}'\nset yrange [0:1.05]\nset grid\n"
             "set ylabel 'validation accuracy'\nset key top left box opaque\n"
             "set xlabel 'learning rate'\n"
             "plot '%s' using 2:($4 < %g ? $4 : 1/0) skip 1 with points pt 7 ps 1.2 lc rgb '#7f7f7f' title 'other trials', "
             "'' using 2:($4 >= %g ? $4 : 1/0) skip 1 with points pt 7 ps 1.4 lc rgb '#d95f02' title 'best %d (printed)'\n"
             "unset key\nset xlabel 'weight decay'\n"
             "plot '%s' using 3:($4 < %g ? $4 : 1/0) skip 1 with points pt 7 ps 1.2 lc rgb '#7f7f7f', "
             "'' using 3:($4 >= %g ? $4 : 1/0) skip 1 with points pt 7 ps 1.4 lc rgb '#d95f02'\n"
             "unset multiplot\n", epochs, r.trials, tsv, top, top, show, tsv, top, top);
    out_path(png, cfg->c.out, "search.png");
    show_plot(png, 1000, 450, script);
    free(t);
    dataset_free(&val);
    dataset_free(&train);
    printf("\n");
    return r;
}

/* ---- 7. the best-effort MLP ------------------------------------------------------------------- */

typedef struct {
    double test_acc, train_acc, seconds;
    int epochs;
} BestResult;

/* The best-effort MLP: batch norm, dropout and weight decay as the options say. */
static MultiLayerNetConfig best_net(const Config *cfg)
{
    MultiLayerNetConfig nc = mnist_net(cfg->depth, cfg->width, ACT_RELU, (WeightInit){INIT_HE, 0});
    nc.use_batchnorm = 1;
    nc.use_dropout = cfg->dropout > 0;
    nc.dropout_ratio = cfg->dropout;
    nc.weight_decay = cfg->decay;
    return nc;
}

static real gradient_hook(void *net, const real *x, const int *t, int n)
{
    return multi_layer_net_gradient(net, x, t, n);
}

static double accuracy_hook(void *net, const Dataset *d)
{
    return multi_layer_net_accuracy(net, d);
}

/* Trained by the shared trainer (trainer.h): shuffled epochs, checkpoints,
 * --resume. The experiments above keep loops of their own on purpose: they
 * draw the book's random mini-batches and train many small nets side by side. */
static BestResult best(const Config *cfg, const Dataset *train, const Dataset *test)
{
    BestResult r = {0};
    const int epochs = cfg->c.epochs ? cfg->c.epochs : cfg->full ? 20 : 8;
    const int batch = cfg->c.batch;
    if (batch > train->count)
        die("--batch %d is larger than the training set (%d images)", batch, train->count);
    MultiLayerNetConfig nc = best_net(cfg);
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    MultiLayerNet net;
    multi_layer_net_init(&net, &nc, batch > 1000 ? batch : 1000, &rng);

    TrainerConfig tc = trainer_defaults();
    tc.title = "best MLP";
    tc.tag = "best_mlp";
    tc.out = cfg->c.out;
    tc.optimizer = ADAM;
    tc.lr = cfg->c.lr;
    /* Smaller steps at the end let Adam settle into the minimum it found:
     * the rate is halved for the last third of the epochs. */
    tc.schedule = LR_STEP;
    tc.step_epoch = epochs - epochs / 3 + 1;
    tc.step_factor = 0.5;
    tc.batch = batch;
    tc.epochs = epochs;
    tc.rng = rng;                   /* the same generator goes on to shuffle */
    tc.train_eval_size = 10000;     /* the training accuracy on the first 10,000 images */
    tc.resume = cfg->resume;
    TrainerNet tn = {.net = &net, .params = &net.params,
                     .gradient = gradient_hook, .accuracy = accuracy_hook,
                     .rng = &net.rng};
    printf("7. The best-effort MLP: 784-(%d x %d)-10 ReLU, He init, batch norm, dropout %g,\n"
           "   weight decay %g, Adam lr %g (halved for the last third), batch %d, %d epoch%s on all %d images\n",
           cfg->width, cfg->depth, cfg->dropout, cfg->decay, tc.lr, batch, epochs, epochs == 1 ? "" : "s",
           train->count);
    TrainResult run = trainer_run(&tc, &tn, train, test);
    if (run.status != TRAIN_DONE)
        exit(trainer_exit_status(run.status));
    r.test_acc = run.test_acc;
    r.train_acc = run.train_acc;
    r.seconds = run.train_seconds + run.eval_seconds;
    r.epochs = epochs;
    printf("   final: test accuracy %.4f (train %.4f on its first 10,000) after %d epoch%s in %.1f s%s\n",
           r.test_acc, r.train_acc, epochs, epochs == 1 ? "" : "s", r.seconds, r.test_acc >= 0.983 ? "" : "  (below 0.983: try --full)");
    trainer_plot(&tc, &run);

    char seed[32], width[16], depth[16], ratio[32], decay[32], acc[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->c.seed);
    snprintf(width, sizeof width, "%d", cfg->width);
    snprintf(depth, sizeof depth, "%d", cfg->depth);
    snprintf(ratio, sizeof ratio, "%g", cfg->dropout);
    snprintf(decay, sizeof decay, "%g", cfg->decay);
    snprintf(acc, sizeof acc, "%.4f", r.test_acc);
    const char *meta[] = {"network", "multi_layer_net_extend", "activation", "relu", "hidden_width", width,
                          "hidden_layers", depth, "batchnorm", "1", "dropout_ratio", ratio,
                          "weight_decay", decay, "test_accuracy", acc, "seed", seed,
                          "made_by", "03_optimizer best", NULL};
    char err[MODEL_ERR_SIZE], path[OUT_PATH_SIZE];
    const char *save = cfg->save ? cfg->save : out_path(path, cfg->c.out, "best_mlp.safetensors");
    const int replacing = access(save, F_OK) == 0;
    if (model_save(save, &net.params, meta, err) != 0)
        die("%s", err);
    printf("   model: %s%s\n\n", save, replacing ? " (replaces the one saved before)" : "");
    multi_layer_net_free(&net);
    return r;
}

/* ---- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    Config cfg = {0};
    options_defaults(&cfg.c);
    /* One thread: products of 128 x 784 x 100 are too small to split well, and
     * on a busy machine a second OpenMP thread made experiment 2 17x slower. */
    cfg.c.threads = 1;
    cfg.c.epochs = 0;           /* 0: each experiment's own */
    cfg.iters = -1;             /* -1: not given (each experiment's own) */
    cfg.trials = -1;
    cfg.c.batch = 100;          /* best */
    cfg.c.lr = 0.001;           /* best: Adam's default */
    cfg.c.out = "out/03_optimizer";
    cfg.optimizers = "sgd,momentum,adagrad,adam";
    cfg.width = 256;
    cfg.depth = 2;
    cfg.dropout = 0.2;
    const Option extra[] = {
        {"epochs", OPT_INT, NULL, "N", "best: passes over the training set (default 8, --full 20)"},
        {"batch", OPT_INT, NULL, "N", "best: mini-batch size (default 100)"},
        {"lr", OPT_DOUBLE, NULL, "X", "best: Adam's learning rate (default 0.001)"},
        {"full", OPT_FLAG, &cfg.full, NULL, "the book's sizes (longer)"},
        {"iters", OPT_INT, &cfg.iters, "N", "compare, init: training iterations (default 2000)"},
        {"optimizers", OPT_STRING, &cfg.optimizers, "LIST", "compare: e.g. sgd,momentum,nesterov,adagrad,rmsprop,adam"},
        {"target-acc", OPT_DOUBLE, &cfg.target_acc, "X", "compare: also the training time to this test accuracy (make bench)"},
        {"trials", OPT_INT, &cfg.trials, "N", "search: trials (default 20, --full 100)"},
        {"width", OPT_INT, &cfg.width, "N", "best: hidden units per layer (default 256)"},
        {"depth", OPT_INT, &cfg.depth, "N", "best: hidden layers (default 2)"},
        {"dropout", OPT_DOUBLE, &cfg.dropout, "R", "best: dropout ratio, 0 for none (default 0.2)"},
        {"decay", OPT_DOUBLE, &cfg.decay, "L", "best: weight decay lambda (default 0)"},
        {"save", OPT_STRING, &cfg.save, "FILE", "best: where to save the model (default OUT/best_mlp.safetensors)"},
        {"resume", OPT_FLAG, &cfg.resume, NULL, "best: go on from the checkpoint in --out (after Ctrl-C)"},
        {"summary", OPT_FLAG, &cfg.summary, NULL, "print the best MLP's layers, parameters, memory and FLOPs, and stop"},
        {0},
    };
    const char *pos[1];
    int npos = options_parse(argc, argv, &info, &cfg.c, extra, pos, 1);
    const char *commands[] = {"tour", "paths", "compare", "init", "batchnorm", "overfit", "search", "best", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    /* The experiments read 0 as "not given". */
    if (cfg.iters == -1)
        cfg.iters = 0;
    else if (cfg.iters < 1 || cfg.iters > 10000000)
        die("--iters must be 1 to 10000000, not %d", cfg.iters);
    if (cfg.target_acc < 0 || cfg.target_acc > 1)
        die("--target-acc must be from 0 to 1, not %g", cfg.target_acc);
    if (cfg.trials == -1)
        cfg.trials = 0;
    else if (cfg.trials < 1 || cfg.trials > 100000)
        die("--trials must be 1 to 100000, not %d", cfg.trials);
    if (cfg.width < 1 || cfg.width > 100000)
        die("--width must be 1 to 100000, not %d", cfg.width);
    if (cfg.depth < 1 || cfg.depth > MLN_MAX_HIDDEN)
        die("--depth must be 1 to %d, not %d", MLN_MAX_HIDDEN, cfg.depth);
    if (!(cfg.dropout >= 0 && cfg.dropout < 1))
        die("--dropout must be in [0, 1), not %g", cfg.dropout);
    if (!(cfg.decay >= 0))
        die("--decay must be 0 or more, not %g", cfg.decay);
    OptimizerKind kinds[OPTIMIZER_KINDS];
    parse_optimizer_list(cfg.optimizers, kinds);
    if (cfg.summary) {
        MultiLayerNetConfig nc = best_net(&cfg);
        Rng rng;
        rng_seed(&rng, cfg.c.seed);
        MultiLayerNet net;
        multi_layer_net_init(&net, &nc, cfg.c.batch, &rng);
        Summary s;
        multi_layer_net_summary(&net, &s);
        summary_print(&s, &net.params, cfg.c.batch);
        multi_layer_net_free(&net);
        return 0;
    }
    options_make_out(&cfg.c);

    int tour = strcmp(cmd, "tour") == 0;
#define RUNS(name) (tour || strcmp(cmd, name) == 0)
    double t0 = now_seconds();
    PathsResult pr = {0};
    if (RUNS("paths"))
        pr = paths(&cfg);
    if (strcmp(cmd, "paths") == 0)
        return 0;

    Dataset train_set, test_set;
    mnist_load_or_die(cfg.c.data, 10, &train_set, &test_set);
    if (train_set.images.shape[2] * train_set.images.shape[3] != 784)
        die("%s: this chapter's nets take 28x28 images", cfg.c.data);
    if (train_set.count < 1000)
        die("%s: the experiments need at least 1000 training images, the set has %d",
            cfg.c.data, train_set.count);

    CompareResult cr = {0};
    InitResult ir = {0};
    BatchNormResult br = {0};
    OverfitResult orr = {0};
    SearchResult sr = {0};
    BestResult bsr = {0};
    double times[8] = {0};      /* seconds of experiments 2..7, by their numbers */
#define TIMED(i, expr) do { double s_ = now_seconds(); expr; times[i] = now_seconds() - s_; } while (0)
    if (RUNS("compare"))
        TIMED(2, cr = compare(&cfg, &train_set, &test_set));
    if (RUNS("init"))
        TIMED(3, ir = init_experiment(&cfg, &train_set));
    if (RUNS("batchnorm"))
        TIMED(4, br = batchnorm(&cfg, &train_set));
    if (RUNS("overfit"))
        TIMED(5, orr = overfit(&cfg, &train_set, &test_set));
    if (RUNS("search"))
        TIMED(6, sr = search(&cfg, &train_set));
    if (RUNS("best"))
        TIMED(7, bsr = best(&cfg, &train_set, &test_set));

    if (tour) {
        printf("Summary of chapter 03 (%d thread%s, %s)\n", get_threads(), get_threads() == 1 ? "" : "s",
               matmul_backend());
        printf("  1. paths: f after 30 steps:");
        for (int k = 0; k < OPTIMIZER_KINDS; k++)
            printf(" %s %.1e%s", optimizer_name((OptimizerKind)k), pr.final_f[k],
                   k < OPTIMIZER_KINDS - 1 ? "," : "\n");
        printf("  2. MNIST, %d iterations: test accuracy", cr.iters);
        for (int k = 0; k < cr.count; k++)
            printf(" %s %.4f%s", optimizer_name(cr.kind[k]), cr.test_acc[k], k < cr.count - 1 ? "," : "");
        printf("; training %.1f s for all %d\n", cr.total_seconds, cr.count);
        printf("  3. init: 5th-layer spread std1 %.3f, std0.01 %.4f, Xavier %.3f, tanh %.3f, He %.3f;\n"
               "     MNIST loss std0.01 %.3f, Xavier %.3f, He %.3f\n",
               ir.last_layer_spread[0], ir.last_layer_spread[1], ir.last_layer_spread[2],
               ir.last_layer_spread[3], ir.last_layer_spread[4], ir.loss[0], ir.loss[1], ir.loss[2]);
        printf("  4. batch norm ahead at %d of %d weight scales (mean final train accuracy %.3f vs %.3f)\n",
               br.wins, br.scales, br.bn_mean, br.plain_mean);
        printf("  5. overfitting, train/test accuracy: none %.3f/%.3f, weight decay %.3f/%.3f, dropout %.3f/%.3f\n",
               orr.train_acc[0], orr.test_acc[0], orr.train_acc[1], orr.test_acc[1], orr.train_acc[2],
               orr.test_acc[2]);
        printf("  6. search, %d trials: best lr %.2e, weight decay %.2e, validation accuracy %.3f\n",
               sr.trials, sr.best.lr, sr.best.decay, sr.best.val_acc);
        printf("  7. best MLP: test accuracy %.4f after %d epochs in %.1f s\n", bsr.test_acc, bsr.epochs,
               bsr.seconds);
        printf("  time per experiment (s):");
        for (int i = 2; i <= 7; i++)
            printf(" %d: %.1f", i, times[i]);
        printf("; total %.1f s\n", now_seconds() - t0);
        printf("  outputs in %s/\n", cfg.c.out);
    }
    dataset_free(&train_set);
    dataset_free(&test_set);
    return 0;
}
