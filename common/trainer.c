/* trainer.c - the shared training loop, its checkpoints and its guards (see trainer.h). */
#include "trainer.h"
#include "clip_grads.h"
#include "model.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "threads.h"
#include "timer.h"
#include "util.h"
#include "weight_decay.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TrainerConfig trainer_defaults(void)
{
    TrainerConfig c = {0};
    c.title = "net";
    c.tag = "net";
    c.out = "out";
    c.optimizer = ADAM;
    c.lr = 0.001;
    c.schedule = LR_CONSTANT;
    c.step_factor = 1;
    c.batch = 100;
    c.epochs = 1;
    rng_seed(&c.rng, RNG_DEFAULT_SEED);
    return c;
}

int trainer_exit_status(TrainStatus status)
{
    return status == TRAIN_DONE ? 0 : status == TRAIN_INTERRUPTED ? 130 : 1;
}

const char *trainer_checkpoint_path(char *buf, size_t size, const TrainerConfig *cfg)
{
    if (size < OUT_PATH_SIZE)
        die("trainer_checkpoint_path: a buffer of %zu bytes is too small", size);
    return out_path(buf, cfg->out, "%s.checkpoint.safetensors", cfg->tag);
}

/* ---- Ctrl-C and SIGTERM ------------------------------------------------------------ */

/* The handler only notes the request: the loop finishes its step, saves a
 * checkpoint and returns. A second Ctrl-C while that happens ends the program
 * at once (the default action), for a user who really wants out. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    if (stop_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

/* ---- the state of a run: everything a checkpoint must hold ------------------------- */

typedef struct {
    double epoch, train_acc, test_acc, val_loss, loss;
    double loss2, score[TRAINER_SCORES];   /* with a second net, with scores */
} EvalRow;

typedef struct {
    const TrainerConfig *cfg;
    TrainerNet *net;
    const Dataset *train, *test;
    Dataset train_sample;       /* the first train_eval_size images, if asked */
    int n_train, per_epoch, eval_every;
    long total;                 /* iterations of the whole run */

    long i;                     /* iterations done */
    Optimizer opt;
    Optimizer opt2;             /* the second net's (TrainerNet.params2) */
    Rng rng;                    /* the order of the examples */
    int *order;
    real *losses;               /* the loss of every iteration so far */
    long losses_cap;
    int extra_width;            /* per iteration: loss2 (with a second net), then the metrics */
    real *extras;               /* extra_width numbers per iteration, losses_cap rows */
    EvalRow *evals;
    int eval_count, eval_cap;
    double train_seconds, eval_seconds;
    long last_eval_i;           /* the iteration of the previous evaluation */
    int checkpoint_written;
} Run;

static double run_epoch(const Run *r, long i)
{
    return (double)i / r->per_epoch;
}

/* The second net's base rate: lr2, or lr when lr2 is 0. The schedule scales
 * both rates alike. */
static double second_lr(const TrainerConfig *c)
{
    return c->lr2 > 0 ? c->lr2 : c->lr;
}

/* The learning rate for iteration i (0-based). */
static double schedule_lr(const Run *r, long i)
{
    const TrainerConfig *c = r->cfg;
    switch (c->schedule) {
    case LR_COSINE:
        /* Cosine annealing: the rate glides from lr to 0 over the run, big steps
         * while far from a minimum, small ones to settle into it at the end. */
        return c->lr * 0.5 * (1 + cos(M_PI * i / r->total));
    case LR_STEP:
        return i / r->per_epoch + 1 >= c->step_epoch ? c->lr * c->step_factor : c->lr;
    default:
        return c->lr;
    }
}

static void add_loss(Run *r, real loss, const real *extra)
{
    if (r->i == r->losses_cap) {
        r->losses_cap = r->losses_cap ? 2 * r->losses_cap : 1024;
        real *grown = xmalloc((size_t)r->losses_cap * sizeof(real));
        if (r->i)
            memcpy(grown, r->losses, (size_t)r->i * sizeof(real));
        free(r->losses);
        r->losses = grown;
        if (r->extra_width) {
            grown = xmalloc((size_t)r->losses_cap * r->extra_width * sizeof(real));
            if (r->i)
                memcpy(grown, r->extras, (size_t)r->i * r->extra_width * sizeof(real));
            free(r->extras);
            r->extras = grown;
        }
    }
    r->losses[r->i] = loss;
    if (r->extra_width)
        memcpy(r->extras + (size_t)r->i * r->extra_width, extra, (size_t)r->extra_width * sizeof(real));
}

/* The names of the extra columns of the logs, after a tab, into buf. */
static const char *loss_columns(char *buf, size_t size, const TrainerNet *net)
{
    snprintf(buf, size, "%s%s%s", net->params2 ? "\tloss2" : "", net->metric_count ? "\t" : "",
             net->metric_count ? net->metric_names : "");
    return buf;
}

static void add_eval(Run *r, EvalRow row)
{
    if (r->eval_count == r->eval_cap) {
        r->eval_cap = r->eval_cap ? 2 * r->eval_cap : 32;
        EvalRow *grown = xmalloc((size_t)r->eval_cap * sizeof *grown);
        if (r->eval_count)
            memcpy(grown, r->evals, (size_t)r->eval_count * sizeof *grown);
        free(r->evals);
        r->evals = grown;
    }
    r->evals[r->eval_count++] = row;
}

