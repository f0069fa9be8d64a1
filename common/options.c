#include "options.h"
#include "progress.h"
#include "threads.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE3__)
#include <pmmintrin.h>          /* _MM_SET_DENORMALS_ZERO_MODE */
#include <xmmintrin.h>          /* _MM_SET_FLUSH_ZERO_MODE */
#endif

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
    c->given = 0;
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

/* Put a one-line message in err and return OPTIONS_ERROR. The message quotes the
 * user's words, which may hold anything: control characters become '?'. */
static int parse_error(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int parse_error(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    for (char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = '?';
    return OPTIONS_ERROR;
}

/* A whole number in [lo, hi] into *out; 0, or OPTIONS_ERROR with err set. */
static int parse_long(const char *name, const char *s, long lo, long hi, long *out,
                      char *err, size_t size)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return parse_error(err, size, "--%s needs a whole number, not '%s'", name, s);
    if (v < lo || v > hi)
        return parse_error(err, size, "--%s: %s is out of range [%ld, %ld]", name, s, lo, hi);
    *out = v;
    return 0;
}

/* A number (not NaN) into *out; 0, or OPTIONS_ERROR with err set. */
static int parse_double(const char *name, const char *s, double *out, char *err, size_t size)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || v != v)
        return parse_error(err, size, "--%s needs a number, not '%s'", name, s);
    *out = v;
    return 0;
}

/* The options every chapter takes (see options.h), with their USE_ bits; --out has none. */
static const struct {
    const char *name;
    unsigned bit;
} common_options[] = {
    {"epochs", USE_EPOCHS}, {"batch", USE_BATCH}, {"lr", USE_LR}, {"seed", USE_SEED},
    {"threads", USE_THREADS}, {"data", USE_DATA}, {"quiet", USE_QUIET}, {"out", 0},
};
enum { COMMON_OPTIONS = sizeof common_options / sizeof common_options[0] };

/* The index of a common option in common_options, or -1 if name is not one. */
static int common_option(const char *name)
{
    for (int k = 0; k < COMMON_OPTIONS; k++)
        if (strcmp(common_options[k].name, name) == 0)
            return k;
    return -1;
}

/* Floats below 1.2e-38 ("denormals") take the processor around a hundred
 * times longer per operation. A trained net makes them by the million: the
 * exponential of a very negative score in the softmax, tiny gradients. As
 * SimpleConvNet learned, its epochs got twice as slow and its evaluations
 * three times (chapter 04's README). Flushing them to zero (FTZ, and DAZ for
 * inputs) costs nothing and changed none of the course's printed results that
 * we compared. Threads started later inherit the setting. */
static void flush_denormals_to_zero(void)
{
#if defined(__SSE3__)
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
#endif
}

/* The command line as typed, with --resume added, for the trainer to print
 * when a run is interrupted. */
static char resume_command[2048];

static void remember_command(int argc, char **argv)
{
    size_t used = 0;
    int has_resume = 0;
    resume_command[0] = '\0';
    for (int i = 0; i < argc && used < sizeof resume_command; i++) {
        const char *a = argv[i];
        has_resume |= strcmp(a, "--resume") == 0;
        /* Quote a word with spaces or quotes in it, as a shell would need. */
        int plain = a[0] && strpbrk(a, " \t'\"$\\") == NULL;
        used += (size_t)snprintf(resume_command + used, sizeof resume_command - used, plain ? "%s%s" : "%s'%s'",
                                 i ? " " : "", a);
    }
    if (!has_resume && used < sizeof resume_command)
        used += (size_t)snprintf(resume_command + used, sizeof resume_command - used, " --resume");
    /* A command too long for the buffer is not shown cut short: the trainer then
     * says to run the same command with --resume. */
    if (used >= sizeof resume_command)
        resume_command[0] = '\0';
}

const char *options_resume_command(void)
{
    return resume_command;
}

