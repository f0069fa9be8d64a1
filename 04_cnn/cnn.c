/* Chapter 04 - convolutional networks (the book's chapters 7 and 8).
 *
 * Convolution through im2col and one matrix multiply per layer and batch,
 * max-pooling, the book's SimpleConvNet and its deeper VGG-like DeepConvNet,
 * trained on MNIST with Adam; what the first layer learns; and the question
 * everyone asks next: will it read my own handwriting?
 *
 *   simple          SimpleConvNet, Adam lr 0.001, batch 100 (train_convnet.py)
 *   filters         its 30 first-layer filters before and after training, and
 *                   what each one responds to in a digit (visualize_filter.py)
 *   deep            DeepConvNet (train_deepnet.py), then its mistakes as a picture
 *   compare         direct against im2col convolution, same layer and batch
 *   predict FILE    classify a digit drawn in any paint program (a PNG)
 *   bench           per-epoch times, convolution GFLOP/s, direct against im2col
 *   (none)          the tour: simple, filters, deep (briefly), compare, predict
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convolution.h"
#include "dataset.h"
#include "conv_implicit.h"
#include "conv_one_channel.h"
#include "winograd.h"
#include "deep_conv_net.h"
#include "digit.h"
#include "functions.h"
#include "idx.h"
#include "image.h"
#include "matmul.h"
#include "model.h"
#include "optimizer.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "rng.h"
#include "simple_conv_net.h"
#include "threads.h"
#include "timer.h"
#include "trainer.h"
#include "util.h"

static const ProgramInfo info = {
    "04_cnn",
    "convolutional networks: im2col, pooling, SimpleConvNet and DeepConvNet on MNIST",
    "usage: 04_cnn [simple | filters | deep | compare | bench | predict IMAGE.png] [options]\n"
    "\n"
    "  simple        train SimpleConvNet (conv 30x5x5 - pool - 100 - 10), Adam, batch 100\n"
    "  filters       SimpleConvNet's first-layer filters before and after training\n"
    "  deep          train DeepConvNet (six 3x3 convolutions), show its mistakes\n"
    "  compare       direct against im2col convolution: time and agreement\n"
    "  bench         per-epoch times of both nets, DeepConvNet layer by layer,\n"
    "                convolution GFLOP/s\n"
    "  predict FILE  classify your own digit (a PNG of any size and colours)\n"
    "  (nothing)     the chapter's tour: simple (6 epochs), filters, deep (1 epoch),\n"
    "                compare, predict on a digit drawn by the program, then a summary\n"
    "\n"
    "  --full trains as the book does: 20 epochs of each net. Adam's learning rate\n"
    "  follows a cosine from --lr down to 0 over the run (--constant-lr: the book's).",
    USE_ALL,
};

typedef struct {
    CommonOptions c;
    int full;
    int deep_epochs;
    int train_size;
    int bench_batches;
    int constant_lr;
    int resume;
    int summary;
    int winograd;           /* DeepConvNet's layers 2 to 6 through winograd.c (1, the default) */
    double weight_decay;
    const char *model;
} Config;

/* ---- the two nets behind one face ------------------------------------------------- */

typedef enum { NET_SIMPLE, NET_DEEP } NetKind;

typedef struct {
    NetKind kind;
    SimpleConvNet simple;
    DeepConvNet deep;
    ParamSet *params;
} Net;

static const char *net_title(NetKind k) { return k == NET_SIMPLE ? "SimpleConvNet" : "DeepConvNet"; }
/* The training images each net's training accuracy is measured on. */
#define TRAIN_SAMPLE 3000

static const char *net_tag(NetKind k) { return k == NET_SIMPLE ? "simple_conv_net" : "deep_conv_net"; }

/* Both nets on 1x28x28 MNIST images and 10 classes, as in the book. */
static void net_init(Net *net, NetKind kind, int batch_max, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    net->kind = kind;
    if (kind == NET_SIMPLE) {
        simple_conv_net_init(&net->simple, 1, 28, 28, 30, 5, 100, 10, batch_max, (WeightInit){INIT_HE, 0}, &rng);
        net->params = &net->simple.params;
    } else {
        deep_conv_net_init(&net->deep, 1, 28, 28, 10, batch_max, &rng);
        net->params = &net->deep.params;
    }
}

static void net_free(Net *net)
{
    if (net->kind == NET_SIMPLE)
        simple_conv_net_free(&net->simple);
    else
        deep_conv_net_free(&net->deep);
}

static int net_batch_max(const Net *net)
{
    return net->kind == NET_SIMPLE ? net->simple.batch_max : net->deep.batch_max;
}

/* Scores for inference (dropout off). */
static const real *net_predict(Net *net, const real *x, int N)
{
    return net->kind == NET_SIMPLE ? simple_conv_net_predict(&net->simple, x, N)
                                   : deep_conv_net_predict(&net->deep, x, N, 0);
}

static real net_gradient(Net *net, const real *x, const int *t, int N)
{
    return net->kind == NET_SIMPLE ? simple_conv_net_gradient(&net->simple, x, t, N)
                                   : deep_conv_net_gradient(&net->deep, x, t, N);
}

static double net_accuracy(Net *net, const Dataset *d)
{
    return net->kind == NET_SIMPLE ? simple_conv_net_accuracy(&net->simple, d)
                                   : deep_conv_net_accuracy(&net->deep, d);
}

/* OUT/simple_conv_net.safetensors, or ..._full.safetensors for a --full run, so
 * that a quick tour never overwrites the model of a long run. */
static void model_path(char *path, const char *out, NetKind kind, int full)
{
    out_path(path, out, "%s%s.safetensors", net_tag(kind), full ? "_full" : "");
}

/* Load a model file into a fresh net of the kind its metadata names. */
static void net_load(Net *net, const char *path, int batch_max)
{
    char kind[64], err[MODEL_ERR_SIZE];
    if (model_read_metadata(path, "network", kind, sizeof kind, err) != 0)
        die("%s", err);
    NetKind k;
    if (strcmp(kind, net_tag(NET_SIMPLE)) == 0)
        k = NET_SIMPLE;
    else if (strcmp(kind, net_tag(NET_DEEP)) == 0)
        k = NET_DEEP;
    else
        die("%s: not a model of this chapter (network '%s', expected %s or %s)", path, kind,
            net_tag(NET_SIMPLE), net_tag(NET_DEEP));
    net_init(net, k, batch_max, 0);
    if (model_load(path, net->params, err) != 0)
        die("%s", err);
}

/* The most accurate model of the chapter in --out (of the kinds allowed by
 * mask: 1 SimpleConvNet, 2 DeepConvNet), by the test accuracy recorded in
 * the file, its path written into buf (OUT_PATH_SIZE bytes); NULL if there is none. */
