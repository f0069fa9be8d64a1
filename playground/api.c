/* api.c - the playground's models and JSON API (see api.h). */
#include "api.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digit.h"
#include "functions.h"
#include "json.h"
#include "model.h"
#include "rng.h"
#include "sampling.h"
#include "timer.h"

/* ---- a growing string, for building answers ------------------------------------------ */

void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *s2 = realloc(b->s, cap);
        if (!s2)
            die("out of memory");
        b->s = s2, b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        buf_add(b, small, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_add(b, big, (size_t)n);
    free(big);
}

void buf_json_string(Buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            buf_add(b, e, 2);
        } else if (c == '\n') {
            buf_add(b, "\\n", 2);
        } else if (c == '\t') {
            buf_add(b, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_add(b, (const char *)&c, 1);
        }
    }
    buf_add(b, "\"", 1);
}

/* ---- the models ----------------------------------------------------------------------- */

const char *const net_title[2] = {"SimpleConvNet", "DeepConvNet"};
static const char *const net_tag[] = {"simple_conv_net", "deep_conv_net"};


int file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

double meta_double(const char *path, const char *key, double fallback)
{
    char v[64], err[MODEL_ERR_SIZE];
    if (model_read_metadata(path, key, v, sizeof v, err) != 0 || !v[0])
        return fallback;
    char *end;
    double x = strtod(v, &end);
    return *end ? fallback : x;
}

/* Chapter 04's model of one kind in DIR/04_cnn: the plain run or the --full
 * one, whichever records the higher test accuracy (as 04_cnn predict chooses). */
static void find_digit_model(Playground *pg, const char *out, NetKind k)
{
    pg->accuracy[k] = -1;
    for (int full = 0; full < 2; full++) {
        char path[OUT_PATH_SIZE], kind[64], err[MODEL_ERR_SIZE];
        out_path(path, out, "04_cnn/%s%s.safetensors", net_tag[k], full ? "_full" : "");
        if (!file_exists(path))
            continue;
        if (model_read_metadata(path, "network", kind, sizeof kind, err) != 0)
            die("%s", err);
        if (strcmp(kind, net_tag[k]) != 0)
            die("%s: network '%s', expected %s", path, kind, net_tag[k]);
        double acc = meta_double(path, "test_accuracy", 0);
        if (acc > pg->accuracy[k]) {
            pg->accuracy[k] = acc;
            snprintf(pg->path[k], OUT_PATH_SIZE, "%s", path);
            pg->have[k] = 1;
        }
    }
}

/* Chapter 05's character LSTM in DIR/05_rnn: char_lm or char_lm_full, the
 * lower validation loss. Its shape and vocabulary come from the metadata. */
static void find_lm(Playground *pg, const char *out)
{
    pg->lm_val_loss = INFINITY;
    for (int full = 0; full < 2; full++) {
        char path[OUT_PATH_SIZE];
        out_path(path, out, "05_rnn/char_lm%s.safetensors", full ? "_full" : "");
        if (!file_exists(path))
            continue;
        double loss = meta_double(path, "val_loss", 1e9);
        if (loss < pg->lm_val_loss) {
            pg->lm_val_loss = loss;
            snprintf(pg->lm_path, OUT_PATH_SIZE, "%s", path);
            pg->have_lm = 1;
        }
    }
    if (!pg->have_lm)
        return;
    RnnlmShape s;
    rnnlm_read_shape(pg->lm_path, &s, &pg->vocab);  /* generation: one stream, one step at a time */
    pg->lm_shape = s;
}

void playground_find_models(Playground *pg, const char *out)
{
    find_digit_model(pg, out, NET_SIMPLE);
    find_digit_model(pg, out, NET_DEEP);
    find_lm(pg, out);
    seq2seq_models_find(pg, out);
    gan_models_find(pg, out);
}

