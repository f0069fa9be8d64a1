/* seq2seq_tasks.c - seq2seq that adds, attention that reads dates (the
 * sequel's chapters 7 and 8), and answering from the saved models.
 *
 *   addition  50,000 unique problems "a+b" (a, b of 1 to 3 digits), 10% held
 *             out; plain seq2seq, with the input reversed, and peeky with the
 *             input reversed; held-out exact match per epoch on one plot
 *   dates     50,000 unique dates in 20 human formats -> ISO; peeky against
 *             attention; attention maps as heat maps
 *   add, date answer one question from the saved model
 */
#include "seq2seq_tasks.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "model.h"
#include "plot.h"
#include "seq2seq.h"
#include "seq_data.h"
#include "threads.h"
#include "time_layers.h"
#include "timer.h"
#include "trainer.h"
#include "util.h"

/* ---- the tasks ------------------------------------------------------------------------- */

typedef struct {
    const char *tag, *title;
    Seq2seqKind kind;
    int reverse;
} Variant;

typedef struct {
    const char *name;           /* "addition" */
    const char *network;        /* the model file's "network" */
    const char *answer_cmd;     /* "add" */
    int Tx, Ty;
    void (*generate)(TextPairs *p, int count, uint64_t seed);
    const Variant *variants;
    int nvariants;
    int default_variant;        /* the one add / date answer with */
    int epochs, hidden, embed;
    double lr;
} Task;

static const Variant add_variants[] = {
    {"plain", "seq2seq", SEQ2SEQ, 0},
    {"reversed", "seq2seq, input reversed", SEQ2SEQ, 1},
    {"peeky", "peeky seq2seq, input reversed", PEEKY_SEQ2SEQ, 1},
};

static const Variant date_variants[] = {
    {"peeky", "peeky seq2seq, input reversed", PEEKY_SEQ2SEQ, 1},
    {"attention", "attention seq2seq, input reversed", ATTENTION_SEQ2SEQ, 1},
};

static const Task tasks[] = {
    {"addition", "05_rnn_addition", "add", ADDITION_QW, ADDITION_AW, addition_pairs, add_variants, 3, 2,
     25, 128, 16, 0.001},
    {"dates", "05_rnn_dates", "date", DATE_QW, DATE_AW, date_pairs, date_variants, 2, 1, 10, 128, 16, 0.001},
};

static const Task *find_task(const char *name)
{
    for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++)
        if (strcmp(tasks[i].name, name) == 0)
            return &tasks[i];
    die("no seq2seq task '%s'", name);
}

/* pad ' ', start mark '_', end mark ' ' (no answer holds a space) */
static SeqFormat task_format(int reverse)
{
    SeqFormat f = {' ', '_', ' ', reverse};
    return f;
}

static void model_path(char *path, const S2sConfig *cfg, const Task *task, const Variant *v)
{
    if (cfg->model && !v)
        snprintf(path, OUT_PATH_SIZE, "%s", cfg->model);
    else
        out_path(path, cfg->c->out, "%s_%s.safetensors", task->name,
                 (v ? v : &task->variants[task->default_variant])->tag);
}

/* ---- training through the shared trainer ---------------------------------------------------------- */

typedef struct {
    Seq2seq m;
    const SeqSet *train, *test;
    const TextPairs *test_text;
    const CharTable *table;
    SeqFormat fmt;
    int *xs, *in, *ts;          /* the batch */
    int *out;                   /* (test count, Ty) decoded */
    int show;                   /* held-out examples printed at each evaluation */
    int qw;
    double *acc;                /* held-out exact match at each evaluation */
    int evals, max_evals;
} S2sRun;

static void attention_maps(const S2sConfig *cfg, S2sRun *r, const Task *task);