static const char *best_saved_model(const char *out, int mask, char *buf)
{
    double best = -1;
    for (int k = 0; k < 4; k++) {
        char path[OUT_PATH_SIZE], acc[64], err[MODEL_ERR_SIZE];
        if (!(mask >> (k / 2) & 1))
            continue;
        model_path(path, out, (NetKind)(k / 2), k % 2);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fclose(f);
        if (model_read_metadata(path, "test_accuracy", acc, sizeof acc, err) != 0)
            continue;
        double a = atof(acc);
        if (a > best) {
            best = a;
            snprintf(buf, OUT_PATH_SIZE, "%s", path);
        }
    }
    return best < 0 ? NULL : buf;
}

/* ---- training ------------------------------------------------------------------- */

/* What a chapter's training run reports: the trainer's result, and the time
 * per epoch of the full 60,000 images (also when training on fewer). */
typedef struct {
    NetKind kind;
    int epochs;
    TrainResult run;
    double epoch_seconds;
} NetResult;

/* The net as the shared trainer sees it (trainer.h). */
static real gradient_hook(void *net, const real *x, const int *t, int N)
{
    return net_gradient(net, x, t, N);
}

static double accuracy_hook(void *net, const Dataset *d)
{
    return net_accuracy(net, d);
}

/* Train with Adam on shuffled epochs through the shared trainer: the accuracy
 * on the training and test sets after every epoch, checkpoints, and the model
 * saved at the end. Ctrl-C or a diverging run ends the program here. */
static NetResult train_net(const Config *cfg, Net *net, int epochs, const Dataset *train_set,
                           const Dataset *test_set)
{
    const NetKind kind = net->kind;
    ParamSet *ps = net->params;
    TrainerConfig tc = trainer_defaults();
    tc.title = net_title(kind);
    tc.tag = net_tag(kind);
    tc.out = cfg->c.out;
    tc.optimizer = ADAM;
    tc.lr = cfg->c.lr;
    tc.schedule = cfg->constant_lr ? LR_CONSTANT : LR_COSINE;
    /* SimpleConvNet learns its training set by heart (100% after 15 epochs); a
     * little weight decay keeps it from leaning on a few large weights. The
     * deep net has dropout for that. */
    tc.weight_decay = cfg->weight_decay >= 0 ? cfg->weight_decay : kind == NET_SIMPLE ? 3e-4 : 0;
    tc.batch = cfg->c.batch;
    tc.epochs = epochs;
    rng_seed(&tc.rng, cfg->c.seed + 1);     /* the order of the examples */
    tc.resume = cfg->resume;
    /* A forward pass over all 60,000 training images would cost a third of
     * an epoch's training (DeepConvNet) or two fifths (SimpleConvNet); the
     * training accuracy is measured on the first TRAIN_SAMPLE of them (the
     * book samples 1,000 for the deep net), so that the evaluation stays
     * under a tenth of the epoch. The test set is always scored in full. */
    tc.train_eval_size = TRAIN_SAMPLE;
    TrainerNet tn = {.net = net, .params = ps,
                     .gradient = gradient_hook, .accuracy = accuracy_hook,
                     .rng = kind == NET_DEEP ? &net->deep.rng : NULL};

    char wd[48] = "";
    if (tc.weight_decay > 0)
        snprintf(wd, sizeof wd, ", weight decay %g", tc.weight_decay);
    printf("Training %s (%zu parameters): Adam lr %g%s%s, batch %d, %d epoch%s of %d images, "
           "%d thread%s, %s\n", net_title(kind), ps->trainable_size, cfg->c.lr,
           cfg->constant_lr ? "" : " (cosine decay to 0)", wd, tc.batch, epochs,
           epochs == 1 ? "" : "s", train_set->count, get_threads(), get_threads() == 1 ? "" : "s",
           matmul_backend());
    if (kind == NET_DEEP && !cfg->winograd)
        printf("  --winograd 0: layers 2 to 6 through the fast path without col, as the others\n");

    NetResult r = {kind, epochs, trainer_run(&tc, &tn, train_set, test_set), 0};
    if (r.run.status != TRAIN_DONE)
        exit(trainer_exit_status(r.run.status));
    r.epoch_seconds = r.run.iters ? r.run.train_seconds / r.run.iters * (60000.0 / tc.batch) : 0;
    printf("%s: test accuracy %.4f (train %.4f%s); %.1f s per epoch of training, %.1f s evaluating\n",
           net_title(kind), r.run.test_acc, r.run.train_acc,
           tc.train_eval_size > 0 && tc.train_eval_size < train_set->count ? " on its first 3,000" : "",
           r.epoch_seconds, r.run.eval_seconds);
    trainer_plot(&tc, &r.run);

    char acc[32], ep[16], seed[32], path[OUT_PATH_SIZE], err[MODEL_ERR_SIZE];
    snprintf(acc, sizeof acc, "%.4f", r.run.test_acc);
    snprintf(ep, sizeof ep, "%d", epochs);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->c.seed);
    const char *meta[] = {"network", net_tag(kind), "test_accuracy", acc, "epochs", ep, "seed", seed,
                          "made_by", "04_cnn", NULL};
    model_path(path, cfg->c.out, kind, cfg->full);
    const int replacing = access(path, F_OK) == 0;
    if (model_save(path, ps, meta, err) != 0)
        die("%s", err);
    printf("  model: %s%s\n", path, replacing ? " (replaces the one saved before)" : "");
    return r;
}

/* ---- pictures ---------------------------------------------------------------------- */

static void save_png(const Image *img, const char *path)
{
    char err[IMAGE_ERR_SIZE];
    if (image_write_png(path, img, err) != 0)
        die("%s", err);
    printf("  picture: %s\n", path);
}

/* Each of count tiles of n numbers stretched to [0, 1] on its own, as imshow does. */
static void normalise_tiles(real *dst, const real *src, int count, int n)
{
    for (int k = 0; k < count; k++) {
        const real *s = src + (size_t)k * n;
        real lo = s[0], hi = s[0];
        for (int i = 1; i < n; i++)
            lo = s[i] < lo ? s[i] : lo, hi = s[i] > hi ? s[i] : hi;
        for (int i = 0; i < n; i++)
            dst[(size_t)k * n + i] = hi > lo ? (s[i] - lo) / (hi - lo) : (real)0.5;
    }
}

/* Paint an n x n tile of values in [0, 1] as grey squares of s x s pixels at (x0, y0). */
static void draw_tile(Image *img, int x0, int y0, const real *v, int n, int s)
{
    for (int y = 0; y < n * s; y++)
        for (int x = 0; x < n * s; x++) {
            real t = v[(y / s) * n + x / s];
            uint8_t g = (uint8_t)(255 * (t < 0 ? 0 : t > 1 ? 1 : t) + 0.5);
            uint8_t *p = img->pixels + ((size_t)(y0 + y) * img->width + x0 + x) * 3;
            p[0] = p[1] = p[2] = g;
        }
}