void playground_init_untrained(Playground *pg, int nslots, const char *vocab, int H)
{
    char err[CORPUS_ERR_SIZE];
    pg->have[NET_SIMPLE] = 1;
    if (char_vocab_from_string(vocab, "vocabulary", &pg->vocab, err) != 0)
        die("%s", err);
    pg->have_lm = 1;
    pg->lm_val_loss = 0;
    pg->lm_shape = (RnnlmShape){CELL_LSTM, pg->vocab.size, H, H, 1, 0, 1, 1};
    /* an addition model as 05_rnn addition's peeky one, a dates model with
     * attention, both small; the characters their data can have */
    const char *chars[2] = {"0123456789+ _", " ,-./0123456789_abcdefghijklmnopqrstuvwyADFJMNOSTW"};
    const Seq2seqKind kinds[2] = {PEEKY_SEQ2SEQ, ATTENTION_SEQ2SEQ};
    const int Tx[2] = {ADDITION_QW, DATE_QW}, Ty[2] = {ADDITION_AW, DATE_AW};
    for (int k = 0; k < 2; k++) {
        pg->have_s2s[k] = 1;
        char_table_init(&pg->s2s_table[k], chars[k]);
        pg->s2s_reverse[k] = 1;
        pg->s2s_shape[k] = (Seq2seqShape){kinds[k], pg->s2s_table[k].size, 4, H, 1, Tx[k], Ty[k]};
    }
    pg->have_gan[0] = 1;        /* cgan: a conditional MLP GAN */
    gan_init(&pg->gans[0].gan, GAN_MLP, 10, 1, 28, 28, 1, 0);
    pg->gans[0].epochs = 0;
    playground_load(pg, nslots);
}

/* Every slot gets its own nets; the file is read once, then copied (a net
 * without a file keeps its random start: playground_init_untrained). */
void playground_load(Playground *pg, int nslots)
{
    char err[MODEL_ERR_SIZE];
    pthread_mutex_init(&pg->lock, NULL);
    pthread_cond_init(&pg->freed, NULL);
    pg->nslots = nslots;
    for (int i = 0; i < nslots; i++) {
        Slot *s = &pg->slots[i];
        Rng rng;
        rng_seed(&rng, 0);
        if (pg->have[NET_SIMPLE]) {
            simple_conv_net_init(&s->simple, 1, 28, 28, 30, 5, 100, 10, 1, (WeightInit){INIT_HE, 0}, &rng);
            if (i == 0 && pg->path[NET_SIMPLE][0] && model_load(pg->path[NET_SIMPLE], &s->simple.params, err) != 0)
                die("%s", err);
            if (i > 0)
                memcpy(s->simple.params.values, pg->slots[0].simple.params.values,
                       s->simple.params.size * sizeof(real));
        }
        if (pg->have[NET_DEEP]) {
            deep_conv_net_init(&s->deep, 1, 28, 28, 10, 1, &rng);
            if (i == 0 && pg->path[NET_DEEP][0] && model_load(pg->path[NET_DEEP], &s->deep.params, err) != 0)
                die("%s", err);
            if (i > 0)
                memcpy(s->deep.params.values, pg->slots[0].deep.params.values, s->deep.params.size * sizeof(real));
        }
        if (pg->have_lm) {
            rnnlm_init(&s->lm, &pg->lm_shape, 0);
            if (i == 0 && pg->lm_path[0] && model_load(pg->lm_path, &s->lm.ps, err) != 0)
                die("%s", err);
            if (i > 0)
                memcpy(s->lm.ps.values, pg->slots[0].lm.ps.values, s->lm.ps.size * sizeof(real));
            s->lm_work = xmalloc((size_t)pg->lm_shape.V * sizeof(real));
        }
        seq2seq_models_load(pg, i);
    }
    gan_models_load(pg);
}

void playground_free(Playground *pg)
{
    for (int i = 0; i < pg->nslots; i++) {
        Slot *s = &pg->slots[i];
        if (pg->have[NET_SIMPLE])
            simple_conv_net_free(&s->simple);
        if (pg->have[NET_DEEP])
            deep_conv_net_free(&s->deep);
        if (pg->have_lm) {
            rnnlm_free(&s->lm);
            free(s->lm_work);
        }
        seq2seq_models_free(pg, i);
    }
    gan_models_free(pg);
    if (pg->have_lm)
        char_vocab_free(&pg->vocab);
    pthread_mutex_destroy(&pg->lock);
    pthread_cond_destroy(&pg->freed);
}