int options_parse_args(int argc, char **argv, CommonOptions *c, const Option *extra,
                       const char **positional, int max_positional, char *err, size_t err_size)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (npos == max_positional)
                return parse_error(err, err_size, "unexpected argument '%s'", a);
            positional[npos++] = a;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return OPTIONS_HELP;
        if (strncmp(a, "--", 2) != 0)
            return parse_error(err, err_size, "unknown option '%s'", a);
        const char *name = a + 2;
        /* --name=value is accepted as well as --name value */
        char namebuf[64];
        const char *inline_value = strchr(name, '=');
        if (inline_value) {
            size_t len = (size_t)(inline_value - name);
            if (len >= sizeof namebuf)
                return parse_error(err, err_size, "unknown option '%s'", a);
            memcpy(namebuf, name, len);
            namebuf[len] = '\0';
            name = namebuf;
            inline_value++;
        }
        /* An entry without a variable only describes a common option (see options.h). */
        const Option *o = NULL;
        for (const Option *e = extra; e && e->name; e++)
            if (e->value && strcmp(e->name, name) == 0)
                o = e;
        int k = o ? -1 : common_option(name);
        if (!o && k < 0)
            return parse_error(err, err_size, "unknown option '%s'", a);
        if (k >= 0)
            c->given |= common_options[k].bit;
        int is_flag = (o && o->type == OPT_FLAG) || (!o && strcmp(name, "quiet") == 0);
        const char *v = inline_value;
        if (is_flag) {
            if (v)
                return parse_error(err, err_size, "--%s takes no value", name);
        } else if (!v) {
            if (i + 1 >= argc)
                return parse_error(err, err_size, "--%s needs a value", name);
            v = argv[++i];
        }
        long n = 0;
        int r = 0;
        if (o) {
            switch (o->type) {
            case OPT_INT:
                r = parse_long(name, v, INT_MIN, INT_MAX, &n, err, err_size);
                if (r == 0)
                    *(int *)o->value = (int)n;
                break;
            case OPT_DOUBLE: r = parse_double(name, v, (double *)o->value, err, err_size); break;
            case OPT_STRING: *(const char **)o->value = v; break;
            case OPT_FLAG: *(int *)o->value = 1; break;
            }
        } else if (strcmp(name, "epochs") == 0) {
            r = parse_long(name, v, 1, 100000, &n, err, err_size);
            if (r == 0)
                c->epochs = (int)n;
        } else if (strcmp(name, "batch") == 0) {
            r = parse_long(name, v, 1, 100000, &n, err, err_size);
            if (r == 0)
                c->batch = (int)n;
        } else if (strcmp(name, "lr") == 0) {
            r = parse_double(name, v, &c->lr, err, err_size);
            if (r == 0 && !(c->lr > 0))
                r = parse_error(err, err_size, "--lr must be positive, not '%s'", v);
        } else if (strcmp(name, "seed") == 0) {
            r = parse_long(name, v, 0, LONG_MAX, &n, err, err_size);
            if (r == 0)
                c->seed = (uint64_t)n;
        } else if (strcmp(name, "threads") == 0) {
            r = parse_long(name, v, 0, 1024, &n, err, err_size);
            if (r == 0)
                c->threads = (int)n;
        } else if (strcmp(name, "data") == 0) {
            c->data = v;
        } else if (strcmp(name, "out") == 0) {
            c->out = v;
        } else if (strcmp(name, "quiet") == 0) {
            c->quiet = 1;
        }
        if (r != 0)
            return r;
    }
    return npos;
}

/* A usage error: "<program>: <message> (see --help)" on one line, exit status 2. */
static void usage_error(const ProgramInfo *info, const char *message)
{
    fflush(stdout);
    fprintf(stderr, "%s: %s (see --help)\n", info->name, message);
    exit(2);
}

int options_parse(int argc, char **argv, const ProgramInfo *info, CommonOptions *c,
                  const Option *extra, const char **positional, int max_positional)
{
    choose_thread_wait(argv);
    flush_denormals_to_zero();
    remember_command(argc, argv);
    char err[512];
    int npos = options_parse_args(argc, argv, c, extra, positional, max_positional, err, sizeof err);
    if (npos == OPTIONS_HELP) {
        print_help(info, c, extra);
        exit(0);
    }
    if (npos == OPTIONS_ERROR)
        usage_error(info, err);
    /* A common option this program does not use is refused, not silently ignored. */
    for (int k = 0; k < COMMON_OPTIONS; k++)
        if (c->given & common_options[k].bit & ~info->uses) {
            snprintf(err, sizeof err, "--%s changes nothing in this program", common_options[k].name);
            usage_error(info, err);
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
    char err[512];
    parse_error(err, sizeof err, "unknown command '%s'", cmd);
    usage_error(info, err);
    return NULL;
}

void options_make_out(const CommonOptions *c)
{
    if (make_dirs(c->out) != 0)
        die("%s: cannot create the output folder (%s)", c->out, strerror(errno));
    /* Find out now, not after an hour of training, that nothing can be saved. */
    char probe[OUT_PATH_SIZE];
    out_path(probe, c->out, ".write-test.%ld", (long)getpid());
    FILE *f = fopen(probe, "wb");
    if (!f)
        die("%s: cannot write in the output folder (%s)", c->out, strerror(errno));
    fclose(f);
    remove(probe);
}
