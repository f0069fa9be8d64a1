/* seq2seq_tasks.h - chapter 05's second half (the sequel's chapters 7 and 8):
 * seq2seq that learns to add, attention that reads dates, and answering from
 * the saved models. rnn.c's main calls these for its subcommands. */
#ifndef CH05_SEQ2SEQ_TASKS_H
#define CH05_SEQ2SEQ_TASKS_H

#include "options.h"

typedef struct {
    const CommonOptions *c;     /* --epochs, --batch, --lr, --seed, --out, --quiet (and what was given) */
    int hidden, embed;          /* 0: the task's default */
    int problems;               /* pairs generated (0: 50,000) */
    const char *variant;        /* train only this one (NULL: all of the task's) */
    const char *model;          /* add, date, chat: the model file (NULL: the default under --out) */
    int beam;                   /* chat: beam width (0: sample) */
    double temperature;         /* chat: sampling temperature */
    int top_k;
    int resume;
    int tour;                   /* the tour's shorter runs */
    const char *data;           /* chat: the text */
    int chat_iters;             /* chat: 0 for the default */
    int decode_batch;           /* addition, dates: questions decoded together (0: the batch) */
} S2sConfig;

typedef struct {
    double best_acc[3], final_acc[3];
    int best_epoch[3], epochs, variants;
    const char *names[3];
    double seconds_per_epoch[3];
} S2sSummary;

/* Train the task's variants ("addition": plain, reversed, peeky+reversed;
 * "dates": peeky, attention), plot held-out exact match per epoch, save the
 * models. Returns 0, or exits on an error (one line). */
S2sSummary s2s_train(const S2sConfig *cfg, const char *task);

typedef struct {
    double val_loss, base_loss, seconds;
    int pairs;
} S2sChatSummary;

/* Train the chatbot on the speeches of cfg->data (and the baseline without
 * context), report held-out perplexities, save OUT/chat.safetensors. */
S2sChatSummary s2s_chat_train(const S2sConfig *cfg);

/* Read lines from stdin until its end, answer each (beam search with
 * cfg->beam > 0, else sampling at cfg->temperature). */
void s2s_chat(const S2sConfig *cfg);

/* Answer one question with a saved model: task "addition" (add) or "dates" (date). */
void s2s_answer(const S2sConfig *cfg, const char *task, const char *question);

#endif
