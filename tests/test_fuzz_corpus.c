/* test_fuzz_corpus.c - the fuzzers' seed files (fuzz/corpus/<target>/) and the
 * inputs that once broke a loader (fuzz/regressions/<target>/), fed to the
 * loaders in every `make test`, under ASan and UBSan in the double build.
 *
 * A file named ok-* must load; any other must fail cleanly: -1, and a one-line
 * message that starts with the file's path. Each target's input is given to the
 * loader as its fuzz target gives it (fuzz/fuzz_<target>.c). */
#include "digit.h"
#include "idx.h"
#include "model.h"
#include "options.h"
#include "test.h"
#include "test_files.h"

#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

static char tmp[64];

/* The load failed as a loader should: a message "<path>: ..." on one line. */
static void check_clean_failure(const char *err, const char *path, const char *shown)
{
    size_t n = strlen(path);
    int ok = strncmp(err, path, n) == 0 && strncmp(err + n, ": ", 2) == 0 && !strchr(err, '\n');
    CHECK(ok);
    if (!ok)
        printf("    (%s: message \"%s\")\n", shown, err);
}

/* ok-* loaded (rc 0), anything else failed cleanly. */
static void check_outcome(int rc, const char *err, const char *path, const char *shown)
{
    int want_ok = strncmp(strrchr(shown, '/') + 1, "ok-", 3) == 0;
    CHECK(rc == 0 || rc == -1);
    CHECK(want_ok == (rc == 0));
    if (want_ok != (rc == 0))
        printf("    (%s: expected it to %s; message \"%s\")\n", shown, want_ok ? "load" : "fail",
               rc == 0 ? "" : err);
    if (rc != 0)
        check_clean_failure(err, path, shown);
}

/* ---- one file, the way each target reads it ------------------------------------ */

/* idx and idx_gz: ok-images* must load as images, ok-labels* as labels (10 classes). */
static void load_idx(const char *path, const char *shown)
{
    const char *name = strrchr(shown, '/') + 1;
    char err[IDX_ERR_SIZE] = "";
    Tensor images;
    int rc = idx_load_images(path, &images, err);
    if (strncmp(name, "ok-images", 9) == 0 || strncmp(name, "ok-", 3) != 0)
        check_outcome(rc, err, path, shown);
    else if (rc != 0)
        check_clean_failure(err, path, shown);
    if (rc == 0)
        tensor_free(&images);
    uint8_t *labels;
    int count;
    rc = idx_load_labels(path, 10, &labels, &count, err);
    if (strncmp(name, "ok-labels", 9) == 0 || strncmp(name, "ok-", 3) != 0)
        check_outcome(rc, err, path, shown);
    else if (rc != 0)
        check_clean_failure(err, path, shown);
    if (rc == 0)
        free(labels);
}

static void load_idx_gz(const char *path, const char *shown)
{
    size_t n;
    unsigned char *b = test_read_bytes(path, &n);
    char gz[128];
    snprintf(gz, sizeof gz, "%s/input.gz", tmp);
    gzFile f = gzopen(gz, "wb");
    CHECK(f && (n == 0 || gzwrite(f, b, (unsigned)n) == (int)n) && gzclose(f) == Z_OK);
    free(b);
    load_idx(gz, shown);
}

static void load_png(const char *path, const char *shown)
{
    char err[IMAGE_ERR_SIZE] = "";
    real digit[DIGIT_SIZE * DIGIT_SIZE];
    int rc = digit_load_png(path, digit, err);
    check_outcome(rc, err, path, shown);
    for (int i = 0; rc == 0 && i < DIGIT_SIZE * DIGIT_SIZE; i++)
        CHECK(digit[i] >= 0 && digit[i] <= 1);
}

/* The network fuzz_model loads into: W (2x3) and b (3). */
static void load_model(const char *path, const char *shown)
{
    ParamSet ps;
    params_init(&ps);
    params_add(&ps, "W", 2, (int[]){2, 3}, 1);
    params_add(&ps, "b", 1, (int[]){3}, 0);
    params_alloc(&ps);
    char err[MODEL_ERR_SIZE] = "", value[64];
    int rc = model_read_metadata(path, "network", value, sizeof value, err);
    if (rc != 0)
        check_clean_failure(err, path, shown);
    check_outcome(model_load(path, &ps, err), err, path, shown);
    params_free(&ps);
}

