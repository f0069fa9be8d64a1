/* api.h - the playground's models and its JSON API, apart from HTTP (so that
 * a fuzzer can call it directly): finding and loading the models the chapters
 * saved, one copy per worker ("slot"), and answering /api/models, /api/digit
 * and /api/text (api.c), /api/add and /api/date (api_seq2seq.c), /api/gan
 * (api_gan.c). See playground/README.md for the requests and answers. */
#ifndef PLAYGROUND_API_H
#define PLAYGROUND_API_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "deep_conv_net.h"
#include "gan_nets.h"
#include "json.h"
#include "rnnlm.h"
#include "seq2seq.h"
#include "seq_data.h"
#include "simple_conv_net.h"
#include "util.h"

/* ---- limits ------------------------------------------------------------------------- */

#define MAX_BODY (1 << 20)          /* bytes of a request body */
#define MAX_SIDE 400                /* a drawing's width and height */
#define MAX_PROMPT 1000             /* characters of a text prompt */
#define MAX_LENGTH 2000             /* characters of a continuation */
#define MAX_TEMPERATURE 5.0
#define MAX_WORKERS 32
#define MAX_Z 1024                  /* values of a GAN's noise z */
#define MAX_Z_ABS 10.0              /* |z[i]|: z is drawn from N(0, 1) */

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

/* Chapter 05's seq2seq models: the addition (its add) and the dates (its date) */
typedef enum { S2S_ADD, S2S_DATE } S2sKind;
/* Chapter 06's GANs, by the name of their file: cgan, cdcgan, dcgan, mlp_gan */
#define GAN_MODELS 4
extern const char *const gan_tag[GAN_MODELS];

/* One worker's nets, each with its own forward-pass buffers. */
typedef struct {
    SimpleConvNet simple;
    DeepConvNet deep;
    Rnnlm lm;
    real *lm_work;          /* sampling scratch (V) */
    Seq2seq s2s[2];         /* S2S_ADD, S2S_DATE */
    int busy;
} Slot;

/* A GAN is a few MB of parameters and draws one image in about a forward
 * pass of a small net, so there is one copy of each, not one per slot: a
 * request takes its lock. */
typedef struct {
    Gan gan;
    pthread_mutex_t lock;
    char path[OUT_PATH_SIZE];
    int epochs;             /* from its metadata (-1 if it does not say) */
} GanModel;

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
    /* the seq2seq models found: have_s2s[k] for S2S_ADD, S2S_DATE */
    int have_s2s[2];
    char s2s_path[2][OUT_PATH_SIZE];
    double s2s_exact_match[2];
    Seq2seqShape s2s_shape[2];  /* (playground_init_untrained's; a file says its own) */
    CharTable s2s_table[2];
    int s2s_reverse[2];
    /* the GANs found, in the order of gan_tag */
    int have_gan[GAN_MODELS];
    GanModel gans[GAN_MODELS];
    uint64_t gan_count;         /* GAN requests without z or seed get seed + their number */
    /* one slot per worker thread */
    Slot slots[MAX_WORKERS];
    int nslots;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    uint64_t seed, text_count;  /* text requests without a seed get seed + their number */
    unsigned long requests, errors;
} Playground;

/* Look for the chapters' models under out (out/04_cnn, out/05_rnn, out/06_gan) and read
 * what they are from their metadata; a file that is there but broken is fatal
 * (one line). Then load them into nslots slots. */
void playground_find_models(Playground *pg, const char *out);
void playground_load(Playground *pg, int nslots);
/* For the fuzzer: untrained nets (SimpleConvNet, an LSTM of H hidden units
 * over the characters of vocab, small add and date seq2seq models, a
 * conditional MLP GAN), no files. */
void playground_init_untrained(Playground *pg, int nslots, const char *vocab, int H);
void playground_free(Playground *pg);

/* A model file that can be read; a number from a model's metadata, or
 * fallback if it has none. */
int file_exists(const char *path);
double meta_double(const char *path, const char *key, double fallback);

/* The parts of the above for the seq2seq models (api_seq2seq.c) and the GANs
 * (api_gan.c): find them, load them into slot i (the GANs: once), free them,
 * and describe them for /api/models. */
void seq2seq_models_find(Playground *pg, const char *out);
void seq2seq_models_load(Playground *pg, int i);
void seq2seq_models_free(Playground *pg, int i);
void seq2seq_models_json(const Playground *pg, Buf *b);
void gan_models_find(Playground *pg, const char *out);
void gan_models_load(Playground *pg);
void gan_models_free(Playground *pg);
void gan_models_json(const Playground *pg, Buf *b);

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
void api_add(Playground *pg, char *body, size_t len, Answer *a);
void api_date(Playground *pg, char *body, size_t len, Answer *a);
void api_gan(Playground *pg, char *body, size_t len, Answer *a);

/* ---- what every endpoint uses (api.c) ----------------------------------------------------- */

/* A whole JSON body: valid UTF-8, an object; then its members one by one.
 * Each returns 0 (next_key: 1 if a member follows, 0 at the closing '}'), or
 * -1 with the answer set to a 400. *key points into the body. */
int body_begin(Json *j, char *body, size_t len, Answer *a);
int next_key(Json *j, char **key, int first, Answer *a);
int body_end(Json *j, Answer *a);
/* The index of a member's name key among the n names, marked in *seen; -1
 * with a 400 answer if it is none of them (expected lists them for the
 * message) or was given before. */
int field_index(const char *key, const char *const *names, int n, unsigned *seen, const char *expected, Answer *a);
/* [numbers] into out (at most max), their count in *n; -1 with a 400 answer. */
int json_number_array(Json *j, double *out, int max, int *n, const char *name, Answer *a);
/* A worker's slot of nets, for one request; waits if all are taken. */
Slot *slot_take(Playground *pg);
void slot_give_back(Playground *pg, Slot *s);
/* How many bytes of s (UTF-8) to quote in a message, at most max: cut
 * before a character, never inside one, so that the answer stays UTF-8. */
int quote_len(const char *s, int max);
/* The next seed for a request that gives none: seed, seed + 1, ... per counter. */
uint64_t next_seed(Playground *pg, uint64_t *counter);

#endif
