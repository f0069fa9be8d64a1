/* Chapter 05 - recurrent nets that read and write text (the sequel's chapters 5 and 6).
 *
 *   lm          a character LSTM language model (the book's BetterRnnlm: two LSTM
 *               layers with dropout) trained on --data, in order, its state
 *               carried from batch to batch (truncated BPTT), gradients clipped,
 *               Adam; a validation loss and a sample of its writing now and then
 *   generate    text from the saved model: --prompt, --temperature, --length, --top-k
 *   compare     RNN against LSTM against GRU with about as many parameters,
 *               the same iterations: validation loss against seconds
 *   gradients   the gradient flowing back through many steps of a plain RNN
 *               (vanishing, exploding), and of an LSTM
 *   (none)      the tour: gradients, compare, lm, generate, then a summary
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip_grads.h"
#include "corpus.h"
#include "lstm.h"
#include "matmul.h"
#include "model.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "rng.h"
#include "rnn.h"
#include "rnnlm.h"
#include "sampling.h"
#include "seq2seq_tasks.h"
#include "threads.h"
#include "timer.h"
#include "trainer.h"
#include "util.h"
#include "words.h"

/* The language model of the tour and of `lm`, and of the long run (--full). */
#define LM_HIDDEN 128
#define LM_DROPOUT 0.1
#define LM_ITERS 4000
#define FULL_HIDDEN 256
#define FULL_DROPOUT 0.2
#define FULL_ITERS 10000

static const ProgramInfo info = {
    "05_rnn",
    "words as vectors, and recurrent nets on text: word2vec, a character LSTM that writes Shakespeare, "
    "RNN vs LSTM vs GRU, vanishing gradients",
    "usage: 05_rnn [count | word2vec | lm | generate | compare | gradients | addition | add PROBLEM\n"
    "               | dates | date TEXT | chatbot | chat] [options]\n"
    "\n"
    "  count       word vectors by counting: co-occurrence, PPMI, SVD; nearest neighbours\n"
    "  word2vec    CBOW with negative sampling on the same words; neighbours, analogies,\n"
    "              a 2-D map (words_2d.png); saves OUT/word2vec.safetensors\n"
    "  lm          train the character LSTM language model (2 x LSTM, dropout) on --data\n"
    "              (a UTF-8 text file, or a folder holding input.txt); saves OUT/char_lm.safetensors\n"
    "  generate    write text with the saved model: --prompt \"ROMEO:\" --temperature 0.8\n"
    "              --length 500 [--top-k 5]; the same --seed gives the same text\n"
    "  compare     RNN, LSTM and GRU language models of about the same size, trained\n"
    "              for the same iterations: validation loss against seconds (compare.png)\n"
    "  gradients   the gradient's norm flowing back through the steps of a plain RNN with\n"
    "              small and large recurrent weights, and of an LSTM (gradients.png)\n"
    "  addition    seq2seq learns to add (the sequel's ch. 7): 50,000 problems such as 16+75,\n"
    "              10% held out; plain, input reversed, peeky + reversed; held-out exact match\n"
    "              per epoch (addition.png); saves OUT/addition_<variant>.safetensors\n"
    "  add A+B     the sum, from the saved peeky model: 05_rnn add 17+385\n"
    "  dates       attention reads dates (ch. 8): 50,000 dates in 20 formats -> ISO; peeky\n"
    "              against attention (dates.png), attention maps (attention_maps.png)\n"
    "  date TEXT   the ISO date, from the saved attention model: 05_rnn date \"27 sep 94\"\n"
    "  chatbot     an attention seq2seq trained on pairs of speeches of --data (a speech and\n"
    "              the next speaker's reply); held-out perplexity against a baseline without\n"
    "              the speech; saves OUT/chat.safetensors\n"
    "  chat        answers each line read from stdin until its end: --beam K, or sampling\n"
    "              with --temperature and --top-k\n"
    "  (nothing)   the chapter's tour: count, word2vec, gradients, compare, lm, generate,\n"
    "              short runs of addition, dates and chatbot, then a summary",
    USE_ALL,
};

typedef struct {
    CommonOptions c;
    int hidden, embed, layers, seq, iters, eval_every, sample_length, val_chars;
    int compare_iters, top_k, length, steps, summary, resume, full, cosine;
    double dropout, clip, temperature;
    const char *prompt, *model, *export_words, *vectors, *variant;
    int problems, beam, chat_iters, decode_batch;
} Config;

/* ---- the text ------------------------------------------------------------------------- */

typedef struct {
    char path[OUT_PATH_SIZE];
    CharCorpus corpus;
    size_t train_count, val_count;
} Text;

static void load_text(const Config *cfg, Text *t)
{
    char err[CORPUS_ERR_SIZE];
    corpus_text_path(cfg->c.data, t->path, sizeof t->path);
    char_corpus_load_or_die(t->path, &t->corpus);
    /* each of the N streams needs a sequence of T characters plus its target */
    if (corpus_split(t->path, t->corpus.count, "characters", cfg->seq * cfg->c.batch, &t->train_count,
                     &t->val_count, err) != 0)
        die("%s (batch %d x sequence %d)", err, cfg->c.batch, cfg->seq);
}

/* ---- training a language model through the shared trainer --------------------------------- */

typedef struct {
    Rnnlm m;                /* N streams of T characters */
    Rnnlm gen;              /* one stream, one step at a time: for samples */
    const CharVocab *vocab;
    const int *train, *val;
    size_t train_count, val_count;
    size_t jump;            /* stream s reads the text from s * jump on */
    int N, T, sample_length;
    uint64_t seed;
    /* the time line, for validation loss against training seconds */
    double t0, paused;
    int evals, sample_due;
    double *seconds, *losses;
    int max_evals;
} LmRun;

static void print_sample(LmRun *r, int length, double temperature);

/* Batch k of an epoch: stream s reads characters s * jump + k * T ... + T - 1 and
 * must predict each one's successor (the sequel's RnnlmTrainer.get_batch). */
