/* test_run.h - running a chapter program as a user would, for the tests that
 * check what it prints and how it exits: its stdout and stderr together land in
 * test_output, and the functions return its exit status. */
#ifndef DL_TEST_RUN_H
#define DL_TEST_RUN_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char test_output[65536];

/* A shell command; its exit status, or -1 if it crashed. */
static inline int test_run_command(const char *cmd)
{
    char full[4096];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t n = fread(test_output, 1, sizeof test_output - 1, p);
    test_output[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* argv (argv[0] the program's path) without a shell. If stop_after is given,
 * SIGINT is sent once a line holding it has been printed, as Ctrl-C would.
 * Returns the exit status, or 128 + the signal that ended it. */
static inline int test_run_argv(char *const argv[], const char *stop_after)
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
    while ((n = read(fd[0], test_output + used, sizeof test_output - 1 - used)) > 0) {
        used += (size_t)n;
        test_output[used] = '\0';
        if (stop_after && !sent && strstr(test_output, stop_after)) {
            kill(pid, SIGINT);
            sent = 1;
        }
        if (used == sizeof test_output - 1)
            used = 0;       /* keep reading; only the end matters then */
    }
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline int test_count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

#endif
