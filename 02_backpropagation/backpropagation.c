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
#include <unistd.h>

#include "activation.h"
#include "dataset.h"
#include "functions.h"
#include "idx.h"
#include "init.h"
#include "matmul.h"
#include "model.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "rng.h"
#include "threads.h"
#include "timer.h"
#include "trainer.h"
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
    int resume;         /* go on from the checkpoint in --out */
    int summary;        /* print the net's layers and stop */
} Config;

/* How the weights start: He's sqrt(2 / n_in), Xavier's sqrt(1 / n_in), or a fixed std. */
static WeightInit parse_init(const char *s)
{
    WeightInit init;
    if (weight_init_parse(s, &init) != 0)
        die("--init must be he, xavier or a standard deviation such as 0.01, not '%s'", s);
    return init;
}

static Activation parse_activation(const char *s)
{
    Activation a;
    if (activation_parse(s, &a) != 0)
        die("--activation must be relu, sigmoid or tanh, not '%s'", s);
    return a;
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
    long iters;
    int evaluations;
} TrainSummary;

/* The update of the book's train_neuralnet.py, written out: plain SGD,
 * W -= lr * dW for every parameter. The shared trainer (trainer.h) runs the
 * loop around it (batches, evaluation, logs, checkpoints), as it does for
 * every later chapter; only this line is the lesson here. */
static void sgd_update(void *net, ParamSet *ps, double lr)
{
    (void)net;
    for (size_t k = 0; k < ps->trainable_size; k++)
        ps->values[k] -= (real)lr * ps->grads[k];
}

static real gradient_hook(void *net, const real *x, const int *t, int n)
{
    return two_layer_net_gradient(net, x, t, n);
}

static double accuracy_hook(void *net, const Dataset *d)
{
    return two_layer_net_accuracy(net, d);
}

static TrainSummary train(const Config *cfg, const Dataset *train_set, const Dataset *test_set)
{
    const int batch = cfg->c.batch;
    if (batch > train_set->count)
        die("--batch %d is larger than the training set (%d images)", batch, train_set->count);
    const int iter_per_epoch = train_set->count / batch;
    const long iters = cfg->iters ? cfg->iters
                     : cfg->c.epochs ? (long)cfg->c.epochs * iter_per_epoch : 10000;
    /* Evaluation runs in chunks of 1000 rows, so the buffers hold at least that many. */
    const int eval_chunk = 1000;
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    TwoLayerNet net;
    two_layer_net_init(&net, 784, cfg->hidden, 10, batch > eval_chunk ? batch : eval_chunk,
                       parse_activation(cfg->activation), parse_init(cfg->init), &rng);

    TrainerConfig tc = trainer_defaults();
    tc.title = "two-layer net";
    tc.tag = "two_layer_net";
    tc.out = cfg->c.out;
    tc.update = sgd_update;
    tc.lr = cfg->c.lr;
    tc.batch = batch;
    tc.iters = iters;
    tc.rng = rng;               /* the same generator goes on to shuffle the examples */
    tc.eval_at_start = 1;       /* epoch 0: the accuracy of the untrained net */
    tc.resume = cfg->resume;
    TrainerNet tn = {.net = &net, .params = &net.params,
                     .gradient = gradient_hook, .accuracy = accuracy_hook};

    printf("Training %d-%d-%d (%s, init %s) with backprop: SGD lr %g, batch %d, %ld iterations "
           "(%.1f epochs of %d images), %d thread%s, %s\n",
           784, cfg->hidden, 10, cfg->activation, cfg->init, cfg->c.lr, batch, iters,
           (double)iters / iter_per_epoch, train_set->count, get_threads(),
           get_threads() == 1 ? "" : "s", matmul_backend());
    TrainResult run = trainer_run(&tc, &tn, train_set, test_set);
    if (run.status != TRAIN_DONE)
        exit(trainer_exit_status(run.status));
    TrainSummary r = {run.train_acc, run.test_acc, run.train_seconds + run.eval_seconds, run.iters,
                      run.evaluations};
    printf("Training time: %.2f s for %ld iterations and %d evaluations of the %d + %d images\n",
           r.seconds, r.iters, r.evaluations, train_set->count, test_set->count);
    printf("Final: train accuracy %.4f, test accuracy %.4f\n", r.train_acc, r.test_acc);
    trainer_plot(&tc, &run);

    char seed[32], hidden[16];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->c.seed);
    snprintf(hidden, sizeof hidden, "%d", cfg->hidden);
    const char *meta[] = {"network", "two_layer_net", "activation", cfg->activation,
                          "hidden", hidden, "init", cfg->init, "seed", seed, "made_by", "02_backpropagation train", NULL};
    char err[MODEL_ERR_SIZE], path[OUT_PATH_SIZE];
    const char *save = cfg->save;
    if (!save) {
        out_path(path, cfg->c.out, "two_layer_net.safetensors");
        save = path;
    }
    const int replacing = access(save, F_OK) == 0;
    if (model_save(save, &net.params, meta, err) != 0)
        die("%s", err);
    printf("  model: %s%s\n", save, replacing ? " (replaces the one saved before)" : "");

    /* A quick look in the terminal: the moving-average loss every 100 iterations. */
    if (!cfg->c.quiet)
        trainer_plot_terminal(&tc);
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
        {"activation", OPT_STRING, &cfg.activation, "NAME", "relu (default), sigmoid or tanh"},
        {"init", OPT_STRING, &cfg.init, "STD", "initial weight scale: he (default), xavier or a number (the book: 0.01)"},
        {"train-size", OPT_INT, &cfg.train_size, "N", "train on the first N images only (default all)"},
        {"save", OPT_STRING, &cfg.save, "FILE", "where to save the trained model (default OUT/two_layer_net.safetensors)"},
        {"resume", OPT_FLAG, &cfg.resume, NULL, "train: go on from the checkpoint in --out (after Ctrl-C)"},
        {"summary", OPT_FLAG, &cfg.summary, NULL, "print the net's layers, parameters, memory and FLOPs, and stop"},
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
    if (cfg.summary) {
        Rng rng;
        rng_seed(&rng, cfg.c.seed);
        TwoLayerNet net;
        two_layer_net_init(&net, 784, cfg.hidden, 10, cfg.c.batch, parse_activation(cfg.activation),
                           parse_init(cfg.init), &rng);
        Summary s;
        two_layer_net_summary(&net, &s);
        summary_print(&s, &net.params, cfg.c.batch);
        two_layer_net_free(&net);
        return 0;
    }
    options_make_out(&cfg.c);

    Dataset train_set, test_set;
    mnist_load_or_die(cfg.c.data, 10, &train_set, &test_set);
    if (train_set.images.shape[2] * train_set.images.shape[3] != 784)
        die("%s: this chapter's net takes 28x28 images", cfg.c.data);
    if (cfg.train_size > 0 && cfg.train_size < train_set.count) {
        Dataset head = dataset_head(&train_set, cfg.train_size);
        dataset_free(&train_set);
        train_set = head;
    }

    int tour = strcmp(cmd, "tour") == 0;
    double worst = -1;
    Speedup s = {0};
    TrainSummary r = {0};
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
        printf("  training: %ld iterations in %.2f s, test accuracy %.4f (train %.4f)\n",
               r.iters, r.seconds, r.test_acc, r.train_acc);
        printf("  outputs in %s/\n", cfg.c.out);
    }
    dataset_free(&train_set);
    dataset_free(&test_set);
    return 0;
}
