/* seq2seq_models.h - chapter 05's two seq2seq tasks (addition and dates) as
 * data, and answering from their saved models: what the tasks are, where
 * their models live, loading one, and one question answered greedily.
 * seq2seq_tasks.c (05_rnn addition, dates, add, date) and the playground
 * (its add and date boxes) both use it, so they answer alike. */
#ifndef CH05_SEQ2SEQ_MODELS_H
#define CH05_SEQ2SEQ_MODELS_H

#include <stdint.h>

#include "seq2seq.h"
#include "seq_data.h"

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
    int tour_epochs;            /* the tour trains only the default variant, this long */
    int cosine;                 /* the rate glides from lr to 0 over the run (else constant) */
} Task;

/* "addition" or "dates" (dies on another name). */
const Task *s2s_find_task(const char *name);

/* pad ' ', start mark '_', end mark ' ' (no answer holds a space) */
SeqFormat s2s_task_format(int reverse);

/* OUT/<task>_<variant>.safetensors into path (OUT_PATH_SIZE bytes); variant
 * NULL: the task's default, the model add and date answer with. */
void s2s_model_path(char *path, const char *out, const Task *task, const Variant *v);

/* 0 if the task's model can be asked q: for addition "A+B" with A and B of 1
 * to 3 digits, for dates at most Tx characters. Else -1 and a one-line
 * message in err (err_size bytes). */
int s2s_check_question(const Task *task, const char *q, char *err, int err_size);

/* A saved model of `network`: its net (buffers for n rows), characters and
 * whether it reads reversed. Tx and Ty must be as given (0: whatever it says).
 * Dies (one line) on a missing or broken file. */
void s2s_load_model(const char *path, const char *network, const char *train_cmd, int n, Seq2seq *m,
                    CharTable *table, int *reverse, int Tx, int Ty);

/* One question answered greedily into ans (at least Ty + 1 bytes): the model
 * reads q as fmt says, writes up to its Ty characters, and ans is them up to
 * the end mark. Afterwards seq2seq_attention_weight(m, 0, t, k) holds its
 * attention (attention models). Returns 0, or -1 with err set if q has a
 * character the model does not know or is too long. */
int s2s_greedy_answer(Seq2seq *m, const CharTable *table, const SeqFormat *fmt, const char *q, char *ans, char *err,
                      int err_size);

#endif