/* The moving average of the last 100 losses, as a running sum, replayed from
 * the start so that a resumed run adds in the same order as an unbroken one. */
typedef struct {
    double recent[100], sum;
    long n;
} MovingAverage;

static double moving_average_add(MovingAverage *m, double loss)
{
    m->sum += loss - m->recent[m->n % 100];
    m->recent[m->n % 100] = loss;
    m->n++;
    return m->sum / (m->n < 100 ? m->n : 100);
}

/* ---- logs -------------------------------------------------------------------------- */

static void write_logs(const Run *r)
{
    char path[OUT_PATH_SIZE];
    out_path(path, r->cfg->out, "%s_loss.tsv", r->cfg->tag);
    char header[1024], extra[512];
    snprintf(header, sizeof header, "iteration\tloss\tloss_avg100%s", loss_columns(extra, sizeof extra, r->net));
    TsvLog *log = tsv_open(path, header);
    MovingAverage m = {{0}, 0, 0};
    double row[3 + 1 + TRAINER_SCORES + 64];
    const int w = r->extra_width < 64 ? r->extra_width : 64;
    for (long k = 0; k < r->i; k++) {
        double avg = moving_average_add(&m, r->losses[k]);
        row[0] = k, row[1] = r->losses[k], row[2] = avg;
        for (int j = 0; j < w; j++)
            row[3 + j] = r->extras[(size_t)k * r->extra_width + j];
        tsv_row(log, row, 3 + w);
    }
    tsv_close(log);
    out_path(path, r->cfg->out, "%s_accuracy.tsv", r->cfg->tag);
    snprintf(header, sizeof header, "epoch\ttrain_acc\ttest_acc\tval_loss\tloss%s%s%s",
             r->net->params2 ? "\tloss2" : "", r->net->score_count ? "\t" : "",
             r->net->score_count ? r->net->score_names : "");
    log = tsv_open(path, header);
    for (int k = 0; k < r->eval_count; k++) {
        const EvalRow *e = &r->evals[k];
        int n = 0;
        row[n++] = e->epoch, row[n++] = e->train_acc, row[n++] = e->test_acc, row[n++] = e->val_loss;
        row[n++] = e->loss;
        if (r->net->params2)
            row[n++] = e->loss2;
        for (int j = 0; j < r->net->score_count; j++)
            row[n++] = e->score[j];
        tsv_row(log, row, n);
    }
    tsv_close(log);
}

/* ---- checkpoints --------------------------------------------------------------------

 * One safetensors file: the net's tensors under their own names, then
 * "optimizer.v" and "optimizer.v2" (its state), "trainer.order" (this epoch's
 * order of the examples) and "trainer.losses"; the small things (position,
 * generators, times, evaluations, and the settings a resume must share) as
 * metadata strings. Numbers in text use %.17g, which reads back exactly. */

/* The tensors of a checkpoint, laid out for `iters` recorded losses. */
static void checkpoint_layout(ParamSet *ck, const Run *r, long iters)
{
    const ParamSet *ps = r->net->params;
    params_init(ck);
    for (int k = 0; k < ps->count; k++)
        params_add(ck, ps->info[k].name, ps->info[k].ndim, ps->info[k].shape, 0);
    int n = (int)ps->trainable_size;
    if (r->opt.v)
        params_add(ck, "optimizer.v", 1, &n, 0);
    if (r->opt.v2)
        params_add(ck, "optimizer.v2", 1, &n, 0);
    const ParamSet *ps2 = r->net->params2;
    for (int k = 0; ps2 && k < ps2->count; k++) {
        char name[PARAM_NAME_MAX];
        if (snprintf(name, sizeof name, "net2.%s", ps2->info[k].name) >= (int)sizeof name)
            die("checkpoint: the second net's tensor name '%s' is too long", ps2->info[k].name);
        params_add(ck, name, ps2->info[k].ndim, ps2->info[k].shape, 0);
    }
    int n2 = ps2 ? (int)ps2->trainable_size : 0;
    if (r->opt2.v)
        params_add(ck, "optimizer2.v", 1, &n2, 0);
    if (r->opt2.v2)
        params_add(ck, "optimizer2.v2", 1, &n2, 0);
    params_add(ck, "trainer.order", 1, &r->n_train, 0);
    int carry = (int)r->net->carry_size;
    if (carry > 0)
        params_add(ck, "trainer.carry", 1, &carry, 0);
    int count = (int)iters;
    if (count > 0)
        params_add(ck, "trainer.losses", 1, &count, 0);
    int extras = count * r->extra_width;
    if (extras > 0)
        params_add(ck, "trainer.extras", 1, &extras, 0);
}

static void rng_text(char *buf, size_t size, const Rng *g)
{
    snprintf(buf, size, "%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64,
             g->s[0], g->s[1], g->s[2], g->s[3]);
}

static int rng_parse(const char *s, Rng *g)
{
    return sscanf(s, "%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64,
                  &g->s[0], &g->s[1], &g->s[2], &g->s[3]) == 4 ? 0 : -1;
}

/* The settings that decide the numbers: a resume must use the same ones. */
typedef struct {
    char batch[32], lr[80], optimizer[48], schedule[48], decay[48], train_size[32], total[32], order[64];
    char scores[128];       /* the names of the scores each evaluation keeps */
} Settings;