static real lm_step(void *net, long k, const int *idx, int n)
{
    LmRun *r = net;
    (void)idx;
    (void)n;
    if (r->sample_due) {        /* printed here, after the trainer's line for that evaluation */
        double t = now_seconds();
        print_sample(r, r->sample_length, 0.8);
        r->sample_due = 0;
        r->paused += now_seconds() - t;
    }
    if (k == 0)
        rnnlm_reset_state(&r->m);       /* each epoch reads the text from its start */
    for (int s = 0; s < r->N; s++)
        for (int t = 0; t < r->T; t++) {
            size_t pos = s * r->jump + (size_t)k * r->T + t;
            r->m.ids[s * r->T + t] = r->train[pos];
            r->m.ts[s * r->T + t] = r->train[pos + 1];
        }
    real loss = rnnlm_forward(&r->m, r->N, r->T, 1);
    rnnlm_backward(&r->m, r->N, r->T);
    return loss;
}

static void lm_carry_get(void *net, real *out)
{
    rnnlm_get_state(&((LmRun *)net)->m, out);
}

static void lm_carry_set(void *net, const real *in)
{
    rnnlm_set_state(&((LmRun *)net)->m, in);
}

/* The mean cross-entropy in nats per character over the validation text, read
 * as training reads (N streams, state carried), from a fresh state and without
 * dropout; the training state is put back afterwards. */
static double lm_validate(void *net)
{
    LmRun *r = net;
    double start = now_seconds();
    real *saved = xmalloc(rnnlm_state_size(&r->m) * sizeof(real));
    rnnlm_get_state(&r->m, saved);
    rnnlm_reset_state(&r->m);
    size_t jump = (r->val_count - 1) / r->N;
    long batches = (long)(jump / r->T);
    double sum = 0;
    for (long k = 0; k < batches; k++) {
        for (int s = 0; s < r->N; s++)
            for (int t = 0; t < r->T; t++) {
                size_t pos = s * jump + (size_t)k * r->T + t;
                r->m.ids[s * r->T + t] = r->val[pos];
                r->m.ts[s * r->T + t] = r->val[pos + 1];
            }
        sum += rnnlm_forward(&r->m, r->N, r->T, 0);
    }
    rnnlm_set_state(&r->m, saved);
    free(saved);
    double loss = sum / batches;
    if (r->evals < r->max_evals) {
        r->seconds[r->evals] = start - r->t0 - r->paused;     /* training time only */
        r->losses[r->evals] = loss;
    }
    r->evals++;
    r->sample_due = r->sample_length > 0;
    r->paused += now_seconds() - start;
    return loss;
}

/* Text from gen (parameters already in place): the prompt's ids fed one at a
 * time, then length characters drawn and fed back. Written to out. */
static void generate_text(Rnnlm *gen, const CharVocab *v, const int *prompt, int nprompt, int length,
                          double temperature, int top_k, Rng *rng, FILE *out)
{
    real *work = xmalloc((size_t)v->size * sizeof(real));
    rnnlm_reset_state(gen);
    int next = 0;
    for (int i = 0; i < nprompt + length; i++) {
        gen->ids[0] = i < nprompt ? prompt[i] : next;
        gen->ts[0] = 0;     /* no target: only the scores matter */
        if (i >= nprompt)
            fputs(v->chars[next], out);
        rnnlm_forward(gen, 1, 1, 0);
        next = sample_scores(rnnlm_last_scores(gen, 1), v->size, temperature, top_k, rng, work);
    }
    free(work);
}

/* The prompt a sample starts from: a newline if the text has one, else its first character. */
static int default_prompt(const CharVocab *v)
{
    int nl = char_vocab_id(v, '\n');
    return nl >= 0 ? nl : 0;
}

static void print_sample(LmRun *r, int length, double temperature)
{
    memcpy(r->gen.ps.values, r->m.ps.values, r->m.ps.size * sizeof(real));
    Rng rng;
    rng_seed(&rng, r->seed + 7);
    int p = default_prompt(r->vocab);
    printf("    ---- sample (temperature %.1f) ----\n", temperature);
    generate_text(&r->gen, r->vocab, &p, 1, length, temperature, 0, &rng, stdout);
    printf("\n    ----\n");
    fflush(stdout);
}

typedef struct {
    TrainResult run;
    double chars_per_second;
    size_t params;
    int evals;
} LmResult;

/* Train a language model of shape s on t's text through the shared trainer.
 * The times and validation losses of its evaluations are left in r. */
