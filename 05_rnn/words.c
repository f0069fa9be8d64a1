/* words.c - chapter 05, part 1: word vectors by counting (the sequel's ch. 2)
 * and by predicting, CBOW with negative sampling (ch. 3-4). See words.h. */
#include "words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbow.h"
#include "cooccurrence.h"
#include "corpus.h"
#include "model.h"
#include "negative_sampling_layer.h"
#include "plot.h"
#include "rng.h"
#include "similarity.h"
#include "svd.h"
#include "timer.h"
#include "util.h"

#define WINDOW 2
#define DIM 100
#define NEGATIVES 5
#define SUBSAMPLE 1e-3   /* word2vec.c's -sample: words more frequent than this are thinned */

/* The words the chapter asks about; those missing from a text are skipped. */
static const char *const query_words[] = {"king", "love", "night", "thou", "sword"};
enum { QUERY_WORDS = sizeof query_words / sizeof query_words[0] };

/* ---- the text as ids of the kept words -------------------------------------- */

typedef struct {
    WordVocab vocab;     /* the kept words, id 0 the most frequent */
    int *counts;         /* (vocab.size) how often each occurs in the text */
    int *ids;            /* the text without the dropped words */
    int n;               /* its length */
    int text_words, text_vocab;
} Words;

static const int *sort_counts;   /* for by_count: qsort has no context argument */

/* More frequent first; equal counts in order of first appearance. */
static int by_count(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    if (sort_counts[x] != sort_counts[y])
        return sort_counts[x] > sort_counts[y] ? -1 : 1;
    return x - y;
}

/* Load the text and keep its words seen at least WORDS_MIN_COUNT times, at most
 * max_vocab of them, the most frequent first. Dies with one line on a bad file. */
static void words_load(const CommonOptions *c, int full, Words *w)
{
    char path[1024], err[CORPUS_ERR_SIZE];
    corpus_text_path(c->data, path, sizeof path);
    int min_count = full ? WORDS_MIN_COUNT_FULL : WORDS_MIN_COUNT;
    int max_vocab = full ? WORDS_MAX_VOCAB_FULL : WORDS_MAX_VOCAB;
    WordCorpus wc;
    if (word_corpus_load(path, &wc, err) != 0)
        die("%s", err);
    int V = wc.vocab.size;
    int *order = xmalloc((size_t)V * sizeof(int));
    for (int i = 0; i < V; i++)
        order[i] = i;
    sort_counts = wc.vocab.counts;
    qsort(order, (size_t)V, sizeof(int), by_count);
    int kept = 0;
    while (kept < V && kept < max_vocab && wc.vocab.counts[order[kept]] >= min_count)
        kept++;
    if (kept < 2)
        die("%s: fewer than 2 words occur %d times or more: too short for word vectors", path, min_count);

    /* new id = rank by count; -1: dropped */
    int *map = xmalloc((size_t)V * sizeof(int));
    for (int i = 0; i < V; i++)
        map[i] = -1;
    size_t bytes = 1;
    for (int r = 0; r < kept; r++) {
        map[order[r]] = r;
        bytes += strlen(word_vocab_word(&wc.vocab, order[r])) + 1;
    }
    /* The kept words as a vocabulary, through the same string the model file keeps. */
    char *s = xmalloc(bytes), *p = s;
    for (int r = 0; r < kept; r++) {
        const char *word = word_vocab_word(&wc.vocab, order[r]);
        size_t len = strlen(word);
        if (r)
            *p++ = ' ';
        memcpy(p, word, len);
        p += len;
    }
    *p = '\0';
    if (word_vocab_from_string(s, path, &w->vocab, err) != 0)
        die("%s", err);
    free(s);
    w->counts = xmalloc((size_t)kept * sizeof(int));
    for (int r = 0; r < kept; r++)
        w->counts[r] = wc.vocab.counts[order[r]];
    w->ids = xmalloc((wc.count ? wc.count : 1) * sizeof(int));
    w->n = 0;
    for (size_t i = 0; i < wc.count; i++)
        if (map[wc.ids[i]] >= 0)
            w->ids[w->n++] = map[wc.ids[i]];
    w->text_words = (int)wc.count;
    w->text_vocab = V;
    if (w->n < 2 * WINDOW + 1)
        die("%s: %d words after dropping rare ones, too short for a window of %d", path, w->n, WINDOW);
    free(map);
    free(order);
    word_corpus_free(&wc);
}