/* The first layer's filters (FN, 1, FS, FS) before and after training, in one
 * picture: each filter is a row of three tiles, before training, after, and the
 * difference (what training added, which the starting noise hides in "after").
 * Each tile is scaled on its own (white: its largest value, black: its smallest),
 * as the book's visualize_filter.py does, and the filters sit on blue, a colour no
 * weight can take, so a separator is never mistaken for a mid-grey weight. */
static void save_filters(const real *before, const real *after, int FN, int FS, const char *path)
{
    enum { COLS = 5, S = 12, GAP = 4, BAND = 16 };
    const int T = FS * S, cell_w = 3 * T + 2 * GAP, rows = (FN + COLS - 1) / COLS, n = FS * FS;
    Image img = image_new(COLS * cell_w + (COLS + 1) * BAND, rows * T + (rows + 1) * BAND, 3);
    static const uint8_t blue[3] = {40, 80, 160};
    for (size_t i = 0; i < (size_t)img.width * img.height; i++)
        memcpy(img.pixels + 3 * i, blue, 3);
    real *change = xmalloc((size_t)FN * n * sizeof(real));
    for (size_t i = 0; i < (size_t)FN * n; i++)
        change[i] = after[i] - before[i];
    real *tiles = xmalloc((size_t)3 * FN * n * sizeof(real));
    normalise_tiles(tiles, before, FN, n);
    normalise_tiles(tiles + (size_t)FN * n, after, FN, n);
    normalise_tiles(tiles + (size_t)2 * FN * n, change, FN, n);
    for (int k = 0; k < FN; k++) {
        int x0 = BAND + (k % COLS) * (cell_w + BAND), y0 = BAND + (k / COLS) * (T + BAND);
        for (int j = 0; j < 3; j++)
            draw_tile(&img, x0 + j * (T + GAP), y0, tiles + ((size_t)j * FN + k) * n, FS, S);
    }
    save_png(&img, path);
    printf("  (each filter is three tiles: before training, after, and the change between them)\n");
    image_free(&img);
    free(tiles);
    free(change);
}