static void settings_of(Settings *s, const Run *r)
{
    const TrainerConfig *c = r->cfg;
    static const char *const names[] = {"constant", "cosine", "step"};
    snprintf(s->batch, sizeof s->batch, "%d", c->batch);
    if (second_lr(c) != c->lr)
        snprintf(s->lr, sizeof s->lr, "%.17g, second net %.17g", c->lr, c->lr2);
    else
        snprintf(s->lr, sizeof s->lr, "%.17g", c->lr);
    if (c->adam_beta1 > 0 && c->optimizer == ADAM && !c->update)
        snprintf(s->optimizer, sizeof s->optimizer, "Adam beta1 %.17g", c->adam_beta1);
    else
        snprintf(s->optimizer, sizeof s->optimizer, "%s", c->update ? "own update" : optimizer_name(c->optimizer));
    if (c->schedule == LR_STEP)
        snprintf(s->schedule, sizeof s->schedule, "step x%.17g from epoch %d", c->step_factor, c->step_epoch);
    else
        snprintf(s->schedule, sizeof s->schedule, "%s", names[c->schedule]);
    snprintf(s->decay, sizeof s->decay, "%.17g", c->weight_decay);
    snprintf(s->train_size, sizeof s->train_size, "%d", r->n_train);
    snprintf(s->total, sizeof s->total, "%ld", r->total);
    snprintf(s->order, sizeof s->order, "%s, clip %.17g", c->in_order ? "in order" : "shuffled", c->clip_norm);
    /* the names, tab-separated for the TSV, with spaces for a message */
    snprintf(s->scores, sizeof s->scores, "%s", r->net->score_count ? r->net->score_names : "none");
    for (char *p = s->scores; *p; p++)
        if (*p == '\t')
            *p = ' ';
}

/* The second net's tensors and its optimizer's state, in checkpoint_layout's
 * order, copied into (save) or out of (load) the checkpoint from position at. */
static size_t copy_net2(Run *r, ParamSet *ck, size_t at, int save)
{
    ParamSet *ps2 = r->net->params2;
    if (!ps2)
        return at;
    real *parts[3] = {ps2->values, r->opt2.v, r->opt2.v2};
    size_t sizes[3] = {ps2->size, ps2->trainable_size, ps2->trainable_size};
    for (int k = 0; k < 3; k++) {
        if (!parts[k])
            continue;
        if (save)
            memcpy(ck->values + at, parts[k], sizes[k] * sizeof(real));
        else
            memcpy(parts[k], ck->values + at, sizes[k] * sizeof(real));
        at += sizes[k];
    }
    return at;
}

static size_t save_net2(Run *r, ParamSet *ck, size_t at) { return copy_net2(r, ck, at, 1); }

static int save_checkpoint(Run *r, char *err)
{
    char path[OUT_PATH_SIZE];
    trainer_checkpoint_path(path, sizeof path, r->cfg);
    ParamSet ck;
    checkpoint_layout(&ck, r, r->i);
    params_alloc(&ck);
    const ParamSet *ps = r->net->params;
    size_t at = 0;
    memcpy(ck.values, ps->values, ps->size * sizeof(real));
    at += ps->size;
    if (r->opt.v) {
        memcpy(ck.values + at, r->opt.v, ps->trainable_size * sizeof(real));
        at += ps->trainable_size;
    }
    if (r->opt.v2) {
        memcpy(ck.values + at, r->opt.v2, ps->trainable_size * sizeof(real));
        at += ps->trainable_size;
    }
    at = save_net2(r, &ck, at);
    for (int k = 0; k < r->n_train; k++)
        ck.values[at + k] = (real)r->order[k];      /* exact: indices are far below 2^24 */
    at += (size_t)r->n_train;
    if (r->net->carry_size) {
        r->net->carry_get(r->net->net, ck.values + at);
        at += r->net->carry_size;
    }
    if (r->i > 0)
        memcpy(ck.values + at, r->losses, (size_t)r->i * sizeof(real));
    at += (size_t)r->i;
    if (r->i > 0 && r->extra_width)
        memcpy(ck.values + at, r->extras, (size_t)r->i * r->extra_width * sizeof(real));

    Settings s;
    settings_of(&s, r);
    char iter[32], opt_iter[32], opt2_iter[32], rng[80], net_rng[80], threads[16], train_s[48], eval_s[48];
    snprintf(iter, sizeof iter, "%ld", r->i);
    snprintf(opt_iter, sizeof opt_iter, "%ld", r->opt.iter);
    snprintf(opt2_iter, sizeof opt2_iter, "%ld", r->opt2.iter);
    rng_text(rng, sizeof rng, &r->rng);
    if (r->net->rng)
        rng_text(net_rng, sizeof net_rng, r->net->rng);
    snprintf(threads, sizeof threads, "%d", get_threads());
    snprintf(train_s, sizeof train_s, "%.17g", r->train_seconds);
    snprintf(eval_s, sizeof eval_s, "%.17g", r->eval_seconds);
    /* The evaluations so far, a line each: epoch train test loss. */
    size_t cap = 64 + (size_t)r->eval_count * (125 + 25 * (1 + TRAINER_SCORES));
    char *evals = xmalloc(cap);
    size_t used = 0;
    evals[0] = '\0';
    for (int k = 0; k < r->eval_count; k++) {
        const EvalRow *e = &r->evals[k];
        used += (size_t)snprintf(evals + used, cap - used, "%.17g %.17g %.17g %.17g %.17g", e->epoch,
                                 e->train_acc, e->test_acc, e->val_loss, e->loss);
        if (r->net->params2)
            used += (size_t)snprintf(evals + used, cap - used, " %.17g", e->loss2);
        for (int j = 0; j < r->net->score_count; j++)
            used += (size_t)snprintf(evals + used, cap - used, " %.17g", e->score[j]);
        used += (size_t)snprintf(evals + used, cap - used, "\n");
    }
    const char *meta[] = {"format", "checkpoint of the course's trainer",
                          "tag", r->cfg->tag,
                          "iteration", iter, "total_iterations", s.total,
                          "batch", s.batch, "lr", s.lr, "optimizer", s.optimizer,
                          "schedule", s.schedule, "weight_decay", s.decay, "train_size", s.train_size,
                          "order", s.order, "scores", s.scores,
                          "optimizer_iter", opt_iter, "optimizer2_iter", opt2_iter, "rng", rng,
                          "net_rng", r->net->rng ? net_rng : "none",
                          "threads", threads, "train_seconds", train_s, "eval_seconds", eval_s,
                          "evaluations", evals, NULL};
    int rc = model_save_exact(path, &ck, meta, err);
    free(evals);
    params_free(&ck);
    if (rc == 0)
        r->checkpoint_written = 1;
    return rc;
}