static void words_free(Words *w)
{
    word_vocab_free(&w->vocab);
    free(w->counts);
    free(w->ids);
}

static int max_vocab(int full)
{
    return full ? WORDS_MAX_VOCAB_FULL : WORDS_MAX_VOCAB;
}

static int min_count(int full)
{
    return full ? WORDS_MIN_COUNT_FULL : WORDS_MIN_COUNT;
}

/* ---- neighbours ------------------------------------------------------------- */

static void copy_word(char *dst, const char *src)
{
    snprintf(dst, WORDS_LEN, "%s", src);
}

/* The query words present in the vocabulary, in the chapter's order; a text
 * that has none of them is asked about its most frequent words instead. */
static int pick_queries(const WordVocab *v, int *ids)
{
    int n = 0;
    for (int i = 0; i < QUERY_WORDS && n < WORDS_QUERIES; i++) {
        int id = word_vocab_id(v, query_words[i]);
        if (id >= 0)
            ids[n++] = id;
    }
    for (int id = 0; n == 0 && id < v->size && id < WORDS_QUERIES; id++)
        ids[id] = id;
    return n ? n : (v->size < WORDS_QUERIES ? v->size : WORDS_QUERIES);
}

static void find_neighbours(Neighbours *nb, int query, const WordVocab *v, const real *W, int D)
{
    int ids[WORDS_TOP];
    copy_word(nb->query, word_vocab_word(v, query));
    nb->count = most_similar(ids, nb->sims, query, W, v->size, D, WORDS_TOP);
    for (int i = 0; i < nb->count; i++)
        copy_word(nb->words[i], word_vocab_word(v, ids[i]));
}

/* "king     queen 0.71  prince 0.69 ..." the first `show` neighbours */
static void print_neighbours(const Neighbours *nb, int show)
{
    printf("  %-8s", nb->query);
    for (int i = 0; i < nb->count && i < show; i++)
        printf(" %s %.2f", nb->words[i], nb->sims[i]);
    printf("\n");
}

/* How many words two top-10 lists share. */
static int overlap(const Neighbours *a, const Neighbours *b)
{
    int n = 0;
    for (int i = 0; i < a->count; i++)
        for (int j = 0; j < b->count; j++)
            n += strcmp(a->words[i], b->words[j]) == 0;
    return n;
}

/* ---- word2vec.c side by side (make bench) ------------------------------------ */

/* The kept words of the text, in order, separated by spaces, on one line (a
 * newline would end a sentence for word2vec.c, and CBOW here sees the text
 * as one stream): the very corpus this program trains on, for other tools. */
static void export_words(const char *path, const Words *w)
{
    AtomicFile af;
    if (atomic_open(&af, path) != 0)
        die("%s: cannot write", path);
    for (int i = 0; i < w->n; i++)
        fprintf(af.f, "%s%s", i ? " " : "", word_vocab_word(&w->vocab, w->ids[i]));
    fputc('\n', af.f);
    if (atomic_close(&af) != 0)
        die("%s: cannot write", path);
    printf("  the %d kept words written to %s (for word2vec.c: -min-count 1)\n", w->n, path);
}

/* Word vectors in word2vec.c's text format ("V D", then a line "word x1 .. xD"
 * per word), as rows of our vocabulary's ids; words we do not have are
 * skipped, ours they lack stay zero. Dies with one line on a malformed file.
 * Returns how many of our words were found. */
