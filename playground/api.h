/* api.h - the playground's models and its JSON API, apart from HTTP (so that
 * a fuzzer can call it directly): finding and loading the models the chapters
 * saved, one copy per worker ("slot"), and answering /api/models, /api/digit
 * and /api/text. See playground/README.md for the requests and answers. */
#ifndef PLAYGROUND_API_H
#define PLAYGROUND_API_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "deep_conv_net.h"
#include "rnnlm.h"
#include "simple_conv_net.h"
#include "util.h"

/* ---- limits ------------------------------------------------------------------------- */

#define MAX_BODY (1 << 20)          /* bytes of a request body */
#define MAX_SIDE 400                /* a drawing's width and height */
#define MAX_PROMPT 1000             /* characters of a text prompt */
#define MAX_LENGTH 2000             /* characters of a continuation */
#define MAX_TEMPERATURE 5.0
#define MAX_WORKERS 32

/* ---- a growing string, for building answers ------------------------------------------ */

typedef struct {
    char *s;
    size_t len, cap;
} Buf;

void buf_add(Buf *b, const char *s, size_t n);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included (s is valid UTF-8: it passes through). */
void buf_json_string(Buf *b, const char *s);

/* ---- the models ----------------------------------------------------------------------- */

typedef enum { NET_SIMPLE, NET_DEEP } NetKind;
extern const char *const net_title[2];      /* "SimpleConvNet", "DeepConvNet" */

/* One worker's nets, each with its own forward-pass buffers. */
typedef struct {
    SimpleConvNet simple;
    DeepConvNet deep;
    Rnnlm lm;
    real *lm_work;          /* sampling scratch (V) */
    int busy;
} Slot;

typedef struct {
    /* digit nets found: have[k] for NET_SIMPLE, NET_DEEP */
    int have[2];
    char path[2][OUT_PATH_SIZE];
    double accuracy[2];
    /* the character language model */
    int have_lm;
    char lm_path[OUT_PATH_SIZE];
    double lm_val_loss;
    RnnlmShape lm_shape;
    CharVocab vocab;
    /* one slot per worker thread */
    Slot slots[MAX_WORKERS];
    int nslots;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    uint64_t seed, text_count;  /* text requests without a seed get seed + their number */
    unsigned long requests, errors;
} Playground;

/* Look for the chapters' models under out (out/04_cnn, out/05_rnn) and read
 * what they are from their metadata; a file that is there but broken is fatal
 * (one line). Then load them into nslots slots. */
void playground_find_models(Playground *pg, const char *out);
void playground_load(Playground *pg, int nslots);
/* For the fuzzer: untrained nets (SimpleConvNet, and an LSTM of H hidden units
 * over the characters of vocab), no files. */
void playground_init_untrained(Playground *pg, int nslots, const char *vocab, int H);
void playground_free(Playground *pg);

/* ---- answers ---------------------------------------------------------------------------- */

typedef struct {
    int status;     /* HTTP status */
    Buf body;       /* JSON, one line */
} Answer;

void answer_error(Answer *a, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The endpoints. body (len bytes, not NUL-terminated) is the request's body; it
 * is decoded in place. Every answer is set: a status and its JSON. */
void api_models(const Playground *pg, Answer *a);
void api_digit(Playground *pg, char *body, size_t len, Answer *a);
void api_text(Playground *pg, char *body, size_t len, Answer *a);

#endif