static real s2s_step(void *net, long k, const int *idx, int n)
{
    S2sRun *r = net;
    (void)k;
    const int Tx = r->train->Tx, Ty = r->train->Ty;
    for (int i = 0; i < n; i++) {
        memcpy(r->xs + (size_t)i * Tx, r->train->xs + (size_t)idx[i] * Tx, (size_t)Tx * sizeof(int));
        memcpy(r->in + (size_t)i * Ty, r->train->dec_in + (size_t)idx[i] * Ty, (size_t)Ty * sizeof(int));
        memcpy(r->ts + (size_t)i * Ty, r->train->ts + (size_t)idx[i] * Ty, (size_t)Ty * sizeof(int));
    }
    real loss = seq2seq_forward(&r->m, r->xs, r->in, r->ts, n);
    seq2seq_backward(&r->m);
    return loss;
}

/* Held-out exact match: every question decoded greedily, a batch at a time,
 * and its answer (up to the end mark) compared with the true one. */
static double exact_match(S2sRun *r, int print)
{
    const SeqSet *t = r->test;
    const int start = char_table_id(r->table, r->fmt.start);
    seq2seq_generate(&r->m, r->out, t->xs, t->count, start, t->Ty);
    int right = 0;
    char ans[64];
    for (int i = 0; i < t->count; i++) {
        seq_decode_answer(ans, r->out + (size_t)i * t->Ty, t->Ty, r->table, &r->fmt);
        int ok = strcmp(ans, pair_answer(r->test_text, i)) == 0;
        right += ok;
        if (i < print)
            printf("    %-*s -> %-10s %s%s\n", r->qw, pair_question(r->test_text, i), ans, ok ? "right" : "WRONG, ",
                   ok ? "" : pair_answer(r->test_text, i));
    }
    return (double)right / t->count;
}

static double s2s_accuracy(void *net, const Dataset *d)
{
    S2sRun *r = net;
    (void)d;        /* the held-out set is the run's own (the trainer only needs its size) */
    double acc = exact_match(r, r->show);
    if (r->evals < r->max_evals)
        r->acc[r->evals] = acc;
    r->evals++;
    return acc;
}

static void save_model(const char *path, const S2sRun *r, const Task *task, const Variant *v, double acc)
{
    char kind[16], embed[16], hidden[16], rev[8], accs[32], vocab[130], err[MODEL_ERR_SIZE];
    snprintf(kind, sizeof kind, "%s", seq2seq_kind_name(v->kind));
    snprintf(embed, sizeof embed, "%d", r->m.s.D);
    snprintf(hidden, sizeof hidden, "%d", r->m.s.H);
    snprintf(rev, sizeof rev, "%d", v->reverse);
    snprintf(accs, sizeof accs, "%.4f", acc);
    char_table_string(r->table, vocab, sizeof vocab);
    const char *meta[] = {"network", task->network, "kind", kind, "embed", embed, "hidden", hidden,
                          "reverse", rev, "vocab", vocab, "held_out_exact_match", accs, "made_by", "05_rnn", NULL};
    const int replacing = access(path, F_OK) == 0;
    if (model_save(path, &r->m.ps, meta, err) != 0)
        die("%s", err);
    printf("  model: %s%s\n", path, replacing ? " (replaces the one saved before)" : "");
}

typedef struct {
    double *acc;
    int evals;
    double best, seconds;
    int best_epoch;
} VariantResult;