static int read_text_vectors(const char *path, const WordVocab *v, int D, real *W)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("%s: cannot open", path);
    long count, dim;
    if (fscanf(f, "%ld %ld", &count, &dim) != 2 || count < 1 || count > 100000000L || dim < 1 || dim > 100000)
        die("%s: not word2vec's text format (a first line \"words dimension\")", path);
    if (dim != D)
        die("%s: vectors of dimension %ld, this program's have %d", path, dim, D);
    memset(W, 0, (size_t)v->size * D * sizeof(real));
    char word[256];
    int found = 0;
    for (long i = 0; i < count; i++) {
        if (fscanf(f, "%255s", word) != 1)
            die("%s: %ld word vectors, the header says %ld", path, i, count);
        int id = word_vocab_id(v, word);
        for (int d = 0; d < D; d++) {
            double x;
            if (fscanf(f, "%lf", &x) != 1 || !isfinite(x))
                die("%s: the vector of \"%s\" (word %ld) is cut short or not numbers", path, word, i + 1);
            if (id >= 0)
                W[(size_t)id * D + d] = (real)x;
        }
        found += id >= 0;
    }
    fclose(f);
    return found;
}

/* The query words' top-10 neighbours by word2vec.c's vectors (theirs, read
 * before training, found of our words in them), beside ours. */
static void compare_vectors(const char *path, const Words *w, const real *ours, const real *theirs,
                            int found, int D)
{
    printf("  neighbours by the vectors of %s (%d of our %d words in it):\n", path, found, w->vocab.size);
    int q[WORDS_QUERIES], queries = pick_queries(&w->vocab, q), shared = 0;
    for (int i = 0; i < queries; i++) {
        Neighbours a, b;
        find_neighbours(&a, q[i], &w->vocab, ours, D);
        find_neighbours(&b, q[i], &w->vocab, theirs, D);
        print_neighbours(&b, 6);
        int n = overlap(&a, &b);
        shared += n;
        printf("           %d of the top %d shared with ours\n", n, WORDS_TOP);
    }
    if (queries)
        printf("  word2vec.c against ours: %.1f of the top %d neighbours shared on average\n",
               (double)shared / queries, WORDS_TOP);
}

/* ---- counting (sequel ch. 2) ------------------------------------------------ */

CountResult words_count(const CommonOptions *c, int full)
{
    CountResult r = {0};
    Words w;
    words_load(c, full, &w);
    int V = w.vocab.size;
    r.text_words = w.text_words;
    r.text_vocab = w.text_vocab;
    r.vocab = V;
    r.window = WINDOW;
    /* the SVD keeps at most half the words' directions on a tiny text */
    r.dim = V >= 2 * DIM ? DIM : (V / 2 > 1 ? V / 2 : 1);
    printf("Counting (the sequel's ch. 2): %d words of text, %d distinct; kept the %d seen at least %d times%s\n",
           r.text_words, r.text_vocab, V, min_count(full),
           V == max_vocab(full) ? " (capped: the most frequent)" : "");
    printf("  co-occurrence matrix %d x %d (window %d), PPMI, randomized SVD to %d dimensions: %.0f MB each\n",
           V, V, WINDOW, r.dim, (double)V * V * 4 / 1e6);

    double t0 = now_seconds();
    int *C = xcalloc((size_t)V * V, sizeof(int));
    create_co_matrix(C, w.ids, w.n, V, WINDOW);
    real *M = xmalloc((size_t)V * V * sizeof(real));
    ppmi(M, C, V);
    free(C);   /* the counts are not needed once PPMI has them */
    double t1 = now_seconds();
    real *U = xmalloc((size_t)V * r.dim * sizeof(real));
    real *S = xmalloc((size_t)r.dim * sizeof(real));
    Rng rng;
    rng_seed(&rng, c->seed);
    randomized_svd(M, V, V, r.dim, 10, 2, &rng, U, S, NULL);
    free(M);
    r.svd_seconds = now_seconds() - t1;

    /* The book takes U's rows as the word vectors. */
    int q[WORDS_QUERIES];
    r.queries = pick_queries(&w.vocab, q);
    for (int i = 0; i < r.queries; i++)
        find_neighbours(&r.nb[i], q[i], &w.vocab, U, r.dim);
    r.seconds = now_seconds() - t0;
    printf("  counts and PPMI %.1f s, SVD %.1f s (top singular values %.1f %.1f %.1f)\n", t1 - t0,
           r.svd_seconds, S[0], r.dim > 1 ? S[1] : 0, r.dim > 2 ? S[2] : 0);
    printf("  nearest neighbours by cosine (of %d kept words):\n", V);
    for (int i = 0; i < r.queries; i++)
        print_neighbours(&r.nb[i], 6);
    printf("  %.1f s in all\n", r.seconds);
    free(U);
    free(S);
    words_free(&w);
    r.ok = 1;
    return r;
}