/* A 3x5 font for the digits 0-9: each row is 3 bits, the high bit on the left. */
static const uint8_t font3x5[10][5] = {
    {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
    {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
};

/* Draw digit d into an RGB image at (x0, y0), each font pixel a scale x scale square. */
static void draw_digit(Image *img, int x0, int y0, int d, int scale, const uint8_t rgb[3])
{
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 3; c++) {
            if (!(font3x5[d][r] >> (2 - c) & 1))
                continue;
            for (int y = 0; y < scale; y++)
                for (int x = 0; x < scale; x++) {
                    uint8_t *p = img->pixels + ((size_t)(y0 + r * scale + y) * img->width + x0 + c * scale + x) * 3;
                    memcpy(p, rgb, 3);
                }
        }
}

/* Misclassified digits as one RGB grid: each digit at three times its size, and
 * under it the true label (green) and the net's answer (red), large enough to read. */
static void save_mistakes(const real *images, const int *truth, const int *guess, int count,
                          const char *path)
{
    enum { COLS = 10, S = 3, TILE = 28 * S, FONT = 4, BAND = 5 * FONT + 8, PAD = 6 };
    int rows = (count + COLS - 1) / COLS;
    Image img = image_new(COLS * (TILE + PAD) + PAD, rows * (TILE + BAND + PAD) + PAD, 3);
    memset(img.pixels, 40, (size_t)img.width * img.height * 3);
    static const uint8_t green[3] = {90, 220, 90}, red[3] = {255, 80, 80};
    for (int k = 0; k < count; k++) {
        int x0 = PAD + (k % COLS) * (TILE + PAD), y0 = PAD + (k / COLS) * (TILE + BAND + PAD);
        const real *im = images + (size_t)k * 784;
        for (int y = 0; y < TILE; y++)
            for (int x = 0; x < TILE; x++) {
                real v = im[(y / S) * 28 + x / S];
                uint8_t g = (uint8_t)(255 * (v < 0 ? 0 : v > 1 ? 1 : v) + 0.5);
                uint8_t *p = img.pixels + ((size_t)(y0 + y) * img.width + x0 + x) * 3;
                p[0] = p[1] = p[2] = g;
            }
        draw_digit(&img, x0 + TILE / 4 - 3 * FONT / 2, y0 + TILE + 4, truth[k], FONT, green);
        draw_digit(&img, x0 + 3 * TILE / 4 - 3 * FONT / 2, y0 + TILE + 4, guess[k], FONT, red);
    }
    save_png(&img, path);
    image_free(&img);
}

/* ---- 1. SimpleConvNet, and 2. its filters -------------------------------------------- */

typedef struct {
    NetResult train;
    double filter_change;   /* how far the filters moved, relative */
} SimpleResult;

static void filters_applied(const Config *cfg, Net *net, const Dataset *test_set)
{
    /* The first test digit through the trained first layer: 30 maps of 24x24. */
    SimpleConvNet *s = &net->simple;
    const real *digit = test_set->images.data;
    int P = s->conv.OH * s->conv.OW;
    real *maps = xmalloc((size_t)(s->conv.FN + 1) * P * sizeof(real));
    /* the digit itself first (cropped to the map size at its centre), then the maps */
    for (int y = 0; y < s->conv.OH; y++)
        for (int x = 0; x < s->conv.OW; x++)
            maps[y * s->conv.OW + x] = digit[(y + 2) * 28 + x + 2];
    /* The convolution without its ReLU (c1 holds relu(conv)): recompute plainly. */
    convolution_direct_forward(maps + P, digit, s->W1, s->b1, &s->conv, 1);
    normalise_tiles(maps, maps, s->conv.FN + 1, P);
    Image img = image_grid(maps, s->conv.FN + 1, s->conv.OW, s->conv.OH, 8, 2, 3, 0, 1);
    char path[OUT_PATH_SIZE];
    out_path(path, cfg->c.out, "filters_applied.png");
    save_png(&img, path);
    printf("  (the digit, then its 30 responses: white where a filter matches, black where it\n"
           "   is most opposed; most trained filters pick out edges of one orientation)\n");
    image_free(&img);
    free(maps);
}

static SimpleResult run_simple(const Config *cfg, int epochs, const Dataset *train_set,
                               const Dataset *test_set)
{
    printf("== 1. SimpleConvNet: conv 30x5x5 - ReLU - max-pool 2x2 - affine 100 - ReLU - affine 10 ==\n");
    Net net;
    net_init(&net, NET_SIMPLE, cfg->c.batch, cfg->c.seed);
    size_t nW1 = (size_t)30 * 25;
    real *before = xmalloc(nW1 * sizeof(real));
    memcpy(before, net.simple.W1, nW1 * sizeof(real));
    SimpleResult r;
    r.train = train_net(cfg, &net, epochs, train_set, test_set);

    printf("\n== 2. The 30 first-layer filters, before and after training ==\n");
    char path[OUT_PATH_SIZE];
    out_path(path, cfg->c.out, "filters.png");
    save_filters(before, net.simple.W1, 30, 5, path);
    double d = 0, n = 0;
    for (size_t i = 0; i < nW1; i++) {
        d += ((double)net.simple.W1[i] - before[i]) * ((double)net.simple.W1[i] - before[i]);
        n += (double)before[i] * before[i];
    }
    r.filter_change = sqrt(d / n);
    printf("  before: random noise (He's std sqrt(2/25) = 0.28); after: that noise plus what\n"
           "  training added, |W1 after - W1 before| / |W1 before| = %.2f\n", r.filter_change);
    filters_applied(cfg, &net, test_set);
    printf("\n");
    free(before);
    net_free(&net);
    return r;
}

/* Filters only: from the saved model, or a fresh (random) net. */
static void run_filters(const Config *cfg, const Dataset *test_set)
{
    char path[OUT_PATH_SIZE];
    if (!best_saved_model(cfg->c.out, 1, path))
        die("no trained SimpleConvNet in %s yet (run `04_cnn simple` first)", cfg->c.out);
    /* The same seed draws the same starting filters as the training run did. */
    Net fresh, net;
    net_init(&fresh, NET_SIMPLE, 1, cfg->c.seed);
    printf("  the trained filters from %s\n", path);
    net_load(&net, path, 1);
    char p2[OUT_PATH_SIZE];
    out_path(p2, cfg->c.out, "filters.png");
    save_filters(fresh.simple.W1, net.simple.W1, 30, 5, p2);
    filters_applied(cfg, &net, test_set);
    net_free(&fresh);
    net_free(&net);
}

/* ---- 3. DeepConvNet and its mistakes -------------------------------------------------- */

typedef struct {
    NetResult train;
    int mistakes;
} DeepResult;

/* The test digits the net gets wrong, as a picture; returns how many. */
static int show_mistakes(const Config *cfg, Net *net, const Dataset *test_set)
{
    enum { SHOW = 100 };
    real *images = xmalloc((size_t)SHOW * 784 * sizeof(real));
    int truth[SHOW], guess[SHOW], wrong = 0;
    int B = net_batch_max(net);
    for (int start = 0; start < test_set->count; start += B) {
        int n = test_set->count - start < B ? test_set->count - start : B;
        const real *x = test_set->images.data + (size_t)start * 784;
        const real *scores = net_predict(net, x, n);
        for (int i = 0; i < n; i++) {
            int g = argmax(scores + (size_t)i * 10, 10), t = test_set->labels[start + i];
            if (g == t)
                continue;
            if (wrong < SHOW) {
                memcpy(images + (size_t)wrong * 784, x + (size_t)i * 784, 784 * sizeof(real));
                truth[wrong] = t;
                guess[wrong] = g;
            }
            wrong++;
        }
    }
    printf("%s gets %d of the %d test digits wrong%s\n", net_title(net->kind), wrong, test_set->count,
           wrong > SHOW ? " (the picture shows the first 100)" : "");
    if (wrong > 0) {
        char path[OUT_PATH_SIZE];
        out_path(path, cfg->c.out, "misclassified.png");
        save_mistakes(images, truth, guess, wrong < SHOW ? wrong : SHOW, path);
        printf("  (green: the true label, red: the net's answer)\n");
    }
    free(images);
    return wrong;
}

static DeepResult run_deep(const Config *cfg, int epochs, const Dataset *train_set, const Dataset *test_set)
{
    printf("== 3. DeepConvNet: 6 convolutions 3x3 (16, 16, 32, 32, 64, 64), 3 max-pools, "
           "affine 50, dropout, affine 10, dropout ==\n");
    Net net;
    net_init(&net, NET_DEEP, cfg->c.batch, cfg->c.seed);
    DeepResult r;
    r.train = train_net(cfg, &net, epochs, train_set, test_set);
    double per_epoch_eval = r.train.run.eval_seconds / epochs;
    if (epochs < 20)
        printf("  the book's full run, 20 epochs, would take about %.0f minutes here "
               "(%.0f s training + %.0f s evaluating per epoch): 04_cnn deep --full\n",
               20 * (r.train.epoch_seconds + per_epoch_eval) / 60, r.train.epoch_seconds, per_epoch_eval);
    r.mistakes = show_mistakes(cfg, &net, test_set);
    printf("\n");
    net_free(&net);
    return r;
}

/* ---- 4. direct against im2col ---------------------------------------------------------- */

typedef struct {
    const char *name;
    ConvShape s;
    double direct, im2col, implicit, one_channel, winograd, max_diff;  /* 0 where a path does not apply */
} Comparison;

static Comparison compare_layer(const char *name, ConvShape s, int N, const Dataset *test_set, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    size_t nx = (size_t)N * s.C * s.H * s.W, ny = conv_out_size(&s, N), nw = (size_t)s.FN * s.C * s.FH * s.FW;
    real *x = xmalloc(nx * sizeof(real)), *W = xmalloc(nw * sizeof(real)), *b = xmalloc(s.FN * sizeof(real));
    if (s.C == 1 && s.H == 28 && s.W == 28)         /* real digits where they fit */
        memcpy(x, test_set->images.data, nx * sizeof(real));
    else
        for (size_t i = 0; i < nx; i++)
            x[i] = (real)rng_uniform(&rng);
    rng_fill_normal(&rng, W, nw, sqrt(2.0 / (s.C * s.FH * s.FW)));
    rng_fill_normal(&rng, b, s.FN, 0.1);
    real *y1 = xmalloc(ny * sizeof(real)), *y2 = xmalloc(ny * sizeof(real)), *y3 = xmalloc(ny * sizeof(real));
    real *y4 = xmalloc(ny * sizeof(real)), *y5 = xmalloc(ny * sizeof(real));
    ConvWork work = conv_work_create(&s, 1);
    Comparison c = {name, s, 0, 0, 0, 0, 0, 0};
    double t[5], ti[5], tw[5], to[5];
    for (int r = 0; r < 3; r++) {
        double t0 = now_seconds();
        convolution_direct_forward(y1, x, W, b, &s, N);
        t[r] = now_seconds() - t0;
    }
    c.direct = median(t, 3);
    const int fast = conv_implicit_fits(&s), winograd = winograd4_fits(&s, 0);
    const int one = conv_one_channel_fits(&s);
    const int was = convolution_use_winograd(1);      /* put back below */
    for (int r = 0; r < 5; r++) {       /* im2col and the fast paths in turn */
        double t0 = now_seconds();
        convolution_im2col_forward(y2, x, W, b, &s, N, &work);
        double t1 = now_seconds();
        if (fast)
            conv_implicit_forward(y3, x, W, b, &s, N, &work, 0);
        double t2 = now_seconds();
        if (winograd)
            convolution_forward(y4, x, W, b, &s, N, &work);
        double t3 = now_seconds();
        if (one)
            conv_one_channel_forward(y5, x, W, b, &s, N, &work, 0);
        t[r] = t1 - t0;
        ti[r] = t2 - t1;
        tw[r] = t3 - t2;
        to[r] = now_seconds() - t3;
    }
    convolution_use_winograd(was);
    c.im2col = median(t, 5);
    c.implicit = fast ? median(ti, 5) : 0;
    c.winograd = winograd ? median(tw, 5) : 0;
    c.one_channel = one ? median(to, 5) : 0;
    for (size_t i = 0; i < ny; i++) {
        c.max_diff = fmax(c.max_diff, fabs((double)y1[i] - y2[i]));
        if (fast)
            c.max_diff = fmax(c.max_diff, fabs((double)y1[i] - y3[i]));
        if (winograd)
            c.max_diff = fmax(c.max_diff, fabs((double)y1[i] - y4[i]));
        if (one)
            c.max_diff = fmax(c.max_diff, fabs((double)y1[i] - y5[i]));
    }
    free(x), free(W), free(b), free(y1), free(y2), free(y3), free(y4), free(y5);
    conv_work_free(&work);
    return c;
}

static void print_comparison(const Comparison *c, int N)
{
    const ConvShape *s = &c->s;
    double flops = 2.0 * N * s->FN * s->OH * s->OW * s->C * s->FH * s->FW;
    printf("  %-34s direct %8.2f ms (%5.1f GFLOP/s)   im2col %7.2f ms (%5.1f GFLOP/s, %5.1fx)",
           c->name, 1e3 * c->direct, flops / c->direct / 1e9, 1e3 * c->im2col,
           flops / c->im2col / 1e9, c->direct / c->im2col);
    if (c->implicit > 0)
        printf("   no col %6.2f ms (%5.1f GFLOP/s, %5.1fx)", 1e3 * c->implicit, flops / c->implicit / 1e9,
               c->direct / c->implicit);
    if (c->winograd > 0)
        printf("   Winograd %6.2f ms (%5.1f GFLOP/s, %5.1fx)", 1e3 * c->winograd, flops / c->winograd / 1e9,
               c->direct / c->winograd);
    if (c->one_channel > 0)
        printf("   one channel %6.2f ms (%5.1f GFLOP/s, %5.1fx)", 1e3 * c->one_channel,
               flops / c->one_channel / 1e9, c->direct / c->one_channel);
    printf("   max |diff| %.1e\n", c->max_diff);
}

static Comparison run_compare(const Config *cfg, const Dataset *test_set)
{
    const int N = 100;
    printf("== 4. Direct convolution against im2col + matrix multiply, batch of %d, %d thread%s ==\n",
           N, get_threads(), get_threads() == 1 ? "" : "s");
    printf("  (direct: the definition as seven plain loops; im2col: col, then one multiply; no col: the\n"
           "  multiply reads the padded images through the filter's offsets, conv_implicit.c; Winograd:\n"
           "  F(4x4, 3x3), 36 multiplies for 144, winograd.c, its GFLOP/s counted as the direct sums';\n"
           "  one channel: no multiply, rows of a few filters in registers, conv_one_channel.c, what\n"
           "  SimpleConvNet's layer runs; medians of 3 runs (direct) and 5 (the others), taken in turn;\n"
           "  the factors are against direct)\n");
    Comparison a = compare_layer("SimpleConvNet conv 1x28x28 -> 30x5x5", conv_shape(1, 28, 28, 30, 5, 5, 1, 0),
                                 N, test_set, cfg->c.seed);
    print_comparison(&a, N);
    Comparison b = compare_layer("DeepConvNet conv6 64x8x8 -> 64x3x3", conv_shape(64, 8, 8, 64, 3, 3, 1, 1),
                                 N, test_set, cfg->c.seed);
    print_comparison(&b, N);
    printf("  (the same sums in another order, or Winograd's other sums: they agree to float rounding)\n\n");
    return a;
}

/* ---- 5. predict ------------------------------------------------------------------------ */

/* The model predict uses: --model, else the most accurate one in --out (its
 * path written into buf, OUT_PATH_SIZE bytes). */
static const char *best_model(const Config *cfg, char *buf)
{
    if (cfg->model)
        return cfg->model;
    const char *path = best_saved_model(cfg->c.out, 3, buf);
    if (!path)
        die("no trained model in %s: run `04_cnn simple` (or the tour) first, or give --model FILE",
            cfg->c.out);
    return path;
}

typedef struct {
    int top[3];
    double prob[3];
} Prediction;

static Prediction run_predict(const Config *cfg, const char *image_path)
{
    char mbuf[OUT_PATH_SIZE], err[IMAGE_ERR_SIZE];
    const char *model = best_model(cfg, mbuf);
    real x[784];
    if (digit_load_png(image_path, x, err) != 0)
        die("%s", err);
    Net net;
    net_load(&net, model, 1);
    const real *scores = net_predict(&net, x, 1);
    real p[10];
    softmax(p, scores, 1, 10);
    Prediction r;
    for (int k = 0; k < 3; k++) {
        int best = 0;
        for (int c = 1; c < 10; c++)
            if (p[c] > p[best])
                best = c;
        r.top[k] = best;
        r.prob[k] = p[best];
        p[best] = -1;
    }
    /* What the net saw: OUT/<name>.28x28.png */
    const char *base = strrchr(image_path, '/');
    base = base ? base + 1 : image_path;
    char stem[256], seen[OUT_PATH_SIZE];
    snprintf(stem, sizeof stem, "%s", base);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    out_path(seen, cfg->c.out, "%s.28x28.png", stem);
    Image img = image_from_real(x, 28, 28, 0, 1);
    if (image_write_png(seen, &img, err) != 0)
        die("%s", err);
    image_free(&img);
    printf("%s: %d  (%.1f%%)   then %d (%.1f%%), %d (%.1f%%)\n", image_path, r.top[0], 100 * r.prob[0],
           r.top[1], 100 * r.prob[1], r.top[2], 100 * r.prob[2]);
    printf("  model: %s (%s)\n  what the net saw: %s\n", model, net_title(net.kind), seen);
    net_free(&net);
    return r;
}

/* For the tour: a test digit redrawn as a person might, large, dark on a light
 * background and off-centre, saved as a PNG and then read back by predict. */
static void draw_example(const Dataset *test_set, int index, const char *path)
{
    const int W = 300, H = 220, S = 6;
    Image img = image_new(W, H, 3);
    const real *d = test_set->images.data + (size_t)index * 784;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            /* bilinear sample of the digit, scaled S times, its corner at (40, 30) */
            double u = (x - 40) / (double)S - 0.5, v = (y - 30) / (double)S - 0.5, ink = 0;
            int u0 = (int)floor(u), v0 = (int)floor(v);
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    int xi = u0 + i, yj = v0 + j;
                    if (xi >= 0 && xi < 28 && yj >= 0 && yj < 28)
                        ink += (i ? u - u0 : 1 - (u - u0)) * (j ? v - v0 : 1 - (v - v0)) * d[yj * 28 + xi];
                }
            uint8_t *p = img.pixels + ((size_t)y * W + x) * 3;
            p[0] = (uint8_t)(250 - 230 * ink);      /* dark blue ink on cream paper */
            p[1] = (uint8_t)(245 - 205 * ink);
            p[2] = (uint8_t)(225 - 105 * ink);
        }
    char err[IMAGE_ERR_SIZE];
    if (image_write_png(path, &img, err) != 0)
        die("%s", err);
    image_free(&img);
}

