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

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "dataset.h"
#include "model.h"
#include "plot.h"
#include "seq2seq.h"
#include "seq2seq_models.h"
#include "seq_data.h"
#include "threads.h"
#include "time_layers.h"
#include "timer.h"
#include "trainer.h"
#include "util.h"

/* ---- the tasks (seq2seq_models.c) ------------------------------------------------------- */

static void model_path(char *path, const S2sConfig *cfg, const Task *task, const Variant *v)
{
    if (cfg->model && !v)
        snprintf(path, OUT_PATH_SIZE, "%s", cfg->model);
    else
        s2s_model_path(path, cfg->c->out, task, v);
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
    int decode_batch;           /* questions decoded together (make bench times 1 against the batch) */
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

/* Held-out exact match: every question decoded greedily, a batch at a time
 * (or decode_batch at a time, to see what decoding together buys), and its
 * answer (up to the end mark) compared with the true one. */
static double exact_match(S2sRun *r, int print)
{
    const SeqSet *t = r->test;
    const int start = char_table_id(r->table, r->fmt.start);
    for (int i = 0; i < t->count; i += r->decode_batch) {
        int n = t->count - i < r->decode_batch ? t->count - i : r->decode_batch;
        seq2seq_generate(&r->m, r->out + (size_t)i * t->Ty, t->xs + (size_t)i * t->Tx, n, start, t->Ty);
    }
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

/* The held-out exact match of every epoch from the trainer's log
 * (TAG_accuracy.tsv, its test_acc column). After --resume, s2s_accuracy saw
 * only the epochs after the stop; the log, restored from the checkpoint, has
 * them all. */
static void accuracies_from_log(S2sRun *r, const char *out, const char *tag)
{
    char path[OUT_PATH_SIZE];
    out_path(path, out, "%s_accuracy.tsv", tag);
    FILE *f = fopen(path, "r");
    if (!f)
        return;                 /* keep those seen in this process */
    double epoch, train_acc, test_acc, val_loss, loss;
    int n = 0;
    if (fscanf(f, "%*[^\n]") == 0)     /* the header */
        while (n < r->max_evals && fscanf(f, "%lf %lf %lf %lf %lf", &epoch, &train_acc, &test_acc, &val_loss, &loss) == 5)
            r->acc[n++] = test_acc;
    fclose(f);
    r->evals = n;
}

static void save_model(const char *path, const S2sRun *r, const Task *task, const Variant *v, double acc)
{
    char kind[16], embed[16], hidden[16], rev[8], accs[32], vocab[130], err[MODEL_ERR_SIZE], tx[16], ty[16];
    snprintf(tx, sizeof tx, "%d", task->Tx);
    snprintf(ty, sizeof ty, "%d", task->Ty);
    snprintf(kind, sizeof kind, "%s", seq2seq_kind_name(v->kind));
    snprintf(embed, sizeof embed, "%d", r->m.s.D);
    snprintf(hidden, sizeof hidden, "%d", r->m.s.H);
    snprintf(rev, sizeof rev, "%d", v->reverse);
    snprintf(accs, sizeof accs, "%.4f", acc);
    char_table_string(r->table, vocab, sizeof vocab);
    const char *meta[] = {"network", task->network, "kind", kind, "embed", embed, "hidden", hidden,
                          "tx", tx, "ty", ty, "reverse", rev, "vocab", vocab, "held_out_exact_match", accs, "made_by", "05_rnn", NULL};
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
    SeqFormat fmt = s2s_task_format(v->reverse);
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
    r.decode_batch = cfg->decode_batch > 0 && cfg->decode_batch < batch ? cfg->decode_batch : batch;
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
    tc.schedule = task->cosine ? LR_COSINE : LR_CONSTANT;
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
    printf("-- %s: %zu parameters, hidden %d, embedding %d, batch %d, Adam lr %g%s, clip 5, %d epochs, %d thread%s\n",
           title, r.m.ps.trainable_size, hidden, embed, batch, lr, task->cosine ? " (cosine decay to 0)" : "", epochs,
           get_threads(),
           get_threads() == 1 ? "" : "s");
    TrainResult res = trainer_run(&tc, &tn, NULL, &held);
    if (res.status != TRAIN_DONE)
        exit(trainer_exit_status(res.status));
    if (cfg->resume)
        accuracies_from_log(&r, cfg->c->out, tag);
    VariantResult out = {r.acc, r.evals < r.max_evals ? r.evals : r.max_evals, 0, 0, 0};
    for (int e = 0; e < out.evals; e++)
        if (r.acc[e] > out.best)
            out.best = r.acc[e], out.best_epoch = e + 1;
    out.seconds = (res.train_seconds + res.eval_seconds) / (res.epochs > 0 ? res.epochs : 1);
    printf("  %s: held-out exact match %.4f after %d epochs (best %.4f at epoch %d); %.2f s per epoch "
           "(train %.2f s + evaluate %.2f s over %d)\n", title, res.test_acc, (int)res.epochs, out.best,
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

/* The character table of every question and answer in all, and of marks (at
 * most 3 characters: padding, start, end) that the data may not contain. */
static void pairs_char_table(CharTable *table, const TextPairs *all, const char *marks)
{
    size_t cap = (size_t)all->count * (all->stride_q + all->stride_a) + 4, off = 0;
    char *chars = xmalloc(cap);
    for (int i = 0; i < all->count; i++)
        off += (size_t)sprintf(chars + off, "%s%s", pair_question(all, i), pair_answer(all, i));
    strcpy(chars + off, marks);
    char_table_init(table, chars);
    free(chars);
}

S2sSummary s2s_train(const S2sConfig *cfg, const char *name)
{
    const Task *task = s2s_find_task(name);
    const CommonOptions *c = cfg->c;
    int epochs = c->given & USE_EPOCHS && c->epochs > 0 ? c->epochs : cfg->tour ? task->tour_epochs : task->epochs;
    const char *only = cfg->tour ? task->variants[task->default_variant].tag : cfg->variant;
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
    CharTable table;    /* the data's own characters, the padding and the start mark */
    pairs_char_table(&table, &all, " _");
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
        if (only && strcmp(only, v->tag) != 0)
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

void s2s_answer(const S2sConfig *cfg, const char *name, const char *question)
{
    const Task *task = s2s_find_task(name);
    char path[OUT_PATH_SIZE], qerr[256], ans[64];
    model_path(path, cfg, task, NULL);
    if (s2s_check_question(task, question, qerr, sizeof qerr) != 0)
        die("%s", qerr);
    Seq2seq m;
    CharTable table;
    int reverse;
    if (cfg->beam < 0 || cfg->beam > 64)
        die("--beam must be from 0 (greedy) to 64, not %d", cfg->beam);
    s2s_load_model(path, task->network, task->name, cfg->beam > 1 ? cfg->beam : 1, &m, &table, &reverse, task->Tx,
                   task->Ty);
    SeqFormat fmt = s2s_task_format(reverse);
    int xs[64], out[64];
    if (seq_encode_question(xs, question, &table, &fmt, task->Tx, qerr, sizeof qerr) != 0)
        die("%s (model %s)", qerr, path);
    if (cfg->beam > 0) {
        seq2seq_beam_search(&m, out, xs, char_table_id(&table, fmt.start), char_table_id(&table, fmt.end), task->Ty,
                            cfg->beam);
        seq_decode_answer(ans, out, task->Ty, &table, &fmt);
    } else {
        s2s_greedy_answer(&m, &table, &fmt, question, ans, qerr, sizeof qerr);     /* as the playground answers */
    }
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

/* ---- the chatbot ------------------------------------------------------------------------------------ */

#define CHAT_NETWORK "05_rnn_chat"
enum { CHAT_TX = 48, CHAT_TY = 48 };    /* the end of the speech read; a reply of up to 47 characters */

/* '#' pads and ends a reply, '_' starts it: neither is in Tiny Shakespeare (they are dropped if a text has them) */
static SeqFormat chat_format(void)
{
    SeqFormat f = {'#', '_', '#', 1};
    return f;
}

/* The held-out loss per character (the end mark counted), teacher-forced, a batch at a time. */
static double held_out_loss(S2sRun *r)
{
    const SeqSet *t = r->test;
    double sum = 0;
    long counted = 0;
    for (int first = 0; first < t->count; first += r->m.s.N) {
        int n = t->count - first < r->m.s.N ? t->count - first : r->m.s.N, c = 0;
        const int *ts = t->ts + (size_t)first * t->Ty;
        for (int i = 0; i < n * t->Ty; i++)
            c += ts[i] != IGNORE_LABEL;
        double loss = seq2seq_forward(&r->m, t->xs + (size_t)first * t->Tx, t->dec_in + (size_t)first * t->Ty, ts, n);
        sum += loss * c;
        counted += c;
    }
    return counted ? sum / counted : 0;
}

static double s2s_validate(void *net)
{
    S2sRun *r = net;
    double loss = held_out_loss(r);
    if (r->evals < r->max_evals)
        r->acc[r->evals] = loss;
    r->evals++;
    return loss;
}

/* Train r (net and sets in place) through the trainer, scored by the held-out loss. */
static TrainResult train_chat_net(const S2sConfig *cfg, S2sRun *r, const char *tag, const char *title, long iters,
                                  int eval_every, int batch, double lr)
{
    TrainerConfig tc = trainer_defaults();
    tc.title = title;
    tc.tag = tag;
    tc.out = cfg->c->out;
    tc.optimizer = ADAM;
    tc.lr = lr;
    tc.clip_norm = 5;
    tc.batch = batch;
    tc.iters = iters;
    tc.eval_every = eval_every;
    tc.resume = cfg->resume;
    tc.quiet = cfg->c->quiet;
    rng_seed(&tc.rng, cfg->c->seed + 1);
    TrainerNet tn = {.net = r, .params = &r->m.ps, .step = s2s_step, .examples = r->train->count,
                     .validate = s2s_validate};
    printf("-- %s: %zu parameters, hidden %d, embedding %d, batch %d, Adam lr %g, clip 5, %ld iterations "
           "(%.1f epochs), %d thread%s\n", title, r->m.ps.trainable_size, r->m.s.H, r->m.s.D, batch, lr, iters,
           (double)iters * batch / r->train->count, get_threads(), get_threads() == 1 ? "" : "s");
    TrainResult res = trainer_run(&tc, &tn, NULL, NULL);
    if (res.status != TRAIN_DONE)
        exit(trainer_exit_status(res.status));
    trainer_plot(&tc, &res);
    return res;
}

static void chat_answer(Seq2seq *m, const CharTable *table, const int *xs, int beam, double temperature, int top_k,
                        Rng *rng, char *out)
{
    SeqFormat f = chat_format();
    int ids[CHAT_TY];
    const int start = char_table_id(table, f.start), end = char_table_id(table, f.end);
    if (beam > 0)
        seq2seq_beam_search(m, ids, xs, start, end, m->s.Ty, beam);
    else
        seq2seq_sample(m, ids, xs, start, end, m->s.Ty, temperature, top_k, rng);
    seq_decode_answer(out, ids, m->s.Ty, table, &f);
}

S2sChatSummary s2s_chat_train(const S2sConfig *cfg)
{
    const CommonOptions *c = cfg->c;
    char path[OUT_PATH_SIZE], err[CORPUS_ERR_SIZE];
    corpus_text_path(cfg->data, path, sizeof path);
    char *text;
    size_t size;
    if (corpus_read_text(path, &text, &size, err) != 0)
        die("%s", err);
    TextPairs all, train, test;
    int pairs = speech_pairs(&all, text, CHAT_TX, CHAT_TY - 1, "_#");
    free(text);
    if (pairs < 50)
        die("%s: %d pairs of speeches by two speakers, at least 50 needed (a play laid out as Tiny Shakespeare: "
            "a line 'NAME:', the speech, a blank line)", path, pairs);
    text_pairs_split(&all, pairs / 10, &train, &test);
    CharTable table;
    pairs_char_table(&table, &all, "_#");
    printf("== A Shakespeare chatbot: an attention seq2seq answers a speech with the next speaker's reply ==\n"
           "  %s: %d pairs of speeches (each speech paired with the next, by another speaker), %d to train, the last\n"
           "  %d of the play held out; the last %d characters of a speech -> the first %d of the reply; %d characters\n",
           path, pairs, train.count, test.count, CHAT_TX, CHAT_TY - 1, table.size);
    for (int i = 0; i < 2; i++)
        printf("    \"%s\"\n      -> \"%s\"\n", pair_question(&all, i), pair_answer(&all, i));

    SeqFormat fmt = chat_format();
    SeqSet tr, te, btr, bte;
    if (seq_set_encode(&tr, &train, &table, &fmt, CHAT_TX, CHAT_TY, err, sizeof err) != 0 ||
        seq_set_encode(&te, &test, &table, &fmt, CHAT_TX, CHAT_TY, err, sizeof err) != 0)
        die("%s: %s", path, err);
    /* the baseline: the same decoder with nothing to read (one padding step):
     * a character language model of the replies, without their context */
    TextPairs btrain = train, btest = test;
    btrain.q = xcalloc((size_t)train.count * train.stride_q + 1, 1);
    btest.q = xcalloc((size_t)test.count * test.stride_q + 1, 1);
    if (seq_set_encode(&btr, &btrain, &table, &fmt, 1, CHAT_TY, err, sizeof err) != 0 ||
        seq_set_encode(&bte, &btest, &table, &fmt, 1, CHAT_TY, err, sizeof err) != 0)
        die("%s: %s", path, err);
    free(btrain.q), free(btest.q);

    int batch = c->given & USE_BATCH ? c->batch : 64;
    double lr = c->given & USE_LR ? c->lr : 0.002;
    int hidden = cfg->hidden > 0 ? cfg->hidden : 128, embed = cfg->embed > 0 ? cfg->embed : 32;
    int per_epoch = tr.count / batch;
    long iters = cfg->chat_iters > 0 ? cfg->chat_iters
                 : (long)(c->given & USE_EPOCHS && c->epochs > 0 ? c->epochs : cfg->tour ? 2 : 4) * per_epoch;
    int eval_every = per_epoch < iters ? per_epoch : (int)iters;

    S2sChatSummary sum = {0};
    S2sRun r = {0}, b = {0};
    Seq2seqShape s = {ATTENTION_SEQ2SEQ, table.size, embed, hidden, batch, CHAT_TX, CHAT_TY};
    Seq2seqShape bs = s;
    bs.Tx = 1;
    S2sRun *runs[2] = {&r, &b};
    const SeqSet *sets[2][2] = {{&tr, &te}, {&btr, &bte}};
    const char *tags[2] = {"chat", "chat_baseline"};
    const char *titles[2] = {"chatbot (attention seq2seq)", "baseline (the replies alone)"};
    TrainResult res[2];
    for (int k = 0; k < 2; k++) {
        S2sRun *q = runs[k];
        seq2seq_init(&q->m, k == 0 ? &s : &bs, c->seed);
        q->train = sets[k][0], q->test = sets[k][1], q->table = &table, q->fmt = fmt;
        q->xs = xmalloc((size_t)batch * CHAT_TX * sizeof(int));
        q->in = xmalloc((size_t)batch * CHAT_TY * sizeof(int));
        q->ts = xmalloc((size_t)batch * CHAT_TY * sizeof(int));
        q->max_evals = (int)(iters / eval_every) + 2;
        q->acc = xcalloc(q->max_evals, sizeof(double));
        res[k] = train_chat_net(cfg, q, tags[k], titles[k], iters, eval_every, batch, lr);
    }
    sum.val_loss = res[0].val_loss;
    sum.base_loss = res[1].val_loss;
    sum.pairs = pairs;
    sum.seconds = res[0].train_seconds;
    printf("  held-out replies, nats per character (perplexity): chatbot %.4f (%.2f), baseline without the "
           "speech %.4f (%.2f)\n", sum.val_loss, exp(sum.val_loss), sum.base_loss, exp(sum.base_loss));
    printf("  answers to held-out speeches (beam search, width 3):\n");
    Rng rng;
    rng_seed(&rng, c->seed);
    for (int i = 0; i < 4 && i < test.count; i++) {
        char ans[CHAT_TY + 1];
        int pick = i * (test.count / 4);
        chat_answer(&r.m, &table, te.xs + (size_t)pick * CHAT_TX, 3, 0, 0, &rng, ans);
        printf("    \"%s\"\n      chatbot: \"%s\"\n      the play: \"%s\"\n", pair_question(&test, pick), ans,
               pair_answer(&test, pick));
    }
    char mpath[OUT_PATH_SIZE], kind[16], embeds[16], hiddens[16], tx[16], ty[16], loss[32], vocab[130];
    char merr[MODEL_ERR_SIZE];
    if (cfg->model)
        snprintf(mpath, sizeof mpath, "%s", cfg->model);
    else
        out_path(mpath, c->out, "chat.safetensors");
    snprintf(kind, sizeof kind, "%s", seq2seq_kind_name(ATTENTION_SEQ2SEQ));
    snprintf(embeds, sizeof embeds, "%d", embed);
    snprintf(hiddens, sizeof hiddens, "%d", hidden);
    snprintf(tx, sizeof tx, "%d", CHAT_TX);
    snprintf(ty, sizeof ty, "%d", CHAT_TY);
    snprintf(loss, sizeof loss, "%.4f", sum.val_loss);
    char_table_string(&table, vocab, sizeof vocab);
    const char *meta[] = {"network", CHAT_NETWORK, "kind", kind, "embed", embeds, "hidden", hiddens, "tx", tx,
                          "ty", ty, "reverse", "1", "vocab", vocab, "held_out_loss", loss, "made_by", "05_rnn", NULL};
    const int replacing = access(mpath, F_OK) == 0;
    if (model_save(mpath, &r.m.ps, meta, merr) != 0)
        die("%s", merr);
    printf("  model: %s%s\n\n", mpath, replacing ? " (replaces the one saved before)" : "");
    for (int k = 0; k < 2; k++) {
        seq2seq_free(&runs[k]->m);
        free(runs[k]->xs), free(runs[k]->in), free(runs[k]->ts), free(runs[k]->acc);
    }
    seq_set_free(&tr), seq_set_free(&te), seq_set_free(&btr), seq_set_free(&bte);
    text_pairs_free(&all), text_pairs_free(&train), text_pairs_free(&test);
    return sum;
}

void s2s_chat(const S2sConfig *cfg)
{
    char path[OUT_PATH_SIZE];
    if (cfg->model)
        snprintf(path, sizeof path, "%s", cfg->model);
    else
        out_path(path, cfg->c->out, "chat.safetensors");
    if (cfg->beam < 0 || cfg->beam > 64)
        die("--beam must be from 0 (sample) to 64, not %d", cfg->beam);
    Seq2seq m;
    CharTable table;
    int reverse;
    s2s_load_model(path, CHAT_NETWORK, "chatbot", cfg->beam > 1 ? cfg->beam : 1, &m, &table, &reverse, 0, 0);
    SeqFormat f = chat_format();
    f.reverse = reverse;
    if (char_table_id(&table, f.pad) < 0 || char_table_id(&table, f.end) < 0)
        die("%s: metadata \"vocab\" lacks the padding mark '#'", path);
    const int tty = isatty(0);
    Rng rng;
    rng_seed(&rng, cfg->c->seed);
    if (tty)
        printf("Speak to the play (end with Ctrl-D). The chatbot answers with %s.\n> ", cfg->beam > 0 ? "beam search"
               : "sampling");
    fflush(stdout);
    char line[4096], clean[4096];
    int *xs = xmalloc((size_t)m.s.Tx * sizeof(int));
    while (fgets(line, sizeof line, stdin)) {
        /* what the model cannot read becomes a space; the end of a long line is kept */
        int n = 0;
        for (const char *p = line; *p; p++) {
            char ch = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
            if (char_table_id(&table, ch) < 0 || ch == f.pad || ch == f.start)
                ch = ' ';
            if (ch != ' ' || (n > 0 && clean[n - 1] != ' '))
                clean[n++] = ch;
        }
        while (n > 0 && clean[n - 1] == ' ')
            n--;
        clean[n] = '\0';
        const char *q = n > m.s.Tx ? clean + n - m.s.Tx : clean;
        char err[256], ans[1100];
        if (seq_encode_question(xs, q, &table, &f, m.s.Tx, err, sizeof err) != 0)
            die("%s", err);
        chat_answer(&m, &table, xs, cfg->beam, cfg->temperature, cfg->top_k, &rng, ans);
        printf("%s%s\n", tty ? "" : "> ", ans);
        if (tty)
            printf("> ");
        fflush(stdout);
    }
    free(xs);
    seq2seq_free(&m);
}