/* ---- word2vec: CBOW with negative sampling (ch. 3-4) ------------------------ */

/* word2vec.c's subsampling: a word of frequency f (of all the kept words) is
 * kept with probability (sqrt(f / t) + 1) t / f: rare words always, "the" and
 * "," about a third of the time. They carry little about their neighbours and
 * would take most of the training. Returns the length of out. */
static int subsample(int *out, const Words *w, Rng *rng)
{
    int n = 0;
    for (int i = 0; i < w->n; i++) {
        double f = (double)w->counts[w->ids[i]] / w->n;
        double keep = (sqrt(f / SUBSAMPLE) + 1) * SUBSAMPLE / f;
        if (keep >= 1 || rng_uniform(rng) < keep)
            out[n++] = w->ids[i];
    }
    return n;
}

/* The 2-D picture: PCA of some words' vectors, by the SVD of the centred
 * matrix (its first two right singular directions; the coordinates are U S). */
static void plot_words(const CommonOptions *c, const WordVocab *v, const real *W, int D, Rng *rng)
{
    static const char *const pick[] = {
        "king", "queen", "prince", "duke", "lord", "lady", "man", "woman", "father", "mother",
        "son", "daughter", "brother", "sister", "he", "she", "love", "hate", "night", "day",
        "morning", "sword", "death", "life", "heaven", "good", "sweet", "thou", "you", "one",
        "two", "three", "rome", "england", "france"};
    enum { PICK = sizeof pick / sizeof pick[0] };
    int ids[PICK], n = 0;
    for (int i = 0; i < PICK; i++) {
        int id = word_vocab_id(v, pick[i]);
        if (id >= 0)
            ids[n++] = id;
    }
    if (n == 0)   /* another text, without these words: its 20 most frequent */
        for (; n < 20 && n < v->size; n++)
            ids[n] = n;
    if (n < 3)
        return;
    /* Unit rows first: neighbours are by cosine, and frequent words have long
     * vectors that would otherwise take the two axes to themselves. */
    real *X = xmalloc((size_t)n * D * sizeof(real));
    for (int i = 0; i < n; i++) {
        const real *row = W + (size_t)ids[i] * D;
        double norm = 0;
        for (int j = 0; j < D; j++)
            norm += (double)row[j] * row[j];
        norm = sqrt(norm) + 1e-8;
        for (int j = 0; j < D; j++)
            X[(size_t)i * D + j] = (real)(row[j] / norm);
    }
    for (int j = 0; j < D; j++) {   /* centred: PCA's axes go through the mean */
        double mean = 0;
        for (int i = 0; i < n; i++)
            mean += X[(size_t)i * D + j];
        mean /= n;
        for (int i = 0; i < n; i++)
            X[(size_t)i * D + j] -= (real)mean;
    }
    real U[PICK * 2], S[2];
    randomized_svd(X, n, D, 2, 0, 4, rng, U, S, NULL);
    free(X);
    char tsv[1024], png[1024], script[4096];
    snprintf(tsv, sizeof tsv, "%s/words_2d.tsv", c->out);
    snprintf(png, sizeof png, "%s/words_2d.png", c->out);
    FILE *f = fopen(tsv, "w");
    if (!f)
        die("%s: cannot write", tsv);
    fprintf(f, "# word\tx\ty\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\t%.5f\t%.5f\n", word_vocab_word(v, ids[i]), U[i * 2] * S[0], U[i * 2 + 1] * S[1]);
    fclose(f);
    snprintf(script, sizeof script,
             "set datafile separator '\\t'\n"
             "set title 'word2vec (CBOW) vectors of %d words, projected on their first 2 principal axes'\n"
             "set xlabel 'PC 1'; set ylabel 'PC 2'; set grid\n"
             "set offsets graph 0.08, graph 0.08, graph 0.05, graph 0.05\n"
             "plot '%s' using 2:3 with points pt 7 ps 0.8 lc rgb '#1f77b4' notitle, \\\n"
             "     '' using 2:3:1 with labels left offset char 0.6,0.3 font ',10' notitle\n",
             n, tsv);
    if (plot_png(png, 900, 700, script) == 0)
        printf("  %d words projected to 2-D (PCA): %s\n", n, png);
}