Slot *slot_take(Playground *pg)
{
    pthread_mutex_lock(&pg->lock);
    for (;;) {
        for (int i = 0; i < pg->nslots; i++)
            if (!pg->slots[i].busy) {
                pg->slots[i].busy = 1;
                pthread_mutex_unlock(&pg->lock);
                return &pg->slots[i];
            }
        pthread_cond_wait(&pg->freed, &pg->lock);
    }
}

void slot_give_back(Playground *pg, Slot *s)
{
    pthread_mutex_lock(&pg->lock);
    s->busy = 0;
    pthread_cond_signal(&pg->freed);
    pthread_mutex_unlock(&pg->lock);
}

int quote_len(const char *s, int max)
{
    int n = 0;
    while (s[n] && n < max)
        n++;
    while (n > 0 && s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)    /* s[n] continues a character */
        n--;
    return n;
}

uint64_t next_seed(Playground *pg, uint64_t *counter)
{
    pthread_mutex_lock(&pg->lock);
    uint64_t seed = pg->seed + (*counter)++;
    pthread_mutex_unlock(&pg->lock);
    return seed;
}

/* ---- answers ---------------------------------------------------------------------------- */

void answer_error(Answer *a, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    a->status = status;
    a->body.len = 0;
    buf_add(&a->body, "{\"error\": ", 10);
    buf_json_string(&a->body, msg);
    buf_add(&a->body, "}\n", 2);
}

/* GET /api/models */
void api_models(const Playground *pg, Answer *a)
{
    Buf *b = &a->body;
    buf_printf(b, "{\"digit\": [");
    int first = 1;
    for (int k = 0; k < 2; k++) {
        if (!pg->have[k])
            continue;
        buf_printf(b, "%s{\"name\": \"%s\", \"file\": ", first ? "" : ", ", net_title[k]);
        buf_json_string(b, pg->path[k]);
        buf_printf(b, ", \"test_accuracy\": %.4f}", pg->accuracy[k]);
        first = 0;
    }
    buf_printf(b, "], \"text\": ");
    if (pg->have_lm) {
        char *chars = char_vocab_to_string(&pg->vocab);
        buf_printf(b, "{\"name\": \"char %s, %d x %d\", \"file\": ", cell_name(pg->lm_shape.cell),
                   pg->lm_shape.layers, pg->lm_shape.H);
        buf_json_string(b, pg->lm_path);
        buf_printf(b, ", \"val_loss\": %.4f, \"vocabulary\": ", pg->lm_val_loss);
        buf_json_string(b, chars);
        buf_printf(b, ", \"max_prompt\": %d, \"max_length\": %d, \"max_temperature\": %g}", MAX_PROMPT,
                   MAX_LENGTH, MAX_TEMPERATURE);
        free(chars);
    } else {
        buf_printf(b, "null");
    }
    buf_printf(b, ", \"seq2seq\": ");
    seq2seq_models_json(pg, b);
    buf_printf(b, ", \"gan\": ");
    gan_models_json(pg, b);
    buf_printf(b, "}\n");
    a->status = 200;
}

/* A whole JSON body: valid UTF-8, an object; then its members one by one.
 * Returns 0, or -1 with the answer set to a 400. */
int body_begin(Json *j, char *body, size_t len, Answer *a)
{
    *j = (Json){body, len, 0, ""};
    if (len == 0) {
        answer_error(a, 400, "empty body: expected a JSON object");
        return -1;
    }
    if (!json_valid_utf8((const unsigned char *)body, len)) {
        answer_error(a, 400, "the body is not valid UTF-8");
        return -1;
    }
    if (json_expect(j, '{') != 0) {
        answer_error(a, 400, "malformed JSON: %s", j->error);
        return -1;
    }
    return 0;
}

