/* Chapter 06 as a user meets it, on the release binary: a tiny conditional
 * GAN trains and `draw 7` / `draw` write their pictures; a bad digit, a
 * missing model, a foreign model and a GAN without labels each get one line
 * and a non-zero exit; Ctrl-C then --resume saves the very same model, byte for
 * byte, as a run never stopped (two nets, two optimizers and the averaged G in
 * the checkpoint), for the conditional MLP GAN and the DCGAN; --ema 0 saves G
 * as trained; score --model scores a saved GAN as its last epoch did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "model.h"
#include "params.h"
#include "test.h"
#include "test_files.h"
#include "test_run.h"

#define BIN "build/release/bin/"

static char dir[64];

/* One line of output, an error naming what is wrong, and a non-zero status. */
static void check_one_line_error(int rc, const char *must_hold)
{
    CHECK(rc != 0);
    CHECK(test_count_lines(test_output) == 1);
    CHECK(strstr(test_output, must_hold) != NULL);
    if (!strstr(test_output, must_hold))
        printf("  output: %s", test_output);
}

/* 1: train with R1 on every second D step (--r1 1 --r1-every 2) */
static int with_r1;

static int train(const char *cmd, const char *epochs, const char *out, const char *stop_after, int resume)
{
    /* the DCGAN's iterations are the slow ones: 3 of them an epoch */
    char *argv[20] = {BIN "06_gan", (char *)cmd, "--epochs", (char *)epochs, "--train-size",
                      strcmp(cmd, "dcgan") == 0 ? "192" : "640",
                      "--score-samples", "0", "--threads", "1", "--data", (char *)test_data_dir(),
                      "--out", (char *)out};
    int n = 14;
    if (with_r1)
        argv[n++] = "--r1", argv[n++] = "1", argv[n++] = "--r1-every", argv[n++] = "2";
    if (resume)
        argv[n++] = "--resume";
    argv[n] = NULL;
    return test_run_argv(argv, stop_after);
}

static void test_draw_before_any_model_is_one_line(void)
{
    char *argv[] = {BIN "06_gan", "draw", "7", "--out", dir, NULL};
    check_one_line_error(test_run_argv(argv, NULL), "no model there");
}

static void test_draw_a_bad_digit_is_one_line(void)
{
    char *argv[] = {BIN "06_gan", "draw", "12", "--out", dir, NULL};
    check_one_line_error(test_run_argv(argv, NULL), "'12' is not a digit from 0 to 9");
    char *argv2[] = {BIN "06_gan", "draw", "seven", "--out", dir, NULL};
    check_one_line_error(test_run_argv(argv2, NULL), "'seven' is not a digit");
}

static void test_draw_a_foreign_model_is_one_line(void)
{
    ParamSet ps;
    params_init(&ps);
    params_add(&ps, "W1", 2, (int[]){2, 2}, 1);
    params_alloc(&ps);
    char path[128], err[MODEL_ERR_SIZE];
    snprintf(path, sizeof path, "%s/foreign.safetensors", dir);
    const char *meta[] = {"network", "simple_conv_net", NULL};
    CHECK(model_save(path, &ps, meta, err) == 0);
    params_free(&ps);
    char *argv[] = {BIN "06_gan", "draw", "3", "--model", path, "--out", dir, NULL};
    check_one_line_error(test_run_argv(argv, NULL), "not a GAN of this chapter");
    /* a file that is no model at all */
    snprintf(path, sizeof path, "%s/junk.safetensors", dir);
    test_write_bytes(path, "not a model", 11);
    char *argv2[] = {BIN "06_gan", "draw", "3", "--model", path, "--out", dir, NULL};
    check_one_line_error(test_run_argv(argv2, NULL), "junk.safetensors");
}

static void test_conditional_gan_draws_the_digit_asked(void)
{
    CHECK(train("cgan", "1", dir, NULL, 0) == 0);
    char *argv[] = {BIN "06_gan", "draw", "7", "--out", dir, NULL};
    CHECK(test_run_argv(argv, NULL) == 0);
    char path[128], err[IMAGE_ERR_SIZE];
    snprintf(path, sizeof path, "%s/draw_7.png", dir);
    Image img;
    CHECK(image_read_png(path, 1, &img, err) == 0);
    /* 8 x 8 tiles of 28 pixels, 2 between them, all twice enlarged */
    CHECK(img.width == 2 * (8 * 28 + 7 * 2) && img.height == 2 * (8 * 28 + 7 * 2));
    image_free(&img);
    char *all[] = {BIN "06_gan", "draw", "--out", dir, NULL};
    CHECK(test_run_argv(all, NULL) == 0);
    snprintf(path, sizeof path, "%s/draw.png", dir);
    CHECK(image_read_png(path, 1, &img, err) == 0);
    CHECK(img.width == 2 * (10 * 28 + 9 * 2) && img.height == 2 * (10 * 28 + 9 * 2));   /* a row per digit */
    image_free(&img);
    /* and the grids of the run: epochs 0 and 1, stacked */
    snprintf(path, sizeof path, "%s/cgan_epochs.png", dir);
    CHECK(image_read_png(path, 1, &img, err) == 0);
    image_free(&img);
}

