/* rnnlm.c - character language models (see rnnlm.h). */
#include "rnnlm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embedding.h"
#include "model.h"
#include "time_layers.h"
#include "util.h"

const char *cell_name(CellKind c)
{
    return c == CELL_RNN ? "RNN" : c == CELL_LSTM ? "LSTM" : "GRU";
}

const char *cell_tag(CellKind c)
{
    return c == CELL_RNN ? "rnn" : c == CELL_LSTM ? "lstm" : "gru";
}

int cell_parse(const char *name, CellKind *c)
{
    for (int k = CELL_RNN; k <= CELL_GRU; k++)
        if (strcmp(name, cell_tag((CellKind)k)) == 0 || strcmp(name, cell_name((CellKind)k)) == 0) {
            *c = (CellKind)k;
            return 0;
        }
    return -1;
}

/* Columns of Wx: H for the RNN, 3H for the GRU (z, r, h~), 4H for the LSTM (f, g, i, o). */
static int gate_width(CellKind c, int H)
{
    return c == CELL_RNN ? H : c == CELL_LSTM ? 4 * H : 3 * H;
}

/* Wh's columns: the GRU's Wh holds z and r only; its h~ part is Whh. */
static int recurrent_width(CellKind c, int H)
{
    return c == CELL_GRU ? 2 * H : gate_width(c, H);
}

size_t rnnlm_param_count(const RnnlmShape *s)
{
    size_t n = (size_t)s->V * s->D + (size_t)s->H * s->V + s->V;
    for (int l = 0; l < s->layers; l++) {
        int in = l == 0 ? s->D : s->H, G = gate_width(s->cell, s->H);
        n += (size_t)in * G + (size_t)s->H * recurrent_width(s->cell, s->H) + G;
        if (s->cell == CELL_GRU)
            n += (size_t)s->H * s->H;
    }
    return n;
}

