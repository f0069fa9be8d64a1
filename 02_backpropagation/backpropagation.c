/* Chapter 02 - backpropagation (the book's chapter 5).
 *
 * The same two-layer net as chapter 01, but its gradient comes from the chain
 * rule, layer by layer backwards, instead of two forward passes per parameter.
 *
 *   gradcheck   backprop against the numerical gradient, every parameter (gradient_check.py)
 *   train       784-50-10 ReLU net, SGD lr 0.1, batch 100, 10,000 iterations (train_neuralnet.py)
 *   speedup     one gradient both ways, same network and batch, and their ratio
 *   (none)      the tour: all three
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "idx.h"
#include "matmul.h"
#include "model.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "rng.h"
#include "timer.h"
#include "two_layer_net.h"
#include "util.h"

static const ProgramInfo info = {
    "02_backpropagation",
    "the two-layer net trained with backpropagation",
    "usage: 02_backpropagation [gradcheck | train | speedup] [options]\n"
    "\n"
    "  gradcheck   compare backprop with the numerical gradient, parameter by parameter\n"
    "  train       train 784-50-10 on MNIST (SGD, batch 100, 10,000 iterations)\n"
    "  speedup     time one gradient by backprop and numerically, on the same batch\n"
    "  (nothing)   the chapter's tour: all three, then a summary",
    USE_ALL,
};

typedef struct {
    CommonOptions c;
    int iters;          /* 0: from --epochs, else 10,000 */
    int hidden;
    const char *activation;
    const char *init;   /* "he" or a standard deviation such as 0.01 */
    const char *save;
    int train_size;     /* use only the first N training images (0: all) */
} Config;

/* The weights' initial scale: 0 asks two_layer_net_init for He's sqrt(2 / fan_in). */
static double parse_init(const char *s)
{
    if (strcmp(s, "he") == 0)
        return 0;
    char *end;
    double std = strtod(s, &end);
    if (end == s || *end != '\0' || !(std > 0 && std < 100))
        die("--init must be 'he' or a standard deviation such as 0.01, not '%s'", s);
    return std;
}

static Activation parse_activation(const char *s)
{
    if (strcmp(s, "relu") == 0)
        return ACT_RELU;
    if (strcmp(s, "sigmoid") == 0)
        return ACT_SIGMOID;
    die("--activation must be relu or sigmoid, not '%s'", s);
}

/* ---- gradcheck --------------------------------------------------------------- */

/* The book's gradient_check.py: 3 training images, every parameter both ways,
 * the mean absolute difference per tensor. */
static double gradcheck(const Config *cfg, const Dataset *train)
{
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    TwoLayerNet net;
    two_layer_net_init(&net, 784, cfg->hidden, 10, 3, parse_activation(cfg->activation), parse_init(cfg->init), &rng);
    real x[3 * 784];
    int t[3];
    int idx[3] = {0, 1, 2};
    dataset_gather(train, idx, 3, x, t);

    ParamSet *ps = &net.params;
    real *backprop = xmalloc(ps->size * sizeof(real));
    two_layer_net_gradient(&net, x, t, 3);
    memcpy(backprop, ps->grads, ps->size * sizeof(real));
    two_layer_net_numerical_gradient(&net, x, t, 3);

    printf("Gradient check: backprop against the numerical gradient, 3 images, %zu parameters\n",
           ps->trainable_size);
    printf("  %-4s %-10s %-28s %s\n", "", "shape", "mean |backprop - numerical|", "relative error");
    double worst = 0;
    for (int k = 0; k < ps->count; k++) {
        const ParamInfo *p = &ps->info[k];
        const real *a = backprop + p->offset, *b = ps->grads + p->offset;
        double sum = 0, diff2 = 0, a2 = 0, b2 = 0;
        for (size_t i = 0; i < p->size; i++) {
            double d = (double)a[i] - (double)b[i];
            sum += fabs(d);
            diff2 += d * d;
            a2 += (double)a[i] * a[i];
            b2 += (double)b[i] * b[i];
        }
        double mean = sum / p->size;
        /* |a - b| / (|a| + |b|) over the whole tensor: scale-free, 0 when they agree */
        double rel = a2 + b2 > 0 ? sqrt(diff2) / (sqrt(a2) + sqrt(b2)) : 0;
        char shape[32];
        if (p->ndim == 2)
            snprintf(shape, sizeof shape, "%dx%d", p->shape[0], p->shape[1]);
        else
            snprintf(shape, sizeof shape, "%d", p->shape[0]);
        printf("  %-4s %-10s %-28.3e %.3e\n", p->name, shape, mean, rel);
        if (mean > worst)
            worst = mean;
    }
    printf("  In float, f(x+h) - f(x-h) carries rounding of about 1e-7 * f, so the numerical\n"
           "  gradient is good to about 1e-3 relative here; a wrong backward pass shows up as\n"
           "  a relative error near 1. `make test` repeats this check in double precision,\n"
           "  where the two agree to 1e-10.\n\n");
    free(backprop);
    two_layer_net_free(&net);
    return worst;
}

