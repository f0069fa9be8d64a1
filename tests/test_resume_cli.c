/* Ctrl-C and --resume as a user meets them, on the release binaries: a training
 * run stopped by SIGINT exits 130 and says how to go on, and the resumed run
 * saves the very same model, byte for byte, as a run never stopped. A run
 * whose learning rate is far too large stops with one line and exit status 1. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "test_run.h"
#include "test_files.h"

#define BIN "build/release/bin/"


static void test_ctrl_c_then_resume_gives_the_same_model(void)
{
    char a[64], b[64], ma[128], mb[128];
    test_make_temp_dir(a, sizeof a, "resume_cli_a");
    test_make_temp_dir(b, sizeof b, "resume_cli_b");
    /* 20 epochs of 6000 images, a checkpoint after each */
    char *whole[] = {BIN "02_backpropagation", "train", "--train-size", "6000", "--iters", "1200",
                     "--data", (char *)test_data_dir(), "--out", a, "--quiet", NULL};
    CHECK(test_run_argv(whole, NULL) == 0);
    char *part[] = {BIN "02_backpropagation", "train", "--train-size", "6000", "--iters", "1200",
                    "--data", (char *)test_data_dir(), "--out", b, "--quiet", NULL};
    int rc = test_run_argv(part, "epoch  3 ");
    CHECK(rc == 130);
    CHECK(strstr(test_output, "stopped by Ctrl-C") != NULL);
    CHECK(strstr(test_output, "--resume") != NULL);
    char *resumed[] = {BIN "02_backpropagation", "train", "--train-size", "6000", "--iters", "1200",
                       "--data", (char *)test_data_dir(), "--out", b, "--quiet", "--resume", NULL};
    CHECK(test_run_argv(resumed, NULL) == 0);
    CHECK(strstr(test_output, "resumed from") != NULL);
    snprintf(ma, sizeof ma, "%s/two_layer_net.safetensors", a);
    snprintf(mb, sizeof mb, "%s/two_layer_net.safetensors", b);
    CHECK(test_same_file(ma, mb));
    snprintf(ma, sizeof ma, "%s/two_layer_net_accuracy.tsv", a);
    snprintf(mb, sizeof mb, "%s/two_layer_net_accuracy.tsv", b);
    CHECK(test_same_file(ma, mb));
    test_remove_dir(a);
    test_remove_dir(b);
}

static void test_huge_learning_rate_stops_with_one_line(void)
{
    char d[64];
    test_make_temp_dir(d, sizeof d, "resume_cli_lr");
    char *argv[] = {BIN "04_cnn", "simple", "--lr", "1e6", "--train-size", "500", "--epochs", "1",
                    "--data", (char *)test_data_dir(), "--out", d, "--quiet", NULL};
    CHECK(test_run_argv(argv, NULL) == 1);
    const char *line = strstr(test_output, "error: SimpleConvNet diverged at epoch 1");
    CHECK(line != NULL);
    CHECK(line && strstr(line, "smaller --lr"));
    test_remove_dir(d);
}

int main(void)
{
    RUN(test_ctrl_c_then_resume_gives_the_same_model);
    RUN(test_huge_learning_rate_stops_with_one_line);
    return test_summary();
}
