/* The chapter programs as a user meets them: --help, bad options, missing or
 * broken files. Each failure must be one clear line and a non-zero exit,
 * never a crash. Runs the release binaries (build/release/bin). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static char output[8192];

/* Run a shell command, capture its stdout+stderr, return its exit status (-1 if it crashed). */
static int run(const char *cmd)
{
    char full[1024];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t n = fread(output, 1, sizeof output - 1, p);
    output[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

#define BIN "build/release/bin/"

static void test_help_exits_zero(void)
{
    const char *progs[] = {"00_neural_network", "01_numerical_gradient", "02_backpropagation"};
    for (int i = 0; i < 3; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, BIN "%s --help", progs[i]);
        CHECK(run(cmd) == 0);
        CHECK(strstr(output, "--epochs") && strstr(output, "--data") && strstr(output, "--seed"));
    }
}

static void test_unknown_option_is_one_line_exit_2(void)
{
    CHECK(run(BIN "02_backpropagation --no-such-option") == 2);
    CHECK(strstr(output, "--no-such-option") != NULL);
    CHECK(count_lines(output) == 1);
}

static void test_malformed_numbers_rejected(void)
{
    CHECK(run(BIN "02_backpropagation train --batch ten") == 2);
    CHECK(count_lines(output) == 1);
    CHECK(run(BIN "02_backpropagation train --lr -1") == 2);
    CHECK(run(BIN "02_backpropagation train --epochs") == 2);
    CHECK(run(BIN "01_numerical_gradient --threads 5x") == 2);
    CHECK(run(BIN "00_neural_network nonsense") == 2);
}

static void test_missing_data_is_a_clear_error(void)
{
    CHECK(run(BIN "02_backpropagation train --data /nonexistent/dir --out /tmp/dl-test-cli") == 1);
    CHECK(strstr(output, "/nonexistent/dir") != NULL);
    CHECK(strstr(output, "make data") != NULL);
    CHECK(count_lines(output) == 1);
}

static void test_broken_model_is_a_clear_error(void)
{
    FILE *f = fopen("/tmp/dl-test-cli-bad.safetensors", "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("this is not a model", f);
    fclose(f);
    CHECK(run(BIN "00_neural_network mnist --model /tmp/dl-test-cli-bad.safetensors --out /tmp/dl-test-cli") == 1);
    CHECK(strstr(output, "/tmp/dl-test-cli-bad.safetensors") != NULL);
    CHECK(count_lines(output) == 1);
    CHECK(run(BIN "00_neural_network mnist --model /nonexistent.safetensors --out /tmp/dl-test-cli") == 1);
    CHECK(strstr(output, "/nonexistent.safetensors") != NULL);
    remove("/tmp/dl-test-cli-bad.safetensors");
}

/* A test set labelled 200 (outside chapter 00's 10 classes) once gave "test
 * accuracy 0.0000" and exit 0; now it is one line naming the labels file. */
static void test_labels_outside_the_classes_are_an_error(void)
{
    const char *real_files[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                "t10k-images-idx3-ubyte.gz"};
    char from[4096], target[4200], link[256];   /* realpath needs PATH_MAX (4096) bytes */
    run("rm -rf /tmp/dl-test-cli-labels");
    CHECK(mkdir("/tmp/dl-test-cli-labels", 0755) == 0);
    /* the real training set and test images, linked by absolute path */
    if (!realpath(test_data_dir(), from))
        snprintf(from, sizeof from, "%s", test_data_dir());
    for (int i = 0; i < 3; i++) {
        snprintf(target, sizeof target, "%s/%s", from, real_files[i]);
        snprintf(link, sizeof link, "/tmp/dl-test-cli-labels/%s", real_files[i]);
        CHECK(symlink(target, link) == 0);
    }
    /* t10k-labels-idx1-ubyte: 10000 labels, every one 200 */
    FILE *f = fopen("/tmp/dl-test-cli-labels/t10k-labels-idx1-ubyte", "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    const unsigned char head[8] = {0, 0, 8, 1, 0, 0, 0x27, 0x10};   /* magic 0x801, count 10000 */
    fwrite(head, 1, sizeof head, f);
    for (int i = 0; i < 10000; i++)
        fputc(200, f);
    fclose(f);
    CHECK(run(BIN "00_neural_network mnist --data /tmp/dl-test-cli-labels --out /tmp/dl-test-cli") == 1);
    CHECK(strstr(output, "/tmp/dl-test-cli-labels/t10k-labels-idx1-ubyte: label 200 at item 0 "
                         "is outside the 10 classes") != NULL);
    CHECK(count_lines(output) == 1);
    CHECK(strstr(output, "accuracy") == NULL);
    run("rm -rf /tmp/dl-test-cli-labels");
}

static void test_chapter_00_reaches_its_accuracy(void)
{
    /* The shipped model: at least 0.93 on the test set (the floor). */
    char cmd[512];
    snprintf(cmd, sizeof cmd, BIN "00_neural_network mnist --data %s --out /tmp/dl-test-cli", test_data_dir());
    CHECK(run(cmd) == 0);
    const char *p = strstr(output, "test accuracy: ");
    CHECK(p != NULL);
    if (p)
        CHECK(atof(p + strlen("test accuracy: ")) >= 0.93);
}

int main(void)
{
    RUN(test_help_exits_zero);
    RUN(test_unknown_option_is_one_line_exit_2);
    RUN(test_malformed_numbers_rejected);
    RUN(test_missing_data_is_a_clear_error);
    RUN(test_broken_model_is_a_clear_error);
    RUN(test_labels_outside_the_classes_are_an_error);
    RUN(test_chapter_00_reaches_its_accuracy);
    system("rm -rf /tmp/dl-test-cli");
    return test_summary();
}
