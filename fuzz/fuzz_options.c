/* fuzz_options.c - the command-line parser (common/options.c).
 *
 * The input is a command line: words separated by NUL bytes, as the kernel
 * hands them to main. options_parse_args never exits, so every input runs in
 * this one process; it must return help, a count of positional words, or an
 * error with a one-line message, and what it accepted must be in range. */
#include "fuzz.h"
#include "options.h"

#define MAX_WORDS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy with a NUL after every word, the last one included */
    char *text = malloc(size + 1);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_WORDS + 1];
    int argc = 0;
    argv[argc++] = "prog";
    for (size_t i = 0; i <= size && argc < MAX_WORDS; i += strlen(text + i) + 1)
        argv[argc++] = text + i;
    argv[argc] = NULL;

    /* options like a chapter's: one of each type */
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
    if (r == OPTIONS_ERROR) {
        fuzz_assert(err[0] != '\0' && strchr(err, '\n') == NULL, "an error is one line");
    } else if (r != OPTIONS_HELP) {
        fuzz_assert(r >= 0 && r <= 2, "positional count");
        fuzz_assert(c.epochs >= 1 && c.epochs <= 100000 && c.batch >= 1 && c.batch <= 100000,
                    "epochs and batch in range");
        fuzz_assert(c.lr > 0 && c.threads >= 0 && c.threads <= 1024, "lr and threads in range");
        fuzz_assert(decay == decay, "a double option is never NaN");
    }
    free(text);
    return 0;
}
