/* Chapter 06 - generative adversarial networks: a generator learns to draw
 * digits against a discriminator that learns to tell them from MNIST's.
 *
 *   mlp          the MLP GAN (G 100-256-512-784, D 784-512-256-1), Adam lr 0.0002
 *                beta1 0.5, batch 64: a grid of samples after every epoch, the
 *                losses, D(x) and D(G(z)), the scores
 *   dcgan        the DCGAN (transposed convolutions, batch norm), the same way
 *   cgan         a conditional GAN: the label goes to both nets
 *   --clusters K with mlp or dcgan: the same, with the number of one of K
 *                k-means clusters of the images in place of the label
 *   draw [D]     from the saved conditional GAN: 64 drawings of digit D, or
 *                without D a row of each digit
 *   walk         a walk through the latent space: samples on the way from
 *                one z to another, as a strip
 *   score        the scorer's reference values: real training digits and
 *                uniform noise, against the test digits; with --model, a
 *                saved GAN's scores too (--psi: the truncation trick)
 *   (none)       the tour: a short MLP GAN, a short DCGAN, a short conditional
 *                GAN, draw, walk, and a summary
 *
 * The scores use chapter 04's SimpleConvNet as the judge: the Inception Score
 * of its class probabilities and the Fréchet distance of its penultimate
 * features (scores.h), each epoch, on --score-samples samples.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "gan_nets.h"
#include "idx.h"
#include "image.h"
#include "kmeans.h"
#include "matmul.h"
#include "model.h"
#include "optimizer.h"
#include "options.h"
#include "plot.h"
#include "rng.h"
#include "scores.h"
#include "simple_conv_net.h"
#include "threads.h"
#include "timer.h"
#include "trainer.h"
#include "util.h"

static const ProgramInfo info = {
    "06_gan",
    "generative adversarial networks: an MLP GAN, a DCGAN and a conditional GAN draw digits",
    "usage: 06_gan [mlp | dcgan | cgan | draw [DIGIT] | walk | score | bench] [options]\n"
    "\n"
    "  mlp           train the MLP GAN (G 100-256-512-784, D 784-512-256-1)\n"
    "  dcgan         train the DCGAN (G: fc, batch norm, two transposed convolutions;\n"
    "                D: two strided convolutions, batch norm, fc)\n"
    "  cgan          train a conditional GAN (--net mlp or dcgan): both nets see the label\n"
    "                (mlp or dcgan --clusters K: both see one of K k-means clusters instead)\n"
    "  draw [DIGIT]  from the saved conditional GAN: 64 of DIGIT (draw_DIGIT.png), or a\n"
    "                row of every digit (draw.png)\n"
    "  walk          samples on a straight line between two points of the latent space\n"
    "                (walk.png), from the saved DCGAN (--model FILE for another)\n"
    "  score         the scorer's reference values: real digits and uniform noise;\n"
    "                with --model FILE, a saved GAN's scores too (--psi X: noise times X)\n"
    "  bench         time a training iteration of each GAN, and a grid of samples\n"
    "  (nothing)     the tour: short runs of all three GANs on part of the data, with\n"
    "                scores, then draw, walk and a summary\n"
    "\n"
    "  Every run writes a grid of samples from fixed noise after each epoch\n"
    "  (TAG_epoch_NN.png), all of them in one picture at the end (TAG_epochs.png),\n"
    "  the losses and D(x), D(G(z)) (TAG_loss.png, TAG_d.png) and the scores\n"
    "  (TAG_scores.png). --full trains the DCGAN towards IS 8.5 and distance 10.\n"
    "  The DCGAN learns at rate 0.0008 (D) and 0.0016 (G) unless --lr is given;\n"
    "  the other GANs at --lr's 0.0002.",
    USE_ALL,
};

/* The DCGAN's learning rates unless --lr or --lr-g says otherwise (the
 * others' is --lr's default, 0.0002). */
#define DCGAN_LR_D 0.0008
#define DCGAN_LR_G 0.0016

typedef struct {
    CommonOptions c;
    int full;
    int train_size;
    int score_samples;
    int resume;
    int bench_batches;
    double ema;             /* the decay of G's moving average (0: none) */
    int raw_scores;         /* with an average: score the raw G too */
    int cosine;             /* the learning rate glides to 0 over the run */
    double lr_g;            /* G's learning rate (0: --lr, D's) */
    double r1;              /* R1's weight gamma (0: no penalty) */
    int r1_every;           /* R1 on every r1_every-th D step */
    const char *net;        /* cgan's: "mlp" or "dcgan" */
    int clusters;           /* mlp, dcgan: condition on this many k-means clusters (0: none) */
    const char *model;
    const char *scorer;
    double psi;             /* score --model: the noise times psi (the truncation trick) */
} Config;

/* ---- the judge: chapter 04's SimpleConvNet ----------------------------------------- */

enum { SCORER_BATCH = 250, FEATURES = 100, SCORER_CLASSES = 10 };

typedef struct {
    SimpleConvNet net;
    int classes;
    double mu_test[FEATURES], *S_test;      /* the test digits' features */
    double test_acc;
} Scorer;

/* Class probabilities (N, classes) and penultimate features (N, FEATURES) of N
 * images with pixels in [0, 1]. */
static void scorer_run(Scorer *s, const real *images, int N, real *probs, real *features)
{
    const int pixels = 28 * 28;
    for (int n = 0; n < N; n += SCORER_BATCH) {
        int b = N - n < SCORER_BATCH ? N - n : SCORER_BATCH;
        const real *scores = simple_conv_net_predict(&s->net, images + (size_t)n * pixels, b);
        for (int i = 0; i < b; i++) {       /* softmax of the scores */
            const real *a = scores + (size_t)i * s->classes;
            real *p = probs + (size_t)(n + i) * s->classes;
            double mx = a[0], sum = 0;
            for (int k = 1; k < s->classes; k++)
                mx = a[k] > mx ? a[k] : mx;
            for (int k = 0; k < s->classes; k++)
                sum += p[k] = (real)exp(a[k] - mx);
            for (int k = 0; k < s->classes; k++)
                p[k] = (real)(p[k] / sum);
        }
        /* the ReLU of the 100-unit Affine layer: the features the last layer reads */
        memcpy(features + (size_t)n * FEATURES, s->net.z2, (size_t)b * FEATURES * sizeof(real));
    }
}

typedef struct {
    double is, fd;
    double classes, spread;         /* IS = classes / spread (scores.h) */
    double share[SCORER_CLASSES];   /* p(y): the share of the samples the scorer gives each class */
} Scores;

static Scores score_images(Scorer *s, const real *images, int N)
{
    real *probs = xmalloc((size_t)N * s->classes * sizeof(real));
    real *feat = xmalloc((size_t)N * FEATURES * sizeof(real));
    scorer_run(s, images, N, probs, feat);
    double mu[FEATURES], *S = xmalloc(FEATURES * FEATURES * sizeof(double));
    feature_moments(feat, N, FEATURES, mu, S);
    Scores r = {.is = inception_score(probs, N, s->classes),
                .fd = frechet_distance(mu, S, s->mu_test, s->S_test, FEATURES)};
    inception_score_parts(probs, N, s->classes, &r.classes, &r.spread, r.share);
    free(probs), free(feat), free(S);
    return r;
}

static real scorer_gradient(void *net, const real *x, const int *t, int n)
{
    return simple_conv_net_gradient(net, x, t, n);
}

static double scorer_accuracy(void *net, const Dataset *d)
{
    return simple_conv_net_accuracy(net, d);
}