/* ---- train ------------------------------------------------------------------ */

typedef struct {
    double train_acc, test_acc, seconds;
    int iters, epochs;
} TrainResult;

static void plot_training(const char *out, const char *loss_tsv, const char *acc_tsv)
{
    char png[4200], script[16384];
    snprintf(png, sizeof png, "%s/loss.png", out);
    snprintf(script, sizeof script,
             "set title 'Training loss, two-layer net, backprop + SGD'\n"
             "set xlabel 'iteration'\nset ylabel 'loss (cross-entropy)'\nset grid\n"
             "set key autotitle columnhead\n"
             "plot '%s' using 1:2 with lines lc rgb '#bbbbdd' title 'mini-batch loss', "
             "'' using 1:3 with lines lw 2 lc rgb '#1f4e9c' title 'moving average (100)'\n",
             loss_tsv);
    if (plot_png(png, 800, 500, script) == 0)
        printf("  plot: %s\n", png);
    snprintf(png, sizeof png, "%s/accuracy.png", out);
    snprintf(script, sizeof script,
             "set title 'Accuracy per epoch, two-layer net'\n"
             "set xlabel 'epoch'\nset ylabel 'accuracy'\nset yrange [0.8:1]\nset grid\n"
             "set key bottom right\n"
             "plot '%s' using 1:2 skip 1 with linespoints lw 2 title 'train', "
             "'' using 1:3 skip 1 with linespoints lw 2 dt 2 title 'test'\n",
             acc_tsv);
    if (plot_png(png, 800, 500, script) == 0)
        printf("  plot: %s\n", png);
}