static VariantResult train_variant(const S2sConfig *cfg, const Task *task, const Variant *v, const TextPairs *train,
                                   const TextPairs *test, const CharTable *table, int epochs, int hidden, int embed,
                                   int batch, double lr)
{
    char err[256], tag[64], title[96];
    SeqFormat fmt = task_format(v->reverse);
    SeqSet tr, te;
    if (seq_set_encode(&tr, train, table, &fmt, task->Tx, task->Ty, err, sizeof err) != 0 ||
        seq_set_encode(&te, test, table, &fmt, task->Tx, task->Ty, err, sizeof err) != 0)
        die("%s: %s", task->name, err);
    S2sRun r = {0};
    Seq2seqShape s = {v->kind, table->size, embed, hidden, batch, task->Tx, task->Ty};
    seq2seq_init(&r.m, &s, cfg->c->seed);
    r.train = &tr, r.test = &te, r.test_text = test, r.table = table, r.fmt = fmt;
    r.xs = xmalloc((size_t)batch * task->Tx * sizeof(int));
    r.in = xmalloc((size_t)batch * task->Ty * sizeof(int));
    r.ts = xmalloc((size_t)batch * task->Ty * sizeof(int));
    r.out = xmalloc((size_t)te.count * task->Ty * sizeof(int));
    r.show = cfg->c->quiet ? 0 : 4;
    r.qw = task->Tx;
    r.max_evals = epochs + 2;
    r.acc = xcalloc(r.max_evals, sizeof(double));

    snprintf(tag, sizeof tag, "%s_%s", task->name, v->tag);
    snprintf(title, sizeof title, "%s: %s", task->name, v->title);
    TrainerConfig tc = trainer_defaults();
    tc.title = title;
    tc.tag = tag;
    tc.out = cfg->c->out;
    tc.optimizer = ADAM;
    tc.lr = lr;
    tc.clip_norm = 5;           /* the book's max_grad */
    tc.batch = batch;
    tc.epochs = epochs;
    tc.train_eval_size = -1;    /* held-out exact match only */
    tc.resume = cfg->resume;
    tc.quiet = cfg->c->quiet;
    rng_seed(&tc.rng, cfg->c->seed + 1);
    TrainerNet tn = {.net = &r, .params = &r.m.ps, .step = s2s_step, .examples = tr.count,
                     .accuracy = s2s_accuracy};
    Dataset held = {0};         /* stands for the held-out set: the trainer reads only its count */
    held.count = te.count;
    printf("-- %s: %zu parameters, hidden %d, embedding %d, batch %d, Adam lr %g, clip 5, %d epochs, %d thread%s\n",
           title, r.m.ps.trainable_size, hidden, embed, batch, lr, epochs, get_threads(),
           get_threads() == 1 ? "" : "s");
    TrainResult res = trainer_run(&tc, &tn, NULL, &held);
    if (res.status != TRAIN_DONE)
        exit(trainer_exit_status(res.status));
    VariantResult out = {r.acc, r.evals < r.max_evals ? r.evals : r.max_evals, 0, 0, 0};
    for (int e = 0; e < out.evals; e++)
        if (r.acc[e] > out.best)
            out.best = r.acc[e], out.best_epoch = e + 1;
    out.seconds = (res.train_seconds + res.eval_seconds) / (res.epochs > 0 ? res.epochs : 1);
    printf("  %s: held-out exact match %.4f after %d epochs (best %.4f at epoch %d); %.1f s per epoch "
           "(train %.1f s + evaluate %.1f s over %d)\n", title, res.test_acc, (int)res.epochs, out.best,
           out.best_epoch, out.seconds, res.train_seconds, res.eval_seconds, res.evaluations);
    trainer_plot(&tc, &res);
    char path[OUT_PATH_SIZE];
    model_path(path, cfg, task, v);
    save_model(path, &r, task, v, res.test_acc);
    if (v->kind == ATTENTION_SEQ2SEQ) {
        attention_maps(cfg, &r, task);     /* of a few held-out questions */
    }
    printf("\n");
    seq2seq_free(&r.m);
    free(r.xs), free(r.in), free(r.ts), free(r.out);
    seq_set_free(&tr);
    seq_set_free(&te);
    return out;
}

/* ---- attention maps ------------------------------------------------------------------------------ */

/* a character as a gnuplot tic label, in double quotes */
static const char *tic_label(char c)
{
    static char buf[8];
    if (c == ' ')
        return "\xe2\x90\xa3";  /* U+2423, the visible space */
    if (c == '"' || c == '\\')
        return "?";
    buf[0] = c, buf[1] = '\0';
    return buf;
}

