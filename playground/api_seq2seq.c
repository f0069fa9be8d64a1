/* api_seq2seq.c - the playground's add and date boxes: chapter 05's seq2seq
 * models (05_rnn addition, dates), found, loaded into every slot, and
 * answering POST /api/add and POST /api/date as 05_rnn add and date do
 * (05_rnn/seq2seq_models.c); the date box also gets the attention map. */
#include "api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq2seq_models.h"
#include "timer.h"

static const char *const task_name[2] = {"addition", "dates"};

/* OUT/05_rnn/addition_peeky and dates_attention: the models 05_rnn add and
 * date answer with. Their shape and characters come from the file. */
void seq2seq_models_find(Playground *pg, const char *out)
{
    for (int k = 0; k < 2; k++) {
        const Task *task = s2s_find_task(task_name[k]);
        char dir[OUT_PATH_SIZE];
        out_path(dir, out, "05_rnn");
        s2s_model_path(pg->s2s_path[k], dir, task, NULL);
        pg->have_s2s[k] = file_exists(pg->s2s_path[k]);
        pg->s2s_exact_match[k] = meta_double(pg->s2s_path[k], "held_out_exact_match", -1);
        if (!pg->have_s2s[k])
            pg->s2s_path[k][0] = '\0';
    }
}

/* Slot i's copies: slot 0 reads the file (or, with none, starts from the
 * shape playground_init_untrained set), the others copy slot 0. */
void seq2seq_models_load(Playground *pg, int i)
{
    for (int k = 0; k < 2; k++) {
        if (!pg->have_s2s[k])
            continue;
        Seq2seq *m = &pg->slots[i].s2s[k];
        const Task *task = s2s_find_task(task_name[k]);
        if (i == 0 && pg->s2s_path[k][0]) {
            s2s_load_model(pg->s2s_path[k], task->network, task->name, 1, m, &pg->s2s_table[k],
                           &pg->s2s_reverse[k], task->Tx, task->Ty);
            pg->s2s_shape[k] = m->s;
        } else {
            seq2seq_init(m, &pg->s2s_shape[k], 0);
            if (i > 0)
                memcpy(m->ps.values, pg->slots[0].s2s[k].ps.values, m->ps.size * sizeof(real));
        }
    }
}

void seq2seq_models_free(Playground *pg, int i)
{
    for (int k = 0; k < 2; k++)
        if (pg->have_s2s[k])
            seq2seq_free(&pg->slots[i].s2s[k]);
}

/* "seq2seq": {"add": {...} or null, "date": {...} or null}, or null with neither */
void seq2seq_models_json(const Playground *pg, Buf *b)
{
    if (!pg->have_s2s[S2S_ADD] && !pg->have_s2s[S2S_DATE]) {
        buf_printf(b, "null");
        return;
    }
    for (int k = 0; k < 2; k++) {
        buf_printf(b, "%s\"%s\": ", k ? ", " : "{", k == S2S_ADD ? "add" : "date");
        if (!pg->have_s2s[k]) {
            buf_printf(b, "null");
            continue;
        }
        buf_printf(b, "{\"name\": \"%s\", \"file\": ", seq2seq_kind_name(pg->s2s_shape[k].kind));
        buf_json_string(b, pg->s2s_path[k]);
        buf_printf(b, ", \"held_out_exact_match\": %.4f, \"max_length\": %d}", pg->s2s_exact_match[k],
                   pg->s2s_shape[k].Tx);
    }
    buf_printf(b, "}");
}

/* The one string field `field` of the body into *q; -1 with the answer set. */
static int question_of(char *body, size_t len, const char *field, char **q, Answer *a)
{
    Json j;
    char *key;
    unsigned seen = 0;
    *q = NULL;
    if (body_begin(&j, body, len, a) != 0)
        return -1;
    for (int first = 1;; first = 0) {
        int more = next_key(&j, &key, first, a);
        if (more < 0)
            return -1;
        if (more == 0)
            break;
        if (field_index(key, &field, 1, &seen, field, a) < 0)
            return -1;
        if (json_string(&j, q) != 0) {
            answer_error(a, 400, "%s: %s", field, j.error);
            return -1;
        }
    }
    if (body_end(&j, a) != 0)
        return -1;
    if (!*q) {
        answer_error(a, 400, "expected {\"%s\": \"...\"}", field);
        return -1;
    }
    return 0;
}

/* Read the question of task k from the body and answer it greedily with the
 * slot's model; the slot is kept (for the attention weights) and returned,
 * NULL after an error answer. The answer's JSON is begun: {"<field>": the
 * question, "answer": the model's answer. */
