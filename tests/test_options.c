/* test_options.c - the option parser without exiting: options_parse_args returns
 * what it found, or an error message, and never ends the program (options_parse,
 * which chapters call, prints that message and exits; test_cli checks that). */
#include "options.h"
#include "test.h"
#include "threads.h"

#include <string.h>

static CommonOptions c;
static int iters, verbose;
static double decay;
static const char *model;
static const Option extra[] = {
    {"iters", OPT_INT, &iters, "N", "iterations"},
    {"decay", OPT_DOUBLE, &decay, "X", "weight decay"},
    {"model", OPT_STRING, &model, "FILE", "a model file"},
    {"verbose", OPT_FLAG, &verbose, NULL, "say more"},
    {0},
};
static const char *pos[2];
static char err[256];

/* Parse a NULL-terminated list of words (the program name comes first) with
 * fresh defaults. */
static int parse(const char *const *words)
{
    char *argv[32];
    int argc = 0;
    for (; words[argc]; argc++)
        argv[argc] = (char *)words[argc];
    argv[argc] = NULL;
    options_defaults(&c);
    iters = 0, verbose = 0, decay = 0, model = NULL;
    strcpy(err, "(unset)");
    return options_parse_args(argc, argv, &c, extra, pos, 2, err, sizeof err);
}

/* The parse fails with a message containing `needle`, on one line. */
static void expect_error(const char *const *words, const char *needle)
{
    CHECK(parse(words) == OPTIONS_ERROR);
    CHECK(strstr(err, needle) != NULL);
    CHECK(strchr(err, '\n') == NULL);
    if (!strstr(err, needle))
        printf("    (message was \"%s\", wanted \"%s\")\n", err, needle);
}

static void test_defaults_and_every_option(void)
{
    CHECK(parse((const char *[]){"prog", NULL}) == 0);
    CHECK(c.epochs == 1 && c.batch == 100 && c.lr == 0.1 && c.seed == 42 && !c.quiet);
    CHECK(parse((const char *[]){"prog", "--epochs", "3", "--batch=50", "--lr", "0.5", "--seed", "7",
                                 "--threads", "2", "--data", "d", "--out=o", "--quiet", NULL}) == 0);
    CHECK(c.epochs == 3 && c.batch == 50 && c.lr == 0.5 && c.seed == 7 && c.threads == 2);
    CHECK(strcmp(c.data, "d") == 0 && strcmp(c.out, "o") == 0 && c.quiet == 1);
    CHECK(parse((const char *[]){"prog", "--iters", "-5", "--decay=1e-4", "--model", "m.st", "--verbose", NULL}) == 0);
    CHECK(iters == -5 && decay == 1e-4 && strcmp(model, "m.st") == 0 && verbose == 1);
}

static void test_positional_words_and_help(void)
{
    CHECK(parse((const char *[]){"prog", "train", "--epochs", "2", "-", NULL}) == 2);
    CHECK(strcmp(pos[0], "train") == 0 && strcmp(pos[1], "-") == 0 && c.epochs == 2);
    expect_error((const char *[]){"prog", "a", "b", "c", NULL}, "unexpected argument 'c'");
    CHECK(parse((const char *[]){"prog", "--epochs", "2", "--help", "--bogus", NULL}) == OPTIONS_HELP);
    CHECK(parse((const char *[]){"prog", "-h", NULL}) == OPTIONS_HELP);
}

static void test_bad_options_are_messages(void)
{
    expect_error((const char *[]){"prog", "--batch", "ten", NULL}, "--batch needs a whole number, not 'ten'");
    expect_error((const char *[]){"prog", "--epochs", "0", NULL}, "--epochs: 0 is out of range [1, 100000]");
    expect_error((const char *[]){"prog", "--threads", "5x", NULL}, "--threads needs a whole number, not '5x'");
    expect_error((const char *[]){"prog", "--seed", "99999999999999999999", NULL}, "--seed needs a whole number");
    expect_error((const char *[]){"prog", "--lr", "-1", NULL}, "--lr must be positive, not '-1'");
    expect_error((const char *[]){"prog", "--lr", "nan", NULL}, "--lr needs a number, not 'nan'");
    expect_error((const char *[]){"prog", "--decay", "", NULL}, "--decay needs a number, not ''");
    expect_error((const char *[]){"prog", "--iters", "3000000000", NULL}, "--iters: 3000000000 is out of range");
    expect_error((const char *[]){"prog", "--epochs", NULL}, "--epochs needs a value");
    expect_error((const char *[]){"prog", "--quiet=1", NULL}, "--quiet takes no value");
    expect_error((const char *[]){"prog", "--verbose=yes", NULL}, "--verbose takes no value");
    expect_error((const char *[]){"prog", "-x", NULL}, "unknown option '-x'");
    expect_error((const char *[]){"prog", "--no-such-option", NULL}, "unknown option '--no-such-option'");
    expect_error((const char *[]){"prog", "--a-name-far-longer-than-any-option-the-course-has-at-all-really=1", NULL},
                 "unknown option '--a-name-far-longer");
    /* the user's words are quoted, but stay on one line */
    expect_error((const char *[]){"prog", "--batch", "1\n2", NULL}, "not '1?2'");
}

/* The idle threads' wait is chosen from /proc/loadavg's count of tasks ready
 * to run, which includes the reader; and benchmark headers say what was chosen. */
static void test_thread_wait_choice(void)
{
    CHECK(loadavg_others_running("0.00 0.01 0.05 1/77 1234\n") == 0);     /* only us */
    CHECK(loadavg_others_running("1.97 1.50 1.28 3/120 2478") == 2);
    CHECK(loadavg_others_running("") == -1);
    CHECK(loadavg_others_running("0.00 0.01 0.05 0/77 1234") == -1);       /* cannot be: we run */
    CHECK(loadavg_others_running("garbage") == -1);
    CHECK(loadavg_others_running(NULL) == -1);
#ifdef _OPENMP
    setenv("OMP_WAIT_POLICY", "passive", 1);
    unsetenv("GOMP_SPINCOUNT");
    CHECK(strcmp(thread_wait_description(), "idle threads sleep at once") == 0);
    setenv("GOMP_SPINCOUNT", "3000", 1);
    CHECK(strcmp(thread_wait_description(), "idle threads spin 3000 turns, then sleep") == 0);
    unsetenv("GOMP_SPINCOUNT");
#endif
}

int main(void)
{
    RUN(test_defaults_and_every_option);
    RUN(test_positional_words_and_help);
    RUN(test_bad_options_are_messages);
    RUN(test_thread_wait_choice);
    return test_summary();
}