static LmResult train_lm(const Config *cfg, const Text *text, const RnnlmShape *s, const char *tag,
                         const char *title, long iters, int eval_every, int sample_length, int resume,
                         LmRun *r)
{
    memset(r, 0, sizeof *r);
    rnnlm_init(&r->m, s, cfg->c.seed);
    RnnlmShape one = *s;
    one.N = one.T = 1;
    rnnlm_init(&r->gen, &one, cfg->c.seed);
    r->vocab = &text->corpus.vocab;
    r->train = text->corpus.ids;
    r->train_count = text->train_count;
    r->val = text->corpus.ids + text->train_count;
    r->val_count = text->val_count;
    if (cfg->val_chars > 0 && (size_t)cfg->val_chars < r->val_count)
        r->val_count = cfg->val_chars;
    if (r->val_count < (size_t)s->N * s->T + 1)
        die("--val-chars %d is too few for a batch of %d x %d", cfg->val_chars, s->N, s->T);
    r->N = s->N, r->T = s->T;
    r->jump = (r->train_count - 1) / s->N;
    r->sample_length = sample_length;
    r->seed = cfg->c.seed;
    r->max_evals = (int)(iters / eval_every) + 4;
    r->seconds = xcalloc(r->max_evals, sizeof(double));
    r->losses = xcalloc(r->max_evals, sizeof(double));

    TrainerConfig tc = trainer_defaults();
    tc.title = title;
    tc.tag = tag;
    tc.out = cfg->c.out;
    tc.optimizer = ADAM;
    tc.lr = cfg->c.lr;
    /* constant, as the book trains: over 1500 iterations a cosine decay to 0
     * ended at 1.75 nats/char, the constant rate at 1.68; over 3000, 1.64 and 1.62 */
    tc.schedule = cfg->cosine ? LR_COSINE : LR_CONSTANT;
    tc.clip_norm = cfg->clip;
    tc.batch = s->N;
    tc.iters = iters;
    tc.in_order = 1;
    tc.eval_every = eval_every;
    tc.resume = resume;
    tc.quiet = cfg->c.quiet;
    rng_seed(&tc.rng, cfg->c.seed + 1);
    TrainerNet tn = {.net = r, .params = &r->m.ps, .step = lm_step, .validate = lm_validate,
                     .examples = (int)(s->N * (r->jump / s->T)), .rng = &r->m.rng,
                     .carry_size = rnnlm_state_size(&r->m), .carry_get = lm_carry_get,
                     .carry_set = lm_carry_set};
    LmResult res = {0};
    res.params = r->m.ps.trainable_size;
    printf("Training %s (%zu parameters) on %s: %zu characters for training, %zu for validation,\n"
           "  vocabulary %d; batch %d x %d steps, Adam lr %g%s, clip %g, dropout %g, %ld iterations "
           "(%.2f epochs), %d thread%s\n", title, res.params, text->path, r->train_count, r->val_count,
           s->V, s->N, s->T, cfg->c.lr, cfg->cosine ? " (cosine decay to 0)" : "", cfg->clip, s->dropout, iters,
           (double)iters / (r->jump / s->T), get_threads(), get_threads() == 1 ? "" : "s");
    r->t0 = now_seconds();
    res.run = trainer_run(&tc, &tn, NULL, NULL);
    if (res.run.status != TRAIN_DONE)
        exit(trainer_exit_status(res.run.status));
    res.chars_per_second = res.run.train_seconds > 0
                           ? (double)res.run.iters * s->N * s->T / res.run.train_seconds : 0;
    res.evals = r->evals < r->max_evals ? r->evals : r->max_evals;
    printf("%s: validation loss %.4f nats/char (perplexity %.2f), %.0f characters/s of training\n",
           title, res.run.val_loss, exp(res.run.val_loss), res.chars_per_second);
    return res;
}

static void lm_run_free(LmRun *r)
{
    rnnlm_free(&r->m);
    rnnlm_free(&r->gen);
    free(r->seconds);
    free(r->losses);
}

/* ---- the saved model -------------------------------------------------------------------- */


static void save_lm(const char *path, const LmRun *r, double val_loss, uint64_t seed)
{
    char *vocab = char_vocab_to_string(r->vocab);
    char layers[16], embed[16], hidden[16], loss[32], sd[32], err[MODEL_ERR_SIZE];
    snprintf(layers, sizeof layers, "%d", r->m.s.layers);
    snprintf(embed, sizeof embed, "%d", r->m.s.D);
    snprintf(hidden, sizeof hidden, "%d", r->m.s.H);
    snprintf(loss, sizeof loss, "%.4f", val_loss);
    snprintf(sd, sizeof sd, "%llu", (unsigned long long)seed);
    const char *meta[] = {"network", RNNLM_NETWORK, "cell", cell_tag(r->m.s.cell), "layers", layers,
                          "embed", embed, "hidden", hidden, "vocab", vocab, "val_loss", loss,
                          "seed", sd, "made_by", "05_rnn", NULL};
    const int replacing = access(path, F_OK) == 0;
    if (model_save(path, &r->m.ps, meta, err) != 0)
        die("%s", err);
    printf("  model: %s%s (its vocabulary in the metadata)\n", path, replacing ? " (replaces the one saved before)" : "");
    free(vocab);
}

/* A generator (one stream, one step) from a model saved by `lm`, and its vocabulary. */
static void load_lm(const char *path, Rnnlm *gen, CharVocab *vocab)
{
    char err[MODEL_ERR_SIZE];
    if (access(path, R_OK) != 0)
        die("%s: no such model (train one first: 05_rnn lm)", path);
    RnnlmShape s;
    rnnlm_read_shape(path, &s, vocab);
    rnnlm_init(gen, &s, 0);
    if (model_load(path, &gen->ps, err) != 0)
        die("%s", err);
}

static void lm_model_path(char *path, const Config *cfg)
{
    if (cfg->model)
        snprintf(path, OUT_PATH_SIZE, "%s", cfg->model);
    else
        out_path(path, cfg->c.out, "char_lm%s.safetensors", cfg->full ? "_full" : "");
}

/* ---- 1. lm -------------------------------------------------------------------------------- */

static RnnlmShape lm_shape(const Config *cfg, int V)
{
    RnnlmShape s = {CELL_LSTM, V, cfg->embed ? cfg->embed : cfg->hidden, cfg->hidden, cfg->layers,
                    cfg->dropout, cfg->c.batch, cfg->seq};
    return s;
}

typedef struct {
    LmResult res;
    double first_loss;
    double seconds;
} LmSummary;

static LmSummary run_lm(const Config *cfg, const Text *text, long iters)
{
    printf("== A character LSTM that writes: BetterRnnlm (%d x LSTM %d, dropout %g) ==\n", cfg->layers,
           cfg->hidden, cfg->dropout);
    RnnlmShape s = lm_shape(cfg, text->corpus.vocab.size);
    LmRun r;
    LmSummary out = {0};
    double t = now_seconds();
    out.res = train_lm(cfg, text, &s, cfg->full ? "char_lm_full" : "char_lm", "char LSTM", iters,
                       cfg->eval_every, cfg->sample_length, cfg->resume, &r);
    out.seconds = now_seconds() - t;
    out.first_loss = r.evals > 0 ? r.losses[0] : -1;
    printf("  the model after training writes:\n");
    print_sample(&r, cfg->sample_length > 0 ? 3 * cfg->sample_length : 300, 0.8);
    TrainerConfig tc = trainer_defaults();
    tc.out = cfg->c.out;
    tc.tag = cfg->full ? "char_lm_full" : "char_lm";
    tc.title = "char LSTM";
    trainer_plot(&tc, &out.res.run);
    char path[OUT_PATH_SIZE];
    lm_model_path(path, cfg);
    save_lm(path, &r, out.res.run.val_loss, cfg->c.seed);
    printf("\n");
    lm_run_free(&r);
    return out;
}