Word2vecResult words_word2vec(const CommonOptions *c, int full, const CountResult *count,
                              const char *export_path, const char *vectors_path)
{
    Word2vecResult r = {0};
    Words w;
    words_load(c, full, &w);
    if (export_path)
        export_words(export_path, &w);
    real *theirs = NULL;        /* another tool's vectors, read now: a bad file fails before training */
    int found = 0;
    if (vectors_path) {
        theirs = xmalloc((size_t)w.vocab.size * DIM * sizeof(real));
        found = read_text_vectors(vectors_path, &w.vocab, DIM, theirs);
    }
    int V = w.vocab.size;
    r.vocab = V;
    r.dim = DIM;
    r.window = WINDOW;
    r.negatives = NEGATIVES;
    r.epochs = (c->given & USE_EPOCHS) ? c->epochs : 10;
    int batch = (c->given & USE_BATCH) ? c->batch : 100;
    double lr0 = (c->given & USE_LR) ? c->lr : 0.05;
    printf("word2vec (the sequel's ch. 3-4): CBOW with negative sampling on %d words (%d kept words)\n",
           w.n, V);
    printf("  window %d, dimension %d, %d negatives (unigram^0.75), subsampling %g, %d epochs,\n"
           "  batch %d, SGD on the touched rows only, lr %g per example decaying linearly to 0, 1 thread\n",
           WINDOW, DIM, NEGATIVES, SUBSAMPLE, r.epochs, batch, lr0);

    Rng rng;
    rng_seed(&rng, c->seed);
    CBOW m;
    cbow_init(&m, V, DIM, WINDOW, NEGATIVES, batch, &rng);
    UnigramSampler sampler;
    unigram_sampler_init(&sampler, w.counts, V, 0.75);
    int C2 = 2 * WINDOW;
    int *text = xmalloc((size_t)w.n * sizeof(int));
    int *contexts = xmalloc((size_t)w.n * C2 * sizeof(int));
    int *target = xmalloc((size_t)w.n * sizeof(int));
    int *order = xmalloc((size_t)w.n * sizeof(int));
    int *bc = xmalloc((size_t)batch * C2 * sizeof(int));
    int *bt = xmalloc((size_t)batch * sizeof(int));
    int *neg = xmalloc((size_t)batch * NEGATIVES * sizeof(int));
    char path[1024];
    snprintf(path, sizeof path, "%s/word2vec_loss.tsv", c->out);
    TsvLog *log = tsv_open(path, "epoch\tloss\twords_per_second");

    /* The learning rate falls linearly over all the examples of the run, as in
     * word2vec.c; the subsampled text has about the same length every epoch. */
    double expected = (double)r.epochs * w.n, done = 0, trained = 0;
    double t0 = now_seconds();
    for (int epoch = 1; epoch <= r.epochs; epoch++) {
        double te = now_seconds();
        int n = subsample(text, &w, &rng);
        int examples = create_contexts_target(contexts, target, text, n, WINDOW);
        for (int i = 0; i < examples; i++)
            order[i] = i;
        rng_shuffle(&rng, order, examples);
        double loss_sum = 0;
        for (int start = 0; start < examples; start += batch) {
            int N = examples - start < batch ? examples - start : batch;
            for (int b = 0; b < N; b++) {
                int e = order[start + b];
                memcpy(bc + b * C2, contexts + (size_t)e * C2, (size_t)C2 * sizeof(int));
                bt[b] = target[e];
            }
            unigram_sampler_get_negative_sample(&sampler, neg, bt, N, NEGATIVES, &rng);
            double lr = lr0 * (1 - done / expected);
            if (lr < lr0 * 1e-4)
                lr = lr0 * 1e-4;
            loss_sum += (double)cbow_forward(&m, bc, bt, neg, N) * N;
            cbow_backward(&m);
            /* The loss is the batch's mean: step N times the per-example rate.
             * word2vec.c gives every context word the whole of dh, not its
             * 1/(2w) share (the mean's true gradient): W_in steps 2w times
             * further, or its rows would learn 2w times slower than W_out's. */
            sparse_sgd_update(m.W_in, &m.dW_in, (real)(lr * N * C2));
            sparse_sgd_update(m.W_out, &m.dW_out, (real)(lr * N));
            cbow_zero_grads(&m);
            done += N * ((double)w.n / (n > 0 ? n : 1));   /* in words of the full text */
        }
        trained += examples;
        double secs = now_seconds() - te, loss = examples ? loss_sum / examples : 0;
        double wps = examples / (secs > 0 ? secs : 1e-9);
        if (epoch == 1)
            r.first_loss = loss;
        r.final_loss = loss;
        tsv_row(log, (double[]){epoch, loss, wps}, 3);
        printf("  epoch %2d  loss %.4f  %6d words after subsampling  %.2f s  %.0f words/s\n", epoch, loss,
               examples, secs, wps);
    }
    r.seconds = now_seconds() - t0;
    r.words_per_second = trained / (r.seconds > 0 ? r.seconds : 1e-9);
    tsv_close(log);
    printf("  trained in %.1f s: %.0f words per second (one thread);\n"
           "  %.0f words of text per second, counting the words subsampling dropped as word2vec.c counts\n",
           r.seconds, r.words_per_second, (double)r.epochs * w.n / (r.seconds > 0 ? r.seconds : 1e-9));

    /* Neighbours, next to the counting method's. */
    int q[WORDS_QUERIES];
    r.queries = pick_queries(&w.vocab, q);
    int compared = 0, shared = 0;
    for (int i = 0; i < r.queries; i++) {
        find_neighbours(&r.nb[i], q[i], &w.vocab, m.W_in, DIM);
        r.overlap[i] = -1;
        if (count && count->ok)
            for (int j = 0; j < count->queries; j++)
                if (strcmp(count->nb[j].query, r.nb[i].query) == 0 && count->vocab == V) {
                    r.overlap[i] = overlap(&r.nb[i], &count->nb[j]);
                    compared++;
                    shared += r.overlap[i];
                }
    }
    r.mean_overlap = compared ? (double)shared / compared : -1;
    printf("  nearest neighbours by cosine (word2vec's W_in):\n");
    for (int i = 0; i < r.queries; i++) {
        print_neighbours(&r.nb[i], 6);
        if (r.overlap[i] >= 0) {
            for (int j = 0; j < count->queries; j++)
                if (strcmp(count->nb[j].query, r.nb[i].query) == 0) {
                    printf("    counting:");
                    for (int k = 0; k < count->nb[j].count && k < 6; k++)
                        printf(" %s %.2f", count->nb[j].words[k], count->nb[j].sims[k]);
                    printf("\n    top-%d overlap with counting: %d of %d\n", WORDS_TOP, r.overlap[i],
                           r.nb[i].count);
                }
        }
    }
    if (compared)
        printf("  mean top-%d overlap with counting: %.1f of %d words\n", WORDS_TOP, r.mean_overlap, WORDS_TOP);

    /* Analogies: a is to b as c is to ? (expected answer last). */
    static const char *const quads[][4] = {
        {"king", "queen", "man", "woman"}, {"he", "she", "his", "her"},
        {"father", "mother", "son", "daughter"}, {"brother", "sister", "he", "she"},
        {"lord", "lady", "sir", "madam"},
    };
    int quad_count = sizeof quads / sizeof quads[0];
    for (int i = 0; i < quad_count; i++) {
        int id[4], missing = 0;
        for (int k = 0; k < 4; k++)
            missing |= (id[k] = word_vocab_id(&w.vocab, quads[i][k])) < 0;
        if (missing || V < 5)
            continue;
        int ans[3];
        double sims[3];
        int got = analogy(ans, sims, id[0], id[1], id[2], m.W_in, V, DIM, 3);
        if (r.analogies++ == 0)
            printf("  analogies (a : b = c : ?, the top 3 by cosine to b - a + c):\n");
        r.analogies_right += got > 0 && ans[0] == id[3];
        printf("    %s : %s = %s : ?   ", quads[i][0], quads[i][1], quads[i][2]);
        for (int k = 0; k < got; k++)
            printf(" %s %.2f", word_vocab_word(&w.vocab, ans[k]), sims[k]);
        printf("   (%s expected)\n", quads[i][3]);
    }
    if (r.analogies)
        printf("  %d of %d analogies right. Tiny Shakespeare has 250 thousand words; the book's analogies\n"
               "  need millions (word2vec's were trained on 100 billion): here the vectors mostly learn\n"
               "  which words play the same part in a sentence (pronouns with pronouns, titles with titles),\n"
               "  not the finer offsets such as male to female.\n",
               r.analogies_right, r.analogies);

    /* The embeddings, with the vocabulary to read them by. */
    char *vocab_string = word_vocab_to_string(&w.vocab);
    char window[16], dim[16], err[MODEL_ERR_SIZE];
    snprintf(window, sizeof window, "%d", WINDOW);
    snprintf(dim, sizeof dim, "%d", DIM);
    const char *meta[] = {"network", "word2vec_cbow", "window", window, "dimension", dim,
                          "vocabulary", vocab_string, NULL};
    snprintf(path, sizeof path, "%s/word2vec.safetensors", c->out);
    if (model_save(path, &m.params, meta, err) != 0)
        die("%s", err);
    printf("  saved W_in and W_out (%d x %d each) with the vocabulary in the metadata: %s\n", V, DIM, path);
    free(vocab_string);

    plot_words(c, &w.vocab, m.W_in, DIM, &rng);
    if (vectors_path)
        compare_vectors(vectors_path, &w, m.W_in, theirs, found, DIM);
    free(theirs);

    free(text);
    free(contexts);
    free(target);
    free(order);
    free(bc);
    free(bt);
    free(neg);
    unigram_sampler_free(&sampler);
    cbow_free(&m);
    words_free(&w);
    r.ok = 1;
    return r;
}

void words_summary(const CountResult *cr, const Word2vecResult *wr)
{
    if (cr && cr->ok)
        printf("  counting: %d words kept of %d, PPMI + SVD to %d dimensions in %.1f s (SVD %.1f s)\n",
               cr->vocab, cr->text_vocab, cr->dim, cr->seconds, cr->svd_seconds);
    if (wr && wr->ok) {
        printf("  word2vec: %d epoch%s in %.1f s, %.0f words/s on 1 thread, loss %.3f -> %.3f\n", wr->epochs,
               wr->epochs == 1 ? "" : "s",
               wr->seconds, wr->words_per_second, wr->first_loss, wr->final_loss);
        if (wr->mean_overlap >= 0)
            printf("  word2vec against counting: %.1f of the top %d neighbours shared on average\n",
                   wr->mean_overlap, WORDS_TOP);
        if (wr->analogies)
            printf("  analogies: %d of %d right\n", wr->analogies_right, wr->analogies);
    }
}