/* The judge: --scorer FILE, else OUT/scorer.safetensors if made from the same
 * data, else chapter 04's own model (for MNIST), else one trained here
 * (2 epochs, about 98.5% on MNIST) and saved as OUT/scorer.safetensors. */
static void scorer_init(Scorer *s, const Config *cfg, const Dataset *train, const Dataset *test)
{
    memset(s, 0, sizeof *s);
    s->classes = SCORER_CLASSES;
    Rng rng;
    rng_seed(&rng, cfg->c.seed + 100);
    simple_conv_net_init(&s->net, 1, 28, 28, 30, 5, 100, 10, SCORER_BATCH, (WeightInit){INIT_HE, 0}, &rng);
    char own[OUT_PATH_SIZE], err[MODEL_ERR_SIZE], value[OUT_PATH_SIZE];
    out_path(own, cfg->c.out, "scorer.safetensors");
    const char *path = NULL;
    if (cfg->scorer) {
        path = cfg->scorer;
    } else if (access(own, F_OK) == 0 && model_read_metadata(own, "data", value, sizeof value, err) == 0 &&
               strcmp(value, cfg->c.data) == 0) {
        path = own;
    } else if (strcmp(cfg->c.data, "data/mnist") == 0) {
        const char *ch04[] = {"out/04_cnn/simple_conv_net_full.safetensors", "out/04_cnn/simple_conv_net.safetensors"};
        for (int k = 0; k < 2 && !path; k++)
            if (access(ch04[k], F_OK) == 0)
                path = ch04[k];
    }
    if (path) {
        if (model_read_metadata(path, "network", value, sizeof value, err) != 0)
            die("%s", err);
        if (strcmp(value, "simple_conv_net") != 0)
            die("%s: not a SimpleConvNet (network '%s'), so it cannot score samples", path, value);
        if (model_load(path, &s->net.params, err) != 0)
            die("%s", err);
        printf("Scorer: SimpleConvNet from %s\n", path);
    } else {
        printf("Scorer: no saved SimpleConvNet for %s, so one is trained first (2 epochs, as in chapter 04)\n",
               cfg->c.data);
        TrainerConfig tc = trainer_defaults();
        tc.title = "SimpleConvNet (scorer)";
        tc.tag = "scorer";
        tc.out = cfg->c.out;
        tc.lr = 0.001;
        tc.schedule = LR_COSINE;
        tc.batch = 100;
        tc.epochs = 2;
        tc.train_eval_size = -1;
        rng_seed(&tc.rng, cfg->c.seed + 101);
        TrainerNet tn = {.net = &s->net, .params = &s->net.params,
                         .gradient = scorer_gradient, .accuracy = scorer_accuracy};
        TrainResult r = trainer_run(&tc, &tn, train, test);
        if (r.status != TRAIN_DONE)
            exit(trainer_exit_status(r.status));
        char acc[32];
        snprintf(acc, sizeof acc, "%.4f", r.test_acc);
        const char *meta[] = {"network", "simple_conv_net", "test_accuracy", acc, "data", cfg->c.data,
                              "made_by", "06_gan (scorer)", NULL};
        if (model_save(own, &s->net.params, meta, err) != 0)
            die("%s", err);
        printf("  scorer: %s\n", own);
    }
    s->test_acc = simple_conv_net_accuracy(&s->net, test);
    printf("  its test accuracy: %.4f\n", s->test_acc);
    real *probs = xmalloc((size_t)test->count * 10 * sizeof(real));
    real *feat = xmalloc((size_t)test->count * FEATURES * sizeof(real));
    s->S_test = xmalloc(FEATURES * FEATURES * sizeof(double));
    scorer_run(s, test->images.data, test->count, probs, feat);
    feature_moments(feat, test->count, FEATURES, s->mu_test, s->S_test);
    free(probs), free(feat);
}

static void scorer_free(Scorer *s)
{
    simple_conv_net_free(&s->net);
    free(s->S_test);
}

typedef struct {
    Scores real_test;       /* the test digits themselves (IS; FD 0) */
    Scores real_train;      /* 10,000 training digits against the test digits */
    Scores noise;           /* uniform noise */
} References;

static References references(Scorer *s, const Dataset *train, const Dataset *test, int n, uint64_t seed)
{
    References r;
    n = n < train->count ? n : train->count;
    r.real_test = score_images(s, test->images.data, test->count);
    r.real_train = score_images(s, train->images.data, n);
    real *noise = xmalloc((size_t)n * 784 * sizeof(real));
    Rng rng;
    rng_seed(&rng, seed + 200);
    for (size_t i = 0; i < (size_t)n * 784; i++)
        noise[i] = (real)rng_uniform(&rng);
    r.noise = score_images(s, noise, n);
    free(noise);
    return r;
}

static void print_references(const References *r, int n)
{
    printf("Reference scores (Inception Score, at most 10; Fréchet distance to the test digits' features):\n");
    printf("  test digits themselves:           IS %.2f\n", r->real_test.is);
    printf("  %d training digits:            IS %.2f   FD %.2f\n", n, r->real_train.is, r->real_train.fd);
    printf("  %d images of uniform noise:    IS %.2f   FD %.1f\n", n, r->noise.is, r->noise.fd);
}

/* score: what the references' IS are made of (scores.h: IS = classes / spread) */
static void print_reference_parts(const References *r, int n)
{
    printf("The Inception Score as classes / spread: the digits the images fall into (10 if all\n"
           "as often) over the digits one image is shared between (1 if each is clearly one):\n");
    printf("  test digits themselves:           %5.2f / %.3f\n", r->real_test.classes, r->real_test.spread);
    printf("  %d training digits:            %5.2f / %.3f\n", n, r->real_train.classes, r->real_train.spread);
    printf("  %d images of uniform noise:    %5.2f / %.3f\n", n, r->noise.classes, r->noise.spread);
}

/* ---- pictures --------------------------------------------------------------------------- */

static void save_png(const Image *img, const char *path)
{
    char err[IMAGE_ERR_SIZE];
    if (image_write_png(path, img, err) != 0)
        die("%s", err);
}

/* count samples in [-1, 1] as a grid of cols columns, twice enlarged. */
static void save_samples(const real *samples, int count, int cols, const char *path)
{
    Image img = image_grid(samples, count, 28, 28, cols, 2, 2, -1, 1);
    save_png(&img, path);
    image_free(&img);
}

/* All the epochs' grids in one picture, in reading order (epoch 0, the untrained
 * G, at the top left), each at half size, five to a row. */
static int stack_epochs(const char *out, const char *tag, int epochs, const char *path)
{
    Image grids[200];
    int n = 0;
    for (int e = 0; e <= epochs && n < 200; e++) {
        char p[OUT_PATH_SIZE], err[IMAGE_ERR_SIZE];
        out_path(p, out, "%s_epoch_%02d.png", tag, e);
        if (image_read_png(p, 1, &grids[n], err) != 0)
            continue;
        n++;
    }
    if (!n)
        return 0;
    const int per_row = n < 5 ? n : 5, rows = (n + per_row - 1) / per_row, gap = 6;
    const int gw = grids[0].width / 2, gh = grids[0].height / 2;
    Image all = image_new(per_row * gw + (per_row - 1) * gap, rows * gh + (rows - 1) * gap, 1);
    memset(all.pixels, 128, (size_t)all.width * all.height);
    for (int k = 0; k < n; k++) {
        int x0 = (k % per_row) * (gw + gap), y0 = (k / per_row) * (gh + gap);
        for (int y = 0; y < gh && 2 * y < grids[k].height; y++)
            for (int x = 0; x < gw && 2 * x < grids[k].width; x++)
                all.pixels[(size_t)(y0 + y) * all.width + x0 + x] = grids[k].pixels[(size_t)2 * y * grids[k].width + 2 * x];
        image_free(&grids[k]);
    }
    save_png(&all, path);
    image_free(&all);
    return n;
}