/* ---- 2. generate ---------------------------------------------------------------------------- */

static double run_generate(const Config *cfg)
{
    char path[OUT_PATH_SIZE], err[CORPUS_ERR_SIZE];
    lm_model_path(path, cfg);
    Rnnlm gen;
    CharVocab vocab;
    load_lm(path, &gen, &vocab);
    int max = 4096, *prompt = xmalloc(max * sizeof(int));
    int n;
    if (cfg->prompt && cfg->prompt[0]) {
        n = char_vocab_encode(&vocab, cfg->prompt, prompt, max, "--prompt", err);
        if (n < 0)
            die("%s (the model knows %d characters, from %s)", err, vocab.size, path);
    } else {
        prompt[0] = default_prompt(&vocab);
        n = 1;
    }
    Rng rng;
    rng_seed(&rng, cfg->c.seed);
    double t = now_seconds();
    if (cfg->prompt)
        fputs(cfg->prompt, stdout);
    generate_text(&gen, &vocab, prompt, n, cfg->length, cfg->temperature, cfg->top_k, &rng, stdout);
    double seconds = now_seconds() - t;
    printf("\n");
    fflush(stdout);
    fprintf(stderr, "(%d characters from %s, temperature %g%s, seed %llu, in %.3f s)\n", cfg->length, path,
            cfg->temperature, cfg->top_k > 0 ? ", top-k" : "", (unsigned long long)cfg->c.seed, seconds);
    free(prompt);
    char_vocab_free(&vocab);
    rnnlm_free(&gen);
    return seconds;
}

/* ---- 3. compare -------------------------------------------------------------------------------- */

typedef struct {
    CellKind cell;
    int H;
    size_t params;
    double val_loss, seconds, chars_per_second;
} CompareRow;

static void run_compare(const Config *cfg, const Text *text, CompareRow rows[3])
{
    const int V = text->corpus.vocab.size, D = cfg->embed ? cfg->embed : 64;
    printf("== RNN against LSTM against GRU: one layer each, about the same number of parameters ==\n");
    /* The LSTM sets the budget; the others get the smallest hidden size that reaches it. */
    RnnlmShape base = {CELL_LSTM, V, D, cfg->hidden, 1, 0, cfg->c.batch, cfg->seq};
    size_t budget = rnnlm_param_count(&base);
    const CellKind cells[3] = {CELL_RNN, CELL_LSTM, CELL_GRU};
    char tsv[3][OUT_PATH_SIZE];
    for (int i = 0; i < 3; i++) {
        RnnlmShape s = base;
        s.cell = cells[i];
        if (s.cell != CELL_LSTM)
            for (s.H = 1; rnnlm_param_count(&s) < budget; s.H++)
                ;
        char tag[32], title[32];
        snprintf(tag, sizeof tag, "compare_%s", cell_tag(s.cell));
        snprintf(title, sizeof title, "%s %d", cell_name(s.cell), s.H);
        LmRun r;
        Config c = *cfg;
        c.val_chars = cfg->val_chars > 0 ? cfg->val_chars : 20000;   /* a quicker score, the same for all */
        LmResult res = train_lm(&c, text, &s, tag, title, cfg->compare_iters, cfg->compare_iters / 10 > 0
                                ? cfg->compare_iters / 10 : 1, 0, 0, &r);
        rows[i] = (CompareRow){s.cell, s.H, res.params, res.run.val_loss,
                               r.evals > 0 ? r.seconds[res.evals - 1] : 0, res.chars_per_second};
        out_path(tsv[i], cfg->c.out, "compare_%s.tsv", cell_tag(s.cell));
        TsvLog *log = tsv_open(tsv[i], "seconds\tval_loss");
        for (int e = 0; e < res.evals; e++)
            tsv_row(log, (double[]){r.seconds[e], r.losses[e]}, 2);
        tsv_close(log);
        lm_run_free(&r);
    }
    printf("\n  cell   hidden   parameters   val loss (nats/char)   perplexity   seconds   chars/s\n");
    for (int i = 0; i < 3; i++)
        printf("  %-5s  %6d   %10zu   %20.4f   %10.2f   %7.1f   %7.0f\n", cell_name(rows[i].cell), rows[i].H,
               rows[i].params, rows[i].val_loss, exp(rows[i].val_loss), rows[i].seconds,
               rows[i].chars_per_second);
    char png[OUT_PATH_SIZE], script[4 * OUT_PATH_SIZE];
    out_path(png, cfg->c.out, "compare.png");
    snprintf(script, sizeof script,
             "set title 'RNN vs LSTM vs GRU: %d iterations each, about %zu parameters'\n"
             "set xlabel 'training seconds'\nset ylabel 'validation loss (nats/char)'\nset grid\n"
             "plot '%s' using 1:2 skip 1 with linespoints title 'RNN', "
             "'%s' using 1:2 skip 1 with linespoints title 'LSTM', "
             "'%s' using 1:2 skip 1 with linespoints title 'GRU'\n",
             cfg->compare_iters, budget, tsv[0], tsv[1], tsv[2]);
    if (plot_png(png, 800, 500, script) == 0)
        printf("  plot: %s\n", png);
    printf("\n");
}

/* ---- 4. gradients ---------------------------------------------------------------------------------- */

static double norm2(const real *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return sqrt(s);
}