int body_end(Json *j, Answer *a)
{
    json_skip_space(j);
    if (j->pos != j->len) {
        json_fail(j, "unexpected text after the object");
        answer_error(a, 400, "malformed JSON: %s", j->error);
        return -1;
    }
    return 0;
}

/* [numbers] into out (at most max), their count in *n. */
int json_number_array(Json *j, double *out, int max, int *n, const char *name, Answer *a)
{
    *n = 0;
    if (json_expect(j, '[') != 0)
        goto bad;
    if (json_peek(j) == ']') {
        j->pos++;
        return 0;
    }
    for (;;) {
        if (*n == max) {
            answer_error(a, 400, "%s: more than %d values", name, max);
            return -1;
        }
        if (json_number(j, &out[*n]) != 0)
            goto bad;
        (*n)++;
        int c = json_peek(j);
        if (c == ']') {
            j->pos++;
            return 0;
        }
        if (c != ',') {
            json_fail(j, "expected ',' or ']'");
            goto bad;
        }
        j->pos++;
    }
bad:
    answer_error(a, 400, "malformed JSON: %s", j->error);
    return -1;
}

int field_index(const char *key, const char *const *names, int n, unsigned *seen, const char *expected, Answer *a)
{
    int k = 0;
    while (k < n && strcmp(key, names[k]) != 0)
        k++;
    if (k == n) {
        answer_error(a, 400, "unknown field \"%.*s\" (expected %s)", quote_len(key, 40), key, expected);
        return -1;
    }
    if (*seen >> k & 1) {
        answer_error(a, 400, "\"%s\" given twice", names[k]);
        return -1;
    }
    *seen |= 1u << k;
    return k;
}

/* A member's name and its colon; *key points into the body. 1 if a member
 * follows, 0 at the closing '}', -1 on an error (answered). */
int next_key(Json *j, char **key, int first, Answer *a)
{
    if (first) {
        if (json_peek(j) == '}') {
            j->pos++;
            return 0;
        }
    } else {
        int more = json_next_member(j);
        if (more <= 0) {
            if (more < 0)
                answer_error(a, 400, "malformed JSON: %s", j->error);
            return more;
        }
    }
    if (json_string(j, key) != 0 || json_expect(j, ':') != 0) {
        answer_error(a, 400, "malformed JSON: %s", j->error);
        return -1;
    }
    return 1;
}

static void add_probs(Buf *b, const char *name, const real *scores)
{
    real p[10];
    softmax(p, scores, 1, 10);
    buf_printf(b, "{\"name\": \"%s\", \"digit\": %d, \"probs\": [", name, argmax(p, 10));
    for (int c = 0; c < 10; c++)
        buf_printf(b, "%s%.4f", c ? ", " : "", (double)p[c]);
    buf_printf(b, "]}");
}

/* POST /api/digit: {"width": W, "height": H, "pixels": [W*H grey levels 0-255]}, a
 * drawing prepared as 04_cnn predict prepares a PNG (digit.h); or {"image": [784
 * values 0-1]}, an image already in MNIST's form, given to the nets as it is. */
