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
#include "test_files.h"

#define BIN "build/release/bin/"

static char output[65536];

/* Run argv with stdout and stderr into `output`. If `stop_after` is given, send
 * SIGINT once a line containing it has been printed. Returns the exit status
 * (128 + the signal if a signal ended it). */
static int run(char *const argv[], const char *stop_after)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        dup2(fd[1], 2);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t used = 0;
    int sent = 0;
    ssize_t n;
    while ((n = read(fd[0], output + used, sizeof output - 1 - used)) > 0) {
        used += (size_t)n;
        output[used] = '\0';
        if (stop_after && !sent && strstr(output, stop_after)) {
            kill(pid, SIGINT);
            sent = 1;
        }
        if (used == sizeof output - 1)
            used = 0;       /* keep reading; only the end matters then */
    }
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_ctrl_c_then_resume_gives_the_same_model(void)
{
    char a[64], b[64], ma[128], mb[128];
    test_make_temp_dir(a, sizeof a, "resume_cli_a");
    test_make_temp_dir(b, sizeof b, "resume_cli_b");
    /* 20 epochs of 6000 images, a checkpoint after each */
    char *whole[] = {BIN "02_backpropagation", "train", "--train-size", "6000", "--iters", "1200",
                     "--data", (char *)test_data_dir(), "--out", a, "--quiet", NULL};
    CHECK(run(whole, NULL) == 0);
    char *part[] = {BIN "02_backpropagation", "train", "--train-size", "6000", "--iters", "1200",
                    "--data", (char *)test_data_dir(), "--out", b, "--quiet", NULL};
    int rc = run(part, "epoch  3 ");
    CHECK(rc == 130);
    CHECK(strstr(output, "stopped by Ctrl-C") != NULL);
    CHECK(strstr(output, "--resume") != NULL);
    char *resumed[] = {BIN "02_backpropagation", "train", "--train-size", "6000", "--iters", "1200",
                       "--data", (char *)test_data_dir(), "--out", b, "--quiet", "--resume", NULL};
    CHECK(run(resumed, NULL) == 0);
    CHECK(strstr(output, "resumed from") != NULL);
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
    CHECK(run(argv, NULL) == 1);
    const char *line = strstr(output, "error: SimpleConvNet diverged at epoch 1");
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