/* ---- bench ------------------------------------------------------------------------------- */

/* Where DeepConvNet's steps went: each stage's name and seconds per step,
 * forward [0] and backward [1] (deep_conv_net.h). */
typedef struct {
    char name[DEEP_STAGES][64];
    double seconds[DEEP_STAGES][2];
} StageTimes;

/* Seconds per training step on random batches of the training set. stages
 * (DeepConvNet only, else NULL): where those steps' time went. */
static double time_training_steps(const Config *cfg, NetKind kind, const Dataset *train_set, int batches,
                                  StageTimes *stages)
{
    const int batch = cfg->c.batch;
    Net net;
    net_init(&net, kind, batch, cfg->c.seed);
    Optimizer opt = optimizer_create(ADAM, cfg->c.lr, net.params->trainable_size);
    real *x = xmalloc((size_t)batch * 784 * sizeof(real));
    int *t = xmalloc((size_t)batch * sizeof(int)), *idx = xmalloc((size_t)batch * sizeof(int));
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    double t0 = 0;
    for (int i = -5; i < batches; i++) {    /* 5 warm-up steps */
        if (i == 0) {
            if (stages && kind == NET_DEEP) {
                memset(net.deep.seconds, 0, sizeof net.deep.seconds);
                net.deep.timing = 1;
            }
            t0 = now_seconds();
        }
        for (int b = 0; b < batch; b++)
            idx[b] = rng_int(&rng, train_set->count);
        dataset_gather(train_set, idx, batch, x, t);
        net_gradient(&net, x, t, batch);
        optimizer_update(&opt, net.params->values, net.params->grads);
    }
    double per_batch = (now_seconds() - t0) / batches;
    if (stages && kind == NET_DEEP)
        for (int k = 0; k < DEEP_STAGES; k++) {
            deep_conv_net_stage_name(&net.deep, k, stages->name[k], sizeof stages->name[k]);
            for (int pass = 0; pass < 2; pass++)
                stages->seconds[k][pass] = net.deep.seconds[k][pass] / batches;
        }
    free(x), free(t), free(idx);
    optimizer_free(&opt);
    net_free(&net);
    return per_batch;
}