static void read_meta(const char *path, const char *key, char *buf, size_t size)
{
    char err[MODEL_ERR_SIZE];
    if (model_read_metadata(path, key, buf, size, err) != 0)
        die("%s", err);
    if (!buf[0])
        die("%s: not a checkpoint of this trainer (no '%s' in its metadata)", path, key);
}

static long parse_count(const char *path, const char *key, const char *s, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > max)
        die("%s: checkpoint metadata '%s' is '%s', not a count up to %ld", path, key, s, max);
    return v;
}

static void same_setting(const char *path, const char *option, const char *saved, const char *now)
{
    if (strcmp(saved, now) != 0)
        die("%s: the checkpoint was made with %s %s, this run has %s; resume with the same options, "
            "or start afresh without --resume", path, option, saved, now);
}

static void load_checkpoint(Run *r)
{
    char path[OUT_PATH_SIZE], err[MODEL_ERR_SIZE];
    trainer_checkpoint_path(path, sizeof path, r->cfg);
    FILE *f = fopen(path, "rb");
    if (!f)
        die("%s: no checkpoint to resume from (run without --resume to start afresh)", path);
    fclose(f);

    char buf[256];
    read_meta(path, "tag", buf, sizeof buf);
    if (strcmp(buf, r->cfg->tag) != 0)
        die("%s: a checkpoint of %s, not of %s", path, buf, r->cfg->tag);
    Settings s;
    settings_of(&s, r);
    struct { const char *key, *option, *now; } checks[] = {
        {"batch", "--batch", s.batch}, {"lr", "--lr", s.lr}, {"optimizer", "optimizer", s.optimizer},
        {"schedule", "learning-rate schedule", s.schedule}, {"weight_decay", "weight decay", s.decay},
        {"train_size", "training examples", s.train_size}, {"total_iterations", "iterations", s.total},
        {"order", "batches", s.order},
    };
    for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
        read_meta(path, checks[k].key, buf, sizeof buf);
        same_setting(path, checks[k].option, buf, checks[k].now);
    }
    /* the scores kept per evaluation (absent from checkpoints made before
     * they were recorded: then the evaluations' lines tell) */
    if (model_read_metadata(path, "scores", buf, sizeof buf, err) != 0)
        die("%s", err);
    if (buf[0])
        same_setting(path, "scores", buf, s.scores);
    read_meta(path, "iteration", buf, sizeof buf);
    long iter = parse_count(path, "iteration", buf, r->total);
    read_meta(path, "optimizer_iter", buf, sizeof buf);
    long opt_iter = parse_count(path, "optimizer_iter", buf, r->total), opt2_iter = 0;
    if (r->net->params2) {
        read_meta(path, "optimizer2_iter", buf, sizeof buf);
        opt2_iter = parse_count(path, "optimizer2_iter", buf, r->total);
    }
    read_meta(path, "rng", buf, sizeof buf);
    if (rng_parse(buf, &r->rng) != 0)
        die("%s: checkpoint metadata 'rng' is not four hexadecimal words", path);
    read_meta(path, "net_rng", buf, sizeof buf);
    if (r->net->rng && rng_parse(buf, r->net->rng) != 0)
        die("%s: checkpoint metadata 'net_rng' is not four hexadecimal words", path);
    read_meta(path, "threads", buf, sizeof buf);
    if (atoi(buf) != get_threads())
        fprintf(stderr, "warning: the checkpoint was made on %s thread(s), this run has %d: where "
                "a sum is split between threads, the numbers may differ in the last digits\n", buf,
                get_threads());
    read_meta(path, "train_seconds", buf, sizeof buf);
    r->train_seconds = atof(buf);
    read_meta(path, "eval_seconds", buf, sizeof buf);
    r->eval_seconds = atof(buf);

    /* The tensors: model_load checks every name and shape against this layout. */
    ParamSet ck;
    checkpoint_layout(&ck, r, iter);
    params_alloc(&ck);
    if (model_load(path, &ck, err) != 0)
        die("%s", err);
    ParamSet *ps = r->net->params;
    size_t at = 0;
    memcpy(ps->values, ck.values, ps->size * sizeof(real));
    at += ps->size;
    if (r->opt.v) {
        memcpy(r->opt.v, ck.values + at, ps->trainable_size * sizeof(real));
        at += ps->trainable_size;
    }
    if (r->opt.v2) {
        memcpy(r->opt.v2, ck.values + at, ps->trainable_size * sizeof(real));
        at += ps->trainable_size;
    }
    at = copy_net2(r, &ck, at, 0);
    char *seen = xcalloc((size_t)r->n_train, 1);
    for (int k = 0; k < r->n_train; k++) {
        double v = ck.values[at + k];
        if (!(v >= 0 && v < r->n_train) || v != (int)v || seen[(int)v])
            die("%s: 'trainer.order' is not an order of the %d training examples", path, r->n_train);
        seen[(int)v] = 1;
        r->order[k] = (int)v;
    }
    free(seen);
    at += (size_t)r->n_train;
    if (r->net->carry_size) {
        r->net->carry_set(r->net->net, ck.values + at);
        at += r->net->carry_size;
    }
    if (iter > 0) {
        r->losses_cap = iter;
        r->losses = xmalloc((size_t)iter * sizeof(real));
        memcpy(r->losses, ck.values + at, (size_t)iter * sizeof(real));
        at += (size_t)iter;
        if (r->extra_width) {
            r->extras = xmalloc((size_t)iter * r->extra_width * sizeof(real));
            memcpy(r->extras, ck.values + at, (size_t)iter * r->extra_width * sizeof(real));
        }
    }
    r->i = iter;
    r->opt.iter = opt_iter;
    r->opt2.iter = opt2_iter;
    params_free(&ck);

    /* The evaluations so far. */
    size_t size = 1 << 20;
    char *evals = xmalloc(size);
    if (model_read_metadata(path, "evaluations", evals, size, err) != 0)
        die("%s", err);
    for (char *line = evals; *line;) {
        char *next = strchr(line, '\n');
        if (!next)
            die("%s: checkpoint metadata 'evaluations' is cut short", path);
        *next = '\0';
        EvalRow e = {0};
        int used = 0;
        if (sscanf(line, "%lf %lf %lf %lf %lf%n", &e.epoch, &e.train_acc, &e.test_acc, &e.val_loss, &e.loss,
                   &used) != 5)
            die("%s: checkpoint metadata 'evaluations' has a bad line '%.40s'", path, line);
        /* then loss2 (with a second net) and the scores */
        int more = (r->net->params2 ? 1 : 0) + r->net->score_count;
        const char *p = line + used;
        for (int j = 0; j < more; j++) {
            char *end;
            double v = strtod(p, &end);
            if (end == p)
                die("%s: checkpoint metadata 'evaluations' has a short line '%.40s' (fewer scores than this run keeps)", path, line);
            if (r->net->params2 && j == 0)
                e.loss2 = v;
            else
                e.score[j - (r->net->params2 ? 1 : 0)] = v;
            p = end;
        }
        add_eval(r, e);
        line = next + 1;
    }
    free(evals);
    r->last_eval_i = r->eval_count ? (long)llround(r->evals[r->eval_count - 1].epoch * r->per_epoch) : 0;
    r->checkpoint_written = 1;
}