static void test_a_gan_without_labels_cannot_draw_a_digit(void)
{
    CHECK(train("mlp", "1", dir, NULL, 0) == 0);
    char model[128];
    snprintf(model, sizeof model, "%s/mlp_gan.safetensors", dir);
    char *argv[] = {BIN "06_gan", "draw", "7", "--model", model, "--out", dir, NULL};
    check_one_line_error(test_run_argv(argv, NULL), "without labels");
    char *walk[] = {BIN "06_gan", "walk", "--model", model, "--out", dir, NULL};
    CHECK(test_run_argv(walk, NULL) == 0);
}

/* IDX files of the first n images of d, inverted (dark digits on white: a data
 * set that is not MNIST), into dir/stem-images-idx3-ubyte and -labels-idx1-ubyte. */
static void write_idx(const char *dir, const char *stem, const Dataset *d, int n)
{
    char path[256];
    unsigned char *buf = malloc(16 + (size_t)n * 784);
    unsigned char head[16] = {0, 0, 8, 3, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                              (unsigned char)(n >> 8), (unsigned char)n, 0, 0, 0, 28, 0, 0, 0, 28};
    memcpy(buf, head, 16);
    for (size_t i = 0; i < (size_t)n * 784; i++)
        buf[16 + i] = (unsigned char)(255 - (int)(255 * d->images.data[i] + 0.5));
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, stem);
    test_write_bytes(path, buf, 16 + (size_t)n * 784);
    unsigned char lhead[8] = {0, 0, 8, 1, head[4], head[5], head[6], head[7]};
    memcpy(buf, lhead, 8);
    memcpy(buf + 8, d->labels, (size_t)n);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, stem);
    test_write_bytes(path, buf, 8 + (size_t)n);
    free(buf);
}

/* A small IDX data set of its own in a new folder data (1,000 training images
 * and 300 test images of MNIST), and a new folder out. Returns 0, or -1
 * without MNIST. */
static int small_data_set(char *data, char *out, size_t size)
{
    Dataset train, test;
    if (test_load_mnist(&train, &test) != 0)
        return -1;
    test_make_temp_dir(data, size, "gan_cli_data");
    test_make_temp_dir(out, size, "gan_cli_out");
    write_idx(data, "train", &train, 1000);
    write_idx(data, "t10k", &test, 300);
    dataset_free(&train), dataset_free(&test);
    return 0;
}