static void attention_maps(const S2sConfig *cfg, S2sRun *r, const Task *task)
{
    enum { MAPS = 4 };
    const int Tx = task->Tx, Ty = task->Ty;
    /* four held-out questions of different lengths: the first of each length band */
    int pick[MAPS], n = 0;
    const int bands[MAPS][2] = {{0, 9}, {10, 14}, {15, 21}, {22, 99}};
    for (int b = 0; b < MAPS; b++)
        for (int i = 0; i < r->test->count; i++) {
            int len = (int)strlen(pair_question(r->test_text, i));
            if (len >= bands[b][0] && len <= bands[b][1]) {
                pick[n++] = i;
                break;
            }
        }
    if (n == 0)
        return;
    int *xs = xmalloc((size_t)n * Tx * sizeof(int)), *out = xmalloc((size_t)n * Ty * sizeof(int));
    for (int k = 0; k < n; k++)
        memcpy(xs + (size_t)k * Tx, r->test->xs + (size_t)pick[k] * Tx, (size_t)Tx * sizeof(int));
    seq2seq_generate(&r->m, out, xs, n, char_table_id(r->table, r->fmt.start), Ty);
    size_t cap = 256 * 1024, off = 0;
    char *script = xmalloc(cap);
#define EMIT(...) (off += (size_t)snprintf(script + off, off < cap ? cap - off : 0, __VA_ARGS__))
    EMIT("set multiplot layout 2,2 title 'Attention: where each output character looked (rows) in the input (columns)'\n"
         "set palette defined (0 'white', 0.5 '#6b8fd6', 1 '#0b2a6b')\nset cbrange [0:1]\nunset colorbox\n"
         "set tics scale 0\nset xtics font ',9'\nset ytics font ',9'\n");
    printf("  attention maps of %d held-out dates:\n", n);
    for (int k = 0; k < n; k++) {
        const char *q = pair_question(r->test_text, pick[k]);
        const int len = (int)strlen(q);
        char ans[64];
        seq_decode_answer(ans, out + (size_t)k * Ty, Ty, r->table, &r->fmt);
        printf("    %-29s -> %s\n", q, ans);
        EMIT("$m%d << EOD\n", k);
        for (int t = 0; t < Ty; t++) {
            for (int i = 0; i < len; i++) {
                /* input character i sat at encoder step Tx-1-i when the row was reversed */
                int step = r->fmt.reverse ? Tx - 1 - i : i;
                EMIT("%s%.4f", i ? " " : "", (double)seq2seq_attention_weight(&r->m, k, t, step));
            }
            EMIT("\n");
        }
        EMIT("EOD\nset title \"%s -> %s\" font ',11'\nset xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\nset xtics (",
             q, ans, len - 1, Ty - 1);
        for (int i = 0; i < len; i++)
            EMIT("%s\"%s\" %d", i ? ", " : "", tic_label(q[i]), i);
        EMIT(")\nset ytics (");
        for (int t = 0; t < Ty; t++)
            EMIT("%s\"%s\" %d", t ? ", " : "", tic_label(t < (int)strlen(ans) ? ans[t] : ' '), t);
        EMIT(")\nplot $m%d matrix with image notitle\n", k);
    }
    EMIT("unset multiplot\n");
#undef EMIT
    char png[OUT_PATH_SIZE];
    out_path(png, cfg->c->out, "attention_maps.png");
    if (off < cap && plot_png(png, 1200, 900, script) == 0)
        printf("  plot: %s\n", png);
    free(script), free(xs), free(out);
}

/* ---- the whole task ----------------------------------------------------------------------------- */