/* ---- the loop ------------------------------------------------------------------------ */

/* NaN and infinity spread: one in a gradient soon fills every parameter. */
static int all_finite(const real *v, size_t n)
{
    int ok = 1;
    for (size_t k = 0; k < n; k++)
        ok &= isfinite(v[k]) != 0;
    return ok;
}

/* A loss a thousand times that of the first iteration (the untrained net's) is
 * a run going nowhere: with a rate far too large, the loss can climb to 1e22
 * and stay finite for a long while before the first NaN. */
static const double explode_factor = 1000;

static int exploded(const Run *r, real loss)
{
    return r->i > 0 && r->losses[0] > 0 && loss > explode_factor * r->losses[0];
}

/* 1, with the reason in why, if this step's loss or gradient says the run has
 * gone off the rails. */
static int diverged(const Run *r, real loss, char *why, size_t size)
{
    const ParamSet *ps2 = r->net->params2;
    if (!isfinite(loss))
        snprintf(why, size, "the loss is %s", isnan(loss) ? "NaN" : "infinite");
    else if (!all_finite(r->net->params->grads, r->net->params->trainable_size))
        snprintf(why, size, "a gradient is not finite");
    else if (ps2 && !all_finite(ps2->grads, ps2->trainable_size))
        snprintf(why, size, "a gradient of the second net is not finite");
    else if (exploded(r, loss))
        snprintf(why, size, "the loss is %.3g, over %g times its first (%.3g)", (double)loss,
                 explode_factor, (double)r->losses[0]);
    else
        return 0;
    return 1;
}