/* --data: another IDX set trains, and gets a scorer of its own, trained on it. */
static void test_another_data_set_gets_its_own_scorer(void)
{
    char data[64], out[64], path[160];
    if (small_data_set(data, out, sizeof data) != 0) {
        CHECK(0);
        return;
    }
    char *argv[] = {BIN "06_gan", "mlp", "--epochs", "1", "--score-samples", "200", "--threads", "1",
                    "--data", data, "--out", out, NULL};
    CHECK(test_run_argv(argv, NULL) == 0);
    CHECK(strstr(test_output, "no saved SimpleConvNet for") != NULL);
    CHECK(strstr(test_output, "1 epoch of 1000 images") != NULL);
    /* the averaged G's scores after epoch 1: "  IS 1.234  FD 56.78" */
    char scores[64] = "";
    const char *e1 = strstr(test_output, "epoch  1  losses"), *is = e1 ? strstr(e1, "  IS ") : NULL;
    const char *raw = is ? strstr(is, "  raw_IS") : NULL;
    CHECK(raw != NULL);
    if (raw)
        snprintf(scores, sizeof scores, "%.*s\n", (int)(raw - is), is);
    snprintf(path, sizeof path, "%s/scorer.safetensors", out);
    char value[160], err[MODEL_ERR_SIZE];
    CHECK(model_read_metadata(path, "data", value, sizeof value, err) == 0 && strcmp(value, data) == 0);
    /* the scores of epochs 0 and 1 are in the log, as numbers: the averaged G's, then G's own */
    snprintf(path, sizeof path, "%s/mlp_gan_accuracy.tsv", out);
    size_t n;
    unsigned char *tsv = test_read_bytes(path, &n);
    CHECK(tsv && strstr((char *)tsv, "\tIS\tFD\traw_IS\traw_FD\n") != NULL && test_count_lines((char *)tsv) == 3);
    free(tsv);
    /* a resume that would keep other scores is refused, naming them */
    char *fewer[] = {BIN "06_gan", "mlp", "--epochs", "1", "--score-samples", "200", "--raw-scores", "0",
                     "--threads", "1", "--data", data, "--out", out, "--resume", NULL};
    CHECK(test_run_argv(fewer, NULL) != 0);
    CHECK(strstr(test_output, "the checkpoint was made with scores IS FD raw_IS raw_FD, this run has IS FD;") != NULL);
    /* score --model: the saved G scores what its last epoch printed, from the
     * same noise; with --psi from other noise, so other scores */
    char model[160];
    snprintf(model, sizeof model, "%s/mlp_gan.safetensors", out);
    char *score[] = {BIN "06_gan", "score", "--model", model, "--score-samples", "200", "--threads", "1",
                     "--data", data, "--out", out, NULL};
    CHECK(test_run_argv(score, NULL) == 0);
    CHECK(scores[0] && strstr(test_output, scores) != NULL);
    if (!scores[0] || !strstr(test_output, scores))
        printf("  expected%s  got: %s", scores, test_output);
    /* and the IS as two factors whose ratio it is, then ten shares of 100% */
    const char *is_line = strstr(test_output, "\n  IS "), *parts = strstr(test_output, "IS = classes ");
    double is_value = 0, classes = 0, spread = 0, total = 0;
    CHECK(is_line && sscanf(is_line, "\n  IS %lf", &is_value) == 1 && parts &&
          sscanf(parts, "IS = classes %lf / spread %lf", &classes, &spread) == 2);
    CHECK(spread >= 1 && classes <= 10 && fabs(classes / spread - is_value) < 0.01 * is_value);
    const char *share = parts ? strstr(parts, "p(y):") : NULL;
    int k = 0, used;
    for (const char *q = share ? share + 5 : NULL; q && k < 10; k++, q += used) {
        int digit;
        double percent;
        if (sscanf(q, " %d %lf%%%n", &digit, &percent, &used) != 2 || digit != k)
            break;
        total += percent;
    }
    CHECK(k == 10 && fabs(total - 100) < 0.6);
    char *psi[] = {BIN "06_gan", "score", "--model", model, "--psi", "0.5", "--score-samples", "200", "--threads",
                   "1", "--data", data, "--out", out, NULL};
    CHECK(test_run_argv(psi, NULL) == 0);
    CHECK(strstr(test_output, "noise N(0, 0.5^2) (the truncation trick)") != NULL);
    CHECK(strstr(test_output, "  IS ") != NULL && !strstr(test_output, scores));
    char *zero[] = {BIN "06_gan", "score", "--model", model, "--psi", "0", "--out", out, NULL};
    check_one_line_error(test_run_argv(zero, NULL), "--psi must be above 0");
    char *training[] = {BIN "06_gan", "mlp", "--psi", "0.5", "--out", out, NULL};
    check_one_line_error(test_run_argv(training, NULL), "--psi goes with score --model");
    snprintf(model, sizeof model, "%s/scorer.safetensors", out);
    char *foreign[] = {BIN "06_gan", "score", "--model", model, "--data", data, "--out", out, NULL};
    check_one_line_error(test_run_argv(foreign, NULL), "not a GAN of this chapter");
    test_remove_dir(data);
    test_remove_dir(out);
}

/* --clusters: k-means groups the images, and both nets see the group in place
 * of the label. The model says so, draw refuses it (its classes are not
 * digits), walk takes it; a bad count, or cgan with clusters, is one line. */