static Slot *answer(Playground *pg, S2sKind k, const char *field, char *body, size_t len, char **q, char *ans,
                    Answer *a)
{
    const Task *task = s2s_find_task(task_name[k]);
    if (!pg->have_s2s[k]) {
        answer_error(a, 404, "no %s model: train one with make chapter 5 ARGS=%s", k == S2S_ADD ? "addition" : "date",
                     task->name);
        return NULL;
    }
    if (question_of(body, len, field, q, a) != 0)
        return NULL;
    /* the length first: the messages below quote the question */
    char err[256];
    if (!(*q)[0]) {
        answer_error(a, 400, "%s is empty", field);
        return NULL;
    }
    if (strlen(*q) > (size_t)task->Tx) {
        answer_error(a, 400, "%s is too long: the model reads at most %d characters", field, task->Tx);
        return NULL;
    }
    if (s2s_check_question(task, *q, err, sizeof err) != 0) {
        answer_error(a, 400, "%s", err);
        return NULL;
    }
    SeqFormat fmt = s2s_task_format(pg->s2s_reverse[k]);
    Slot *s = slot_take(pg);
    if (s2s_greedy_answer(&s->s2s[k], &pg->s2s_table[k], &fmt, *q, ans, err, sizeof err) != 0) {
        slot_give_back(pg, s);
        answer_error(a, 400, "%s", err);
        return NULL;
    }
    buf_printf(&a->body, "{\"%s\": ", field);
    buf_json_string(&a->body, *q);
    buf_printf(&a->body, ", \"answer\": ");
    buf_json_string(&a->body, ans);
    return s;
}

/* POST /api/add: {"problem": "17+385"} -> the model's answer, and the sum. */
void api_add(Playground *pg, char *body, size_t len, Answer *a)
{
    double t0 = now_seconds();
    char *q, ans[64];
    Slot *s = answer(pg, S2S_ADD, "problem", body, len, &q, ans, a);
    if (!s)
        return;
    slot_give_back(pg, s);
    int x, y;
    sscanf(q, "%d+%d", &x, &y);
    char sum[16];
    snprintf(sum, sizeof sum, "%d", x + y);
    buf_printf(&a->body, ", \"sum\": %s, \"right\": %s, \"server_ms\": %.3f}\n", sum,
               strcmp(ans, sum) == 0 ? "true" : "false", 1000 * (now_seconds() - t0));
    a->status = 200;
}

/* A character as a JSON string of one character */
static void json_char(Buf *b, char c)
{
    char s[2] = {c, '\0'};
    buf_json_string(b, s);
}

/* The encoder step that read character i of the text: Tx-1-i when the row was reversed */
static int step_of(const Playground *pg, int i, int Tx)
{
    return pg->s2s_reverse[S2S_DATE] ? Tx - 1 - i : i;
}

/* POST /api/date: {"text": "27 sep 94"} -> the ISO date the model reads, and
 * (attention models) where it looked: for each character it wrote (a row),
 * the weight on each character of the text (a column), and on the padding
 * after it; a row sums to 1. */
void api_date(Playground *pg, char *body, size_t len, Answer *a)
{
    double t0 = now_seconds();
    char *q, ans[64];
    Slot *s = answer(pg, S2S_DATE, "text", body, len, &q, ans, a);
    if (!s)
        return;
    Buf *b = &a->body;
    buf_printf(b, ", \"attention\": ");
    const Seq2seq *m = &s->s2s[S2S_DATE];
    if (m->s.kind != ATTENTION_SEQ2SEQ) {
        buf_printf(b, "null");
    } else {
        const int n = (int)strlen(q), rows = (int)strlen(ans), Tx = m->s.Tx;
        buf_printf(b, "{\"input\": [");
        for (int i = 0; i < n; i++) {
            buf_printf(b, "%s", i ? ", " : "");
            json_char(b, q[i]);
        }
        buf_printf(b, "], \"output\": [");
        for (int t = 0; t < rows; t++) {
            buf_printf(b, "%s", t ? ", " : "");
            json_char(b, ans[t]);
        }
        buf_printf(b, "], \"weights\": [");
        for (int t = 0; t < rows; t++) {
            buf_printf(b, "%s[", t ? ", " : "");
            for (int i = 0; i < n; i++)
                buf_printf(b, "%s%.4f", i ? ", " : "", (double)seq2seq_attention_weight(m, 0, t, step_of(pg, i, Tx)));
            buf_printf(b, "]");
        }
        buf_printf(b, "], \"padding\": [");
        for (int t = 0; t < rows; t++) {
            double w = 0;
            for (int i = n; i < Tx; i++)
                w += seq2seq_attention_weight(m, 0, t, step_of(pg, i, Tx));
            buf_printf(b, "%s%.4f", t ? ", " : "", w);
        }
        buf_printf(b, "]}");
    }
    slot_give_back(pg, s);
    buf_printf(b, ", \"server_ms\": %.3f}\n", 1000 * (now_seconds() - t0));
    a->status = 200;
}