/* ---- training through the shared trainer ------------------------------------------------- */

enum { GRID = 64 };

typedef struct {
    Gan gan;
    const Config *cfg;
    const char *tag;
    Scorer *scorer;
    int score_samples;
    real *fixed_z;          /* the grid's noise, the same every epoch */
    int fixed_labels[GRID + 16];
    int grid_count, grid_cols;
    real *samples;          /* score_samples images */
    int *score_labels;      /* their labels (NULL: the classes in turn) */
    double grid_seconds, score_seconds;
} GanRun;

static real d_hook(void *p, const real *x, const int *t, int n) { return gan_d_step(&((GanRun *)p)->gan, x, t, n); }
static void average_hook(void *p, long steps) { gan_average_update(&((GanRun *)p)->gan, steps); }
/* What checkpoints carry beside the two nets and their optimizers: the
 * averaged G, when kept, then R1's phase, when on (which of its every-th D
 * steps comes next), so that a resumed run goes on as if never stopped. */
static size_t carried_average(const Gan *g) { return g->avg_decay > 0 ? g->G_avg.size : 0; }
static size_t carry_size(const Gan *g) { return carried_average(g) + (g->r1_gamma > 0 ? 1 : 0); }
static void carry_get(void *p, real *out)
{
    const Gan *g = &((GanRun *)p)->gan;
    const size_t n = carried_average(g);
    if (n)
        memcpy(out, g->G_avg.values, n * sizeof(real));
    if (g->r1_gamma > 0)
        out[n] = (real)(g->d_steps % g->r1_every);
}
static void carry_set(void *p, const real *in)
{
    Gan *g = &((GanRun *)p)->gan;
    const size_t n = carried_average(g);
    if (n)
        memcpy(g->G_avg.values, in, n * sizeof(real));
    if (g->r1_gamma > 0) {
        if (!(in[n] >= 0 && in[n] < g->r1_every))
            die("the checkpoint's R1 phase (%g) is not one of 0 to %d: resume with the same --r1-every",
                (double)in[n], g->r1_every - 1);
        g->d_steps = (long)in[n];
    }
}
static real g_hook(void *p, const real *x, const int *t, int n)
{
    (void)x;
    return gan_g_step(&((GanRun *)p)->gan, t, n);
}

/* Samples from G in [0, 1] for the scorer, from noise of their own generator
 * (so scoring never changes the training's noise), with the labels given
 * (N of them), or NULL: the classes in turn. The noise comes from the run's
 * --seed alone, the same at every epoch and in `score --model`, which so
 * gets a saved G's last scores again. It is N(0, psi^2): psi is 1 but in
 * `score --model --psi`. */
static void sample_for_scoring(Gan *g, ParamSet *weights, real *out, int N, const int *given, uint64_t run_seed,
                               double psi)
{
    Rng rng;
    rng_seed(&rng, run_seed + 300);
    real *z = xmalloc((size_t)g->batch_max * g->z_dim * sizeof(real));
    int *labels = xmalloc((size_t)g->batch_max * sizeof(int));
    const int pixels = g->C * g->H * g->W;
    for (int n = 0; n < N; n += g->batch_max) {
        int b = N - n < g->batch_max ? N - n : g->batch_max;
        rng_fill_normal(&rng, z, (size_t)b * g->z_dim, psi);
        for (int i = 0; i < b; i++)
            labels[i] = !g->classes ? 0 : given ? given[n + i] : (n + i) % g->classes;
        gan_generate_with(g, weights, out + (size_t)n * pixels, z, labels, b);
    }
    gan_images_from_tanh(out, out, (size_t)N * pixels);
    free(z), free(labels);
}

/* The averaged G's batch norm statistics: measured anew on this many batches
 * before it draws (see average_bn_statistics). */
enum { BN_BATCHES = 16 };

/* Batch norm in the averaged G. Training leaves running statistics in G that
 * fit G's own weights; averaged along, they need not fit G_avg's, whose
 * layers' outputs have their own means and variances. So before the
 * averaged G draws, its statistics are measured anew, in training mode on
 * BN_BATCHES batches of noise of a fixed seed (BigGAN's "standing
 * statistics"), and then used in inference mode as the raw G uses its own. */
static void average_bn_statistics(GanRun *r)
{
    if (r->gan.avg_decay > 0)
        gan_average_measure_bn(&r->gan, BN_BATCHES, r->cfg->c.seed + 400);
}

/* After each epoch: the grid from fixed noise, then the scores (the averaged
 * G's, and with --raw-scores the raw G's beside them). */
static void score_hook(void *p, double epoch, double *out)
{
    GanRun *r = p;
    Gan *g = &r->gan;
    double t0 = now_seconds();
    average_bn_statistics(r);
    const int pixels = g->C * g->H * g->W;
    real *grid = xmalloc((size_t)r->grid_count * pixels * sizeof(real));
    for (int n = 0; n < r->grid_count; n += g->batch_max) {
        int b = r->grid_count - n < g->batch_max ? r->grid_count - n : g->batch_max;
        gan_generate(g, grid + (size_t)n * pixels, r->fixed_z + (size_t)n * g->z_dim, r->fixed_labels + n, b);
    }
    char path[OUT_PATH_SIZE];
    out_path(path, r->cfg->c.out, "%s_epoch_%02d.png", r->tag, (int)lround(epoch));
    save_samples(grid, r->grid_count, r->grid_cols, path);
    free(grid);
    double t1 = now_seconds();
    r->grid_seconds += t1 - t0;
    out[0] = out[1] = out[2] = out[3] = -1;
    if (r->scorer && r->score_samples > 0) {
        ParamSet *shown = g->avg_decay > 0 ? &g->G_avg : &g->G.params;
        sample_for_scoring(g, shown, r->samples, r->score_samples, r->score_labels, r->cfg->c.seed, 1);
        Scores s = score_images(r->scorer, r->samples, r->score_samples);
        out[0] = s.is, out[1] = s.fd;
        if (g->avg_decay > 0 && r->cfg->raw_scores) {
            sample_for_scoring(g, &g->G.params, r->samples, r->score_samples, r->score_labels,
                               r->cfg->c.seed, 1);
            s = score_images(r->scorer, r->samples, r->score_samples);
            out[2] = s.is, out[3] = s.fd;
        }
        r->score_seconds += now_seconds() - t1;
    }
}

typedef struct {
    GanKind kind;
    int classes, epochs;
    TrainResult run;
    double epoch_seconds, grid_seconds, score_seconds;
    int grids;
    int clusters;           /* 1: the classes are k-means clusters, not labels */
} GanResult;

static const char *tag_of(GanKind kind, int classes)
{
    return classes ? (kind == GAN_MLP ? "cgan" : "cdcgan") : kind == GAN_MLP ? "mlp_gan" : "dcgan";
}

/* ---- clusters in place of labels ------------------------------------------------------------ */

/* The training images with k-means clusters of their pixels as labels (the
 * labels themselves are not used: only to print how well the clusters follow
 * them). Its images are train's; free its labels alone. The centroids go to
 * OUT/TAG_clusters.png, so the learner sees what each cluster holds. */