enum { GN = 4, GH = 64 };   /* 4 sequences, 64 hidden units */

/* The book's experiment (fig. 6-8): dh through the MatMul with Wh alone, step
 * after step, dh = dh Wh^T. norms[t] after t steps back. */
static void matmul_only_norms(double scale, int steps, double *norms, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    real *Wh = xmalloc(GH * GH * sizeof(real)), *dh = xmalloc(GN * GH * sizeof(real)),
         *next = xmalloc(GN * GH * sizeof(real));
    rng_fill_normal(&rng, Wh, GH * GH, scale / sqrt(GH));     /* spectral radius about `scale` */
    for (int i = 0; i < GN * GH; i++)
        dh[i] = 1 / sqrt(GN * GH);
    norms[0] = norm2(dh, GN * GH);
    for (int t = 1; t <= steps; t++) {
        matmul(0, 1, GN, GH, GH, dh, Wh, 0, next);        /* dh Wh^T */
        memcpy(dh, next, GN * GH * sizeof(real));
        norms[t] = norm2(dh, GN * GH);
    }
    free(Wh), free(dh), free(next);
}

/* A real RNN or LSTM (tanh and gates included), forward over `steps` random
 * inputs, then backward from a unit gradient at the last h only: the norm of
 * dL/dh (and of dL/dc for the LSTM) at each step back. */
static void cell_norms(int lstm, double scale, int steps, double *norms, double *cnorms, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    const int D = GH, H = GH, G = lstm ? 4 * H : H;
    real *Wx = xmalloc((size_t)D * G * sizeof(real)), *Wh = xmalloc((size_t)H * G * sizeof(real));
    real *b = xcalloc(G, sizeof(real)), *dWx = xcalloc((size_t)D * G, sizeof(real));
    real *dWh = xcalloc((size_t)H * G, sizeof(real)), *db = xcalloc(G, sizeof(real));
    real *xs = xmalloc((size_t)steps * GN * D * sizeof(real));
    real *hs = xcalloc((size_t)(steps + 1) * GN * H, sizeof(real)), *cs = xcalloc((size_t)(steps + 1) * GN * H, sizeof(real));
    real *gates = xcalloc((size_t)steps * GN * G, sizeof(real));
    real *dh = xmalloc(GN * H * sizeof(real)), *dc = xcalloc(GN * H, sizeof(real));
    real *dh_prev = xmalloc(GN * H * sizeof(real)), *dc_prev = xmalloc(GN * H * sizeof(real));
    real *da = xmalloc((size_t)GN * G * sizeof(real));
    rng_fill_normal(&rng, Wx, (size_t)D * G, 1 / sqrt(D));
    rng_fill_normal(&rng, Wh, (size_t)H * G, scale / sqrt(H));
    rng_fill_normal(&rng, xs, (size_t)steps * GN * D, 1);
    if (lstm)
        for (int j = 0; j < H; j++)
            b[j] = 1;       /* forget gate bias 1, as the language model starts */
    for (int t = 0; t < steps; t++) {
        const size_t o = (size_t)t * GN * H;
        if (lstm)
            lstm_forward(hs + o + GN * H, cs + o + GN * H, gates + (size_t)t * GN * G, xs + (size_t)t * GN * D,
                         hs + o, cs + o, Wx, Wh, b, GN, D, H);
        else
            rnn_forward(hs + o + GN * H, xs + (size_t)t * GN * D, hs + o, Wx, Wh, b, GN, D, H);
    }
    for (int i = 0; i < GN * H; i++)
        dh[i] = 1 / sqrt(GN * H);
    norms[0] = norm2(dh, GN * H);
    if (cnorms)
        cnorms[0] = 0;
    for (int t = steps - 1; t >= 0; t--) {
        const size_t o = (size_t)t * GN * H;
        if (lstm)
            lstm_backward(NULL, dh_prev, dc_prev, dWx, dWh, db, da, dh, dc, gates + (size_t)t * GN * G,
                          xs + (size_t)t * GN * D, hs + o, cs + o, cs + o + GN * H, Wx, Wh, GN, D, H);
        else
            rnn_backward(NULL, dh_prev, dWx, dWh, db, da, dh, xs + (size_t)t * GN * D, hs + o, hs + o + GN * H,
                         Wx, Wh, GN, D, H);
        memcpy(dh, dh_prev, GN * H * sizeof(real));
        if (lstm)
            memcpy(dc, dc_prev, GN * H * sizeof(real));
        norms[steps - t] = norm2(dh, GN * H);
        if (cnorms)
            cnorms[steps - t] = norm2(dc, GN * H);
    }
    free(Wx), free(Wh), free(b), free(dWx), free(dWh), free(db), free(xs), free(hs), free(cs);
    free(gates), free(dh), free(dc), free(dh_prev), free(dc_prev), free(da);
}

typedef struct {
    int steps;
    double book_small, book_large, rnn_small, rnn_large, lstm_h, lstm_c, clip_factor;
} GradientResult;

