#include "options.h"
#include "matmul.h"
#include "progress.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void options_defaults(CommonOptions *c)
{
    c->epochs = 1;
    c->batch = 100;
    c->lr = 0.1;
    c->seed = 42;
    c->threads = 0;
    c->data = "data/mnist";
    c->out = "out";
    c->quiet = 0;
}

static void print_option(const char *name, const char *arg, const char *help)
{
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", name, arg ? " " : "", arg ? arg : "");
    printf("  %-22s %s\n", left, help);
}

/* The chapter's own entry for a common option (value NULL), if it has one. */
static const Option *own_words(const Option *extra, const char *name)
{
    for (const Option *o = extra; o && o->name; o++)
        if (!o->value && strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

/* One common option's help line, unless the program does not use it. */
static void print_common(const ProgramInfo *info, const Option *extra, unsigned bit,
                         const char *name, const char *arg, const char *help)
{
    if (bit && !(info->uses & bit))
        return;
    const Option *o = own_words(extra, name);
    print_option(name, arg, o ? o->help : help);
}

static void print_help(const ProgramInfo *info, const CommonOptions *c, const Option *extra)
{
    printf("%s - %s\n\n%s\n", info->name, info->summary, info->usage);
    printf("\nOptions:\n");
    char buf[160];
    snprintf(buf, sizeof buf, "passes over the training set (default %d)", c->epochs);
    print_common(info, extra, USE_EPOCHS, "epochs", "N", buf);
    snprintf(buf, sizeof buf, "mini-batch size (default %d)", c->batch);
    print_common(info, extra, USE_BATCH, "batch", "N", buf);
    snprintf(buf, sizeof buf, "learning rate (default %g)", c->lr);
    print_common(info, extra, USE_LR, "lr", "X", buf);
    snprintf(buf, sizeof buf, "seed of every random choice (default %llu)", (unsigned long long)c->seed);
    print_common(info, extra, USE_SEED, "seed", "N", buf);
    if (c->threads > 0)
        snprintf(buf, sizeof buf, "threads for the matrix multiply (default %d; 0: all cores)", c->threads);
    else
        snprintf(buf, sizeof buf, "threads for the matrix multiply (default: all cores)");
    print_common(info, extra, USE_THREADS, "threads", "N", buf);
    snprintf(buf, sizeof buf, "folder of IDX files in MNIST's layout (default %s)", c->data);
    print_common(info, extra, USE_DATA, "data", "DIR", buf);
    snprintf(buf, sizeof buf, "where logs, plots and models go (default %s)", c->out);
    print_common(info, extra, 0, "out", "DIR", buf);
    print_common(info, extra, USE_QUIET, "quiet", NULL, "no progress bar");
    for (const Option *o = extra; o && o->name; o++)
        if (o->value)
            print_option(o->name, o->arg, o->help);
    print_option("help", NULL, "show this help");
}

static void bad(const ProgramInfo *info, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s: ", info->name);
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, " (see --help)\n");
    exit(2);
}

/* The USE_ bit of a common option's name; 0 for --out; -1 if it is not one. */
static int common_bit(const char *name)
{
    static const struct { const char *name; int bit; } common[] = {
        {"epochs", USE_EPOCHS}, {"batch", USE_BATCH}, {"lr", USE_LR}, {"seed", USE_SEED},
        {"threads", USE_THREADS}, {"data", USE_DATA}, {"quiet", USE_QUIET}, {"out", 0},
    };
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(name, common[i].name) == 0)
            return common[i].bit;
    return -1;
}

static long parse_long(const ProgramInfo *info, const char *name, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0')
        bad(info, "--%s needs a whole number, not '%s'", name, s);
    if (v < lo || v > hi) {
        char range[96];
        snprintf(range, sizeof range, "%s is out of range [%ld, %ld]", s, lo, hi);
        bad(info, "--%s: %s", name, range);
    }
    return v;
}

static double parse_double(const ProgramInfo *info, const char *name, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || v != v)
        bad(info, "--%s needs a number, not '%s'", name, s);
    return v;
}

/* OpenMP threads that finish their share spin, burning their core, until the
 * next parallel region starts. When other programs are using the cores, that
 * spinning steals the time the other thread needs, and small matrix multiplies
 * slow to a crawl (measured here: chapter 02's training went from 2.5 s to
 * 10-100 s on a busy machine). Passive waiting sleeps instead, and costs almost
 * nothing on an idle machine. OpenMP reads OMP_WAIT_POLICY only when the program
 * starts, so if it is unset we set it and start the program again, once, with
 * the same arguments (exec keeps the process, its pid and its output). */