static Dataset cluster_dataset(const Config *cfg, const Dataset *train, int K, const char *tag)
{
    const int N = train->count, D = (int)(train->images.size / (size_t)N);
    real *centroids = xmalloc((size_t)K * D * sizeof(real));
    int *assign = xmalloc((size_t)N * sizeof(int));
    double t0 = now_seconds();
    KmeansResult km = kmeans(train->images.data, N, D, K, 50, cfg->c.seed + 500, centroids, assign);
    Dataset c = *train;
    c.labels = xmalloc((size_t)N);
    c.classes = K;
    /* votes[k][y]: the images of label y in cluster k */
    const int L = train->classes;
    int *size = xcalloc((size_t)K, sizeof(int)), *votes = xcalloc((size_t)K * L, sizeof(int));
    for (int i = 0; i < N; i++) {
        c.labels[i] = (uint8_t)assign[i];
        size[assign[i]]++;
        votes[assign[i] * L + train->labels[i]]++;
    }
    int agree = 0, smallest = N, largest = 0;
    for (int k = 0; k < K; k++) {
        int most = 0;
        for (int y = 0; y < L; y++)
            most = votes[k * L + y] > most ? votes[k * L + y] : most;
        agree += most;
        smallest = size[k] < smallest ? size[k] : smallest;
        largest = size[k] > largest ? size[k] : largest;
    }
    printf("k-means: %d clusters of the %d training images' pixels, %d to %d images each; %d rounds%s, "
           "%.1f s\n", K, N, smallest, largest, km.rounds, km.converged ? "" : " (stopped at the limit)",
           now_seconds() - t0);
    printf("  the labels are not used; %.1f%% of the images share their cluster's most common label\n",
           100.0 * agree / N);
    char path[OUT_PATH_SIZE];
    out_path(path, cfg->c.out, "%s_clusters.png", tag);
    Image img = image_grid(centroids, K, train->images.shape[3], train->images.shape[2], K < 10 ? K : 10, 2, 2, 0, 1);
    save_png(&img, path);
    image_free(&img);
    printf("  the clusters' means: %s\n", path);
    free(centroids), free(assign), free(size), free(votes);
    return c;
}

/* N labels for the scored samples, each cluster's share the same as in the
 * training images: label i is the class at (i + 1/2) / N of the way through
 * the training set's classes, in order. */
static int *labels_in_proportion(const Dataset *train, int N)
{
    int *count = xcalloc((size_t)train->classes, sizeof(int)), *labels = xmalloc((size_t)N * sizeof(int));
    for (int i = 0; i < train->count; i++)
        count[train->labels[i]]++;
    int k = 0;
    long below = count[0];          /* training images in classes 0..k */
    for (int i = 0; i < N; i++) {
        while ((2.0 * i + 1) / (2.0 * N) * train->count >= below && k < train->classes - 1)
            below += count[++k];
        labels[i] = k;
    }
    free(count);
    return labels;
}

static const char *title_of(GanKind kind, int classes)
{
    return classes ? (kind == GAN_MLP ? "conditional MLP GAN" : "conditional DCGAN")
                   : kind == GAN_MLP ? "MLP GAN" : "DCGAN";
}

static void plot_run(const Config *cfg, const char *tag, const char *title, const References *ref, int raw)
{
    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], script[3 * OUT_PATH_SIZE + 4096];
    out_path(tsv, cfg->c.out, "%s_loss.tsv", tag);
    out_path(png, cfg->c.out, "%s_loss.png", tag);
    snprintf(script, sizeof script,
             "set title 'Losses, %s'\nset xlabel 'iteration'\nset ylabel 'binary cross-entropy'\nset grid\n"
             "set key top right\n"
             "plot '%s' using 1:2 skip 1 with lines lc rgb '#9ab8e0' title 'D: BCE(D(x),1) + BCE(D(G(z)),0)', "
             "'' using 1:4 skip 1 with lines lc rgb '#f0b090' title 'G: BCE(D(G(z)),1)', "
             "'' using 1:3 skip 1 with lines lw 2 lc rgb '#1f4e9c' title 'D, mean of 100'\n",
             title, tsv);
    if (plot_png(png, 800, 500, script) == 0)
        printf("  plot: %s\n", png);
    out_path(png, cfg->c.out, "%s_d.png", tag);
    snprintf(script, sizeof script,
             "set title 'What D says, %s (before its update, each batch)'\nset xlabel 'iteration'\n"
             "set ylabel 'mean probability \"real\"'\nset grid\nset yrange [0:1]\nset key top right\n"
             "plot '%s' using 1:5 skip 1 with lines lc rgb '#1f4e9c' title 'D(x), real digits', "
             "'' using 1:6 skip 1 with lines lc rgb '#c0392b' title 'D(G(z)), samples', 0.5 dt 2 lc rgb 'grey' title ''\n",
             title, tsv);
    if (plot_png(png, 800, 500, script) == 0)
        printf("  plot: %s\n", png);
    if (ref->noise.is < 0)
        return;                 /* not scored */
    out_path(tsv, cfg->c.out, "%s_accuracy.tsv", tag);
    out_path(png, cfg->c.out, "%s_scores.png", tag);
    snprintf(script, sizeof script,
             "set multiplot layout 1,2 title 'Scores of %s samples against chapter 04''s SimpleConvNet'\n"
             "set xlabel 'epoch'\nset grid\nset key bottom right\nset yrange [0:10.5]\nset ylabel 'Inception Score'\n"
             "plot '%s' using 1:($7 < 0 ? NaN : $7) skip 1 with linespoints lw 2 title '%s', %s"
             "%g dt 2 lc rgb '#2a9d3f' title 'real digits (test) %.2f', %g dt 3 lc rgb 'grey' title 'uniform noise %.2f'\n"
             "set ylabel 'Fréchet distance (log scale)'\nset logscale y\nset yrange [*:*]\nset key top right\n"
             "plot '%s' using 1:($8 <= 0 ? NaN : $8) skip 1 with linespoints lw 2 title '%s', %s"
             "%g dt 2 lc rgb '#2a9d3f' title 'real training digits %.2f', %g dt 3 lc rgb 'grey' title 'uniform noise %.0f'\n"
             "unset multiplot\n",
             title, tsv, raw ? "averaged G" : "samples",
             raw ? "'' using 1:($9 < 0 ? NaN : $9) skip 1 with linespoints lc rgb '#f0b090' title 'raw G', " : "",
             ref->real_test.is, ref->real_test.is, ref->noise.is, ref->noise.is, tsv, raw ? "averaged G" : "samples",
             raw ? "'' using 1:($10 <= 0 ? NaN : $10) skip 1 with linespoints lc rgb '#f0b090' title 'raw G', " : "",
             ref->real_train.fd > 0 ? ref->real_train.fd : 1e-3, ref->real_train.fd, ref->noise.fd, ref->noise.fd);
    if (plot_png(png, 1100, 450, script) == 0)
        printf("  plot: %s\n", png);
}

static void model_file(char *path, const Config *cfg, const char *tag)
{
    out_path(path, cfg->c.out, "%s.safetensors", tag);
}

/* The model file: G (the averaged one, when kept, under the same names) and D. */
static void gan_save(const Gan *g, const char *path, const char *tag, const GanResult *r)
{
    const ParamSet *sets[2] = {g->avg_decay > 0 ? &g->G_avg : &g->G.params, &g->D.params};
    const char *prefixes[2] = {"G.", "D."};
    ParamSet all;
    params_join(&all, sets, prefixes, 2);
    char classes[16], z[16], shape[48], ep[16], is[32], fd[32], err[MODEL_ERR_SIZE];
    snprintf(classes, sizeof classes, "%d", g->classes);
    snprintf(z, sizeof z, "%d", g->z_dim);
    snprintf(shape, sizeof shape, "%dx%dx%d", g->C, g->H, g->W);
    snprintf(ep, sizeof ep, "%d", r->epochs);
    snprintf(is, sizeof is, "%.4f", r->run.score[0]);
    snprintf(fd, sizeof fd, "%.4f", r->run.score[1]);
    char generator[64] = "as trained";
    if (g->avg_decay > 0)
        snprintf(generator, sizeof generator, "moving average, decay %g", g->avg_decay);
    const char *meta[] = {"network", "gan", "kind", gan_kind_name(g->kind), "tag", tag, "classes", classes,
                          "z_dim", z, "image", shape, "epochs", ep, "inception_score", is,
                          "frechet_distance", fd, "generator", generator,
                          "conditioned_on", !g->classes ? "nothing" : r->clusters ? "k-means clusters" : "labels",
                          "made_by", "06_gan", NULL};
    const int replacing = access(path, F_OK) == 0;
    if (model_save(path, &all, meta, err) != 0)
        die("%s", err);
    params_free(&all);
    printf("  model: %s%s\n", path, replacing ? " (replaces the one saved before)" : "");
}