void rnnlm_init(Rnnlm *m, const RnnlmShape *s, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    if (s->layers < 1 || s->layers > RNNLM_MAX_LAYERS)
        die("a language model has 1 to %d layers, not %d", RNNLM_MAX_LAYERS, s->layers);
    m->s = *s;
    const int V = s->V, D = s->D, H = s->H, G = gate_width(s->cell, H), R = recurrent_width(s->cell, H);
    ParamSet *ps = &m->ps;
    params_init(ps);
    int iE = params_add(ps, "E", 2, (int[]){V, D}, 1);
    int iWx[RNNLM_MAX_LAYERS], iWh[RNNLM_MAX_LAYERS], iWhh[RNNLM_MAX_LAYERS], ib[RNNLM_MAX_LAYERS];
    for (int l = 0; l < s->layers; l++) {
        char name[PARAM_NAME_MAX];
        int in = l == 0 ? D : H;
        snprintf(name, sizeof name, "Wx%d", l + 1);
        iWx[l] = params_add(ps, name, 2, (int[]){in, G}, 1);
        snprintf(name, sizeof name, "Wh%d", l + 1);
        iWh[l] = params_add(ps, name, 2, (int[]){H, R}, 1);
        if (s->cell == CELL_GRU) {
            snprintf(name, sizeof name, "Whh%d", l + 1);
            iWhh[l] = params_add(ps, name, 2, (int[]){H, H}, 1);
        }
        snprintf(name, sizeof name, "b%d", l + 1);
        ib[l] = params_add(ps, name, 1, (int[]){G}, 0);
    }
    int iW = params_add(ps, "W", 2, (int[]){H, V}, 1);
    int ibo = params_add(ps, "bo", 1, (int[]){V}, 0);
    params_alloc(ps);

    Rng rng;
    rng_seed(&rng, seed);
    m->E = params_value(ps, iE), m->dE = params_grad(ps, iE);
    rng_fill_normal(&rng, m->E, (size_t)V * D, 0.01 * sqrt(100.0 / D));  /* the book: randn / 100, scaled to D */
    for (int l = 0; l < s->layers; l++) {
        int in = l == 0 ? D : H;
        m->Wx[l] = params_value(ps, iWx[l]), m->dWx[l] = params_grad(ps, iWx[l]);
        m->Wh[l] = params_value(ps, iWh[l]), m->dWh[l] = params_grad(ps, iWh[l]);
        m->b[l] = params_value(ps, ib[l]), m->db[l] = params_grad(ps, ib[l]);
        rng_fill_normal(&rng, m->Wx[l], (size_t)in * G, 1 / sqrt(in));
        rng_fill_normal(&rng, m->Wh[l], (size_t)H * R, 1 / sqrt(H));
        if (s->cell == CELL_GRU) {
            m->Whh[l] = params_value(ps, iWhh[l]), m->dWhh[l] = params_grad(ps, iWhh[l]);
            rng_fill_normal(&rng, m->Whh[l], (size_t)H * H, 1 / sqrt(H));
        }
        if (s->cell == CELL_LSTM)       /* forget gate open at first: remember by default */
            for (int j = 0; j < H; j++)
                m->b[l][j] = 1;
        if (s->cell == CELL_LSTM)
            time_lstm_init(&m->lstm[l], in, H, s->N, s->T, 1);
        else if (s->cell == CELL_GRU)
            time_gru_init(&m->gru[l], in, H, s->N, s->T, 1);
        else
            time_rnn_init(&m->rnn[l], in, H, s->N, s->T, 1);
    }
    m->W = params_value(ps, iW), m->dW = params_grad(ps, iW);
    m->bo = params_value(ps, ibo), m->dbo = params_grad(ps, ibo);
    rng_fill_normal(&rng, m->W, (size_t)H * V, 1 / sqrt(H));

    size_t NT = (size_t)s->N * s->T;
    m->xs = xcalloc(NT * D, sizeof(real));
    m->mask_x = xcalloc(NT * D, sizeof(real));
    for (int l = 0; l < s->layers; l++) {
        m->hs[l] = xcalloc(NT * H, sizeof(real));
        m->mask_h[l] = xcalloc(NT * H, sizeof(real));
    }
    m->dh = xcalloc(NT * (D > H ? D : H), sizeof(real));     /* a layer's input is D or H wide */
    m->dx = xcalloc(NT * (D > H ? D : H), sizeof(real));
    m->scores = xcalloc(NT * V, sizeof(real));
    m->ys = xcalloc(NT * V, sizeof(real));
    m->dscores = xcalloc(NT * V, sizeof(real));
    m->ids = xcalloc(NT, sizeof(int));
    m->ts = xcalloc(NT, sizeof(int));
    rng_seed(&m->rng, seed + 1);
}

void rnnlm_free(Rnnlm *m)
{
    for (int l = 0; l < m->s.layers; l++) {
        if (m->s.cell == CELL_LSTM)
            time_lstm_free(&m->lstm[l]);
        else if (m->s.cell == CELL_GRU)
            time_gru_free(&m->gru[l]);
        else
            time_rnn_free(&m->rnn[l]);
        free(m->hs[l]);
        free(m->mask_h[l]);
    }
    free(m->xs), free(m->mask_x), free(m->dx), free(m->dh);
    free(m->scores), free(m->ys), free(m->dscores), free(m->ids), free(m->ts);
    params_free(&m->ps);
}

void rnnlm_reset_state(Rnnlm *m)
{
    for (int l = 0; l < m->s.layers; l++) {
        if (m->s.cell == CELL_LSTM)
            time_lstm_reset_state(&m->lstm[l]);
        else if (m->s.cell == CELL_GRU)
            time_gru_reset_state(&m->gru[l]);
        else
            time_rnn_reset_state(&m->rnn[l]);
    }
}

size_t rnnlm_state_size(const Rnnlm *m)
{
    return (size_t)m->s.layers * (m->s.cell == CELL_LSTM ? 2 : 1) * m->s.N * m->s.H;
}

