/* test_util.c - the small helpers of util.c: out_path. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "util.h"

static void test_out_path_joins_and_formats(void)
{
    char path[OUT_PATH_SIZE];
    CHECK(out_path(path, "out/03_optimizer", "loss.tsv") == path);
    CHECK(strcmp(path, "out/03_optimizer/loss.tsv") == 0);
    out_path(path, "out", "overfit_%s_%d.tsv", "dropout", 3);
    CHECK(strcmp(path, "out/overfit_dropout_3.tsv") == 0);
}

/* Run out_path in a child process and return its exit status (die exits 1). */
static int exit_status_of_out_path(const char *out, const char *name)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char path[OUT_PATH_SIZE];
        freopen("/dev/null", "w", stderr);      /* the expected one-line error */
        out_path(path, out, "%s", name);
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_out_path_too_long_is_an_error_not_a_cut_name(void)
{
    char *out = malloc(OUT_PATH_SIZE);
    memset(out, 'd', OUT_PATH_SIZE - 12);
    out[OUT_PATH_SIZE - 12] = '\0';                                   /* 4084 characters */
    CHECK(exit_status_of_out_path(out, "a.tsv") == 0);                /* 4084 + 6 fit */
    CHECK(exit_status_of_out_path(out, "long_name.tsv") == 1);        /* 4084 + 14 do not */
    memset(out, 'd', OUT_PATH_SIZE - 1);
    out[OUT_PATH_SIZE - 1] = '\0';                                    /* no room for the '/' */
    CHECK(exit_status_of_out_path(out, "a") == 1);
    free(out);
}

int main(void)
{
    RUN(test_out_path_joins_and_formats);
    RUN(test_out_path_too_long_is_an_error_not_a_cut_name);
    return test_summary();
}
