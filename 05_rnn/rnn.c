/* rnn.c - a stand-in main for the word-vector half of chapter 05 (words.c):
 * `count` and `word2vec`. The chapter's own program replaces this file. */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "words.h"

static const ProgramInfo info = {
    "05_rnn",
    "word vectors: counting (PPMI + SVD) and word2vec (CBOW, negative sampling)",
    "usage: 05_rnn [count | word2vec] [options]\n"
    "\n"
    "  count      co-occurrence, PPMI, SVD; neighbours of a few words\n"
    "  word2vec   CBOW with negative sampling, compared with counting\n"
    "  (nothing)  both, then a summary",
    USE_ALL & ~USE_THREADS & ~USE_QUIET,
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    CommonOptions c;
    options_defaults(&c);
    c.data = "data/tinyshakespeare";
    c.out = "out/05_rnn";
    int full = 0;
    const Option extra[] = {
        {"epochs", OPT_INT, NULL, "N", "word2vec's passes over the text (default 10)"},
        {"batch", OPT_INT, NULL, "N", "word2vec's targets per step (default 100)"},
        {"lr", OPT_DOUBLE, NULL, "X", "word2vec's rate per example, decaying to 0 (default 0.05)"},
        {"data", OPT_STRING, NULL, "DIR", "a folder holding input.txt, or a UTF-8 text file (default data/tinyshakespeare)"},
        {"full", OPT_FLAG, &full, NULL, "the larger vocabulary: words seen twice, up to 8,000 (default: 5 times, up to 5,000)"},
        {0},
    };
    const char *pos[1];
    int npos = options_parse(argc, argv, &info, &c, extra, pos, 1);
    const char *commands[] = {"tour", "count", "word2vec", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    options_make_out(&c);
    if (strcmp(cmd, "count") == 0) {
        words_count(&c, full);
    } else if (strcmp(cmd, "word2vec") == 0) {
        words_word2vec(&c, full, NULL);
    } else {
        CountResult cr = words_count(&c, full);
        Word2vecResult wr = words_word2vec(&c, full, &cr);
        words_summary(&cr, &wr);
    }
    return 0;
}
