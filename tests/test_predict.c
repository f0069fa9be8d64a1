/* Reading a digit someone drew: MNIST test digits redrawn as PNG files of all
 * kinds (grey, RGB, RGBA, dark on light, off-centre, odd sizes, enlarged) must
 * come back close to the 28x28 original and be classified as their label by
 * a small SimpleConvNet trained here; broken and non-PNG files fail with a
 * message; the conv nets survive a save and a load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deep_conv_net.h"
#include "digit.h"
#include "functions.h"
#include "idx.h"
#include "image.h"
#include "model.h"
#include "optimizer.h"
#include "simple_conv_net.h"
#include "test.h"
#include "test_files.h"
#include "threads.h"
#include "util.h"

static Dataset train_set, test_set;
static char dir[64];

/* How a digit is drawn: canvas size, scale, where its corner goes, ink and
 * paper colours (RGBA), and the PNG's channels (1 grey, 3 RGB, 4 RGBA). */
typedef struct {
    const char *name;
    int width, height;
    double scale;
    int x0, y0;
    uint8_t ink[4], paper[4];
    int channels;
} Drawing;

static const Drawing drawings[] = {
    {"grey_dark_on_light", 200, 200, 5.0, 30, 20, {20, 20, 20, 255}, {235, 235, 235, 255}, 1},
    {"grey_light_on_dark_offcentre", 61, 45, 1.0, 30, 12, {255, 255, 255, 255}, {0, 0, 0, 255}, 1},
    {"rgb_blue_on_cream_odd_size", 173, 97, 3.0, 70, 4, {30, 40, 160, 255}, {250, 240, 215, 255}, 3},
    {"rgb_yellow_on_purple", 90, 90, 2.5, 10, 15, {250, 230, 60, 255}, {60, 20, 90, 255}, 3},
    {"rgba_black_on_transparent", 120, 150, 4.0, 5, 20, {0, 0, 0, 255}, {0, 0, 0, 0}, 4},
    {"rgba_red_on_white_large", 400, 300, 9.0, 100, 10, {200, 0, 0, 255}, {255, 255, 255, 255}, 4},
};
enum { DRAWINGS = sizeof drawings / sizeof drawings[0] };

/* Render a 28x28 digit (ink in [0, 1]) enlarged by bilinear interpolation, and save it. */
static void draw_png(const real *digit, const Drawing *d, const char *path)
{
    Image img = image_new(d->width, d->height, d->channels);
    for (int y = 0; y < d->height; y++)
        for (int x = 0; x < d->width; x++) {
            double u = (x - d->x0 + 0.5) / d->scale - 0.5, v = (y - d->y0 + 0.5) / d->scale - 0.5, ink = 0;
            int u0 = (int)floor(u), v0 = (int)floor(v);
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    int xi = u0 + i, yj = v0 + j;
                    if (xi >= 0 && xi < 28 && yj >= 0 && yj < 28)
                        ink += (i ? u - u0 : 1 - (u - u0)) * (j ? v - v0 : 1 - (v - v0)) * digit[yj * 28 + xi];
                }
            uint8_t rgba[4];
            for (int c = 0; c < 4; c++)
                rgba[c] = (uint8_t)lround(d->paper[c] + ink * (d->ink[c] - d->paper[c]));
            uint8_t *p = img.pixels + ((size_t)y * d->width + x) * d->channels;
            if (d->channels == 1)
                p[0] = rgba[0];
            else
                memcpy(p, rgba, d->channels);
        }
    char err[IMAGE_ERR_SIZE];
    if (image_write_png(path, &img, err) != 0)
        die("%s", err);
    image_free(&img);
}