/* The header alone: its length in front, 36 bytes of data (1.0f to 9.0f) behind. */
static void load_model_header(const char *path, const char *shown)
{
    size_t n;
    unsigned char *json = test_read_bytes(path, &n);
    unsigned char *file = malloc(8 + n + 36);
    for (int i = 0; i < 8; i++)
        file[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(file + 8, json, n);
    for (int i = 0; i < 9; i++) {
        float v = (float)(i + 1);
        uint32_t u;
        memcpy(&u, &v, 4);
        for (int k = 0; k < 4; k++)
            file[8 + n + 4 * (size_t)i + (size_t)k] = (unsigned char)(u >> (8 * k));
    }
    char model[128];
    snprintf(model, sizeof model, "%s/header.safetensors", tmp);
    test_write_bytes(model, file, 8 + n + 36);
    free(file);
    free(json);
    load_model(model, shown);
}

/* A command line of NUL-separated words, with fuzz_options' extra options. */
static void load_options(const char *path, const char *shown)
{
    size_t n;
    char *text = (char *)test_read_bytes(path, &n);   /* NUL-terminated */
    char *argv[33] = {"prog"};
    int argc = 1;
    for (size_t i = 0; i <= n && argc < 32; i += strlen(text + i) + 1)
        argv[argc++] = text + i;
    argv[argc] = NULL;
    int iters = 0, verbose = 0;
    double decay = 0;
    const char *model = NULL;
    const Option extra[] = {
        {"iters", OPT_INT, &iters, "N", ""},
        {"decay", OPT_DOUBLE, &decay, "X", ""},
        {"model", OPT_STRING, &model, "FILE", ""},
        {"verbose", OPT_FLAG, &verbose, NULL, ""},
        {0},
    };
    CommonOptions c;
    options_defaults(&c);
    const char *positional[2];
    char err[256] = "";
    int r = options_parse_args(argc, argv, &c, extra, positional, 2, err, sizeof err);
    int want_ok = strncmp(strrchr(shown, '/') + 1, "ok-", 3) == 0;
    CHECK(want_ok == (r != OPTIONS_ERROR));
    if (want_ok != (r != OPTIONS_ERROR))
        printf("    (%s: expected it to %s; message \"%s\")\n", shown, want_ok ? "parse" : "fail", err);
    if (r == OPTIONS_ERROR)
        CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
    free(text);
}

/* ---- every file of a folder ---------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Feed every file in dir to load; returns how many (0 if dir does not exist). */
static int feed_folder(const char *dir, void (*load)(const char *, const char *))
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[256];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) && count < 256)
        if (e->d_name[0] != '.')
            names[count++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)count, sizeof *names, compare_names);   /* the same order every run */
    for (int i = 0; i < count; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        load(path, path);
        free(names[i]);
    }
    return count;
}

/* The seeds (which must exist) and the regressions (which may not, yet). */
static void feed(const char *target, void (*load)(const char *, const char *))
{
    char dir[256];
    snprintf(dir, sizeof dir, "fuzz/corpus/%s", target);
    int seeds = feed_folder(dir, load);
    CHECK(seeds >= 2);
    if (seeds < 2)
        printf("    (%s: no seed files; run the tests from the top folder)\n", dir);
    snprintf(dir, sizeof dir, "fuzz/regressions/%s", target);
    feed_folder(dir, load);
}

static void test_idx_files(void) { feed("idx", load_idx); }
static void test_idx_gz_files(void) { feed("idx_gz", load_idx_gz); }
static void test_png_files(void) { feed("png", load_png); }
static void test_model_files(void) { feed("model", load_model); }
static void test_model_header_files(void) { feed("model_header", load_model_header); }
static void test_options_files(void) { feed("options", load_options); }

int main(void)
{
    test_make_temp_dir(tmp, sizeof tmp, "test_fuzz_corpus");
    RUN(test_idx_files);
    RUN(test_idx_gz_files);
    RUN(test_png_files);
    RUN(test_model_files);
    RUN(test_model_header_files);
    RUN(test_options_files);
    test_remove_dir(tmp);
    return test_summary();
}