/* Layer by layer: h (N x H), then c for an LSTM; rows no batch has reached yet are 0. */
void rnnlm_get_state(const Rnnlm *m, real *out)
{
    const size_t NH = (size_t)m->s.N * m->s.H;
    memset(out, 0, rnnlm_state_size(m) * sizeof(real));
    for (int l = 0; l < m->s.layers; l++) {
        if (m->s.cell == CELL_LSTM) {
            const TimeLSTM *x = &m->lstm[l];
            memcpy(out, x->h, (size_t)x->state_rows * m->s.H * sizeof(real));
            memcpy(out + NH, x->c, (size_t)x->state_rows * m->s.H * sizeof(real));
            out += 2 * NH;
        } else {
            const real *h = m->s.cell == CELL_GRU ? m->gru[l].h : m->rnn[l].h;
            int rows = m->s.cell == CELL_GRU ? m->gru[l].state_rows : m->rnn[l].state_rows;
            memcpy(out, h, (size_t)rows * m->s.H * sizeof(real));
            out += NH;
        }
    }
}

void rnnlm_set_state(Rnnlm *m, const real *in)
{
    const size_t NH = (size_t)m->s.N * m->s.H;
    for (int l = 0; l < m->s.layers; l++) {
        if (m->s.cell == CELL_LSTM) {
            time_lstm_set_state(&m->lstm[l], in, in + NH, m->s.N);
            in += 2 * NH;
        } else {
            if (m->s.cell == CELL_GRU)
                time_gru_set_state(&m->gru[l], in, m->s.N);
            else
                time_rnn_set_state(&m->rnn[l], in, m->s.N);
            in += NH;
        }
    }
}

static void cell_forward(Rnnlm *m, int l, real *hs, const real *xs, int n, int t)
{
    if (m->s.cell == CELL_LSTM)
        time_lstm_forward(&m->lstm[l], hs, xs, m->Wx[l], m->Wh[l], m->b[l], n, t);
    else if (m->s.cell == CELL_GRU)
        time_gru_forward(&m->gru[l], hs, xs, m->Wx[l], m->Wh[l], m->Whh[l], m->b[l], n, t);
    else
        time_rnn_forward(&m->rnn[l], hs, xs, m->Wx[l], m->Wh[l], m->b[l], n, t);
}

static void cell_backward(Rnnlm *m, int l, real *dxs, const real *dhs, const real *xs, int n, int t)
{
    if (m->s.cell == CELL_LSTM)
        time_lstm_backward(&m->lstm[l], dxs, m->dWx[l], m->dWh[l], m->db[l], dhs, xs, m->Wx[l], m->Wh[l], n, t);
    else if (m->s.cell == CELL_GRU)
        time_gru_backward(&m->gru[l], dxs, m->dWx[l], m->dWh[l], m->dWhh[l], m->db[l], dhs, xs, m->Wx[l],
                          m->Wh[l], m->Whh[l], n, t);
    else
        time_rnn_backward(&m->rnn[l], dxs, m->dWx[l], m->dWh[l], m->db[l], dhs, xs, m->Wx[l], m->Wh[l], n, t);
}

real rnnlm_forward(Rnnlm *m, int n, int t, int train)
{
    const int V = m->s.V, D = m->s.D, H = m->s.H, L = m->s.layers;
    const size_t NT = (size_t)n * t;
    const int drop = train && m->s.dropout > 0;
    time_embedding_forward(m->xs, m->ids, m->E, n, t, V, D);
    if (drop) {
        time_dropout_mask(m->mask_x, NT * D, m->s.dropout, &m->rng);
        time_dropout_forward(m->xs, m->xs, m->mask_x, NT * D, 1);
    }
    const real *in = m->xs;
    for (int l = 0; l < L; l++) {
        cell_forward(m, l, m->hs[l], in, n, t);
        if (drop) {
            time_dropout_mask(m->mask_h[l], NT * H, m->s.dropout, &m->rng);
            time_dropout_forward(m->hs[l], m->hs[l], m->mask_h[l], NT * H, 1);
        }
        in = m->hs[l];
    }
    time_affine_forward(m->scores, in, m->W, m->bo, n, t, H, V);
    return time_softmax_with_loss_forward(m->ys, m->scores, m->ts, n, t, V);
}