S2sSummary s2s_train(const S2sConfig *cfg, const char *name)
{
    const Task *task = find_task(name);
    const CommonOptions *c = cfg->c;
    int epochs = c->given & USE_EPOCHS && c->epochs > 0 ? c->epochs : task->epochs;
    int batch = c->given & USE_BATCH ? c->batch : 128;
    double lr = c->given & USE_LR ? c->lr : task->lr;
    int hidden = cfg->hidden > 0 ? cfg->hidden : task->hidden, embed = cfg->embed > 0 ? cfg->embed : task->embed;
    int problems = cfg->problems > 0 ? cfg->problems : 50000;
    if (problems < 20)
        die("--problems %d: at least 20", problems);
    TextPairs all, train, test;
    double t0 = now_seconds();
    task->generate(&all, problems, c->seed);
    text_pairs_split(&all, problems / 10, &train, &test);
    /* the characters: the data's own, the padding and the start mark */
    size_t cap = (size_t)all.count * (all.stride_q + all.stride_a) + 4, off = 0;
    char *chars = xmalloc(cap);
    for (int i = 0; i < all.count; i++)
        off += (size_t)sprintf(chars + off, "%s%s", pair_question(&all, i), pair_answer(&all, i));
    strcpy(chars + off, " _");
    CharTable table;
    char_table_init(&table, chars);
    free(chars);
    printf("== %s (the sequel's ch. %s): %d unique pairs made from seed %llu in %.2f s, %d to train, %d held out; "
           "%d characters ==\n", task->name, strcmp(task->name, "addition") == 0 ? "7" : "8", all.count,
           (unsigned long long)c->seed, now_seconds() - t0, train.count, test.count, table.size);
    for (int i = 0; i < 3; i++)
        printf("    %s -> %s\n", pair_question(&all, i), pair_answer(&all, i));

    S2sSummary sum = {0};
    sum.epochs = epochs;
    VariantResult res[3];
    const Variant *ran[3];
    int n = 0;
    for (int i = 0; i < task->nvariants; i++) {
        const Variant *v = &task->variants[i];
        if (cfg->variant && strcmp(cfg->variant, v->tag) != 0)
            continue;
        res[n] = train_variant(cfg, task, v, &train, &test, &table, epochs, hidden, embed, batch, lr);
        ran[n] = v;
        sum.names[n] = v->title;
        sum.best_acc[n] = res[n].best;
        sum.best_epoch[n] = res[n].best_epoch;
        sum.final_acc[n] = res[n].evals > 0 ? res[n].acc[res[n].evals - 1] : 0;
        sum.seconds_per_epoch[n] = res[n].seconds;
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "error: --variant '%s' is not one of %s's:", cfg->variant, task->name);
        for (int i = 0; i < task->nvariants; i++)
            fprintf(stderr, " %s", task->variants[i].tag);
        fprintf(stderr, "\n");
        exit(2);
    }
    sum.variants = n;

    /* one plot: held-out exact match per epoch of every variant */
    char tsv[OUT_PATH_SIZE], png[OUT_PATH_SIZE], header[256] = "epoch", script[4 * OUT_PATH_SIZE + 2048];
    for (int k = 0; k < n; k++)
        snprintf(header + strlen(header), sizeof header - strlen(header), "\t%s", ran[k]->tag);
    out_path(tsv, c->out, "%s.tsv", task->name);
    TsvLog *log = tsv_open(tsv, header);
    int rows = 0;
    for (int k = 0; k < n; k++)
        rows = res[k].evals > rows ? res[k].evals : rows;
    for (int e = 0; e < rows; e++) {
        double v[4] = {e + 1};
        for (int k = 0; k < n; k++)
            v[k + 1] = e < res[k].evals ? res[k].acc[e] : NAN;
        tsv_row(log, v, n + 1);
    }
    tsv_close(log);
    int w = snprintf(script, sizeof script,
                     "set title '%s: held-out exact match per epoch (%d held-out pairs)'\nset xlabel 'epoch'\n"
                     "set ylabel 'exact match'\nset grid\nset key bottom right\nset yrange [0:1.02]\nplot ",
                     task->name, test.count);
    for (int k = 0; k < n; k++)
        w += snprintf(script + w, sizeof script - w, "%s'%s' using 1:%d skip 1 with linespoints lw 2 title '%s'",
                      k ? ", " : "", tsv, k + 2, ran[k]->title);
    snprintf(script + w, sizeof script - w, "\n");
    out_path(png, c->out, "%s.png", task->name);
    if (plot_png(png, 900, 550, script) == 0)
        printf("  plot: %s\n", png);
    printf("  %s, held-out exact match:\n", task->name);
    for (int k = 0; k < n; k++)
        printf("    %-36s best %.4f (epoch %d), last %.4f, %.1f s per epoch\n", ran[k]->title, res[k].best,
               res[k].best_epoch, sum.final_acc[k], res[k].seconds);
    printf("\n");
    for (int k = 0; k < n; k++)
        free(res[k].acc);
    text_pairs_free(&all), text_pairs_free(&train), text_pairs_free(&test);
    return sum;
}

/* ---- answering from a saved model ------------------------------------------------------------------ */