static TrainResult train(const Config *cfg, const Dataset *train_set, const Dataset *test_set)
{
    const int batch = cfg->c.batch;
    const int train_size = train_set->count;
    const int iter_per_epoch = train_size / batch > 1 ? train_size / batch : 1;
    const int iters = cfg->iters ? cfg->iters
                    : cfg->c.epochs ? cfg->c.epochs * iter_per_epoch : 10000;
    /* Evaluation runs in chunks of 1000 rows, so the buffers hold at least that many. */
    const int eval_chunk = 1000;
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    TwoLayerNet net;
    two_layer_net_init(&net, 784, cfg->hidden, 10, batch > eval_chunk ? batch : eval_chunk,
                       parse_activation(cfg->activation), parse_init(cfg->init), &rng);
    ParamSet *ps = &net.params;

    printf("Training %d-%d-%d (%s, init %s) with backprop: SGD lr %g, batch %d, %d iterations "
           "(%.1f epochs of %d images), %d thread%s, %s\n",
           784, cfg->hidden, 10, cfg->activation, cfg->init, cfg->c.lr, batch, iters,
           (double)iters / iter_per_epoch, train_size, get_threads(),
           get_threads() == 1 ? "" : "s", matmul_backend());

    char loss_tsv[4200], acc_tsv[4200];
    snprintf(loss_tsv, sizeof loss_tsv, "%s/loss.tsv", cfg->c.out);
    snprintf(acc_tsv, sizeof acc_tsv, "%s/accuracy.tsv", cfg->c.out);
    TsvLog *loss_log = tsv_open(loss_tsv, "iteration\tloss\tloss_avg100");
    TsvLog *acc_log = tsv_open(acc_tsv, "epoch\ttrain_acc\ttest_acc");

    real *x = xmalloc((size_t)batch * 784 * sizeof(real));
    int *t = xmalloc((size_t)batch * sizeof(int));
    int *idx = xmalloc((size_t)batch * sizeof(int));
    int *order = xmalloc((size_t)train_size * sizeof(int));
    for (int k = 0; k < train_size; k++)
        order[k] = k;
    double *recent = xcalloc(100, sizeof(double));
    double recent_sum = 0;
    int curve_n = 0;
    double *curve_x = xmalloc((size_t)(iters / 100 + 1) * sizeof(double));
    double *curve_y = xmalloc((size_t)(iters / 100 + 1) * sizeof(double));
    TrainResult r = {0};
    r.iters = iters;

    Progress prog;
    progress_start(&prog, "train", iters);
    double start = now_seconds();
    for (int i = 0; i < iters; i++) {
        /* Mini-batches walk through a shuffled order of the training set, so each
         * epoch shows every image once (the book draws each batch at random with
         * replacement, which leaves about a third of the images out of any epoch). */
        for (int b = 0; b < batch; b++) {
            long k = (long)i * batch + b;
            if (k % train_size == 0)
                rng_shuffle(&rng, order, train_size);
            idx[b] = order[k % train_size];
        }
        dataset_gather(train_set, idx, batch, x, t);

        real loss = two_layer_net_gradient(&net, x, t, batch);
        for (size_t k = 0; k < ps->trainable_size; k++)     /* SGD: W -= lr * dW */
            ps->values[k] -= (real)cfg->c.lr * ps->grads[k];

        recent_sum += loss - recent[i % 100];
        recent[i % 100] = loss;
        double row[3] = {i, loss, recent_sum / (i < 100 ? i + 1 : 100)};
        tsv_row(loss_log, row, 3);
        if (i % 100 == 99) {
            curve_x[curve_n] = i + 1;
            curve_y[curve_n++] = row[2];
        }

        if (i % iter_per_epoch == 0) {
            double tr = two_layer_net_accuracy(&net, train_set);
            double te = two_layer_net_accuracy(&net, test_set);
            double arow[3] = {r.epochs, tr, te};
            tsv_row(acc_log, arow, 3);
            progress_finish(&prog);
            printf("  epoch %2d  train acc %.4f  test acc %.4f  loss %.4f\n", r.epochs, tr, te,
                   row[2]);
            r.epochs++;
            r.train_acc = tr;
            r.test_acc = te;
        }
        if (i % 20 == 0 || i == iters - 1) {
            char status[48];
            snprintf(status, sizeof status, "loss %.4f", row[2]);
            progress_update(&prog, i + 1, status);
        }
    }
    progress_finish(&prog);
    r.seconds = now_seconds() - start;
    printf("Training time: %.2f s for %d iterations and %d evaluations of the %d + %d images\n",
           r.seconds, iters, r.epochs, train_set->count, test_set->count);
    /* The final accuracy, after the last update. */
    r.train_acc = two_layer_net_accuracy(&net, train_set);
    r.test_acc = two_layer_net_accuracy(&net, test_set);
    printf("Final: train accuracy %.4f, test accuracy %.4f\n", r.train_acc, r.test_acc);

    tsv_close(loss_log);
    tsv_close(acc_log);
    plot_training(cfg->c.out, loss_tsv, acc_tsv);

    char seed[32], hidden[16];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->c.seed);
    snprintf(hidden, sizeof hidden, "%d", cfg->hidden);
    const char *meta[] = {"network", "two_layer_net", "activation", cfg->activation,
                          "hidden", hidden, "init", cfg->init, "seed", seed, "made_by", "02_backpropagation train", NULL};
    char err[MODEL_ERR_SIZE], path[4200];
    const char *save = cfg->save;
    if (!save) {
        snprintf(path, sizeof path, "%s/two_layer_net.safetensors", cfg->c.out);
        save = path;
    }
    if (model_save(save, ps, meta, err) != 0)
        die("%s", err);
    printf("  model: %s\n", save);

    /* A quick look in the terminal: the moving-average loss every 100 iterations. */
    if (!cfg->c.quiet && curve_n > 1)
        plot_terminal("loss (moving average) against iteration", curve_x, curve_y, curve_n);
    free(curve_x);
    free(curve_y);

    free(x);
    free(t);
    free(idx);
    free(order);
    free(recent);
    two_layer_net_free(&net);
    return r;
}

/* ---- speedup -------------------------------------------------------------------- */

typedef struct {
    double numerical, backprop;
} Speedup;

static Speedup speedup(const Config *cfg, const Dataset *train_set)
{
    const int batch = cfg->c.batch;
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    TwoLayerNet net;
    two_layer_net_init(&net, 784, cfg->hidden, 10, batch, parse_activation(cfg->activation), parse_init(cfg->init), &rng);
    real *x = xmalloc((size_t)batch * 784 * sizeof(real));
    int *t = xmalloc((size_t)batch * sizeof(int));
    int *idx = xmalloc((size_t)batch * sizeof(int));
    for (int b = 0; b < batch; b++)
        idx[b] = b;
    dataset_gather(train_set, idx, batch, x, t);

    printf("One gradient of the %d-%d-10 net on a batch of %d (%zu parameters):\n",
           784, cfg->hidden, batch, net.params.trainable_size);
    /* Backprop is quick: repeat it and take the median-free average of many runs. */
    int reps = 200;
    double t0 = now_seconds();
    for (int r = 0; r < reps; r++)
        two_layer_net_gradient(&net, x, t, batch);
    Speedup s;
    s.backprop = (now_seconds() - t0) / reps;
    printf("  backprop:  %10.3f ms (average of %d)\n", 1e3 * s.backprop, reps);
    fflush(stdout);
    t0 = now_seconds();
    two_layer_net_numerical_gradient(&net, x, t, batch);
    s.numerical = now_seconds() - t0;
    printf("  numerical: %10.3f ms (%zu x 2 forward passes)\n", 1e3 * s.numerical,
           net.params.trainable_size);
    printf("  backprop is %.0f times faster\n\n", s.numerical / s.backprop);
    free(x);
    free(t);
    free(idx);
    two_layer_net_free(&net);
    return s;
}