static void evaluate(Run *r, double loss, double started)
{
    double t0 = now_seconds();
    EvalRow e = {run_epoch(r, r->i), -1, -1, -1, loss, -1, {0}};
    if (r->net->params2 && r->i > r->last_eval_i) {
        double sum = 0;
        for (long k = r->last_eval_i; k < r->i; k++)
            sum += r->extras[(size_t)k * r->extra_width];
        e.loss2 = sum / (r->i - r->last_eval_i);
    }
    if (r->net->score) {
        r->net->score(r->net->net, e.epoch, e.score);
    } else if (r->net->validate) {
        e.val_loss = r->net->validate(r->net->net);
    } else {
        if (r->cfg->train_eval_size >= 0)
            e.train_acc = r->net->accuracy(r->net->net, r->train_sample.count ? &r->train_sample : r->train);
        if (r->test)
            e.test_acc = r->net->accuracy(r->net->net, r->test);
    }
    r->eval_seconds += now_seconds() - t0;
    add_eval(r, e);
    r->last_eval_i = r->i;
    if (r->cfg->quiet)
        return;
    char epoch[32], tr[48] = "", te[48] = "", ls[32] = "";
    if (r->i % r->per_epoch == 0)
        snprintf(epoch, sizeof epoch, "%2ld", r->i / r->per_epoch);
    else
        snprintf(epoch, sizeof epoch, "%.2f", e.epoch);
    if (e.train_acc >= 0)
        snprintf(tr, sizeof tr, "  train acc %.4f", e.train_acc);
    if (e.test_acc >= 0)
        snprintf(te, sizeof te, "  test acc %.4f", e.test_acc);
    if (e.val_loss >= 0)    /* perplexity: e^loss, the book's measure for language models */
        snprintf(te, sizeof te, "  val loss %.4f (perplexity %.2f)", e.val_loss, exp(e.val_loss));
    if (loss >= 0)
        snprintf(ls, sizeof ls, r->net->params2 ? "  losses %.4f %.4f" : "  loss %.4f", loss, e.loss2);
    char sc[256] = "";
    if (r->net->score) {
        /* "IS\tFD" and the numbers: "  IS 7.12  FD 20.3" */
        const char *name = r->net->score_names;
        size_t used = 0;
        for (int j = 0; j < r->net->score_count && used < sizeof sc; j++) {
            size_t len = strcspn(name, "\t");
            used += (size_t)snprintf(sc + used, sizeof sc - used, "  %.*s %.4g", (int)len, name, e.score[j]);
            name += len + (name[len] == '\t');
        }
    }
    printf("  epoch %s%s%s%s%s  (%.1f s)\n", epoch, tr, te, ls, sc, now_seconds() - started);
    fflush(stdout);
}

static void print_resume_hint(const Run *r, const char *path)
{
    printf("Checkpoint saved: %s (epoch %.2f, iteration %ld of %ld)\n", path, run_epoch(r, r->i), r->i,
           r->total);
    const char *again = options_resume_command();
    printf("To go on from here, run the same command with --resume%s%s\n", again[0] ? ":\n  " : ".",
           again);
    fflush(stdout);
}