/* Forward and backward GFLOP/s of one convolution layer on a batch: the
 * im2col path and, where they apply, the fast path without col
 * (conv_implicit.h) and Winograd's (winograd.h), run in turn so that a change
 * of machine speed hits all. Winograd's GFLOP/s count the direct sums it
 * stands for (F(4x4) does 4 times fewer multiply-adds, F(2x2) 2.25 times), so
 * they can pass the peak. */
static void bench_conv(const char *name, ConvShape s, int N, int need_dx, double peak)
{
    Rng rng;
    rng_seed(&rng, 1);
    size_t nx = (size_t)N * s.C * s.H * s.W, ny = conv_out_size(&s, N), nw = (size_t)s.FN * s.C * s.FH * s.FW;
    real *x = xmalloc(nx * sizeof(real)), *dx = xmalloc(nx * sizeof(real)), *W = xmalloc(nw * sizeof(real));
    real *dW = xcalloc(nw, sizeof(real)), *b = xcalloc(s.FN, sizeof(real)), *db = xcalloc(s.FN, sizeof(real));
    real *y = xmalloc(ny * sizeof(real));
    ConvWork work = conv_work_create(&s, 1);
    rng_fill_normal(&rng, x, nx, 1);
    rng_fill_normal(&rng, W, nw, 0.1);
    enum { RUNS = 7 };
    /* The paths that apply, in this order. Winograd: what the layers take
     * (F(4x4), F(2x2) or neither for each of y, dx and dW, winograd.h);
     * F(2x2): that one for all three, where it fits. one channel: what a
     * layer with one input channel takes (conv_one_channel.h; no dx). */
    enum { IM2COL, IMPLICIT, ONE_CHANNEL, WINOGRAD, F2X2 };
    static const char *const path_names[] = {"im2col", "implicit", "1 chan", "Winograd", "F(2x2)"};
    int path[5], paths = 0;
    path[paths++] = IM2COL;
    if (conv_implicit_fits(&s))
        path[paths++] = IMPLICIT;
    if (conv_one_channel_pays(&s) && !need_dx)
        path[paths++] = ONE_CHANNEL;
    if (conv_implicit_fits(&s) && winograd4_fits(&s, 0)) {
        path[paths++] = WINOGRAD;
        if (winograd_fits(&s))
            path[paths++] = F2X2;
    }
    double tf[5][RUNS], tb[5][RUNS];
    const int was = convolution_use_winograd(1);      /* put back below */
    for (int r = 0; r < RUNS; r++)
        for (int q = 0; q < paths; q++) {
            const int p = path[q];
            real *dxp = need_dx ? dx : NULL;
            double t0 = now_seconds();
            if (p == IM2COL)
                convolution_im2col_forward(y, x, W, b, &s, N, &work);
            else if (p == IMPLICIT)
                conv_implicit_forward(y, x, W, b, &s, N, &work, 0);
            else if (p == F2X2)
                winograd_forward(y, x, W, b, &s, N, &work, 0);
            else
                convolution_forward(y, x, W, b, &s, N, &work);
            double t1 = now_seconds();
            if (p == IM2COL) {
                convolution_im2col_backward(dxp, dW, db, y, x, W, &s, N, &work);
            } else if (p == IMPLICIT) {
                conv_bias_backward(db, y, N, s.FN, s.OH * s.OW);
                conv_implicit_backward(dxp, 1, y, x, W, &s, N, &work);
                conv_add_slices(dW, &work, nw, N);
            } else if (p == F2X2) {
                winograd_backward(dxp, dW, y, x, W, &s, N, &work);
            } else {
                convolution_backward(dxp, dW, db, y, x, W, &s, N, &work);
            }
            tf[q][r] = t1 - t0;
            tb[q][r] = now_seconds() - t1;
        }
    convolution_use_winograd(was);
    double f = 2.0 * N * s.FN * s.OH * s.OW * s.C * s.FH * s.FW;   /* one product of the layer */
    for (int q = 0; q < paths; q++) {
        double mf = median(tf[q], RUNS), mb = median(tb[q], RUNS);
        double gf = f / mf / 1e9, gb = (need_dx ? 2 : 1) * f / mb / 1e9;
        printf("  %-30s %-8s forward %6.2f ms %6.1f GFLOP/s %3.0f%%   backward%s %6.2f ms %6.1f GFLOP/s %3.0f%%\n",
               q == 0 ? name : "", path_names[path[q]], 1e3 * mf, gf, 100 * gf / peak,
               need_dx ? "" : " (no dx)", 1e3 * mb, gb, 100 * gb / peak);
    }
    free(x), free(dx), free(W), free(dW), free(b), free(db), free(y);
    conv_work_free(&work);
}