int main(int argc, char **argv)
{
    Config cfg = {0};
    options_defaults(&cfg.c);
    cfg.c.epochs = 0;       /* 0: iterations decide (10,000, as the book) */
    cfg.iters = -1;         /* -1: not given (--epochs, or the book's 10,000, decide) */
    cfg.c.lr = 0.1;
    cfg.c.out = "out/02_backpropagation";
    cfg.hidden = 50;
    cfg.activation = "relu";
    cfg.init = "he";
    const Option extra[] = {
        {"epochs", OPT_INT, NULL, "N", "passes over the training set: N*600 iterations, instead of --iters"},
        {"iters", OPT_INT, &cfg.iters, "N", "training iterations (default 10000, as the book: 16.7 epochs)"},
        {"hidden", OPT_INT, &cfg.hidden, "N", "hidden units (default 50)"},
        {"activation", OPT_STRING, &cfg.activation, "NAME", "relu or sigmoid (default relu)"},
        {"init", OPT_STRING, &cfg.init, "STD", "initial weight scale: he (default) or a number (the book: 0.01)"},
        {"train-size", OPT_INT, &cfg.train_size, "N", "train on the first N images only (default all)"},
        {"save", OPT_STRING, &cfg.save, "FILE", "where to save the trained model (default OUT/two_layer_net.safetensors)"},
        {0},
    };
    const char *pos[1];
    int npos = options_parse(argc, argv, &info, &cfg.c, extra, pos, 1);
    const char *commands[] = {"tour", "gradcheck", "train", "speedup", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    if (cfg.hidden < 1 || cfg.hidden > 100000)
        die("--hidden must be 1 to 100000, not %d", cfg.hidden);
    if (cfg.iters == -1)
        cfg.iters = 0;      /* train() reads 0 as "not given" */
    else if (cfg.iters < 1)
        die("--iters must be at least 1, not %d", cfg.iters);
    if (cfg.train_size < 0)
        die("--train-size must be 0 (all images) or more, not %d", cfg.train_size);
    parse_activation(cfg.activation);
    parse_init(cfg.init);
    options_make_out(&cfg.c);

    Dataset train_set, test_set;
    mnist_load_or_die(cfg.c.data, &train_set, &test_set);
    if (train_set.images.shape[2] * train_set.images.shape[3] != 784 || train_set.classes > 10)
        die("%s: this chapter's net takes 28x28 images of 10 classes", cfg.c.data);
    if (cfg.train_size > 0 && cfg.train_size < train_set.count) {
        Dataset head = dataset_head(&train_set, cfg.train_size);
        dataset_free(&train_set);
        train_set = head;
    }

    int tour = strcmp(cmd, "tour") == 0;
    double worst = -1;
    Speedup s = {0};
    TrainResult r = {0};
    if (tour || strcmp(cmd, "gradcheck") == 0)
        worst = gradcheck(&cfg, &train_set);
    if (tour || strcmp(cmd, "speedup") == 0)
        s = speedup(&cfg, &train_set);
    if (tour || strcmp(cmd, "train") == 0)
        r = train(&cfg, &train_set, &test_set);

    if (tour) {
        printf("\nSummary of chapter 02\n");
        printf("  gradient check: largest mean |backprop - numerical| %.1e\n", worst);
        printf("  one gradient: backprop %.2f ms, numerical %.1f s: %.0fx faster\n",
               1e3 * s.backprop, s.numerical, s.numerical / s.backprop);
        printf("  training: %d iterations in %.2f s, test accuracy %.4f (train %.4f)\n",
               r.iters, r.seconds, r.test_acc, r.train_acc);
        printf("  outputs in %s/\n", cfg.c.out);
    }
    dataset_free(&train_set);
    dataset_free(&test_set);
    return 0;
}