void api_digit(Playground *pg, char *body, size_t len, Answer *a)
{
    double t0 = now_seconds();
    if (!pg->have[NET_SIMPLE] && !pg->have[NET_DEEP]) {
        answer_error(a, 404, "no digit model: train one with make chapter 4 ARGS=simple");
        return;
    }
    Json j;
    if (body_begin(&j, body, len, a) != 0)
        return;
    uint64_t width = 0, height = 0;
    int have_w = 0, have_h = 0, npix = -1, nimage = -1;
    double *pixels = NULL, *image = NULL;
    char *key;
    for (int first = 1;; first = 0) {
        int more = next_key(&j, &key, first, a);
        if (more < 0)
            goto done;
        if (more == 0)
            break;
        if (strcmp(key, "width") == 0 || strcmp(key, "height") == 0) {
            int w = key[0] == 'w';
            if ((w ? have_w : have_h)) {
                answer_error(a, 400, "\"%s\" given twice", key);
                goto done;
            }
            uint64_t v;
            if (json_uint(&j, &v) != 0) {
                answer_error(a, 400, "%s: %s", w ? "width" : "height", j.error);
                goto done;
            }
            if (v < 1 || v > MAX_SIDE) {
                answer_error(a, 400, "%s %llu is out of range (1 to %d)", w ? "width" : "height",
                             (unsigned long long)v, MAX_SIDE);
                goto done;
            }
            *(w ? &width : &height) = v;
            *(w ? &have_w : &have_h) = 1;
        } else if (strcmp(key, "pixels") == 0) {
            if (pixels) {
                answer_error(a, 400, "\"pixels\" given twice");
                goto done;
            }
            pixels = xmalloc((size_t)MAX_SIDE * MAX_SIDE * sizeof(double));
            if (json_number_array(&j, pixels, MAX_SIDE * MAX_SIDE, &npix, "pixels", a) != 0)
                goto done;
        } else if (strcmp(key, "image") == 0) {
            if (image) {
                answer_error(a, 400, "\"image\" given twice");
                goto done;
            }
            image = xmalloc(784 * sizeof(double));
            if (json_number_array(&j, image, 784, &nimage, "image", a) != 0)
                goto done;
        } else {
            answer_error(a, 400, "unknown field \"%.*s\" (expected width, height and pixels, or image)",
                         quote_len(key, 40), key);
            goto done;
        }
    }
    if (body_end(&j, a) != 0)
        goto done;

    real x[784];
    if (image && (pixels || have_w || have_h)) {
        answer_error(a, 400, "give either image or width, height and pixels, not both");
        goto done;
    }
    if (image) {
        if (nimage != 784) {
            answer_error(a, 400, "image has %d values, expected 784 (28 x 28)", nimage);
            goto done;
        }
        for (int i = 0; i < 784; i++) {
            if (!(image[i] >= 0 && image[i] <= 1)) {
                answer_error(a, 400, "image[%d] = %g is out of range (0 to 1)", i, image[i]);
                goto done;
            }
            x[i] = (real)image[i];
        }
    } else {
        if (!pixels || !have_w || !have_h) {
            answer_error(a, 400, "expected width, height and pixels (or image)");
            goto done;
        }
        if ((uint64_t)npix != width * height) {
            answer_error(a, 400, "pixels has %d values, expected width x height = %llu", npix,
                         (unsigned long long)(width * height));
            goto done;
        }
        Image grey = image_new((int)width, (int)height, 1);
        for (int i = 0; i < npix; i++) {
            if (!(pixels[i] >= 0 && pixels[i] <= 255)) {
                image_free(&grey);
                answer_error(a, 400, "pixels[%d] = %g is out of range (0 to 255)", i, pixels[i]);
                goto done;
            }
            grey.pixels[i] = (uint8_t)lround(pixels[i]);
        }
        char err[IMAGE_ERR_SIZE];
        int rc = digit_prepare(&grey, x, err);
        image_free(&grey);
        if (rc != 0) {
            answer_error(a, 422, "%s", err);
            goto done;
        }
    }

    Buf *b = &a->body;
    buf_printf(b, "{\"image\": [");
    for (int i = 0; i < 784; i++)
        buf_printf(b, "%s%.3g", i ? "," : "", (double)x[i]);
    buf_printf(b, "], \"models\": [");
    Slot *s = slot_take(pg);
    if (pg->have[NET_SIMPLE])
        add_probs(b, net_title[NET_SIMPLE], simple_conv_net_predict(&s->simple, x, 1));
    if (pg->have[NET_DEEP]) {
        buf_printf(b, "%s", pg->have[NET_SIMPLE] ? ", " : "");
        add_probs(b, net_title[NET_DEEP], deep_conv_net_predict(&s->deep, x, 1, 0));
    }
    slot_give_back(pg, s);
    buf_printf(b, "], \"server_ms\": %.3f}\n", 1000 * (now_seconds() - t0));
    a->status = 200;
done:
    free(pixels);
    free(image);
}