/* Where DeepConvNet's steps above went, stage by stage, inside whole training
 * steps: the layers as they run in training, with the caches as the layers
 * before left them, where bench_conv below times each layer alone. */
static void print_deep_stages(const StageTimes *stages, double step, int threads)
{
    printf("Inside those DeepConvNet steps (%d thread%s), ms per step:\n", threads, threads == 1 ? "" : "s");
    printf("  %-34s %8s %9s %9s %6s\n", "stage", "forward", "backward", "together", "share");
    double counted = 0;
    for (int k = 0; k < DEEP_STAGES; k++) {
        const double *t = stages->seconds[k], both = t[0] + t[1];
        counted += both;
        printf("  %-34s %8.2f %9.2f %9.2f %5.0f%%\n", stages->name[k], 1e3 * t[0], 1e3 * t[1], 1e3 * both,
               100 * both / step);
    }
    printf("  %-34s %8s %9s %9.2f %5.0f%%\n", "Adam, the batch's copy, the rest", "", "", 1e3 * (step - counted),
           100 * (step - counted) / step);
}

static void run_bench(const Config *cfg, const Dataset *train_set, const Dataset *test_set)
{
    const int batches = cfg->bench_batches;
    printf("== bench: %d thread%s, %s, batch %d; %s ==\n", get_threads(), get_threads() == 1 ? "" : "s",
           matmul_backend(), cfg->c.batch, thread_wait_description());
    printf("Training steps (forward, backward, Adam), %d batches each after 5 warm-up:\n", batches);
    const int threads = get_threads();
    StageTimes stages;                                  /* DeepConvNet's on all threads */
    double deep_step = 0;
    for (int k = 0; k < 2; k++)
        for (int t = threads; t >= 1; t = t > 1 ? 1 : 0) {     /* all threads, then one */
            set_threads(t);
            const int profile = k == NET_DEEP && t == threads;
            double per_batch = time_training_steps(cfg, (NetKind)k, train_set, batches, profile ? &stages : NULL);
            if (profile)
                deep_step = per_batch;
            printf("  %-14s %d thread%s %7.2f ms per batch -> %6.1f s per epoch of 60,000 images\n",
                   net_title((NetKind)k), t, t == 1 ? " " : "s", 1e3 * per_batch, per_batch * 60000.0 / cfg->c.batch);
        }
    set_threads(threads);
    print_deep_stages(&stages, deep_step, threads);
    const double peak = matmul_peak_gflops() * threads;
    printf("Convolution layers, batch 100 (median of 7), with the share of the peak of %.0f GFLOP/s\n"
           "(fused multiply-adds on %d thread%s at the kernels' vector width, matmul_peak_gflops):\n",
           peak, threads, threads == 1 ? "" : "s");
    bench_conv("SimpleConvNet conv 1->30 5x5", conv_shape(1, 28, 28, 30, 5, 5, 1, 0), 100, 0, peak);
    bench_conv("DeepConvNet conv1 1->16", conv_shape(1, 28, 28, 16, 3, 3, 1, 1), 100, 0, peak);
    bench_conv("DeepConvNet conv2 16->16 28x28", conv_shape(16, 28, 28, 16, 3, 3, 1, 1), 100, 1, peak);
    bench_conv("DeepConvNet conv3 16->32 14x14", conv_shape(16, 14, 14, 32, 3, 3, 1, 1), 100, 1, peak);
    bench_conv("DeepConvNet conv4 32->32 pad 2", conv_shape(32, 14, 14, 32, 3, 3, 1, 2), 100, 1, peak);
    bench_conv("DeepConvNet conv5 32->64 8x8", conv_shape(32, 8, 8, 64, 3, 3, 1, 1), 100, 1, peak);
    bench_conv("DeepConvNet conv6 64->64 8x8", conv_shape(64, 8, 8, 64, 3, 3, 1, 1), 100, 1, peak);
    printf("\n");
    run_compare(cfg, test_set);
}

/* ---- --summary ----------------------------------------------------------------------- */

/* The layer tables of the nets the command trains (both for the tour). */
static void print_summaries(const Config *cfg, const char *cmd)
{
    int both = strcmp(cmd, "simple") != 0 && strcmp(cmd, "deep") != 0;
    for (int k = 0; k < 2; k++) {
        NetKind kind = (NetKind)k;
        if (!both && strcmp(cmd, kind == NET_SIMPLE ? "simple" : "deep") != 0)
            continue;
        Net net;
        net_init(&net, kind, cfg->c.batch, cfg->c.seed);
        Summary s;
        if (kind == NET_SIMPLE)
            simple_conv_net_summary(&net.simple, &s);
        else
            deep_conv_net_summary(&net.deep, &s);
        summary_print(&s, net.params, cfg->c.batch);
        printf("\n");
        net_free(&net);
    }
}