TrainResult trainer_run(const TrainerConfig *cfg, TrainerNet *net, const Dataset *train,
                        const Dataset *test)
{
    Run r = {0};
    r.cfg = cfg;
    r.net = net;
    r.train = train;
    r.test = test;
    r.n_train = net->step ? net->examples : train->count;
    if (cfg->batch < 1 || cfg->batch > r.n_train)
        die("--batch %d: must be between 1 and the %d training examples", cfg->batch, r.n_train);
    r.per_epoch = r.n_train / cfg->batch;
    r.total = cfg->iters > 0 ? cfg->iters : (long)cfg->epochs * r.per_epoch;
    if (r.total < 1)
        die("%s: nothing to train (0 epochs or iterations)", cfg->title);
    r.eval_every = cfg->eval_every > 0 ? cfg->eval_every : r.per_epoch;
    if (!net->step && cfg->train_eval_size > 0 && cfg->train_eval_size < r.n_train)
        r.train_sample = dataset_head(train, cfg->train_eval_size);
    ParamSet *ps = net->params, *ps2 = net->params2;
    if (ps2 && (!net->gradient2 || cfg->update))
        die("%s: a second net needs gradient2, and the trainer's optimizer", cfg->title);
    if (net->score_count > TRAINER_SCORES || net->metric_count > 32)
        die("%s: at most %d scores and 32 metrics", cfg->title, TRAINER_SCORES);
    if (!cfg->update) {
        r.opt = optimizer_create(cfg->optimizer, cfg->lr, ps->trainable_size);
        if (ps2)
            r.opt2 = optimizer_create(cfg->optimizer, second_lr(cfg), ps2->trainable_size);
        if (cfg->adam_beta1 > 0)    /* a shorter memory of past gradients (GANs: 0.5) */
            r.opt.beta1 = r.opt2.beta1 = cfg->adam_beta1;
    }
    r.extra_width = (ps2 ? 1 : 0) + net->metric_count;
    real extra[33];
    r.rng = cfg->rng;
    r.order = xmalloc((size_t)r.n_train * sizeof(int));
    for (int k = 0; k < r.n_train; k++)
        r.order[k] = k;
    /* The batch's images and labels (with `step`, the net gathers its own). */
    const size_t pixels = net->step ? 0 : train->images.size / (size_t)r.n_train;
    real *x = net->step ? NULL : xmalloc((size_t)cfg->batch * pixels * sizeof(real));
    int *t = net->step ? NULL : xmalloc((size_t)cfg->batch * sizeof(int));
    char ck_path[OUT_PATH_SIZE], err[MODEL_ERR_SIZE];
    trainer_checkpoint_path(ck_path, sizeof ck_path, cfg);

    double started = now_seconds();
    MovingAverage avg = {{0}, 0, 0};
    double since_eval_sum = 0;
    if (cfg->resume) {
        load_checkpoint(&r);
        for (long k = 0; k < r.i; k++)
            moving_average_add(&avg, r.losses[k]);
        for (long k = r.last_eval_i; k < r.i; k++)
            since_eval_sum += r.losses[k];
        if (!cfg->quiet)
            printf("  resumed from %s at epoch %.2f (iteration %ld of %ld)\n", ck_path, run_epoch(&r, r.i),
                   r.i, r.total);
    } else if (cfg->eval_at_start) {
        evaluate(&r, -1, started);
    }

    /* Ctrl-C and SIGTERM ask the loop to stop at the end of its step. */
    struct sigaction stop = {0}, old_int, old_term;
    stop.sa_handler = on_stop_signal;
    sigemptyset(&stop.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &stop, &old_int);
    sigaction(SIGTERM, &stop, &old_term);

    TrainResult res = {0};
    res.status = TRAIN_DONE;
    const double checkpoint_seconds = 60 * (cfg->checkpoint_minutes > 0 ? cfg->checkpoint_minutes : 10);
    double last_checkpoint = now_seconds();
    Progress prog;
    progress_start(&prog, cfg->title, r.total - r.i);
    const long first = r.i;
    while (r.i < r.total) {
        double t0 = now_seconds();
        long k = r.i % r.per_epoch;
        if (k == 0 && !cfg->in_order)
            rng_shuffle(&r.rng, r.order, r.n_train);    /* a new epoch, a new order */
        const int *idx = r.order + (size_t)k * cfg->batch;
        real loss;
        if (net->step) {
            loss = net->step(net->net, k, idx, cfg->batch);
        } else {
            dataset_gather(train, idx, cfg->batch, x, t);
            loss = net->gradient(net->net, x, t, cfg->batch);
        }
        if (cfg->weight_decay > 0)
            weight_decay_backward(ps, cfg->weight_decay);
        double lr = schedule_lr(&r, r.i);
        /* Two nets: the first is updated now, so that the second's step
         * (a GAN's generator) meets the first as it is after its own. */
        real loss2 = 0;
        if (ps2 && isfinite(loss) && all_finite(ps->grads, ps->trainable_size)) {
            if (cfg->clip_norm > 0)
                clip_grads(ps->grads, ps->trainable_size, cfg->clip_norm);
            r.opt.lr = lr;
            optimizer_update(&r.opt, ps->values, ps->grads);
            loss2 = net->gradient2(net->net, x, t, cfg->batch);
            if (!isfinite(loss2))
                loss = loss2;       /* the guard below reports it */
        }
        if (ps2)
            extra[0] = loss2;
        for (int j = 0; j < net->metric_count; j++)
            extra[(ps2 ? 1 : 0) + j] = net->metrics[j];
        char why[96];
        if (diverged(&r, loss, why, sizeof why)) {
            progress_finish(&prog);
            fprintf(stderr, "error: %s diverged at epoch %ld, iteration %ld: %s. Try a smaller --lr "
                    "than %g. %s%s\n", cfg->title, r.i / r.per_epoch + 1, r.i + 1, why, cfg->lr,
                    r.checkpoint_written ? "The last good checkpoint is kept: " : "No checkpoint was written.",
                    r.checkpoint_written ? ck_path : "");
            res.status = TRAIN_DIVERGED;
            break;
        }
        /* Clipping by the global norm: a step never longer than clip_norm,
         * whatever one unlucky batch of a recurrent net says. */
        if (ps2) {
            if (cfg->clip_norm > 0)
                clip_grads(ps2->grads, ps2->trainable_size, cfg->clip_norm);
            r.opt2.lr = lr * (second_lr(cfg) / cfg->lr);
            optimizer_update(&r.opt2, ps2->values, ps2->grads);
        } else {
            if (cfg->clip_norm > 0)
                clip_grads(ps->grads, ps->trainable_size, cfg->clip_norm);
            if (cfg->update) {
                cfg->update(net->net, ps, lr);
            } else {
                r.opt.lr = lr;
                optimizer_update(&r.opt, ps->values, ps->grads);
            }
        }
        add_loss(&r, loss, extra);
        r.i++;
        if (net->after_update)
            net->after_update(net->net, r.i);
        double smooth = moving_average_add(&avg, loss);
        since_eval_sum += loss;
        r.train_seconds += now_seconds() - t0;

        if (r.i % 10 == 0 || r.i == r.total) {
            char status[48];
            snprintf(status, sizeof status, "loss %.4f", smooth);
            progress_update(&prog, r.i - first, status);
        }
        int epoch_end = r.i % r.per_epoch == 0;
        if (r.i % r.eval_every == 0 || r.i == r.total) {
            progress_finish(&prog);
            evaluate(&r, since_eval_sum / (r.i - r.last_eval_i), started);
            since_eval_sum = 0;
        }
        if (epoch_end || r.i == r.total || stop_signal || now_seconds() - last_checkpoint > checkpoint_seconds) {
            if (save_checkpoint(&r, err) != 0) {
                progress_finish(&prog);
                if (stop_signal)
                    die("%s", err);
                fprintf(stderr, "warning: no checkpoint: %s\n", err);
            }
            last_checkpoint = now_seconds();
        }
        if (stop_signal) {
            progress_finish(&prog);
            printf("\n%s: stopped by %s.\n", cfg->title, stop_signal == SIGINT ? "Ctrl-C" : "SIGTERM");
            print_resume_hint(&r, ck_path);
            res.status = TRAIN_INTERRUPTED;
            break;
        }
    }
    progress_finish(&prog);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    stop_signal = 0;

    res.iters = r.i;
    res.epochs = run_epoch(&r, r.i);
    res.train_acc = res.test_acc = res.val_loss = res.loss = res.loss2 = -1;
    if (r.eval_count) {
        const EvalRow *e = &r.evals[r.eval_count - 1];
        res.loss2 = e->loss2;
        memcpy(res.score, e->score, sizeof res.score);
        res.train_acc = e->train_acc;
        res.test_acc = e->test_acc;
        res.val_loss = e->val_loss;
        res.loss = e->loss;
    }
    res.train_seconds = r.train_seconds;
    res.eval_seconds = r.eval_seconds;
    res.evaluations = r.eval_count;
    /* The logs as TSV files, once, at the end (the checkpoints carry them too,
     * so a resumed run writes the same files as an unbroken one). After a
     * divergence they show where it went wrong. */
    write_logs(&r);

    free(x);
    free(t);
    free(r.order);
    free(r.losses);
    free(r.extras);
    free(r.evals);
    optimizer_free(&r.opt);
    optimizer_free(&r.opt2);
    if (r.train_sample.count)
        dataset_free(&r.train_sample);
    return res;
}