/* Train a GAN: unconditional (classes 0), conditional on the labels (classes
 * 10), or with clusters K > 0 conditional on K k-means clusters of the images. */
static GanResult train_gan(const Config *cfg, GanKind kind, int classes, int clusters, int epochs,
                           const Dataset *train, Scorer *scorer, const References *ref)
{
    GanRun r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.tag = tag_of(kind, classes);
    char tag[32], title[64];
    Dataset clustered;
    if (clusters) {
        classes = clusters;
        snprintf(tag, sizeof tag, "%s_k%d", kind == GAN_MLP ? "mlp_gan" : "dcgan", clusters);
        snprintf(title, sizeof title, "%s on %d k-means clusters", kind == GAN_MLP ? "MLP GAN" : "DCGAN", clusters);
        r.tag = tag;
        clustered = cluster_dataset(cfg, train, clusters, tag);
        train = &clustered;
    }
    r.scorer = scorer;
    r.score_samples = cfg->score_samples;
    const Tensor *im = &train->images;
    gan_init(&r.gan, kind, classes, im->shape[1], im->shape[2], im->shape[3], cfg->c.batch, cfg->c.seed);
    Gan *g = &r.gan;
    if (cfg->ema > 0)
        gan_average_start(g, cfg->ema);
    if (cfg->r1 > 0)
        gan_set_r1(g, cfg->r1, cfg->r1_every);
    const int raw = g->avg_decay > 0 && cfg->raw_scores && scorer && cfg->score_samples > 0;
    /* The grid: 64 fixed samples, or for a conditional GAN a column per class */
    r.grid_cols = classes ? classes : 8;
    r.grid_count = classes ? classes * (GRID / classes) : GRID;
    r.fixed_z = xmalloc((size_t)r.grid_count * g->z_dim * sizeof(real));
    Rng fixed;
    rng_seed(&fixed, cfg->c.seed + 7);
    rng_fill_normal(&fixed, r.fixed_z, (size_t)r.grid_count * g->z_dim, 1);
    for (int i = 0; i < r.grid_count; i++)
        r.fixed_labels[i] = classes ? i % classes : 0;
    if (r.score_samples > 0)
        r.samples = xmalloc((size_t)r.score_samples * g->C * g->H * g->W * sizeof(real));
    /* clusters are not the same size: the scored samples come in the
     * training images' proportions, as the training's fakes do */
    if (clusters && r.score_samples > 0)
        r.score_labels = labels_in_proportion(train, r.score_samples);

    TrainerConfig tc = trainer_defaults();
    tc.title = clusters ? title : title_of(kind, classes);
    tc.tag = r.tag;
    tc.out = cfg->c.out;
    tc.optimizer = ADAM;
    tc.adam_beta1 = 0.5;
    tc.lr = cfg->c.lr;
    tc.lr2 = cfg->lr_g;
    if (kind == GAN_DCGAN && (!classes || clusters) && !(cfg->c.given & USE_LR)) {
        /* The DCGAN paper's 0.0002 is the place to start; for this small DCGAN,
         * on MNIST and against the clock, faster rates (G's twice D's) reached
         * better scores in 3 epochs (README, "Learning rates") */
        tc.lr = DCGAN_LR_D;
        if (!cfg->lr_g)
            tc.lr2 = DCGAN_LR_G;
    }
    tc.schedule = cfg->cosine ? LR_COSINE : LR_CONSTANT;
    tc.batch = cfg->c.batch;
    tc.epochs = epochs;
    tc.eval_at_start = 1;           /* epoch 0: the untrained G's noise */
    tc.resume = cfg->resume;
    rng_seed(&tc.rng, cfg->c.seed + 1);
    TrainerNet tn = {.net = &r, .params = &g->D.params, .gradient = d_hook, .rng = &g->rng,
                     .params2 = &g->G.params, .gradient2 = g_hook,
                     .metric_count = 2, .metric_names = "d_real\td_fake", .metrics = g->metrics,
                     .score_count = raw ? 4 : 2, .score_names = raw ? "IS\tFD\traw_IS\traw_FD" : "IS\tFD",
                     .score = score_hook};
    if (g->avg_decay > 0)
        tn.after_update = average_hook;
    if (carry_size(g) > 0) {
        tn.carry_size = carry_size(g);
        tn.carry_get = carry_get;
        tn.carry_set = carry_set;
    }
    char rates[64];
    if (tc.lr2 > 0 && tc.lr2 != tc.lr)
        snprintf(rates, sizeof rates, "lr %g for D, %g for G", tc.lr, tc.lr2);
    else
        snprintf(rates, sizeof rates, "lr %g", tc.lr);
    printf("Training the %s: G %zu parameters, D %zu; Adam %s%s beta1 0.5, batch %d, %d epoch%s of %d "
           "images, %d thread%s, %s\n", tc.title, g->G.params.trainable_size, g->D.params.trainable_size,
           rates, cfg->cosine ? " (cosine to 0)" : "", tc.batch, epochs, epochs == 1 ? "" : "s", train->count,
           get_threads(), get_threads() == 1 ? "" : "s", matmul_backend());
    if (g->avg_decay > 0)
        printf("  samples from G's moving average (decay %g; --ema 0: from G itself)\n", g->avg_decay);
    if (g->r1_gamma > 0)
        printf("  R1: D's slope at the real images penalised, gamma %g, on one D step in %d\n", g->r1_gamma,
               g->r1_every);
    if (scorer)
        printf("  each epoch: a grid of samples, and IS and FD of %d samples%s\n", r.score_samples,
               raw ? " (raw_: of G itself, not averaged)" : "");
    GanResult res = {kind, classes, epochs, trainer_run(&tc, &tn, train, NULL), 0, 0, 0, 0, clusters > 0};
    if (res.run.status != TRAIN_DONE)
        exit(trainer_exit_status(res.run.status));
    res.epoch_seconds = res.run.iters ? res.run.train_seconds / res.run.iters * (60000.0 / tc.batch) : 0;
    res.grid_seconds = r.grid_seconds / (res.run.evaluations ? res.run.evaluations : 1);
    res.score_seconds = r.score_seconds / (res.run.evaluations ? res.run.evaluations : 1);
    char scores[64] = "";
    if (scorer)
        snprintf(scores, sizeof scores, "; IS %.2f, FD %.2f", res.run.score[0], res.run.score[1]);
    printf("%s: D loss %.3f, G loss %.3f over the last epoch%s; %.1f s per epoch of 60,000 images; "
           "a grid took %.3f s, a scoring %.1f s\n", tc.title, res.run.loss, res.run.loss2, scores,
           res.epoch_seconds, res.grid_seconds, res.score_seconds);
    char path[OUT_PATH_SIZE];
    out_path(path, cfg->c.out, "%s_epochs.png", r.tag);
    res.grids = stack_epochs(cfg->c.out, r.tag, epochs, path);
    printf("  samples: %s_epoch_00.png ... %s_epoch_%02d.png, all in %s\n", r.tag, r.tag, epochs, path);
    plot_run(cfg, r.tag, tc.title, ref, raw);
    model_file(path, cfg, r.tag);
    average_bn_statistics(&r);     /* as the last grid had them, also after a --resume */
    gan_save(g, path, r.tag, &res);
    free(r.fixed_z);
    free(r.samples);
    free(r.score_labels);
    if (clusters)
        free(clustered.labels);
    gan_free(g);
    return res;
}