static double correlation(const real *a, const real *b, int n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++)
        ma += a[i], mb += b[i];
    ma /= n, mb /= n;
    for (int i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

/* Test digits used throughout: the first of each class in the test set. */
static int chosen[10];

static void choose_digits(void)
{
    for (int c = 0; c < 10; c++)
        chosen[c] = -1;
    for (int i = 0; i < test_set.count; i++)
        if (chosen[test_set.labels[i]] < 0)
            chosen[test_set.labels[i]] = i;
}

static const real *test_image(int i) { return test_set.images.data + (size_t)i * 784; }

static void test_prepare_reproduces_mnist_digits(void)
{
    /* MNIST's digits were made this way, so preparing a redrawn one gives it back. */
    double worst = 1;
    for (int c = 0; c < 10; c++)
        for (int k = 0; k < DRAWINGS; k++) {
            char path[128], err[IMAGE_ERR_SIZE];
            snprintf(path, sizeof path, "%s/%d_%s.png", dir, c, drawings[k].name);
            draw_png(test_image(chosen[c]), &drawings[k], path);
            real x[784];
            int rc = digit_load_png(path, x, err);
            CHECK(rc == 0);
            if (rc != 0) {
                printf("  %s\n", err);
                continue;
            }
            double r = correlation(x, test_image(chosen[c]), 784);
            if (r < 0.8)
                printf("  digit %d, %s: correlation %.3f\n", c, drawings[k].name, r);
            worst = fmin(worst, r);
            CHECK(r >= 0.8);
        }
    printf("  lowest correlation with the original: %.3f\n", worst);
}

static void test_prepared_digit_is_centred_and_in_range(void)
{
    /* A small blob far in a corner of a large canvas ends up centred, in [0, 1]. */
    Image img = image_new(500, 300, 1);
    memset(img.pixels, 255, (size_t)500 * 300);
    for (int y = 250; y < 290; y++)
        for (int x = 450; x < 465; x++)
            img.pixels[(size_t)y * 500 + x] = 0;        /* a dark bar 15 wide, 40 tall */
    real out[784];
    char err[IMAGE_ERR_SIZE];
    CHECK(digit_prepare(&img, out, err) == 0);
    double mass = 0, mx = 0, my = 0, lo = 1, hi = 0;
    int x0 = 28, x1 = -1, y0 = 28, y1 = -1;
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            double v = out[y * 28 + x];
            lo = fmin(lo, v), hi = fmax(hi, v);
            mass += v, mx += v * x, my += v * y;
            if (v > 0)
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1, y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
        }
    CHECK(lo >= 0 && hi <= 1 && hi > 0.99);
    CHECK_NEAR(mx / mass, 14, 0.6);
    CHECK_NEAR(my / mass, 14, 0.6);
    CHECK(y1 - y0 + 1 == 20);                           /* the longer side fills the 20x20 box */
    CHECK(x1 - x0 + 1 >= 7 && x1 - x0 + 1 <= 9);        /* 15/40 of 20, aspect kept */
    image_free(&img);
}

/* A small SimpleConvNet, trained here for a few seconds; returns how many images it saw. */
static int train_small_net(SimpleConvNet *net)
{
    Rng rng;
    rng_seed(&rng, 7);
    enum { B = 50 };
    simple_conv_net_init(net, 1, 28, 28, 6, 5, 24, 10, B, (WeightInit){INIT_HE, 0}, &rng);
    Optimizer opt = optimizer_create(ADAM, 0.005, net->params.trainable_size);
    /* The double build (under the sanitizers, ten times slower) trains on fewer
     * images: it is there to check memory, the float build checks the reading. */
    int n = sizeof(real) == sizeof(double) ? 500 : 1200, idx[B], t[B];
    n = train_set.count < n ? train_set.count : n;
    real *x = xmalloc((size_t)B * 784 * sizeof(real));
    for (int epoch = 0; epoch < 3; epoch++)
        for (int start = 0; start + B <= n; start += B) {
            for (int b = 0; b < B; b++)
                idx[b] = start + b;
            dataset_gather(&train_set, idx, B, x, t);
            simple_conv_net_gradient(net, x, t, B);
            optimizer_update(&opt, net->params.values, net->params.grads);
        }
    free(x);
    optimizer_free(&opt);
    return n;
}

static int classify(SimpleConvNet *net, const real *x, double *prob)
{
    real p[10];
    softmax(p, simple_conv_net_predict(net, x, 1), 1, 10);
    int c = argmax(p, 10);
    if (prob)
        *prob = p[c];
    return c;
}

static void test_predict_drawn_digits(void)
{
    SimpleConvNet net;
    int n = train_small_net(&net);
    Dataset head = dataset_head(&test_set, 500);
    double acc = simple_conv_net_accuracy(&net, &head);
    /* The two builds print different numbers: say why, so nobody hunts a bug. */
    printf("  the small net, trained on %d images (%s), scores %.3f on 500 test digits\n", n,
           sizeof(real) == sizeof(double) ? "fewer in this build, slowed by the sanitizers"
                                          : "more than the sanitizer build can afford", acc);
    CHECK(acc > (sizeof(real) == sizeof(double) ? 0.6 : 0.8));     /* a quick net: the test is about the files */
    dataset_free(&head);
    /* Digits the net reads confidently as they are (the test is about the files,
     * not the net): up to two of each class, in the order of the test set. */
    int tried = 0, right = 0, taken[10] = {0};
    for (int i = 0; i < 300; i++) {
        int label = test_set.labels[i];
        double prob;
        if (taken[label] == 2 || classify(&net, test_image(i), &prob) != label || prob < 0.9)
            continue;
        taken[label]++;
        for (int k = 0; k < DRAWINGS; k++) {
            char path[128], err[IMAGE_ERR_SIZE];
            snprintf(path, sizeof path, "%s/%d_%s.png", dir, i, drawings[k].name);
            draw_png(test_image(i), &drawings[k], path);
            real x[784];
            CHECK(digit_load_png(path, x, err) == 0);
            int got = classify(&net, x, NULL);
            if (got != label)
                printf("  test digit %d (a %d) drawn as %s read as %d\n", i, label, drawings[k].name, got);
            tried++;
            right += got == label;
        }
    }
    printf("  %d of %d drawn digits read right: %d drawings of each test digit the net reads\n"
           "  as it is with 90%% confidence (up to two per class), so the count follows the net\n",
           right, tried, DRAWINGS);
    CHECK(tried >= (sizeof(real) == sizeof(double) ? 18 : 60));
    CHECK(right == tried);
    simple_conv_net_free(&net);
}