static GradientResult run_gradients(const Config *cfg)
{
    const int T = cfg->steps;
    printf("== Vanishing and exploding gradients: dL/dh flowing back through %d steps ==\n", T);
    enum { CURVES = 7 };
    double *n[CURVES];
    for (int i = 0; i < CURVES; i++)
        n[i] = xcalloc(T + 1, sizeof(double));
    matmul_only_norms(0.5, T, n[0], cfg->c.seed);
    matmul_only_norms(2.0, T, n[1], cfg->c.seed);
    cell_norms(0, 0.5, T, n[2], NULL, cfg->c.seed);
    cell_norms(0, 2.0, T, n[3], NULL, cfg->c.seed);
    cell_norms(0, 1.0, T, n[4], NULL, cfg->c.seed);
    cell_norms(1, 1.0, T, n[5], n[6], cfg->c.seed);
    const char *names[CURVES] = {"book: dh Wh^T only, Wh scale 0.5", "book: dh Wh^T only, Wh scale 2",
                                 "RNN (tanh), Wh scale 0.5", "RNN (tanh), Wh scale 2", "RNN (tanh), Wh scale 1",
                                 "LSTM dL/dh", "LSTM dL/dc"};
    printf("  |dL/dh| after k steps back (1 at the last step), H = %d, %d sequences:\n", GH, GN);
    printf("  %-36s", "");
    for (int k = 5; k <= T; k += 5)
        printf("  k=%-7d", k);
    printf("\n");
    for (int i = 0; i < CURVES; i++) {
        printf("  %-36s", names[i]);
        for (int k = 5; k <= T; k += 5)
            printf("  %-9.2e", n[i][k]);
        printf("\n");
    }
    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], script[8 * OUT_PATH_SIZE + 1024];
    out_path(tsv, cfg->c.out, "gradients.tsv");
    TsvLog *log = tsv_open(tsv, "steps_back\tbook_0.5\tbook_2\trnn_0.5\trnn_2\trnn_1\tlstm_dh\tlstm_dc");
    for (int k = 0; k <= T; k++)
        tsv_row(log, (double[]){k, n[0][k], n[1][k], n[2][k], n[3][k], n[4][k], n[5][k], n[6][k]}, 8);
    tsv_close(log);
    out_path(png, cfg->c.out, "gradients.png");
    int off = snprintf(script, sizeof script,
                       "set title 'The gradient flowing back through time'\nset logscale y\nset format y '10^{%%L}'\n"
                       "set xlabel 'steps back'\nset ylabel '|dL/dh| (log scale)'\nset grid\nset key outside right\n"
                       "plot ");
    for (int i = 0; i < CURVES; i++)
        off += snprintf(script + off, sizeof script - off, "%s'%s' using 1:%d skip 1 with lines lw 2 title '%s'",
                        i ? ", " : "", tsv, i + 2, names[i]);
    snprintf(script + off, sizeof script - off, "\n");
    if (plot_png(png, 1000, 500, script) == 0)
        printf("  plot: %s\n", png);
    GradientResult g = {T, n[0][T], n[1][T], n[2][T], n[3][T], n[5][T], n[6][T], 0};
    /* clipping: the exploding gradient, capped at a norm of 5 keeps its direction */
    real v[1] = {(real)n[1][T]};
    double before = clip_grads(v, 1, 5.0);
    g.clip_factor = v[0] / before;
    printf("  clipping to norm 5 (the lm's --clip) turns the book's exploding %.2e into %.2f:\n"
           "  the direction is kept, the step that would throw the weights away is not taken\n\n",
           before, (double)v[0]);
    for (int i = 0; i < CURVES; i++)
        free(n[i]);
    return g;
}