/* ---- score, draw and walk ---------------------------------------------------------------- */

/* 1 if the model file says its classes are k-means clusters, not labels */
static int conditioned_on_clusters(const char *path)
{
    char on[32], err[MODEL_ERR_SIZE];
    return model_read_metadata(path, "conditioned_on", on, sizeof on, err) == 0 &&
           strcmp(on, "k-means clusters") == 0;
}

/* score --model FILE: a saved GAN's IS and FD, from the noise its training
 * scored with, so they are the scores of its last epoch; or from that noise
 * times --psi, the truncation trick (BigGAN's samples are drawn so), which
 * trades variety for clear strokes. A GAN of k-means clusters draws its
 * clusters in turn here, not in the training images' proportions, so its
 * scores differ a little from its training's. */
static void score_saved_gan(const Config *cfg, Gan *g, Scorer *scorer)
{
    const int clusters = conditioned_on_clusters(cfg->model);
    const int N = cfg->score_samples;
    real *img = xmalloc((size_t)N * 28 * 28 * sizeof(real));
    sample_for_scoring(g, &g->G.params, img, N, NULL, cfg->c.seed, cfg->psi);
    Scores s = score_images(scorer, img, N);
    printf("\n%s: %d samples%s, noise N(0, %g^2)%s\n", cfg->model, N,
           g->classes ? clusters ? ", its clusters in turn" : ", the classes in turn" : "", cfg->psi,
           cfg->psi == 1 ? "" : " (the truncation trick)");
    printf("  IS %.4g  FD %.4g\n", s.is, s.fd);
    printf("  IS = classes %.2f / spread %.3f; the share of each digit, p(y):", s.classes, s.spread);
    for (int k = 0; k < scorer->classes; k++)
        printf(" %d %.1f%%", k, 100 * s.share[k]);
    printf("\n");
    free(img);
}

/* draw 7: 64 sevens; draw: a row of each class. */
static void run_draw(const Config *cfg, const char *digit)
{
    int d = -1;
    if (digit) {
        char *end;
        long v = strtol(digit, &end, 10);
        if (end == digit || *end || v < 0 || v > 9)
            die("draw: '%s' is not a digit from 0 to 9", digit);
        d = (int)v;
    }
    char path[OUT_PATH_SIZE];
    if (cfg->model)
        snprintf(path, sizeof path, "%s", cfg->model);
    else
        model_file(path, cfg, "cgan");
    Gan g;
    gan_load(&g, path, GRID + 36);
    if (!g.classes)
        die("%s: a GAN without labels cannot draw a chosen digit (train one with: 06_gan cgan)", path);
    if (conditioned_on_clusters(path))
        die("%s: a GAN of k-means clusters, not digits, cannot draw a chosen digit (train one with: 06_gan cgan)",
            path);
    if (d >= g.classes)
        die("draw: the model knows %d classes, not %d", g.classes, d + 1);
    const int count = d >= 0 ? GRID : g.classes * 10, cols = d >= 0 ? 8 : 10;
    Rng rng;
    rng_seed(&rng, cfg->c.seed + 11);
    real *z = xmalloc((size_t)count * g.z_dim * sizeof(real));
    real *img = xmalloc((size_t)count * g.C * g.H * g.W * sizeof(real));
    int *labels = xmalloc((size_t)count * sizeof(int));
    rng_fill_normal(&rng, z, (size_t)count * g.z_dim, 1);
    for (int i = 0; i < count; i++)
        labels[i] = d >= 0 ? d : i / 10;
    for (int n = 0; n < count; n += g.batch_max) {
        int b = count - n < g.batch_max ? count - n : g.batch_max;
        gan_generate(&g, img + (size_t)n * g.C * g.H * g.W, z + (size_t)n * g.z_dim, labels + n, b);
    }
    /* Does the judge read them as the digits asked for? (if a scorer is saved) */
    char spath[OUT_PATH_SIZE], err[MODEL_ERR_SIZE], value[64];
    if (cfg->scorer)
        snprintf(spath, sizeof spath, "%s", cfg->scorer);
    else
        out_path(spath, cfg->c.out, "scorer.safetensors");
    if (g.C == 1 && g.H == 28 && g.W == 28 && access(spath, R_OK) == 0 &&
        model_read_metadata(spath, "network", value, sizeof value, err) == 0 && strcmp(value, "simple_conv_net") == 0) {
        SimpleConvNet judge;
        Rng r0;
        rng_seed(&r0, 0);
        simple_conv_net_init(&judge, 1, 28, 28, 30, 5, 100, 10, SCORER_BATCH, (WeightInit){INIT_HE, 0}, &r0);
        if (model_load(spath, &judge.params, err) != 0)
            die("%s", err);
        real *pix = xmalloc((size_t)count * 784 * sizeof(real));
        gan_images_from_tanh(pix, img, (size_t)count * 784);
        int agree = 0;
        for (int n = 0; n < count; n += SCORER_BATCH) {
            int b = count - n < SCORER_BATCH ? count - n : SCORER_BATCH;
            const real *sc = simple_conv_net_predict(&judge, pix + (size_t)n * 784, b);
            for (int i = 0; i < b; i++) {
                int best = 0;
                for (int k = 1; k < 10; k++)
                    best = sc[(size_t)i * 10 + k] > sc[(size_t)i * 10 + best] ? k : best;
                agree += best == labels[n + i];
            }
        }
        printf("draw: the scorer reads %d of the %d drawings as the digit asked for (%.0f%%)\n", agree, count,
               100.0 * agree / count);
        free(pix);
        simple_conv_net_free(&judge);
    }
    char png[OUT_PATH_SIZE];
    if (d >= 0)
        out_path(png, cfg->c.out, "draw_%d.png", d);
    else
        out_path(png, cfg->c.out, "draw.png");
    save_samples(img, count, cols, png);
    printf("draw: %s (%s, from %s)\n", png, d >= 0 ? "64 of one digit" : "a row per digit, 0 at the top", path);
    free(z), free(img), free(labels);
    gan_free(&g);
}

/* Ten samples on the straight line from z0 to z1, for five pairs: how G's
 * drawing changes as its input slides. */