void rnnlm_backward(Rnnlm *m, int n, int t)
{
    const int V = m->s.V, D = m->s.D, H = m->s.H, L = m->s.layers;
    const size_t NT = (size_t)n * t;
    const int drop = m->s.dropout > 0;
    params_zero_grads(&m->ps);
    time_softmax_with_loss_backward(m->dscores, m->ys, m->ts, n, t, V);
    /* dh: dL/d(output of layer l), then dL/d(its input), layer by layer down */
    time_affine_backward(m->dh, m->dW, m->dbo, m->dscores, m->hs[L - 1], m->W, n, t, H, V);
    for (int l = L - 1; l >= 0; l--) {
        if (drop)
            time_dropout_backward(m->dh, m->dh, m->mask_h[l], NT * H);
        const real *in = l == 0 ? m->xs : m->hs[l - 1];
        /* the cell reads dh whole before writing its input's gradient: use dx as the bridge */
        cell_backward(m, l, m->dx, m->dh, in, n, t);
        memcpy(m->dh, m->dx, NT * (l == 0 ? D : H) * sizeof(real));
    }
    if (drop)
        time_dropout_backward(m->dh, m->dh, m->mask_x, NT * D);
    time_embedding_backward(m->dE, m->dh, m->ids, n, t, V, D);
}

const real *rnnlm_last_scores(const Rnnlm *m, int t)
{
    return m->scores + (size_t)(t - 1) * m->s.V;
}

void rnnlm_summary(Summary *sum, const RnnlmShape *s)
{
    char title[64], name[48];
    snprintf(title, sizeof title, "%s language model (per step of T = %d)", s->layers > 1 && s->cell == CELL_LSTM
             && s->dropout > 0 ? "BetterRnnlm" : "Rnnlm", s->T);
    summary_start(sum, title, 1, 0, 0);
    summary_add(sum, "TimeEmbedding", s->D, 0, 0, (size_t)s->V * s->D, 0);
    if (s->dropout > 0)
        summary_elementwise(sum, "TimeDropout", s->D, 0, 0);
    for (int l = 0; l < s->layers; l++) {
        int in = l == 0 ? s->D : s->H, G = gate_width(s->cell, s->H), R = recurrent_width(s->cell, s->H);
        size_t p = (size_t)in * G + (size_t)s->H * R + G + (s->cell == CELL_GRU ? (size_t)s->H * s->H : 0);
        /* two multiply-adds per weight, then the gates' elementwise work, roughly 3 per gate output */
        double flops = 2.0 * (p - G) + 3.0 * G;
        snprintf(name, sizeof name, "Time%s %d", cell_name(s->cell), l + 1);
        summary_add(sum, name, s->H, 0, 0, p, flops);
        if (s->dropout > 0)
            summary_elementwise(sum, "TimeDropout", s->H, 0, 0);
    }
    snprintf(name, sizeof name, "TimeAffine");
    summary_add(sum, name, s->V, 0, 0, (size_t)s->H * s->V + s->V, 2.0 * s->H * s->V + s->V);
    summary_softmax_with_loss(sum, s->V);
}

void rnnlm_read_shape(const char *path, RnnlmShape *s, CharVocab *vocab)
{
    char value[64], err[MODEL_ERR_SIZE];
    if (model_read_metadata(path, "network", value, sizeof value, err) != 0)
        die("%s", err);
    if (strcmp(value, RNNLM_NETWORK) != 0)
        die("%s: not a language model of chapter 05 (network '%s', expected %s)", path, value, RNNLM_NETWORK);
    memset(s, 0, sizeof *s);
    if (model_read_metadata(path, "cell", value, sizeof value, err) != 0)
        die("%s", err);
    if (cell_parse(value, &s->cell) != 0)
        die("%s: metadata \"cell\" is '%s', not rnn, lstm or gru", path, value);
    s->layers = model_read_int(path, "layers", 1, RNNLM_MAX_LAYERS);
    s->D = model_read_int(path, "embed", 1, 65536);
    s->H = model_read_int(path, "hidden", 1, 65536);
    /* the vocabulary can be long (any Unicode text): read it at its full size */
    size_t cap = (size_t)1 << 22;
    char *text = xmalloc(cap);
    if (model_read_metadata(path, "vocab", text, cap, err) != 0)
        die("%s", err);
    if (!text[0])
        die("%s: no vocabulary in the metadata", path);
    if (char_vocab_from_string(text, path, vocab, err) != 0)
        die("%s", err);
    free(text);
    s->V = vocab->size;
    s->N = s->T = 1;
}
