/* seq2seq_models.c - the addition and dates tasks, and answering from their
 * saved models (see seq2seq_models.h). */
#include "seq2seq_models.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "util.h"

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
     25, 128, 16, 0.003, 4, 1},
    {"dates", "05_rnn_dates", "date", DATE_QW, DATE_AW, date_pairs, date_variants, 2, 1, 4, 128, 16, 0.002, 2, 0},
};

const Task *s2s_find_task(const char *name)
{
    for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++)
        if (strcmp(tasks[i].name, name) == 0)
            return &tasks[i];
    die("no seq2seq task '%s'", name);
}

SeqFormat s2s_task_format(int reverse)
{
    SeqFormat f = {' ', '_', ' ', reverse};
    return f;
}

void s2s_model_path(char *path, const char *out, const Task *task, const Variant *v)
{
    out_path(path, out, "%s_%s.safetensors", task->name, (v ? v : &task->variants[task->default_variant])->tag);
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

int s2s_check_question(const Task *task, const char *q, char *err, int err_size)
{
    if (strcmp(task->name, "addition") == 0 && !is_addition_problem(q)) {
        snprintf(err, err_size, "'%s' is not a problem this model answers: A+B, each of 1 to 3 digits (such as 17+385)",
                 q);
        return -1;
    }
    if ((int)strlen(q) > task->Tx) {
        snprintf(err, err_size, "'%s' is too long: %zu characters, the model reads at most %d", q, strlen(q),
                 task->Tx);
        return -1;
    }
    return 0;
}

void s2s_load_model(const char *path, const char *network, const char *train_cmd, int n, Seq2seq *m,
                    CharTable *table, int *reverse, int Tx, int Ty)
{
    char value[256], err[MODEL_ERR_SIZE];
    if (access(path, R_OK) != 0)
        die("%s: no such model (train one first: 05_rnn %s)", path, train_cmd);
    if (model_read_metadata(path, "network", value, sizeof value, err) != 0)
        die("%s", err);
    if (strcmp(value, network) != 0)
        die("%s: not a model for this (network '%s', expected %s from 05_rnn %s)", path, value, network, train_cmd);
    Seq2seqShape s = {0};
    if (model_read_metadata(path, "kind", value, sizeof value, err) != 0)
        die("%s", err);
    if (seq2seq_kind_parse(value, &s.kind) != 0)
        die("%s: metadata \"kind\" is '%s', not seq2seq, peeky or attention", path, value);
    s.D = model_read_int(path, "embed", 1, 4096);
    s.H = model_read_int(path, "hidden", 1, 4096);
    s.Tx = model_read_int(path, "tx", Tx ? Tx : 1, Tx ? Tx : 1024);
    s.Ty = model_read_int(path, "ty", Ty ? Ty : 1, Ty ? Ty : 1024);
    *reverse = model_read_int(path, "reverse", 0, 1);
    if (model_read_metadata(path, "vocab", value, sizeof value, err) != 0)
        die("%s", err);
    int printable = value[0] != '\0';
    for (const char *p = value; *p; p++)
        printable &= *p >= 32 && *p < 127;
    if (!printable || !strchr(value, '_'))
        die("%s: metadata \"vocab\" is not a table of printable characters with the start mark '_'", path);
    char_table_init(table, value);
    s.V = table->size, s.N = n;
    seq2seq_init(m, &s, 0);
    if (model_load(path, &m->ps, err) != 0)
        die("%s", err);
}

int s2s_greedy_answer(Seq2seq *m, const CharTable *table, const SeqFormat *fmt, const char *q, char *ans, char *err,
                      int err_size)
{
    int xs[1024], out[1024];      /* Tx and Ty are at most 1024 (s2s_load_model) */
    if (m->s.Tx > 1024 || m->s.Ty > 1024)
        die("s2s_greedy_answer: a model of more than 1024 steps");
    if (seq_encode_question(xs, q, table, fmt, m->s.Tx, err, err_size) != 0)
        return -1;
    seq2seq_generate(m, out, xs, 1, char_table_id(table, fmt->start), m->s.Ty);
    seq_decode_answer(ans, out, m->s.Ty, table, fmt);
    return 0;
}