/* POST /api/text: {"prompt": "ROMEO:", "temperature": 0.8, "length": 300,
 * "top_k": 0, "seed": 1}, all optional. The prompt is fed to the LSTM one
 * character at a time, then length characters are drawn and fed back, as
 * 05_rnn generate does. */
void api_text(Playground *pg, char *body, size_t len, Answer *a)
{
    double t0 = now_seconds();
    if (!pg->have_lm) {
        answer_error(a, 404, "no text model: train one with make chapter 5 ARGS=lm");
        return;
    }
    Json j;
    if (body_begin(&j, body, len, a) != 0)
        return;
    char *prompt = NULL, *key;
    double temperature = 0.8;
    uint64_t length = 300, top_k = 0, seed = 0;
    int have_seed = 0;
    unsigned seen = 0;
    static const char *const names[] = {"prompt", "temperature", "length", "top_k", "seed"};
    for (int first = 1;; first = 0) {
        int more = next_key(&j, &key, first, a);
        if (more < 0)
            return;
        if (more == 0)
            break;
        int k = field_index(key, names, 5, &seen, "prompt, temperature, length, top_k, seed", a);
        if (k < 0)
            return;
        int rc = k == 0 ? json_string(&j, &prompt)
               : k == 1 ? json_number(&j, &temperature)
               : json_uint(&j, k == 2 ? &length : k == 3 ? &top_k : &seed);
        if (rc != 0) {
            answer_error(a, 400, "%s: %s", names[k], j.error);
            return;
        }
        have_seed |= k == 4;
    }
    if (body_end(&j, a) != 0)
        return;
    if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
        answer_error(a, 400, "temperature %g is out of range (0 to %g)", temperature, MAX_TEMPERATURE);
        return;
    }
    if (length < 1 || length > MAX_LENGTH) {
        answer_error(a, 400, "length %llu is out of range (1 to %d)", (unsigned long long)length, MAX_LENGTH);
        return;
    }
    if (top_k > (uint64_t)pg->vocab.size) {
        answer_error(a, 400, "top_k %llu is out of range (0 for all, up to %d)", (unsigned long long)top_k,
                     pg->vocab.size);
        return;
    }
    int ids[MAX_PROMPT], n = 0;
    if (prompt && prompt[0]) {
        char err[CORPUS_ERR_SIZE];
        n = char_vocab_encode(&pg->vocab, prompt, ids, MAX_PROMPT, "prompt", err);
        if (n < 0) {
            answer_error(a, 400, "%s", err);
            return;
        }
    } else {
        int nl = char_vocab_id(&pg->vocab, '\n');     /* 05_rnn's default prompt */
        ids[n++] = nl >= 0 ? nl : 0;
    }
    if (!have_seed)
        seed = next_seed(pg, &pg->text_count);
    Buf text = {0};
    Rng rng;
    rng_seed(&rng, seed);
    Slot *s = slot_take(pg);
    Rnnlm *m = &s->lm;
    rnnlm_reset_state(m);
    int next = 0;
    for (int i = 0; i < n + (int)length; i++) {
        m->ids[0] = i < n ? ids[i] : next;
        m->ts[0] = 0;
        if (i >= n)
            buf_add(&text, pg->vocab.chars[next], strlen(pg->vocab.chars[next]));
        rnnlm_forward(m, 1, 1, 0);
        next = sample_scores(rnnlm_last_scores(m, 1), pg->vocab.size, temperature, (int)top_k, &rng, s->lm_work);
    }
    slot_give_back(pg, s);
    Buf *b = &a->body;
    buf_printf(b, "{\"prompt\": ");
    buf_json_string(b, prompt ? prompt : "");
    buf_printf(b, ", \"text\": ");
    buf_json_string(b, text.s ? text.s : "");
    buf_printf(b, ", \"seed\": %llu, \"temperature\": %g, \"length\": %llu, \"server_ms\": %.3f}\n",
               (unsigned long long)seed, temperature, (unsigned long long)length, 1000 * (now_seconds() - t0));
    free(text.s);
    a->status = 200;
}