static void run_walk(const Config *cfg)
{
    char path[OUT_PATH_SIZE];
    if (cfg->model)
        snprintf(path, sizeof path, "%s", cfg->model);
    else
        model_file(path, cfg, "dcgan");
    Gan g;
    gan_load(&g, path, 64);
    enum { STEPS = 10, PAIRS = 5 };
    Rng rng;
    rng_seed(&rng, cfg->c.seed + 13);
    real *ends = xmalloc((size_t)2 * g.z_dim * sizeof(real));
    real *z = xmalloc((size_t)STEPS * PAIRS * g.z_dim * sizeof(real));
    real *img = xmalloc((size_t)STEPS * PAIRS * g.C * g.H * g.W * sizeof(real));
    int labels[STEPS * PAIRS];
    for (int p = 0; p < PAIRS; p++) {
        rng_fill_normal(&rng, ends, (size_t)2 * g.z_dim, 1);
        int label = rng_int(&rng, g.classes ? g.classes : 1);
        for (int s = 0; s < STEPS; s++) {
            double t = (double)s / (STEPS - 1);
            real *row = z + ((size_t)p * STEPS + s) * g.z_dim;
            for (int j = 0; j < g.z_dim; j++)       /* z = (1 - t) z0 + t z1 */
                row[j] = (real)((1 - t) * ends[j] + t * ends[g.z_dim + j]);
            labels[p * STEPS + s] = label;
        }
    }
    gan_generate(&g, img, z, labels, STEPS * PAIRS);
    char png[OUT_PATH_SIZE];
    out_path(png, cfg->c.out, "walk.png");
    save_samples(img, STEPS * PAIRS, STEPS, png);
    printf("walk: %s (%d walks of %d steps from z0 to z1, from %s)\n", png, PAIRS, STEPS, path);
    free(ends), free(z), free(img);
    gan_free(&g);
}

/* ---- bench ------------------------------------------------------------------------------ */

/* Time one training iteration of each GAN (a D step on real and fake, Adam, a
 * G step through D, Adam) at --batch, over `batches` after 5 warm-up ones,
 * and that times the iterations of an epoch of 60,000 images; and a grid of
 * 64 samples against that epoch. bench/pytorch_compare.py times the same. */
static void run_bench(const Config *cfg, const Dataset *train, int batches)
{
    const int B = cfg->c.batch, per_epoch = 60000 / B;
    printf("GAN training iterations, batch %d, %d thread%s, %s (%d batches after 5 warm-up); %s\n", B,
           get_threads(), get_threads() == 1 ? "" : "s", matmul_backend(), batches, thread_wait_description());
    for (int k = 0; k < 2; k++) {
        Gan g;
        gan_init(&g, (GanKind)k, 0, 1, 28, 28, B, cfg->c.seed);
        Optimizer od = optimizer_create(ADAM, cfg->c.lr, g.D.params.trainable_size);
        Optimizer og = optimizer_create(ADAM, cfg->c.lr, g.G.params.trainable_size);
        od.beta1 = og.beta1 = 0.5;
        real *x = xmalloc((size_t)B * 784 * sizeof(real));
        int *t = xmalloc((size_t)B * sizeof(int)), *idx = xmalloc((size_t)B * sizeof(int));
        Rng rng;
        rng_seed(&rng, cfg->c.seed);
        double t0 = 0;
        for (int i = -5; i < batches; i++) {
            if (i == 0)
                t0 = now_seconds();
            for (int j = 0; j < B; j++)
                idx[j] = rng_int(&rng, train->count);
            dataset_gather(train, idx, B, x, t);
            gan_d_step(&g, x, t, B);
            optimizer_update(&od, g.D.params.values, g.D.params.grads);
            gan_g_step(&g, t, B);
            optimizer_update(&og, g.G.params.values, g.G.params.grads);
        }
        double per = (now_seconds() - t0) / batches;
        /* a grid: 64 samples from fixed noise and a PNG */
        real *z = xmalloc((size_t)GRID * g.z_dim * sizeof(real)), *img = xmalloc((size_t)GRID * 784 * sizeof(real));
        rng_fill_normal(&rng, z, (size_t)GRID * g.z_dim, 1);
        int *labels = xcalloc(GRID, sizeof(int));
        char path[OUT_PATH_SIZE];
        out_path(path, cfg->c.out, "bench_grid.png");
        double g0 = now_seconds();
        for (int n = 0; n < GRID; n += B)
            gan_generate(&g, img + (size_t)n * 784, z + (size_t)n * g.z_dim, labels + n, GRID - n < B ? GRID - n : B);
        save_samples(img, GRID, 8, path);
        double grid = now_seconds() - g0;
        printf("  %-8s %7.2f ms per iteration, %6.1f s per epoch of 60,000 (%d iterations); a grid %.1f ms "
               "(%.3f%% of the epoch)\n", k == GAN_MLP ? "MLP GAN" : "DCGAN", 1e3 * per, per * per_epoch,
               per_epoch, 1e3 * grid, 100 * grid / (per * per_epoch));
        free(z), free(img), free(labels), free(x), free(t), free(idx);
        optimizer_free(&od), optimizer_free(&og);
        gan_free(&g);
    }
}