/* ---- main ------------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Config cfg = {0};
    options_defaults(&cfg.c);
    cfg.c.batch = 50;
    cfg.c.lr = 0.004;
    cfg.c.data = "data/tinyshakespeare";
    cfg.c.out = "out/05_rnn";
    cfg.hidden = 0;         /* 0 and -1: not given, LM_HIDDEN or FULL_HIDDEN (see below) */
    cfg.layers = 2;
    cfg.seq = 50;
    cfg.dropout = -1;
    cfg.clip = 5;
    cfg.iters = 0;
    cfg.eval_every = 400;
    cfg.sample_length = 120;
    cfg.compare_iters = 300;
    cfg.temperature = 0.8;
    cfg.length = 500;
    cfg.steps = 40;
    const Option extra[] = {
        {"epochs", OPT_INT, NULL, "N", "lm: passes over the text, instead of --iters; word2vec: passes (default 10); "
         "addition, dates, chatbot: epochs (default 25, 4, 4)"},
        {"batch", OPT_INT, NULL, "N", "mini-batch size (default 50; addition, dates 128, chatbot 64)"},
        {"lr", OPT_DOUBLE, NULL, "X", "learning rate (default 0.004; addition 0.003, dates 0.002, chatbot 0.002)"},
        {"data", OPT_STRING, NULL, "PATH", "a UTF-8 text file, or a folder holding input.txt (default data/tinyshakespeare)"},
        {"iters", OPT_INT, &cfg.iters, "N", "lm: iterations (default 4000 in the tour and lm, --full 10000)"},
        {"hidden", OPT_INT, &cfg.hidden, "N", "hidden units of each recurrent layer (default 128, --full 256)"},
        {"embed", OPT_INT, &cfg.embed, "N", "embedding size (default: --hidden; compare: 64; addition, dates 16, chatbot 32)"},
        {"layers", OPT_INT, &cfg.layers, "N", "lm: LSTM layers (default 2)"},
        {"seq", OPT_INT, &cfg.seq, "N", "time steps per batch, truncated BPTT (default 50)"},
        {"dropout", OPT_DOUBLE, &cfg.dropout, "X", "lm: dropout ratio (default 0.1, --full 0.2)"},
        {"clip", OPT_DOUBLE, &cfg.clip, "X", "clip gradients to this global norm (default 5, 0: off)"},
        {"eval-every", OPT_INT, &cfg.eval_every, "N", "lm: iterations between validations (default 400)"},
        {"sample-length", OPT_INT, &cfg.sample_length, "N", "lm: characters of the sample at each validation (default 120, 0: none)"},
        {"val-chars", OPT_INT, &cfg.val_chars, "N", "score on the first N validation characters (default all; compare 20000)"},
        {"compare-iters", OPT_INT, &cfg.compare_iters, "N", "compare: iterations of each model (default 300)"},
        {"steps", OPT_INT, &cfg.steps, "N", "gradients: time steps to go back through (default 40)"},
        {"prompt", OPT_STRING, &cfg.prompt, "TEXT", "generate: the text to continue (default: a newline)"},
        {"temperature", OPT_DOUBLE, &cfg.temperature, "X", "generate, chat: 0 greedy, <1 safer, >1 wilder (default 0.8)"},
        {"length", OPT_INT, &cfg.length, "N", "generate: characters to write (default 500)"},
        {"top-k", OPT_INT, &cfg.top_k, "K", "generate, chat: draw among the K likeliest only (default: all)"},
        {"model", OPT_STRING, &cfg.model, "FILE", "generate, add, date: the model (default OUT/char_lm.safetensors, "
         "OUT/addition_peeky.safetensors, OUT/dates_attention.safetensors)"},
        {"variant", OPT_STRING, &cfg.variant, "NAME", "addition, dates: train only this one (addition: plain, reversed, "
         "peeky; dates: peeky, attention)"},
        {"beam", OPT_INT, &cfg.beam, "K", "chat: answer by beam search of width K (default 0: sample); add, date: beam search instead of greedy"},
        {"chat-iters", OPT_INT, &cfg.chat_iters, "N", "chatbot: iterations of each net (default 4 epochs, tour 2)"},
        {"problems", OPT_INT, &cfg.problems, "N", "addition, dates: pairs to generate, 10% held out (default 50000)"},
        {"decode-batch", OPT_INT, &cfg.decode_batch, "N", "addition, dates: held-out questions decoded together (default: --batch; 1: one at a time)"},
        {"export-words", OPT_STRING, &cfg.export_words, "FILE", "word2vec: first write the kept words to FILE, one line (for word2vec.c)"},
        {"vectors", OPT_STRING, &cfg.vectors, "FILE", "word2vec: at the end, neighbours by word vectors in word2vec.c's text format"},
        {"cosine", OPT_FLAG, &cfg.cosine, NULL, "Adam's rate decays from --lr to 0 over the run (default: constant, as the book)"},
        {"full", OPT_FLAG, &cfg.full, NULL, "lm: the long run (2 x LSTM 256, dropout 0.2, --cosine, 10000 iterations), saved as char_lm_full; "
         "count, word2vec: words seen twice, up to 8,000 (default: 5 times, up to 5,000)"},
        {"resume", OPT_FLAG, &cfg.resume, NULL, "lm, addition, dates: go on from the checkpoint in --out (after Ctrl-C)"},
        {"summary", OPT_FLAG, &cfg.summary, NULL, "print the language model's layers, parameters and FLOPs, and stop"},
        {0},
    };
    const char *pos[2];
    int npos = options_parse(argc, argv, &info, &cfg.c, extra, pos, 2);
    const char *commands[] = {"tour", "count", "word2vec", "lm", "generate", "compare", "gradients", "addition", "add",
                              "dates", "date", "chatbot", "chat", NULL};
    const char *cmd = options_command(&info, pos, npos, commands);
    const int answer = strcmp(cmd, "add") == 0 || strcmp(cmd, "date") == 0;
    if (answer && npos != 2) {
        fprintf(stderr, "05_rnn %s: give one question, as in: 05_rnn %s\n", cmd,
                cmd[1] == 'd' ? "add 17+385" : "date \"27 sep 94\"");
        return 2;
    }
    if (npos > 1 && !answer) {
        fprintf(stderr, "05_rnn: one command at a time (see --help)\n");
        return 2;
    }
    /* --full trains a larger model, longer, with the rate decaying to 0: the
     * recipe of the long run, unless the options say otherwise. */
    if (cfg.hidden == 0)
        cfg.hidden = cfg.full ? FULL_HIDDEN : LM_HIDDEN;
    if (cfg.dropout == -1)
        cfg.dropout = cfg.full ? FULL_DROPOUT : LM_DROPOUT;
    cfg.cosine |= cfg.full;
    if (cfg.hidden < 1 || cfg.hidden > 4096)
        die("--hidden must be from 1 to 4096, not %d", cfg.hidden);
    if (cfg.embed < 0 || cfg.embed > 4096)
        die("--embed must be from 1 to 4096, not %d", cfg.embed);
    if (cfg.layers < 1 || cfg.layers > RNNLM_MAX_LAYERS)
        die("--layers must be from 1 to %d, not %d", RNNLM_MAX_LAYERS, cfg.layers);
    if (cfg.seq < 1 || cfg.seq > 10000)
        die("--seq must be from 1 to 10000, not %d", cfg.seq);
    if (cfg.c.batch < 1)
        die("--batch must be at least 1");
    if (!(cfg.dropout >= 0 && cfg.dropout < 1))
        die("--dropout must be in [0, 1), not %g", cfg.dropout);
    if (!(cfg.clip >= 0))
        die("--clip must be 0 (off) or more, not %g", cfg.clip);
    if (!(cfg.temperature >= 0 && cfg.temperature <= 100))
        die("--temperature must be from 0 to 100, not %g", cfg.temperature);
    if (cfg.length < 0 || cfg.length > 100000000)
        die("--length must be from 0 to 100000000, not %d", cfg.length);
    if (cfg.top_k < 0)
        die("--top-k must be 0 (all) or more, not %d", cfg.top_k);
    if (cfg.eval_every < 1 || cfg.compare_iters < 1 || cfg.iters < 0 || cfg.sample_length < 0 || cfg.val_chars < 0)
        die("--eval-every and --compare-iters must be at least 1; --iters, --sample-length, --val-chars not negative");
    if (cfg.steps < 1 || cfg.steps > 1000)
        die("--steps must be from 1 to 1000, not %d", cfg.steps);
    const int tour = strcmp(cmd, "tour") == 0;

    if (cfg.summary) {
        Summary sum;
        RnnlmShape s = lm_shape(&cfg, 65);
        rnnlm_summary(&sum, &s);
        Rnnlm m;
        rnnlm_init(&m, &s, cfg.c.seed);
        printf("(vocabulary 65: Tiny Shakespeare's characters; a row is one step of one sequence)\n");
        summary_print(&sum, &m.ps, cfg.c.batch * cfg.seq);
        rnnlm_free(&m);
        return 0;
    }
    options_make_out(&cfg.c);
    if (strcmp(cmd, "generate") == 0) {
        run_generate(&cfg);
        return 0;
    }
    if (cfg.problems < 0 || cfg.problems > 500000)
        die("--problems must be from 20 to 500000, not %d", cfg.problems);
    if (cfg.chat_iters < 0)
        die("--chat-iters must not be negative");
    if (cfg.decode_batch < 0)
        die("--decode-batch must not be negative");
    S2sConfig s2s = {&cfg.c, cfg.hidden, cfg.embed, cfg.problems, cfg.variant, cfg.model, cfg.beam, cfg.temperature,
                     cfg.top_k, cfg.resume, tour, cfg.c.data, cfg.chat_iters, cfg.decode_batch};
    if (strcmp(cmd, "chat") == 0) {
        s2s_chat(&s2s);
        return 0;
    }
    if (strcmp(cmd, "chatbot") == 0) {
        s2s_chat_train(&s2s);
        return 0;
    }
    if (answer) {
        s2s_answer(&s2s, strcmp(cmd, "add") == 0 ? "addition" : "dates", pos[1]);
        return 0;
    }
    if (strcmp(cmd, "addition") == 0 || strcmp(cmd, "dates") == 0) {
        s2s_train(&s2s, cmd);
        return 0;
    }
    /* Words as vectors first (the sequel's chapters 2 to 4), then recurrent nets. */
    CountResult words_c = {0};
    Word2vecResult words_w = {0};
    if (tour || strcmp(cmd, "count") == 0)
        words_c = words_count(&cfg.c, cfg.full);
    if (tour || strcmp(cmd, "word2vec") == 0)
        words_w = words_word2vec(&cfg.c, cfg.full, tour ? &words_c : NULL, cfg.export_words, cfg.vectors);
    if (strcmp(cmd, "count") == 0 || strcmp(cmd, "word2vec") == 0)
        return 0;
    GradientResult g = {0};
    if (tour || strcmp(cmd, "gradients") == 0)
        g = run_gradients(&cfg);
    if (strcmp(cmd, "gradients") == 0)
        return 0;

    Text text;
    load_text(&cfg, &text);
    CompareRow rows[3];
    if (tour || strcmp(cmd, "compare") == 0)
        run_compare(&cfg, &text, rows);
    LmSummary lm = {0};
    long iters = cfg.iters ? cfg.iters : cfg.full ? FULL_ITERS : LM_ITERS;
    if (cfg.c.given & USE_EPOCHS && cfg.c.epochs > 0)
        iters = (long)cfg.c.epochs * (long)(((text.train_count - 1) / cfg.c.batch) / cfg.seq);
    if (tour || strcmp(cmd, "lm") == 0)
        lm = run_lm(&cfg, &text, iters);
    double gen_seconds = 0;
    if (tour) {
        printf("== generate: the saved model continues a prompt ==\n");
        Config gc = cfg;
        int romeo = 1;
        for (const char *p = "ROMEO:"; *p; p++)
            romeo = romeo && char_vocab_id(&text.corpus.vocab, (uint32_t)*p) >= 0;
        gc.prompt = romeo ? "ROMEO:" : NULL;
        gc.length = 300;
        gen_seconds = run_generate(&gc);
        printf("\n");
    }
    /* the second half: seq2seq (the sequel's chapters 7 and 8), short runs */
    S2sSummary add_s = {0}, date_s = {0};
    S2sChatSummary chat_s = {0};
    if (tour) {
        s2s.model = NULL;
        add_s = s2s_train(&s2s, "addition");
        printf("== add: the saved model answers ==\n");
        s2s_answer(&s2s, "addition", "17+385");
        printf("\n");
        date_s = s2s_train(&s2s, "dates");
        printf("== date: the saved model answers ==\n");
        s2s_answer(&s2s, "dates", "27 sep 94");
        printf("\n");
        chat_s = s2s_chat_train(&s2s);
    }
    if (tour) {
        printf("Summary of chapter 05\n");
        words_summary(&words_c, &words_w);
        printf("  gradients through %d steps: plain MatMul %.1e (scale 0.5) and %.1e (scale 2); tanh RNN %.1e "
               "and %.1e; LSTM dh %.1e, dc %.1e\n", g.steps, g.book_small, g.book_large, g.rnn_small, g.rnn_large,
               g.lstm_h, g.lstm_c);
        printf("  compare (%d iterations each):", cfg.compare_iters);
        for (int i = 0; i < 3; i++)
            printf(" %s %.3f (ppl %.2f, %.0f s)%s", cell_name(rows[i].cell), rows[i].val_loss, exp(rows[i].val_loss),
                   rows[i].seconds, i < 2 ? "," : "\n");
        printf("  char LSTM: validation loss %.4f at the first evaluation, %.4f nats/char (perplexity %.2f) after %ld "
               "iterations, %.0f s of training, %.0f chars/s\n", lm.first_loss, lm.res.run.val_loss, exp(lm.res.run.val_loss),
               lm.res.run.iters, lm.res.run.train_seconds, lm.res.chars_per_second);
        printf("  generate: 300 characters in %.3f s\n", gen_seconds);
        printf("  addition (%s, %d epochs): held-out exact match %.4f, %.1f s per epoch\n", add_s.names[0],
               add_s.epochs, add_s.final_acc[0], add_s.seconds_per_epoch[0]);
        printf("  dates (%s, %d epochs): held-out exact match %.4f, %.1f s per epoch\n", date_s.names[0],
               date_s.epochs, date_s.final_acc[0], date_s.seconds_per_epoch[0]);
        printf("  chatbot: held-out replies %.3f nats/char (perplexity %.2f), without the speech %.3f (%.2f)\n",
               chat_s.val_loss, exp(chat_s.val_loss), chat_s.base_loss, exp(chat_s.base_loss));
        printf("  outputs in %s/\n", cfg.c.out);
    }
    char_corpus_free(&text.corpus);
    return 0;
}