static void prefer_passive_openmp_wait(char **argv)
{
#ifdef _OPENMP
    if (getenv("OMP_WAIT_POLICY"))
        return;
    setenv("OMP_WAIT_POLICY", "passive", 1);
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc?): carry on with OpenMP's default */
#else
    (void)argv;
#endif
}

int options_parse(int argc, char **argv, const ProgramInfo *info, CommonOptions *c,
                  const Option *extra, const char **positional, int max_positional)
{
    prefer_passive_openmp_wait(argv);
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (npos == max_positional)
                bad(info, "unexpected argument '%s'%s", a, "");
            positional[npos++] = a;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(info, c, extra);
            exit(0);
        }
        if (strncmp(a, "--", 2) != 0)
            bad(info, "unknown option '%s'%s", a, "");
        const char *name = a + 2;
        /* --name=value is accepted as well as --name value */
        char namebuf[64];
        const char *inline_value = strchr(name, '=');
        if (inline_value) {
            size_t len = (size_t)(inline_value - name);
            if (len >= sizeof namebuf)
                bad(info, "unknown option '%s'%s", a, "");
            memcpy(namebuf, name, len);
            namebuf[len] = '\0';
            name = namebuf;
            inline_value++;
        }
        /* Know the option before looking for its value: a misspelt flag at the
         * end of the line is unknown, not short of a value. */
        const Option *o = NULL;
        for (const Option *e = extra; e && e->name; e++)
            if (e->value && strcmp(e->name, name) == 0)
                o = e;
        if (!o) {
            int bit = common_bit(name);
            if (bit < 0)
                bad(info, "unknown option '%s'%s", a, "");
            if (bit > 0 && !(info->uses & (unsigned)bit))
                bad(info, "--%s changes nothing in this program%s", name, "");
        }
        int is_flag = (o && o->type == OPT_FLAG) || (!o && strcmp(name, "quiet") == 0);
        const char *v = inline_value;
        if (is_flag) {
            if (v)
                bad(info, "--%s takes no value%s", name, "");
        } else if (!v) {
            if (i + 1 >= argc)
                bad(info, "--%s needs a value%s", name, "");
            v = argv[++i];
        }
        if (o) {
            switch (o->type) {
            case OPT_INT: *(int *)o->value = (int)parse_long(info, name, v, INT_MIN, INT_MAX); break;
            case OPT_DOUBLE: *(double *)o->value = parse_double(info, name, v); break;
            case OPT_STRING: *(const char **)o->value = v; break;
            case OPT_FLAG: *(int *)o->value = 1; break;
            }
        } else if (strcmp(name, "epochs") == 0) {
            c->epochs = (int)parse_long(info, name, v, 1, 100000);
        } else if (strcmp(name, "batch") == 0) {
            c->batch = (int)parse_long(info, name, v, 1, 100000);
        } else if (strcmp(name, "lr") == 0) {
            c->lr = parse_double(info, name, v);
            if (!(c->lr > 0))
                bad(info, "--lr must be positive, not '%s'%s", v, "");
        } else if (strcmp(name, "seed") == 0) {
            c->seed = (uint64_t)parse_long(info, name, v, 0, LONG_MAX);
        } else if (strcmp(name, "threads") == 0) {
            c->threads = (int)parse_long(info, name, v, 0, 1024);
        } else if (strcmp(name, "data") == 0) {
            c->data = v;
        } else if (strcmp(name, "out") == 0) {
            c->out = v;
        } else if (strcmp(name, "quiet") == 0) {
            c->quiet = 1;
        }
    }
    if (c->threads > 0)
        set_threads(c->threads);
    progress_set_quiet(c->quiet);
    return npos;
}

const char *options_command(const ProgramInfo *info, const char *const *positional, int npos,
                            const char *const *commands)
{
    const char *cmd = npos > 0 ? positional[0] : "tour";
    for (const char *const *c = commands; *c; c++)
        if (strcmp(cmd, *c) == 0)
            return cmd;
    bad(info, "unknown command '%s'%s", cmd, "");
    return NULL;
}

void options_make_out(const CommonOptions *c)
{
    if (make_dirs(c->out) != 0)
        die("%s: cannot create the output folder (%s)", c->out, strerror(errno));
}
