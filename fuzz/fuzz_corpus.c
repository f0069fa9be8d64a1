/* fuzz_corpus.c - the text loader and the vocabulary parsers (common/corpus.c)
 * on any bytes at all.
 *
 * The input is a file, plain or gzip, loaded as characters and as words; a
 * successful load must give ids inside the vocabulary, counts that add up to
 * the number of words, and vocabularies that survive their metadata string.
 * Then the input (up to its first NUL byte) is parsed as both kinds of
 * vocabulary string, as a model file's metadata would be: a string the parser
 * accepts must be exactly the string that vocabulary saves as. */
#include "corpus.h"
#include "fuzz.h"

static void check_char_corpus(const CharCorpus *c)
{
    fuzz_assert(c->vocab.size > 0 && c->count > 0, "a loaded text has characters");
    for (size_t i = 0; i < c->count; i++)
        fuzz_assert(c->ids[i] >= 0 && c->ids[i] < c->vocab.size, "character ids inside the vocabulary");
    char *s = char_vocab_to_string(&c->vocab), err[CORPUS_ERR_SIZE];
    CharVocab back;
    fuzz_assert(char_vocab_from_string(s, "vocab", &back, err) == 0 && back.size == c->vocab.size,
                "the character vocabulary parses back");
    for (int id = 0; id < back.size; id++)
        fuzz_assert(back.code_points[id] == c->vocab.code_points[id], "the same characters, in order");
    char_vocab_free(&back);
    free(s);
}

static void check_word_corpus(const WordCorpus *w)
{
    fuzz_assert(w->vocab.size > 0 && w->count > 0, "a loaded text has words");
    size_t total = 0;
    for (int id = 0; id < w->vocab.size; id++)
        total += (size_t)w->vocab.counts[id];
    fuzz_assert(total == w->count, "the word counts add up to the number of words");
    for (size_t i = 0; i < w->count; i++)
        fuzz_assert(w->ids[i] >= 0 && w->ids[i] < w->vocab.size, "word ids inside the vocabulary");
    char *s = word_vocab_to_string(&w->vocab), err[CORPUS_ERR_SIZE];
    WordVocab back;
    fuzz_assert(word_vocab_from_string(s, "vocab", &back, err) == 0 && back.size == w->vocab.size,
                "the word vocabulary parses back");
    for (int id = 0; id < back.size; id++)
        fuzz_assert(word_vocab_id(&back, word_vocab_word(&w->vocab, id)) == id, "the same words, in order");
    word_vocab_free(&back);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("corpus", data, size);
    char err[CORPUS_ERR_SIZE];

    CharCorpus c;
    if (char_corpus_load(path, &c, err) == 0) {
        check_char_corpus(&c);
        char_corpus_free(&c);
    } else {
        fuzz_check_error(err, path);
    }
    WordCorpus w;
    if (word_corpus_load(path, &w, err) == 0) {
        check_word_corpus(&w);
        word_corpus_free(&w);
    } else {
        fuzz_check_error(err, path);
    }

    /* The bytes as a metadata string: up to the first NUL, as a C string ends. */
    char *s = malloc(size + 1);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    CharVocab cv;
    if (char_vocab_from_string(s, "vocab", &cv, err) == 0) {
        char *again = char_vocab_to_string(&cv);
        fuzz_assert(strcmp(again, s) == 0, "an accepted character vocabulary saves as the same string");
        free(again);
        char_vocab_free(&cv);
    } else {
        fuzz_check_error(err, "vocab");
    }
    WordVocab wv;
    if (word_vocab_from_string(s, "vocab", &wv, err) == 0) {
        char *again = word_vocab_to_string(&wv);
        fuzz_assert(strcmp(again, s) == 0, "an accepted word vocabulary saves as the same string");
        for (int id = 0; id < wv.size; id++)
            fuzz_assert(word_vocab_id(&wv, word_vocab_word(&wv, id)) == id, "every word finds its id");
        free(again);
        word_vocab_free(&wv);
    } else {
        fuzz_check_error(err, "vocab");
    }
    free(s);
    return 0;
}