/* ---- plots --------------------------------------------------------------------------- */

void trainer_plot(const TrainerConfig *cfg, const TrainResult *run)
{
    char png[OUT_PATH_SIZE], tsv[OUT_PATH_SIZE], script[16384];
    out_path(tsv, cfg->out, "%s_loss.tsv", cfg->tag);
    out_path(png, cfg->out, "%s_loss.png", cfg->tag);
    snprintf(script, sizeof script,
             "set title 'Training loss, %s'\n"
             "set xlabel 'iteration'\nset ylabel 'loss (cross-entropy, log scale)'\nset grid\n"
             "set logscale y\n"
             "plot '%s' using 1:2 skip 1 with lines lc rgb '#bbbbdd' title 'mini-batch loss', "
             "'' using 1:3 skip 1 with lines lw 2 lc rgb '#1f4e9c' title 'moving average (100)'\n",
             cfg->title, tsv);
    if (plot_png(png, 800, 500, script) == 0)
        printf("  plot: %s\n", png);
    /* A language model has a validation loss instead of accuracies. */
    out_path(tsv, cfg->out, "%s_accuracy.tsv", cfg->tag);
    if (run->val_loss >= 0) {
        out_path(png, cfg->out, "%s_val_loss.png", cfg->tag);
        snprintf(script, sizeof script,
                 "set title 'Validation loss, %s'\n"
                 "set xlabel 'epoch'\nset ylabel 'loss (nats per token)'\nset grid\nset key top right\n"
                 "set xrange [0:*]\n"
                 "plot '%s' using 1:4 skip 1 with linespoints lw 2 title 'validation'\n", cfg->title, tsv);
        if (plot_png(png, 800, 500, script) == 0)
            printf("  plot: %s\n", png);
        return;
    }
    /* The y-range follows the data (a short run's accuracies may all lie
     * below 0.8); the x-range has room around a single point. */
    out_path(png, cfg->out, "%s_accuracy.png", cfg->tag);
    snprintf(script, sizeof script,
             "set title 'Accuracy, %s'\n"
             "set xlabel 'epoch'\nset ylabel 'accuracy'\nset grid\nset key bottom right\n"
             "set xrange [0:*]\nset offsets 0, graph 0.02, graph 0.05, graph 0.05\n"
             "plot '%s' using 1:($2 < 0 ? NaN : $2) skip 1 with linespoints lw 2 title 'train', "
             "'' using 1:($3 < 0 ? NaN : $3) skip 1 with linespoints lw 2 dt 2 title 'test'\n",
             cfg->title, tsv);
    if (plot_png(png, 800, 500, script) == 0)
        printf("  plot: %s\n", png);
}

void trainer_plot_terminal(const TrainerConfig *cfg)
{
    char tsv[OUT_PATH_SIZE];
    out_path(tsv, cfg->out, "%s_loss.tsv", cfg->tag);
    FILE *f = fopen(tsv, "r");
    if (!f)
        return;
    int n = 0, cap = 256;
    double *x = xmalloc((size_t)cap * sizeof(double)), *y = xmalloc((size_t)cap * sizeof(double));
    double it, loss, avg;
    fscanf(f, "%*[^\n]");                  /* the header */
    while (fscanf(f, "%lf %lf %lf", &it, &loss, &avg) == 3) {
        if ((long)it % 100 != 99)
            continue;
        if (n == cap) {
            cap *= 2;
            x = realloc(x, (size_t)cap * sizeof(double));
            y = realloc(y, (size_t)cap * sizeof(double));
            if (!x || !y)
                die("out of memory");
        }
        x[n] = it + 1;
        y[n++] = avg;
    }
    fclose(f);
    if (n > 1)
        plot_terminal("loss (moving average) against iteration", x, y, n);
    free(x);
    free(y);
}