static void test_clusters_in_place_of_labels(void)
{
    char data[64], out[64], path[160];
    if (small_data_set(data, out, sizeof data) != 0) {
        CHECK(0);
        return;
    }
    char *argv[] = {BIN "06_gan", "dcgan", "--clusters", "3", "--epochs", "1", "--train-size", "256",
                    "--score-samples", "200", "--raw-scores", "0", "--threads", "1", "--data", data, "--out", out,
                    NULL};
    CHECK(test_run_argv(argv, NULL) == 0);
    CHECK(strstr(test_output, "k-means: 3 clusters of the 256 training images' pixels") != NULL);
    CHECK(strstr(test_output, "Training the DCGAN on 3 k-means clusters:") != NULL);
    CHECK(strstr(test_output, "Adam lr 0.0008 for D, 0.0016 for G") != NULL);
    CHECK(strstr(test_output, "epoch  1") != NULL && strstr(test_output, "IS ") != NULL);
    snprintf(path, sizeof path, "%s/dcgan_k3_clusters.png", out);
    CHECK(access(path, R_OK) == 0);
    snprintf(path, sizeof path, "%s/dcgan_k3.safetensors", out);
    char value[64], err[MODEL_ERR_SIZE];
    CHECK(model_read_metadata(path, "conditioned_on", value, sizeof value, err) == 0 &&
          strcmp(value, "k-means clusters") == 0);
    CHECK(model_read_metadata(path, "classes", value, sizeof value, err) == 0 && strcmp(value, "3") == 0);
    char *draw[] = {BIN "06_gan", "draw", "1", "--model", path, "--out", out, NULL};
    check_one_line_error(test_run_argv(draw, NULL), "k-means clusters, not digits");
    char *walk[] = {BIN "06_gan", "walk", "--model", path, "--out", out, NULL};
    CHECK(test_run_argv(walk, NULL) == 0);
    char *one[] = {BIN "06_gan", "dcgan", "--clusters", "1", "--out", out, NULL};
    check_one_line_error(test_run_argv(one, NULL), "--clusters must be from 2 to 64");
    char *few[] = {BIN "06_gan", "dcgan", "--clusters", "40", "--train-size", "30", "--batch", "16",
                   "--score-samples", "0", "--data", data, "--out", out, NULL};
    check_one_line_error(test_run_argv(few, NULL), "--clusters 40 is more than the training set's 30 images");
    char *cgan[] = {BIN "06_gan", "cgan", "--clusters", "5", "--out", out, NULL};
    check_one_line_error(test_run_argv(cgan, NULL), "--clusters goes with mlp or dcgan");
    test_remove_dir(data);
    test_remove_dir(out);
}

/* Ctrl-C after epoch 1, then --resume: the same model file, byte for byte,
 * as a run never stopped. The checkpoint holds both nets, both optimizers and
 * the moving average of G (on by default), which the model file holds as G;
 * for the DCGAN with its batch norm statistics measured anew. */
static void check_ctrl_c_then_resume(const char *cmd, const char *tag)
{
    char a[64], b[64], ma[128], mb[128];
    test_make_temp_dir(a, sizeof a, "gan_cli_a");
    test_make_temp_dir(b, sizeof b, "gan_cli_b");
    CHECK(train(cmd, "3", a, NULL, 0) == 0);
    CHECK(strstr(test_output, "moving average (decay 0.99;") != NULL);
    int rc = train(cmd, "3", b, "epoch  1 ", 0);
    CHECK(rc == 130);
    CHECK(strstr(test_output, "--resume") != NULL);
    CHECK(train(cmd, "3", b, NULL, 1) == 0);
    CHECK(strstr(test_output, "resumed from") != NULL);
    snprintf(ma, sizeof ma, "%s/%s.safetensors", a, tag);
    snprintf(mb, sizeof mb, "%s/%s.safetensors", b, tag);
    CHECK(test_same_file(ma, mb));
    char value[64], err[MODEL_ERR_SIZE];
    CHECK(model_read_metadata(mb, "generator", value, sizeof value, err) == 0 &&
          strcmp(value, "moving average, decay 0.99") == 0);
    snprintf(ma, sizeof ma, "%s/%s_loss.tsv", a, tag);
    snprintf(mb, sizeof mb, "%s/%s_loss.tsv", b, tag);
    CHECK(test_same_file(ma, mb));
    test_remove_dir(a);
    test_remove_dir(b);
}

static void test_ctrl_c_then_resume_gives_the_same_gan(void) { check_ctrl_c_then_resume("cgan", "cgan"); }
static void test_ctrl_c_then_resume_gives_the_same_dcgan(void) { check_ctrl_c_then_resume("dcgan", "dcgan"); }
/* R1 on every second D step: 3 iterations an epoch, so the run stops between
 * the penalty's steps, and the checkpoint must carry which comes next */
