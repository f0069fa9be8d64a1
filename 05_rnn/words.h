/* words.h - chapter 05, part 1: word vectors, by counting and by predicting
 * (the sequel's chapters 2 to 4).
 *
 *   words_count     co-occurrence counts (window 2), PPMI, truncated SVD to 100
 *                   dimensions; the nearest neighbours of a few query words.
 *   words_word2vec  CBOW with negative sampling (window 2, dimension 100, 5
 *                   negatives), sparse SGD on the rows a batch touched; the
 *                   same query words next to the counting method's, the
 *                   overlap of their top 10, a few analogies, the embeddings
 *                   saved and a 2-D picture of some words.
 *
 * Both use the same vocabulary: the words of the text seen at least
 * WORDS_MIN_COUNT times (word2vec.c's min-count), at most the most frequent
 * WORDS_MAX_VOCAB (with full: WORDS_MIN_COUNT_FULL and WORDS_MAX_VOCAB_FULL).
 * Tiny Shakespeare keeps 3,291 of its 13,154 words (5,000 would be the cap). Rarer words are dropped
 * from the text, as word2vec.c drops them. The cap keeps the counting method's
 * dense V x V matrices small: 5,000 words make two 100 MB matrices, where all
 * 13,154 words of Tiny Shakespeare would need 692 MB each; 8,000 words
 * (full) need 256 MB each, and C is freed before the SVD starts.
 *
 * The options read from CommonOptions:
 *   data     a folder holding input.txt, or a UTF-8 text file itself
 *   out      where the files go (it exists): word2vec.safetensors,
 *            word2vec_loss.tsv, words_2d.tsv, words_2d.png
 *   seed     the SVD's random start, word2vec's initial weights, negatives,
 *            subsampling and order
 *   epochs   word2vec's passes over the text, if given (default 10; more overfit
 *            the small corpus: with 20 the neighbours get worse)
 *   lr       word2vec's learning rate per example, if given (default 0.05,
 *            word2vec.c's for CBOW), decayed linearly to 0 over the run
 *   batch    word2vec's targets per step, if given (default 100)
 * Not read: threads (both functions run on one thread) and quiet (there is no
 * progress bar; word2vec prints one line an epoch). */
#ifndef WORDS_H
#define WORDS_H

#include "options.h"

#define WORDS_MIN_COUNT 5
#define WORDS_MAX_VOCAB 5000
#define WORDS_MIN_COUNT_FULL 2
#define WORDS_MAX_VOCAB_FULL 8000
#define WORDS_QUERIES 5      /* how many query words the results keep */
#define WORDS_TOP 10         /* neighbours per query word */
#define WORDS_LEN 32         /* bytes kept of a word for printing */

/* The nearest neighbours of one query word, best first. */
typedef struct {
    char query[WORDS_LEN];
    int count;                        /* 0: the query word is not in the vocabulary */
    char words[WORDS_TOP][WORDS_LEN];
    double sims[WORDS_TOP];           /* cosine similarity */
} Neighbours;

typedef struct {
    int ok;                  /* 1 once the function has run */
    int text_words;          /* words in the text */
    int text_vocab;          /* distinct words in the text */
    int vocab;               /* words kept (the matrices are vocab x vocab) */
    int window, dim;
    double seconds;          /* counting, PPMI, SVD and neighbours (not loading) */
    double svd_seconds;
    int queries;
    Neighbours nb[WORDS_QUERIES];
} CountResult;

typedef struct {
    int ok;
    int vocab, dim, window, negatives, epochs;
    double words_per_second; /* words of the text (after subsampling) trained per second */
    double seconds;          /* training only */
    double first_loss, final_loss;   /* mean loss of the first and the last epoch */
    int queries;
    Neighbours nb[WORDS_QUERIES];
    int overlap[WORDS_QUERIES];      /* shared top-10 neighbours with counting (-1: not compared) */
    double mean_overlap;             /* over the queries compared (-1: none) */
    int analogies_right, analogies;  /* expected answer first / analogies asked */
} Word2vecResult;

/* Counting (sequel ch. 2). full: a larger vocabulary. Prints as it goes. */
CountResult words_count(const CommonOptions *c, int full);
/* word2vec (ch. 3-4). full: the larger vocabulary. count, if not
 * NULL, is the counting method's result, to compare neighbours with.
 * export_path, if not NULL: write the kept words there first, one line for
 * word2vec.c. vectors_path, if not NULL: word vectors in word2vec.c's text
 * format, whose neighbours are printed beside ours at the end. */
Word2vecResult words_word2vec(const CommonOptions *c, int full, const CountResult *count,
                              const char *export_path, const char *vectors_path);
/* A few lines for the tour's summary; either pointer may be NULL. */
void words_summary(const CountResult *cr, const Word2vecResult *wr);

#endif