/* ---- main ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);   /* whole lines, also into a pipe or a log file */
    Config cfg = {0};
    options_defaults(&cfg.c);
    cfg.c.epochs = 0;       /* 0: the tour's or --full's count */
    cfg.c.lr = 0.001;
    cfg.c.out = "out/04_cnn";
    cfg.deep_epochs = -1;   /* -1: not given (the tour's or --full's count) */
    cfg.bench_batches = 100;
    cfg.weight_decay = -1;  /* each net's own default */
    cfg.winograd = 1;
    const Option extra[] = {
        {"epochs", OPT_INT, NULL, "N", "SimpleConvNet's epochs (default 6, --full 20)"},
        {"full", OPT_FLAG, &cfg.full, NULL, "train as the book does: 20 epochs of each net (tour: 6 and 1)"},
        {"deep-epochs", OPT_INT, &cfg.deep_epochs, "N", "DeepConvNet's epochs (default 1, --full 20)"},
        {"train-size", OPT_INT, &cfg.train_size, "N", "train on the first N images only (default all)"},
        {"model", OPT_STRING, &cfg.model, "FILE", "the model predict uses (default: the best in --out)"},
        {"constant-lr", OPT_FLAG, &cfg.constant_lr, NULL, "keep Adam's rate fixed, as the book does (default: cosine decay)"},
        {"weight-decay", OPT_DOUBLE, &cfg.weight_decay, "X", "L2 weight decay on the weights (default: 3e-4 SimpleConvNet, 0 DeepConvNet)"},
        {"bench-batches", OPT_INT, &cfg.bench_batches, "N", "batches bench times per net (default 100)"},
        {"resume", OPT_FLAG, &cfg.resume, NULL, "go on from the checkpoint in --out (after Ctrl-C)"},
        {"summary", OPT_FLAG, &cfg.summary, NULL, "print each net's layers, parameters, memory and FLOPs, and stop"},
        {"winograd", OPT_INT, &cfg.winograd, "0|1", "DeepConvNet's layers 2 to 6 by Winograd's fewer multiplications (default 1; 0: as every other layer)"},
        {0},
    };
    const char *pos[2];
    int npos = options_parse(argc, argv, &info, &cfg.c, extra, pos, 2);
    const char *commands[] = {"tour", "simple", "filters", "deep", "compare", "bench", "predict", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    if (strcmp(cmd, "predict") == 0 ? npos != 2 : npos > 1) {
        fprintf(stderr, "04_cnn: %s (see --help)\n",
                strcmp(cmd, "predict") == 0 ? "predict takes one image: 04_cnn predict IMAGE.png"
                                            : "one command at a time");
        return 2;
    }
    if (cfg.deep_epochs != -1 && cfg.deep_epochs < 1)
        die("--deep-epochs must be at least 1, not %d", cfg.deep_epochs);
    if (cfg.train_size < 0)
        die("--train-size must be 0 (all images) or more, not %d", cfg.train_size);
    if (cfg.bench_batches < 1)
        die("--bench-batches must be at least 1, not %d", cfg.bench_batches);
    if (!(cfg.weight_decay >= 0 || cfg.weight_decay == -1))
        die("--weight-decay must be 0 or more, not %g", cfg.weight_decay);
    if (cfg.winograd != 0 && cfg.winograd != 1)
        die("--winograd must be 0 or 1, not %d", cfg.winograd);
    convolution_use_winograd(cfg.winograd);
    const int tour = strcmp(cmd, "tour") == 0;
    if (cfg.summary) {
        print_summaries(&cfg, cmd);
        return 0;
    }
    const int simple_epochs = cfg.c.epochs ? cfg.c.epochs : cfg.full ? 20 : 6;
    const int deep_epochs = cfg.deep_epochs > 0 ? cfg.deep_epochs : cfg.full ? 20 : 1;
    options_make_out(&cfg.c);

    if (strcmp(cmd, "predict") == 0) {
        run_predict(&cfg, pos[1]);
        return 0;
    }

    Dataset train_set, test_set;
    mnist_load_or_die(cfg.c.data, 10, &train_set, &test_set);
    if (train_set.images.shape[1] != 1 || train_set.images.shape[2] != 28 || train_set.images.shape[3] != 28)
        die("%s: this chapter's nets take 28x28 grey images", cfg.c.data);
    if (cfg.train_size > 0 && cfg.train_size < train_set.count) {
        Dataset head = dataset_head(&train_set, cfg.train_size);
        dataset_free(&train_set);
        train_set = head;
    }
    if (cfg.c.batch > train_set.count)
        die("--batch %d is larger than the training set (%d images)", cfg.c.batch, train_set.count);

    SimpleResult sr = {0};
    DeepResult dr = {0};
    Comparison cmp = {0};
    Prediction pr = {{0}, {0}};
    if (tour || strcmp(cmd, "simple") == 0)
        sr = run_simple(&cfg, simple_epochs, &train_set, &test_set);
    if (strcmp(cmd, "filters") == 0)
        run_filters(&cfg, &test_set);
    if (tour || strcmp(cmd, "deep") == 0)
        dr = run_deep(&cfg, deep_epochs, &train_set, &test_set);
    if (tour || strcmp(cmd, "compare") == 0)
        cmp = run_compare(&cfg, &test_set);
    if (strcmp(cmd, "bench") == 0)
        run_bench(&cfg, &train_set, &test_set);
    if (tour) {
        printf("== 5. Your own digit: predict IMAGE.png ==\n");
        char path[OUT_PATH_SIZE];
        out_path(path, cfg.c.out, "example_drawn_digit.png");
        draw_example(&test_set, 1, path);       /* test image 1 is a 2 */
        printf("  drawn for the demo: %s (a test digit redrawn large, dark ink on light paper)\n", path);
        pr = run_predict(&cfg, path);
        printf("  draw your own in any paint program (a thick pen works best) and run\n"
               "    build/release/bin/04_cnn predict my_digit.png%s%s\n\n",
               strcmp(cfg.c.out, "out/04_cnn") ? " --out " : "", strcmp(cfg.c.out, "out/04_cnn") ? cfg.c.out : "");
    }

    if (tour) {
        printf("Summary of chapter 04\n");
        printf("  SimpleConvNet: %d epoch%s, test accuracy %.4f (train %.4f), %.1f s per epoch "
               "(book's NumPy: ~140 s; make bench times PyTorch)\n", sr.train.epochs, sr.train.epochs == 1 ? "" : "s", sr.train.run.test_acc,
               sr.train.run.train_acc, sr.train.epoch_seconds);
        printf("  filters: changed by %.0f%% of their initial size, into edge detectors "
               "(filters.png, filters_applied.png)\n", 100 * sr.filter_change);
        printf("  DeepConvNet: %d epoch%s, test accuracy %.4f, %.1f s per epoch (NumPy: ~14 min); "
               "%d test digits wrong (misclassified.png)\n", dr.train.epochs, dr.train.epochs == 1 ? "" : "s",
               dr.train.run.test_acc, dr.train.epoch_seconds, dr.mistakes);
        printf("  convolution: im2col %.1fx faster than the direct loops, max |diff| %.1e\n",
               cmp.direct / cmp.im2col, cmp.max_diff);
        printf("  predict: the redrawn 2 read as %d (%.1f%%)\n", pr.top[0], 100 * pr.prob[0]);
        printf("  --full trains 20 epochs of each (the book's runs); outputs in %s/\n", cfg.c.out);
    }
    dataset_free(&train_set);
    dataset_free(&test_set);
    return 0;
}