static void test_ctrl_c_then_resume_gives_the_same_dcgan_with_r1(void)
{
    with_r1 = 1;
    check_ctrl_c_then_resume("dcgan", "dcgan");
    CHECK(strstr(test_output, "R1: D's slope at the real images penalised, gamma 1, on one D step in 2") != NULL);
    with_r1 = 0;
}

/* --ema 0: no average; the model file holds G as trained. */
static void test_no_average_saves_g_as_trained(void)
{
    char *argv[] = {BIN "06_gan", "mlp", "--epochs", "1", "--train-size", "128", "--score-samples", "0",
                    "--ema", "0", "--threads", "1", "--data", (char *)test_data_dir(), "--out", dir, NULL};
    CHECK(test_run_argv(argv, NULL) == 0);
    CHECK(strstr(test_output, "moving average") == NULL);
    char path[128], value[64], err[MODEL_ERR_SIZE];
    snprintf(path, sizeof path, "%s/mlp_gan.safetensors", dir);
    CHECK(model_read_metadata(path, "generator", value, sizeof value, err) == 0 && strcmp(value, "as trained") == 0);
    char *bad[] = {BIN "06_gan", "mlp", "--ema", "1", "--out", dir, NULL};
    check_one_line_error(test_run_argv(bad, NULL), "--ema must be");
}

/* The DCGAN learns at its own rates unless --lr says otherwise; --lr-g sets G's
 * apart from D's, a resume with another --lr-g is refused, and a rate of 1 or
 * more is one line. */
static void test_learning_rates(void)
{
    char out[64];
    test_make_temp_dir(out, sizeof out, "gan_cli_lr");
    char *dc[] = {BIN "06_gan", "dcgan", "--epochs", "1", "--train-size", "64", "--score-samples", "0",
                  "--threads", "1", "--data", (char *)test_data_dir(), "--out", out, NULL};
    CHECK(test_run_argv(dc, NULL) == 0);
    CHECK(strstr(test_output, "Adam lr 0.0008 for D, 0.0016 for G beta1 0.5") != NULL);
    char *dc_lr[] = {BIN "06_gan", "dcgan", "--epochs", "1", "--train-size", "64", "--score-samples", "0",
                     "--lr", "0.0002", "--threads", "1", "--data", (char *)test_data_dir(), "--out", out, NULL};
    CHECK(test_run_argv(dc_lr, NULL) == 0);
    CHECK(strstr(test_output, "Adam lr 0.0002 beta1 0.5") != NULL);
    char *mlp[] = {BIN "06_gan", "mlp", "--epochs", "1", "--train-size", "128", "--score-samples", "0",
                   "--lr-g", "0.0004", "--threads", "1", "--data", (char *)test_data_dir(), "--out", out, NULL};
    CHECK(test_run_argv(mlp, NULL) == 0);
    CHECK(strstr(test_output, "Adam lr 0.0002 for D, 0.0004 for G beta1 0.5") != NULL);
    char *other[] = {BIN "06_gan", "mlp", "--epochs", "1", "--train-size", "128", "--score-samples", "0",
                     "--lr-g", "0.0008", "--threads", "1", "--data", (char *)test_data_dir(), "--out", out,
                     "--resume", NULL};
    CHECK(test_run_argv(other, NULL) != 0);
    CHECK(strstr(test_output, "0.0004") != NULL && strstr(test_output, "0.0008") != NULL);
    char *bad[] = {BIN "06_gan", "mlp", "--lr-g", "1", "--out", out, NULL};
    check_one_line_error(test_run_argv(bad, NULL), "--lr-g must be");
    test_remove_dir(out);
}

int main(void)
{
    test_make_temp_dir(dir, sizeof dir, "gan_cli");
    RUN(test_draw_before_any_model_is_one_line);
    RUN(test_draw_a_bad_digit_is_one_line);
    RUN(test_draw_a_foreign_model_is_one_line);
    RUN(test_conditional_gan_draws_the_digit_asked);
    RUN(test_a_gan_without_labels_cannot_draw_a_digit);
    RUN(test_another_data_set_gets_its_own_scorer);
    RUN(test_clusters_in_place_of_labels);
    RUN(test_ctrl_c_then_resume_gives_the_same_gan);
    RUN(test_ctrl_c_then_resume_gives_the_same_dcgan);
    RUN(test_ctrl_c_then_resume_gives_the_same_dcgan_with_r1);
    RUN(test_no_average_saves_g_as_trained);
    RUN(test_learning_rates);
    test_remove_dir(dir);
    return test_summary();
}
