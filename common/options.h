/* options.h - the same command-line options in every chapter.
 *
 * Common options: --epochs --batch --lr --seed --threads --data DIR --out DIR
 * --quiet --help. A program names the ones that change something there in
 * ProgramInfo.uses; --help lists only those, and the others are refused. A
 * chapter adds its own with a table of Option entries, and may take positional
 * words (a subcommand, a file). An unknown or malformed option is a one-line
 * error and exit status 2; --help prints the usage and exits 0. */
#ifndef DL_OPTIONS_H
#define DL_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int epochs;
    int batch;
    double lr;
    uint64_t seed;
    int threads;        /* 0: all cores */
    const char *data;   /* folder of IDX files (MNIST's layout) */
    const char *out;    /* where logs, plots and models go */
    int quiet;          /* no progress bar */
    unsigned given;     /* the common options on the command line (USE_ bits) */
} CommonOptions;

typedef enum { OPT_INT, OPT_DOUBLE, OPT_STRING, OPT_FLAG } OptionType;

typedef struct {
    const char *name;   /* without the dashes: "save" for --save */
    OptionType type;
    void *value;        /* int*, double*, const char**, int* (flag set to 1) */
    const char *arg;    /* the argument's name in the help ("FILE"), NULL for flags */
    const char *help;
} Option;

/* The common options as bits, for ProgramInfo.uses. --out and --help are always there. */
enum {
    USE_EPOCHS = 1 << 0,
    USE_BATCH = 1 << 1,
    USE_LR = 1 << 2,
    USE_SEED = 1 << 3,
    USE_THREADS = 1 << 4,
    USE_DATA = 1 << 5,
    USE_QUIET = 1 << 6,
    USE_ALL = (1 << 7) - 1
};

typedef struct {
    const char *name;        /* program name, e.g. "02_backpropagation" */
    const char *summary;     /* one line */
    const char *usage;       /* usage lines and subcommands, printed by --help */
    unsigned uses;           /* the common options that change something in this
                                program (USE_ bits): --help lists only these, and
                                the others are refused */
} ProgramInfo;

/* Sets the course-wide defaults: epochs 1, batch 100, lr 0.1, seed 42,
 * threads 0, data "data/mnist", out "out". Chapters change what they need
 * before calling options_parse. */
void options_defaults(CommonOptions *common);

/* Parse argv. extra is an array of chapter options ending with {0} (or NULL).
 * An entry named as a common option, with value NULL, gives that option's help
 * line in the chapter's words (e.g. what --epochs means when 0 is the default).
 * Positional words go to positional[0..max) and their count is returned.
 * Numbers are range-checked (epochs, batch, threads >= 0 ...). Applies --threads.
 * Called first thing in main: it may restart the program once to make idle
 * OpenMP threads sleep rather than spin (see options.c). */
int options_parse(int argc, char **argv, const ProgramInfo *info, CommonOptions *common,
                  const Option *extra, const char **positional, int max_positional);

/* The parse itself, which never exits (so that tests and the fuzzer can call it):
 * returns the number of positional words, OPTIONS_HELP when --help or -h is met,
 * or OPTIONS_ERROR with a one-line message in err (err_size bytes), such as
 * "--batch needs a whole number, not 'ten'". Values are stored in common and in
 * the extra options' variables as they are read. options_parse calls it. */
enum { OPTIONS_HELP = -1, OPTIONS_ERROR = -2 };
int options_parse_args(int argc, char **argv, CommonOptions *common, const Option *extra,
                       const char **positional, int max_positional, char *err, size_t err_size);

/* The subcommand: positional[0] if there is one, else "tour". It must be one of
 * commands (a list ending with NULL); otherwise a one-line error and exit status 2. */
const char *options_command(const ProgramInfo *info, const char *const *positional, int npos,
                            const char *const *commands);

/* Make the output folder (and parents) and check that files can be written in
 * it, or die naming it. */
void options_make_out(const CommonOptions *common);

/* The command line of this run with --resume added, quoted for a shell. */
const char *options_resume_command(void);

#endif