/* ---- files that are not digits ----------------------------------------------------- */

static void expect_failure(const char *path, const char *what)
{
    real x[784];
    char err[IMAGE_ERR_SIZE] = "";
    int rc = digit_load_png(path, x, err);
    CHECK(rc == -1);
    CHECK(strstr(err, path) != NULL);               /* the message names the file */
    CHECK(strchr(err, '\n') == NULL && strlen(err) > strlen(path) + 5);
    if (what && !strstr(err, what)) {
        printf("  %s: message '%s' lacks '%s'\n", path, err, what);
        CHECK(0);
    }
}

static void test_bad_files_fail_cleanly(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/missing.png", dir);
    expect_failure(path, NULL);

    snprintf(path, sizeof path, "%s/text.png", dir);
    test_write_bytes(path, "this is not an image\n", 21);
    expect_failure(path, "not a PNG");

    snprintf(path, sizeof path, "%s/empty.png", dir);
    test_write_bytes(path, "", 0);
    expect_failure(path, NULL);

    /* A real PNG cut in half, and one with its pixel data scrambled. */
    char good[128];
    snprintf(good, sizeof good, "%s/good.png", dir);
    draw_png(test_image(chosen[3]), &drawings[2], good);
    FILE *f = fopen(good, "rb");
    unsigned char *buf = xmalloc(1 << 20);
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/truncated.png", dir);
    test_write_bytes(path, buf, n / 2);
    expect_failure(path, NULL);
    for (size_t i = 60; i < n - 20; i += 7)
        buf[i] ^= 0x5a;
    snprintf(path, sizeof path, "%s/corrupt.png", dir);
    test_write_bytes(path, buf, n);
    expect_failure(path, NULL);
    free(buf);

    /* A valid PNG with nothing drawn on it. */
    Image blank = image_new(64, 48, 1);
    memset(blank.pixels, 200, (size_t)64 * 48);
    char err[IMAGE_ERR_SIZE];
    snprintf(path, sizeof path, "%s/blank.png", dir);
    CHECK(image_write_png(path, &blank, err) == 0);
    image_free(&blank);
    expect_failure(path, "no digit");
}

/* ---- the nets' model files ----------------------------------------------------------- */

static void test_conv_nets_save_and_load(void)
{
    Rng rng;
    rng_seed(&rng, 3);
    SimpleConvNet a, b;
    simple_conv_net_init(&a, 1, 28, 28, 30, 5, 100, 10, 4, (WeightInit){INIT_FIXED, 0.01}, &rng);
    simple_conv_net_init(&b, 1, 28, 28, 30, 5, 100, 10, 4, (WeightInit){INIT_FIXED, 0.01}, &rng);    /* other weights */
    char path[128], err[MODEL_ERR_SIZE];
    snprintf(path, sizeof path, "%s/simple.safetensors", dir);
    const char *meta[] = {"network", "simple_conv_net", NULL};
    CHECK(model_save(path, &a.params, meta, err) == 0);
    CHECK(model_load(path, &b.params, err) == 0);
    real sa[40], sb[40];
    memcpy(sa, simple_conv_net_predict(&a, test_image(0), 4), sizeof sa);
    memcpy(sb, simple_conv_net_predict(&b, test_image(0), 4), sizeof sb);
    CHECK(memcmp(sa, sb, sizeof sa) == 0 || sizeof(real) == sizeof(double));   /* F32 file */
    for (int i = 0; i < 40; i++)
        CHECK_NEAR(sa[i], sb[i], 1e-5);

    DeepConvNet d;
    deep_conv_net_init(&d, 1, 28, 28, 10, 2, &rng);
    CHECK(model_load(path, &d.params, err) == -1);      /* a SimpleConvNet file does not fit */
    CHECK(strlen(err) > 0);
    simple_conv_net_free(&a);
    simple_conv_net_free(&b);
    deep_conv_net_free(&d);
}

int main(void)
{
    if (test_load_mnist(&train_set, &test_set) != 0)
        return 1;
    snprintf(dir, sizeof dir, "/tmp/dl-test-predict-%d", (int)getpid());
    if (make_dirs(dir) != 0)
        die("cannot make %s", dir);
    choose_digits();
    set_threads(1);     /* small work: one thread is quickest, and this is not a test of threads */
    RUN(test_prepare_reproduces_mnist_digits);
    RUN(test_prepared_digit_is_centred_and_in_range);
    RUN(test_predict_drawn_digits);
    RUN(test_bad_files_fail_cleanly);
    RUN(test_conv_nets_save_and_load);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", dir);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return test_summary();
}