static int meta_int(const char *path, const char *key, int lo, int hi)
{
    char value[64], err[MODEL_ERR_SIZE], *end;
    if (model_read_metadata(path, key, value, sizeof value, err) != 0)
        die("%s", err);
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!value[0] || *end || errno || v < lo || v > hi)
        die("%s: metadata \"%s\" is '%s', not a number from %d to %d", path, key, value, lo, hi);
    return (int)v;
}

/* 1 if q is "A+B" with A and B of 1 to 3 digits */
static int is_addition_problem(const char *q)
{
    int i = 0, a = 0, b = 0;
    while (isdigit((unsigned char)q[i]))
        i++, a++;
    if (q[i++] != '+')
        return 0;
    while (isdigit((unsigned char)q[i]))
        i++, b++;
    return q[i] == '\0' && a >= 1 && a <= 3 && b >= 1 && b <= 3;
}

void s2s_answer(const S2sConfig *cfg, const char *name, const char *question)
{
    const Task *task = find_task(name);
    char path[OUT_PATH_SIZE], value[256], err[MODEL_ERR_SIZE];
    model_path(path, cfg, task, NULL);
    if (strcmp(task->name, "addition") == 0 && !is_addition_problem(question))
        die("'%s' is not a problem this model answers: A+B, each of 1 to 3 digits (such as 17+385)", question);
    if (strcmp(task->name, "dates") == 0 && (int)strlen(question) > task->Tx)
        die("'%s' is too long: %zu characters, the model reads at most %d", question, strlen(question), task->Tx);
    if (access(path, R_OK) != 0)
        die("%s: no such model (train one first: 05_rnn %s)", path, task->name);
    if (model_read_metadata(path, "network", value, sizeof value, err) != 0)
        die("%s", err);
    if (strcmp(value, task->network) != 0)
        die("%s: not a model of chapter 05's %s (network '%s', expected %s)", path, task->name, value, task->network);
    Seq2seqShape s = {0};
    if (model_read_metadata(path, "kind", value, sizeof value, err) != 0)
        die("%s", err);
    if (seq2seq_kind_parse(value, &s.kind) != 0)
        die("%s: metadata \"kind\" is '%s', not seq2seq, peeky or attention", path, value);
    s.D = meta_int(path, "embed", 1, 4096);
    s.H = meta_int(path, "hidden", 1, 4096);
    int reverse = meta_int(path, "reverse", 0, 1);
    if (model_read_metadata(path, "vocab", value, sizeof value, err) != 0)
        die("%s", err);
    int printable = value[0] != '\0';
    for (const char *p = value; *p; p++)
        printable &= *p >= 32 && *p < 127;
    if (!printable || !strchr(value, ' ') || !strchr(value, '_'))
        die("%s: metadata \"vocab\" is not a table of printable characters with ' ' and '_'", path);
    CharTable table;
    char_table_init(&table, value);
    s.V = table.size, s.N = 1, s.Tx = task->Tx, s.Ty = task->Ty;
    Seq2seq m;
    seq2seq_init(&m, &s, 0);
    if (model_load(path, &m.ps, err) != 0)
        die("%s", err);
    SeqFormat fmt = task_format(reverse);
    int xs[64], out[64];
    char qerr[256], ans[64];
    if (seq_encode_question(xs, question, &table, &fmt, task->Tx, qerr, sizeof qerr) != 0)
        die("%s (model %s)", qerr, path);
    seq2seq_generate(&m, out, xs, 1, char_table_id(&table, fmt.start), task->Ty);
    seq_decode_answer(ans, out, task->Ty, &table, &fmt);
    if (strcmp(task->name, "addition") == 0) {
        int a, b;
        sscanf(question, "%d+%d", &a, &b);
        char truth[16];
        snprintf(truth, sizeof truth, "%d", a + b);
        printf("%s = %s%s%s%s\n", question, ans, strcmp(ans, truth) == 0 ? "" : "   (wrong: the sum is ",
               strcmp(ans, truth) == 0 ? "" : truth, strcmp(ans, truth) == 0 ? "" : ")");
    } else {
        printf("%s -> %s\n", question, ans);
    }
    seq2seq_free(&m);
}