/* ---- main --------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Config cfg = {0};
    options_defaults(&cfg.c);
    cfg.c.epochs = 0;
    cfg.c.batch = 64;
    cfg.c.lr = 0.0002;
    cfg.c.out = "out/06_gan";
    cfg.score_samples = 10000;
    cfg.net = NULL;
    cfg.bench_batches = 50;
    cfg.ema = 0.99;                 /* measured best of the averages over 5 epochs (README) */
    cfg.raw_scores = 1;
    cfg.r1_every = 4;
    cfg.psi = 1;
    const Option extra[] = {
        {"epochs", OPT_INT, NULL, "N", "epochs of the chosen GAN (default: the tour's, or --full's)"},
        {"full", OPT_FLAG, &cfg.full, NULL, "longer runs on all images: MLP GAN 30 epochs, DCGAN 7 (15 minutes), conditional 20 (tour: 10, 2, 10 on 10,000)"},
        {"train-size", OPT_INT, &cfg.train_size, "N", "train on the first N images only (default all; the tour 10000)"},
        {"score-samples", OPT_INT, &cfg.score_samples, "N", "samples scored after each epoch (default 10000, 0: none)"},
        {"net", OPT_STRING, &cfg.net, "mlp|dcgan", "the conditional GAN's nets (default mlp)"},
        {"clusters", OPT_INT, &cfg.clusters, "K", "mlp, dcgan: both nets see which of K clusters (2 to 64) k-means finds in the images, not the labels (default 0: none)"},
        {"model", OPT_STRING, &cfg.model, "FILE", "the model draw or walk uses (default: OUT/cgan or OUT/dcgan), or score scores"},
        {"psi", OPT_DOUBLE, &cfg.psi, "X", "score --model: draw the noise from N(0, X^2) (default 1; below 1: the truncation trick)"},
        {"scorer", OPT_STRING, &cfg.scorer, "FILE", "the SimpleConvNet that scores (default: OUT/scorer, chapter 04's, or trained)"},
        {"ema", OPT_DOUBLE, &cfg.ema, "DECAY", "sample from a moving average of G's weights (default 0.99, 0: G itself)"},
        {"raw-scores", OPT_INT, &cfg.raw_scores, "0|1", "with --ema, score G itself too each epoch (default 1)"},
        {"r1", OPT_DOUBLE, &cfg.r1, "GAMMA", "penalise D's slope at the real images: gamma/2 |dD/dx|^2 (default 0: none; try 1)"},
        {"r1-every", OPT_INT, &cfg.r1_every, "K", "R1 on every K-th D step, K times as strong (default 4)"},
        {"lr-g", OPT_DOUBLE, &cfg.lr_g, "X", "G's learning rate, if not --lr (D's); the DCGAN's: 0.0016"},
        {"cosine", OPT_FLAG, &cfg.cosine, NULL, "the learning rate glides from --lr to 0 over the run (default: constant)"},
        {"resume", OPT_FLAG, &cfg.resume, NULL, "go on from the checkpoint in --out (after Ctrl-C)"},
        {"bench-batches", OPT_INT, &cfg.bench_batches, "N", "iterations bench times per GAN (default 50)"},
        {0},
    };
    const char *pos[3];
    int npos = options_parse(argc, argv, &info, &cfg.c, extra, pos, 3);
    const char *commands[] = {"tour", "mlp", "dcgan", "cgan", "draw", "walk", "score", "bench", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    const int draw = strcmp(cmd, "draw") == 0, tour = strcmp(cmd, "tour") == 0;
    if (draw ? npos > 2 : npos > 1) {
        fprintf(stderr, "06_gan: %s (see --help)\n", draw ? "draw takes one digit at most: 06_gan draw 7"
                                                          : "one command at a time");
        return 2;
    }
    if (!(cfg.lr_g >= 0 && cfg.lr_g < 1))
        die("--lr-g must be above 0 and below 1 (or 0: the same as --lr), not %g", cfg.lr_g);
    if (!(cfg.r1 >= 0 && cfg.r1 <= 1000))
        die("--r1 must be from 0 (no penalty) to 1000, not %g", cfg.r1);
    if (cfg.r1_every < 1 || cfg.r1_every > 1000)
        die("--r1-every must be from 1 to 1000, not %d", cfg.r1_every);
    if (!(cfg.ema >= 0 && cfg.ema < 1))
        die("--ema must be from 0 (no average) up to below 1, not %g", cfg.ema);
    if (cfg.bench_batches < 1)
        die("--bench-batches must be at least 1, not %d", cfg.bench_batches);
    if (cfg.train_size < 0)
        die("--train-size must be 0 (all images) or more, not %d", cfg.train_size);
    if (cfg.score_samples < 0 || cfg.score_samples == 1)
        die("--score-samples must be 0 (no scores) or at least 2, not %d", cfg.score_samples);
    const int score_model = strcmp(cmd, "score") == 0 && cfg.model;
    if (!(cfg.psi > 0 && cfg.psi <= 10))
        die("--psi must be above 0 and at most 10, not %g", cfg.psi);
    if (cfg.psi != 1 && !score_model)
        die("--psi goes with score --model FILE");
    if (score_model && cfg.score_samples == 0)
        die("score --model needs samples to score: --score-samples 2 or more, not 0");
    GanKind cnet = GAN_MLP;
    if (cfg.net && strcmp(cfg.net, "dcgan") == 0)
        cnet = GAN_DCGAN;
    else if (cfg.net && strcmp(cfg.net, "mlp") != 0)
        die("--net must be mlp or dcgan, not '%s'", cfg.net);
    if (cfg.clusters && (cfg.clusters < 2 || cfg.clusters > 64))
        die("--clusters must be from 2 to 64 (or 0: none), not %d", cfg.clusters);
    if (cfg.clusters && strcmp(cmd, "mlp") != 0 && strcmp(cmd, "dcgan") != 0)
        die("--clusters goes with mlp or dcgan (cgan has the labels)");
    if (cfg.resume && tour)
        die("--resume goes on with one training command (mlp, dcgan or cgan), not the tour");
    options_make_out(&cfg.c);
    if (draw) {
        run_draw(&cfg, npos == 2 ? pos[1] : NULL);
        return 0;
    }
    if (strcmp(cmd, "walk") == 0) {
        run_walk(&cfg);
        return 0;
    }

    /* the GAN to score is read before the data and the scorer: a wrong file
     * is told at once */
    Gan scored;
    if (score_model) {
        gan_load(&scored, cfg.model, SCORER_BATCH);
        if (scored.C != 1 || scored.H != 28 || scored.W != 28)
            die("%s: the scorer reads 28x28 grey images, this GAN draws %dx%dx%d", cfg.model, scored.C, scored.H,
                scored.W);
    }
    Dataset train, test;
    mnist_load_or_die(cfg.c.data, 10, &train, &test);
    if (train.images.shape[1] != 1 || train.images.shape[2] != 28 || train.images.shape[3] != 28)
        die("%s: this chapter's nets take 28x28 grey images", cfg.c.data);
    /* the scorer and the references see all the training digits; the GANs
     * train on --train-size of them */
    if (strcmp(cmd, "bench") == 0) {
        run_bench(&cfg, &train, cfg.bench_batches);
        dataset_free(&train), dataset_free(&test);
        return 0;
    }
    Scorer scorer;
    References ref = {.real_test = {.is = -1, .fd = -1}, .real_train = {.is = -1, .fd = -1},
                      .noise = {.is = -1, .fd = -1}};
    const int scoring = cfg.score_samples > 0 || strcmp(cmd, "score") == 0;
    const int ref_n = train.count < 10000 ? train.count : 10000;
    if (scoring) {
        scorer_init(&scorer, &cfg, &train, &test);
        ref = references(&scorer, &train, &test, ref_n, cfg.c.seed);
        print_references(&ref, ref_n);
    }
    int train_size = cfg.train_size ? cfg.train_size : tour ? 10000 : 0;
    if (train_size > 0 && train_size < train.count) {
        Dataset head = dataset_head(&train, train_size);
        dataset_free(&train);
        train = head;
    }
    if (cfg.c.batch > train.count)
        die("--batch %d is larger than the training set (%d images)", cfg.c.batch, train.count);
    if (cfg.clusters > train.count)
        die("--clusters %d is more than the training set's %d images", cfg.clusters, train.count);
    train_size = train.count;
    if (strcmp(cmd, "score") == 0) {
        print_reference_parts(&ref, ref_n);
        if (score_model) {
            score_saved_gan(&cfg, &scored, &scorer);
            gan_free(&scored);
        }
        scorer_free(&scorer);
        dataset_free(&train), dataset_free(&test);
        return 0;
    }
    Scorer *sc = scoring ? &scorer : NULL;
    GanResult mlp = {0}, dc = {0}, cg = {0};
    int e = cfg.c.epochs;
    if (tour || strcmp(cmd, "mlp") == 0) {
        printf("\n== The MLP GAN ==\n");
        mlp = train_gan(&cfg, GAN_MLP, 0, cfg.clusters, e ? e : cfg.full ? 30 : 10, &train, sc, &ref);
    }
    if (tour || strcmp(cmd, "dcgan") == 0) {
        printf("\n== The DCGAN ==\n");
        dc = train_gan(&cfg, GAN_DCGAN, 0, cfg.clusters, e ? e : cfg.full ? 7 : tour ? 2 : 5, &train, sc, &ref);
    }
    if (tour || strcmp(cmd, "cgan") == 0) {
        printf("\n== A conditional GAN: the label goes to both nets ==\n");
        cg = train_gan(&cfg, tour ? GAN_MLP : cnet, 10, 0, e ? e : cfg.full ? 20 : 10, &train, sc, &ref);
    }
    if (scoring)
        scorer_free(&scorer);
    dataset_free(&train);
    dataset_free(&test);
    if (!tour)
        return 0;
    printf("\n== Drawing a chosen digit, and a walk through the latent space ==\n");
    run_draw(&cfg, "7");
    run_draw(&cfg, NULL);
    run_walk(&cfg);
    printf("\nSummary of chapter 06 (IS at most 10, FD 0 for the real thing)\n");
    printf("  references: real test digits IS %.2f; training digits FD %.2f; uniform noise IS %.2f, FD %.0f\n",
           ref.real_test.is, ref.real_train.fd, ref.noise.is, ref.noise.fd);
    const GanResult *rs[3] = {&mlp, &dc, &cg};
    for (int k = 0; k < 3; k++)
        printf("  %-20s %2d epoch%s of %d images: IS %.2f, FD %.2f; losses D %.3f, G %.3f\n",
               title_of(rs[k]->kind, rs[k]->classes), rs[k]->epochs, rs[k]->epochs == 1 ? " " : "s", train_size,
               rs[k]->run.score[0], rs[k]->run.score[1], rs[k]->run.loss, rs[k]->run.loss2);
    printf("  outputs in %s/ (--full trains longer on all 60,000 images)\n", cfg.c.out);
    return 0;
}
