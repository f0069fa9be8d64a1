/* seq2seq.c - Encoder, Decoder, Seq2seq, and generation (see seq2seq.h). */
#include "seq2seq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attention_seq2seq.h"
#include "layers.h"
#include "matmul.h"
#include "peeky_seq2seq.h"
#include "sampling.h"
#include "threads.h"
#include "time_layers.h"
#include "util.h"

const char *seq2seq_kind_name(Seq2seqKind k)
{
    return k == SEQ2SEQ ? "seq2seq" : k == PEEKY_SEQ2SEQ ? "peeky" : "attention";
}

int seq2seq_kind_parse(const char *name, Seq2seqKind *k)
{
    for (int i = SEQ2SEQ; i <= ATTENTION_SEQ2SEQ; i++)
        if (strcmp(name, seq2seq_kind_name((Seq2seqKind)i)) == 0) {
            *k = (Seq2seqKind)i;
            return 0;
        }
    return -1;
}

/* ---- the Embedding and the LSTM's input, as one table ------------------------------------ */

/* An Embedding feeds each LSTM here, so the input part of step t's gates,
 * x_t Wx + b with x_t = E[id], is row id of table = E Wx + b (V, 4H). With a
 * few dozen characters the table is made once per batch, and every step's
 * input part is a copy of one of its rows rather than a product. Backward, the
 * dA of every step adds into the row of the character read there (dtable),
 * and dE, dWx and db come from dtable: the same sums, grouped by character. */

void input_table_forward(real *table, const real *E, const real *Wx, const real *b, int V, int D, int H)
{
    affine_forward(table, E, Wx, b, V, D, 4 * H);
}

void input_table_lookup(TimeLSTM *l, const int *ids, const real *table, int V, int N, int T)
{
    const size_t G = (size_t)4 * l->H;
    if (N > l->N_max || T > l->T_max)
        die("TimeLSTM: a batch of %d x %d steps, buffers hold %d x %d", N, T, l->N_max, l->T_max);
    for (int k = 0; k < N * T; k++)
        if (ids[k] < 0 || ids[k] >= V)
            die("embedding: id %d at position %d is outside the vocabulary [0, %d)", ids[k], k, V);
#pragma omp parallel for schedule(static) if ((size_t)N * T * G > PARALLEL_ROWS_MIN)
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++) {           /* time-major */
            const real *row = table + (size_t)ids[(size_t)n * T + t] * G;
            memcpy(l->gates + ((size_t)t * N + n) * G, row, G * sizeof(real));
        }
}

void input_table_backward(real *dE, real *dWx, real *db, real *dtable, const TimeLSTM *l, const int *ids,
                          const real *E, const real *Wx, int V, int D, int N, int T)
{
    const int G = 4 * l->H;
    /* Rows of different steps add into the same row of dtable, so the threads
     * take bands of its columns instead, each in the order of n and t. */
#pragma omp parallel if ((size_t)N * T * G > PARALLEL_ROWS_MIN)
    {
        int j0, j1;
        thread_band(G, &j0, &j1);
        for (int v = 0; v < V; v++)
            memset(dtable + (size_t)v * G + j0, 0, (size_t)(j1 - j0) * sizeof(real));
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++) {
                const real *dA = l->das_t + ((size_t)t * N + n) * G;
                real *row = dtable + (size_t)ids[(size_t)n * T + t] * G;
                for (int j = j0; j < j1; j++)
                    row[j] += dA[j];
            }
    }
    affine_backward(NULL, dWx, db, dtable, E, Wx, V, D, G);   /* dWx += E^T dtable, db += its column sums */
    matmul(0, 1, V, D, G, dtable, Wx, 1, dE);                 /* dE += dtable Wx^T */
}

/* ---- Encoder ------------------------------------------------------------------------- */

const real *encoder_forward(Encoder *e, const int *xs, int N, int T)
{
    if (N > e->N_max || T > e->T_max)
        die("Encoder: a batch of %d x %d, buffers hold %d x %d", N, T, e->N_max, e->T_max);
    e->N = N, e->T = T;
    memcpy(e->ids, xs, (size_t)N * T * sizeof(int));
    input_table_forward(e->table, e->E, e->Wx, e->b, e->V, e->D, e->H);    /* TimeEmbedding and x Wx + b */
    input_table_lookup(&e->lstm, xs, e->table, e->V, N, T);
    time_lstm_recurrent_forward(&e->lstm, e->hs, e->Wh, N, T);
    for (int n = 0; n < N; n++)         /* h = hs[:, -1] */
        memcpy(e->h + (size_t)n * e->H, e->hs + ((size_t)n * T + T - 1) * e->H, (size_t)e->H * sizeof(real));
    return e->hs;
}

void encoder_backward(Encoder *e, const real *dh)
{
    const int N = e->N, T = e->T, H = e->H;
    memset(e->dhs, 0, (size_t)N * T * H * sizeof(real));
    for (int n = 0; n < N; n++)         /* only the last state went on to the decoder */
        memcpy(e->dhs + ((size_t)n * T + T - 1) * H, dh + (size_t)n * H, (size_t)H * sizeof(real));
    attention_encoder_backward(e, e->dhs);
}

void attention_encoder_backward(Encoder *e, const real *dhs)
{
    const int N = e->N, T = e->T;
    time_lstm_recurrent_backward(&e->lstm, e->dWh, dhs, e->Wh, N, T);
    input_table_backward(e->dE, e->dWx, e->db, e->dtable, &e->lstm, e->ids, e->E, e->Wx, e->V, e->D, N, T);
}

/* ---- Decoder ----------------------------------------------------------------------------- */

/* The rows of Wx (and dWx) that the embedding multiplies: all of them, or for
 * the peeky decoder the D after h_enc's H (see peeky_seq2seq.c). */
static size_t embedding_rows_at(const Decoder *d)
{
    return d->kind == PEEKY_SEQ2SEQ ? (size_t)d->H * 4 * d->H : 0;
}

void decoder_table(Decoder *d)
{
    input_table_forward(d->table, d->E, d->Wx + embedding_rows_at(d), d->b, d->V, d->D, d->H);
}

void decoder_lstm_forward(Decoder *d, const int *ids, int N, int T)
{
    TimeLSTM *l = &d->lstm;
    input_table_lookup(l, ids, d->table, d->V, N, T);
    if (d->kind == PEEKY_SEQ2SEQ) {         /* + h_enc Wx_h at every step: l->gates is (T, N, 4H) */
        const int G = 4 * d->H;
#pragma omp parallel for schedule(static) if ((size_t)N * T * G > PARALLEL_ROWS_MIN)
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++) {
                real *A = l->gates + ((size_t)t * N + n) * G;
                const real *p = d->gates_h + (size_t)n * G;
                for (int j = 0; j < G; j++)
                    A[j] += p[j];
            }
    }
    time_lstm_recurrent_forward(l, d->hs, d->Wh, N, T);
}

void decoder_lstm_backward(Decoder *d, const real *dhs)
{
    const size_t at = embedding_rows_at(d);
    time_lstm_recurrent_backward(&d->lstm, d->dWh, dhs, d->Wh, d->N, d->T);
    input_table_backward(d->dE, d->dWx + at, d->db, d->dtable, &d->lstm, d->ids, d->E, d->Wx + at, d->V, d->D, d->N,
                         d->T);
}

const real *decoder_forward(Decoder *d, const int *ids, const real *h, int N, int T)
{
    d->N = N, d->T = T;
    memcpy(d->ids, ids, (size_t)N * T * sizeof(int));
    decoder_table(d);
    time_lstm_set_state(&d->lstm, h, NULL, N);      /* the book's set_state(h): c starts at 0 */
    decoder_lstm_forward(d, ids, N, T);
    time_affine_forward(d->scores, d->hs, d->W, d->bo, N, T, d->H, d->V);
    return d->scores;
}

void decoder_backward(Decoder *d, const real *dscores)
{
    const int N = d->N, T = d->T;
    time_affine_backward(d->dhs, d->dW, d->dbo, dscores, d->hs, d->W, N, T, d->H, d->V);
    decoder_lstm_backward(d, d->dhs);
    memcpy(d->dh, d->lstm.dh, (size_t)N * d->H * sizeof(real));
}

/* ---- one generation step ------------------------------------------------------------------- */

void decoder_start(Decoder *d, const Encoder *e, int N)
{
    time_lstm_set_state(&d->lstm, e->h, NULL, N);
    if (d->kind == PEEKY_SEQ2SEQ)
        decoder_peek(d, e->h, N);           /* h_enc, and h_enc Wx_h for every step */
    else
        memcpy(d->h_enc, e->h, (size_t)N * d->H * sizeof(real));
    decoder_table(d);                       /* the weights stay put while it generates */
    d->enc_hs = e->hs;
    d->Tx = e->T;
    d->N = N;
    d->step = 0;
}

/* out (R, a + b) = [A (R, a), B (R, b)] row by row */
static void concat_rows(real *out, const real *A, int a, const real *B, int b, int R)
{
    for (int r = 0; r < R; r++) {
        memcpy(out + (size_t)r * (a + b), A + (size_t)r * a, (size_t)a * sizeof(real));
        memcpy(out + (size_t)r * (a + b) + a, B + (size_t)r * b, (size_t)b * sizeof(real));
    }
}

const real *decoder_step(Decoder *d, const int *ids, int N)
{
    const int H = d->H;
    decoder_lstm_forward(d, ids, N, 1);
    const real *y = d->hs;
    if (d->kind == PEEKY_SEQ2SEQ) {         /* [h_enc, h] */
        concat_rows(d->aff, d->h_enc, H, d->hs, H, N);
        y = d->aff;
    } else if (d->kind == ATTENTION_SEQ2SEQ) {  /* [context, h] */
        real *a = d->step < d->T_max ? d->gen_a + (size_t)d->step * N * d->Tx : d->attn.da;
        attention_forward(d->cs, a, d->enc_hs, d->hs, N, d->Tx, H);
        concat_rows(d->aff, d->cs, H, d->hs, H, N);
        y = d->aff;
    }
    affine_forward(d->scores, y, d->W, d->bo, N, d->out, d->V);
    d->step++;
    return d->scores;
}

/* ---- Seq2seq --------------------------------------------------------------------------------- */

void seq2seq_init(Seq2seq *m, const Seq2seqShape *s, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    if (s->V < 1 || s->D < 1 || s->H < 1 || s->N < 1 || s->Tx < 1 || s->Ty < 1)
        die("Seq2seq: sizes must be positive (V %d, D %d, H %d, N %d, Tx %d, Ty %d)", s->V, s->D, s->H, s->N,
            s->Tx, s->Ty);
    m->s = *s;
    const int V = s->V, D = s->D, H = s->H, G = 4 * H;
    const int in = s->kind == PEEKY_SEQ2SEQ ? H + D : D, out = s->kind == SEQ2SEQ ? H : 2 * H;
    ParamSet *ps = &m->ps;
    params_init(ps);
    int ie[4], id[6];
    ie[0] = params_add(ps, "enc_E", 2, (int[]){V, D}, 1);
    ie[1] = params_add(ps, "enc_Wx", 2, (int[]){D, G}, 1);
    ie[2] = params_add(ps, "enc_Wh", 2, (int[]){H, G}, 1);
    ie[3] = params_add(ps, "enc_b", 1, (int[]){G}, 0);
    id[0] = params_add(ps, "dec_E", 2, (int[]){V, D}, 1);
    id[1] = params_add(ps, "dec_Wx", 2, (int[]){in, G}, 1);
    id[2] = params_add(ps, "dec_Wh", 2, (int[]){H, G}, 1);
    id[3] = params_add(ps, "dec_b", 1, (int[]){G}, 0);
    id[4] = params_add(ps, "dec_W", 2, (int[]){out, V}, 1);
    id[5] = params_add(ps, "dec_bo", 1, (int[]){V}, 0);
    params_alloc(ps);

    Encoder *e = &m->enc;
    e->V = V, e->D = D, e->H = H, e->N_max = s->N, e->T_max = s->Tx;
    real **ev[4] = {&e->E, &e->Wx, &e->Wh, &e->b}, **eg[4] = {&e->dE, &e->dWx, &e->dWh, &e->db};
    for (int i = 0; i < 4; i++)
        *ev[i] = params_value(ps, ie[i]), *eg[i] = params_grad(ps, ie[i]);
    Decoder *d = &m->dec;
    d->kind = s->kind;
    d->V = V, d->D = D, d->H = H, d->N_max = s->N, d->T_max = s->Ty, d->Tx_max = s->Tx, d->in = in, d->out = out;
    real **dv[6] = {&d->E, &d->Wx, &d->Wh, &d->b, &d->W, &d->bo};
    real **dg[6] = {&d->dE, &d->dWx, &d->dWh, &d->db, &d->dW, &d->dbo};
    for (int i = 0; i < 6; i++)
        *dv[i] = params_value(ps, id[i]), *dg[i] = params_grad(ps, id[i]);

    /* the book's initialisation; biases stay 0 */
    Rng rng;
    rng_seed(&rng, seed);
    rng_fill_normal(&rng, e->E, (size_t)V * D, 0.01);
    rng_fill_normal(&rng, e->Wx, (size_t)D * G, 1 / sqrt(D));
    rng_fill_normal(&rng, e->Wh, (size_t)H * G, 1 / sqrt(H));
    rng_fill_normal(&rng, d->E, (size_t)V * D, 0.01);
    rng_fill_normal(&rng, d->Wx, (size_t)in * G, 1 / sqrt(in));
    rng_fill_normal(&rng, d->Wh, (size_t)H * G, 1 / sqrt(H));
    rng_fill_normal(&rng, d->W, (size_t)out * V, 1 / sqrt(out));

    const size_t NX = (size_t)s->N * s->Tx, NY = (size_t)s->N * s->Ty;
    time_lstm_init(&e->lstm, D, H, s->N, s->Tx, 0);
    e->ids = xcalloc(NX, sizeof(int));
    e->table = xcalloc((size_t)V * G, sizeof(real));
    e->dtable = xcalloc((size_t)V * G, sizeof(real));
    e->hs = xcalloc(NX * H, sizeof(real));
    e->dhs = xcalloc(NX * H, sizeof(real));
    e->h = xcalloc((size_t)s->N * H, sizeof(real));

    time_lstm_init(&d->lstm, D, H, s->N, s->Ty, 1);   /* peeky: h_enc's part of the input is added apart */
    if (s->kind == ATTENTION_SEQ2SEQ)
        time_attention_init(&d->attn, s->N, s->Tx, s->Ty, H);
    d->ids = xcalloc(NY, sizeof(int));
    d->table = xcalloc((size_t)V * G, sizeof(real));
    d->dtable = xcalloc((size_t)V * G, sizeof(real));
    d->gates_h = xcalloc((size_t)s->N * G, sizeof(real));
    d->dgates_h = xcalloc((size_t)s->N * G, sizeof(real));
    d->hs = xcalloc(NY * H, sizeof(real));
    d->dhs = xcalloc(NY * H, sizeof(real));
    d->dhs2 = xcalloc(NY * H, sizeof(real));
    d->cs = xcalloc(NY * H, sizeof(real));
    d->dcs = xcalloc(NY * H, sizeof(real));
    d->aff = xcalloc(NY * out, sizeof(real));
    d->daff = xcalloc(NY * out, sizeof(real));
    d->scores = xcalloc(NY * V, sizeof(real));
    d->h_enc = xcalloc((size_t)s->N * H, sizeof(real));
    d->dh = xcalloc((size_t)s->N * H, sizeof(real));
    d->denc_hs = xcalloc(NX * H, sizeof(real));
    d->gen_a = xcalloc(NY * s->Tx, sizeof(real));

    m->ys = xcalloc(NY * V, sizeof(real));
    m->dscores = xcalloc(NY * V, sizeof(real));
    m->work = xcalloc((size_t)s->N * V, sizeof(real));
}

void seq2seq_free(Seq2seq *m)
{
    Encoder *e = &m->enc;
    Decoder *d = &m->dec;
    time_lstm_free(&e->lstm);
    time_lstm_free(&d->lstm);
    if (m->s.kind == ATTENTION_SEQ2SEQ)
        time_attention_free(&d->attn);
    free(e->ids), free(e->table), free(e->dtable), free(e->hs), free(e->dhs), free(e->h);
    free(d->ids), free(d->table), free(d->dtable), free(d->gates_h), free(d->dgates_h), free(d->hs), free(d->dhs);
    free(d->dhs2), free(d->cs), free(d->dcs), free(d->aff), free(d->daff), free(d->scores), free(d->h_enc);
    free(d->dh), free(d->denc_hs), free(d->gen_a);
    free(m->ys), free(m->dscores), free(m->work);
    params_free(&m->ps);
    memset(m, 0, sizeof *m);
}

real seq2seq_forward(Seq2seq *m, const int *xs, const int *dec_in, const int *ts, int N)
{
    const Seq2seqShape *s = &m->s;
    if (N < 1 || N > s->N)
        die("Seq2seq: a batch of %d, buffers hold %d", N, s->N);
    const real *hs = encoder_forward(&m->enc, xs, N, s->Tx);
    const real *scores;
    if (s->kind == SEQ2SEQ)
        scores = decoder_forward(&m->dec, dec_in, m->enc.h, N, s->Ty);
    else if (s->kind == PEEKY_SEQ2SEQ)
        scores = peeky_decoder_forward(&m->dec, dec_in, m->enc.h, N, s->Ty);
    else
        scores = attention_decoder_forward(&m->dec, dec_in, hs, N, s->Tx, s->Ty);
    m->ts = ts;
    m->N = N;
    return time_softmax_with_loss_forward(m->ys, scores, ts, N, s->Ty, s->V);
}

void seq2seq_backward(Seq2seq *m)
{
    const Seq2seqShape *s = &m->s;
    params_zero_grads(&m->ps);
    time_softmax_with_loss_backward(m->dscores, m->ys, m->ts, m->N, s->Ty, s->V);
    if (s->kind == SEQ2SEQ) {
        decoder_backward(&m->dec, m->dscores);
        encoder_backward(&m->enc, m->dec.dh);
    } else if (s->kind == PEEKY_SEQ2SEQ) {
        peeky_decoder_backward(&m->dec, m->dscores);
        encoder_backward(&m->enc, m->dec.dh);
    } else {
        attention_decoder_backward(&m->dec, m->dscores);
        attention_encoder_backward(&m->enc, m->dec.denc_hs);
    }
}

/* ---- generation ------------------------------------------------------------------------------ */

void seq2seq_generate(Seq2seq *m, int *out, const int *xs, int count, int start_id, int steps)
{
    const int Tx = m->s.Tx, V = m->s.V;
    int *ids = xmalloc((size_t)m->s.N * sizeof(int));
    for (int first = 0; first < count; first += m->s.N) {
        int n = count - first < m->s.N ? count - first : m->s.N;
        encoder_forward(&m->enc, xs + (size_t)first * Tx, n, Tx);
        decoder_start(&m->dec, &m->enc, n);
        for (int r = 0; r < n; r++)
            ids[r] = start_id;
        for (int t = 0; t < steps; t++) {   /* all n questions advance one character together */
            const real *scores = decoder_step(&m->dec, ids, n);
            for (int r = 0; r < n; r++) {
                ids[r] = sample_greedy(scores + (size_t)r * V, V);
                out[(size_t)(first + r) * steps + t] = ids[r];
            }
        }
    }
    free(ids);
}

real seq2seq_attention_weight(const Seq2seq *m, int n, int t, int k)
{
    const Decoder *d = &m->dec;
    if (m->s.kind != ATTENTION_SEQ2SEQ || n >= d->N || t >= d->T_max || t >= d->step || k >= d->Tx)
        return 0;
    return d->gen_a[((size_t)t * d->N + n) * d->Tx + k];
}

/* Encode the one question x and give the decoder `rows` copies of it. */
static void start_rows(Seq2seq *m, const int *x, int rows)
{
    Encoder *e = &m->enc;
    const int Tx = m->s.Tx, H = m->s.H;
    encoder_forward(e, x, 1, Tx);
    for (int r = 1; r < rows; r++) {
        memcpy(e->h + (size_t)r * H, e->h, (size_t)H * sizeof(real));
        memcpy(e->hs + (size_t)r * Tx * H, e->hs, (size_t)Tx * H * sizeof(real));
    }
    decoder_start(&m->dec, e, rows);
}

/* log softmax of one row of scores, into lp (V) */
static void log_softmax_row(double *lp, const real *s, int V)
{
    double max = s[0], sum = 0;
    for (int v = 1; v < V; v++)
        if (s[v] > max)
            max = s[v];
    for (int v = 0; v < V; v++)
        sum += exp(s[v] - max);
    double lse = max + log(sum);
    for (int v = 0; v < V; v++)
        lp[v] = s[v] - lse;
}

double seq2seq_beam_search(Seq2seq *m, int *out, const int *x, int start_id, int end_id, int steps, int width)
{
    const int V = m->s.V, H = m->s.H, k = width;
    if (k < 1 || k > m->s.N)
        die("beam search: width %d, the model's buffers hold 1 to %d", k, m->s.N);
    start_rows(m, x, k);
    TimeLSTM *l = &m->dec.lstm;
    int *ids = xmalloc((size_t)k * sizeof(int)), *tok = xmalloc((size_t)k * steps * sizeof(int));
    int *new_tok = xmalloc((size_t)k * steps * sizeof(int)), *parent = xmalloc((size_t)k * sizeof(int));
    int *next = xmalloc((size_t)k * sizeof(int)), *done = xcalloc(k, sizeof(int)), *new_done = xmalloc(k * sizeof(int));
    double *score = xmalloc((size_t)k * sizeof(double)), *new_score = xmalloc((size_t)k * sizeof(double));
    double *lp = xmalloc((size_t)k * V * sizeof(double));
    real *h = xmalloc((size_t)k * H * sizeof(real)), *c = xmalloc((size_t)k * H * sizeof(real));
    for (int r = 0; r < k; r++) {
        ids[r] = start_id;
        score[r] = r == 0 ? 0 : -INFINITY;  /* one hypothesis to begin with, not k copies of it */
    }
    int t = 0;
    for (; t < steps; t++) {
        const real *scores = decoder_step(&m->dec, ids, k);
        for (int r = 0; r < k; r++)
            log_softmax_row(lp + (size_t)r * V, scores + (size_t)r * V, V);
        /* the k best continuations of all rows: a finished row continues only
         * with end_id, at no cost. Ties go to the lower (row, id), as greedy's. */
        for (int j = 0; j < k; j++) {
            double best = -INFINITY;
            int br = -1, bv = -1;
            for (int r = 0; r < k; r++) {
                if (score[r] == -INFINITY)
                    continue;
                for (int v = done[r] ? end_id : 0; v < (done[r] ? end_id + 1 : V); v++) {
                    double s = score[r] + (done[r] ? 0 : lp[(size_t)r * V + v]);
                    int taken = 0;
                    for (int i = 0; i < j; i++)
                        taken |= parent[i] == r && next[i] == v;
                    if (!taken && s > best)
                        best = s, br = r, bv = v;
                }
            }
            parent[j] = br, next[j] = bv, new_score[j] = best;
        }
        for (int j = 0; j < k; j++) {
            int r = parent[j] < 0 ? 0 : parent[j];
            memcpy(new_tok + (size_t)j * steps, tok + (size_t)r * steps, (size_t)t * sizeof(int));
            new_tok[(size_t)j * steps + t] = next[j] < 0 ? end_id : next[j];
            new_done[j] = parent[j] < 0 || done[r] || next[j] == end_id;
            memcpy(h + (size_t)j * H, l->h + (size_t)r * H, (size_t)H * sizeof(real));
            memcpy(c + (size_t)j * H, l->c + (size_t)r * H, (size_t)H * sizeof(real));
        }
        time_lstm_set_state(l, h, c, k);    /* each row goes on from its parent's state */
        memcpy(tok, new_tok, (size_t)k * steps * sizeof(int));
        memcpy(score, new_score, (size_t)k * sizeof(double));
        memcpy(done, new_done, (size_t)k * sizeof(int));
        int all_done = 1;
        for (int r = 0; r < k; r++) {
            ids[r] = tok[(size_t)r * steps + t];
            all_done &= done[r] || score[r] == -INFINITY;
        }
        if (all_done) {
            t++;
            break;
        }
    }
    for (int i = 0; i < steps; i++)         /* row 0 holds the best */
        out[i] = i < t ? tok[i] : end_id;
    double best = score[0];
    free(ids), free(tok), free(new_tok), free(parent), free(next), free(done), free(new_done);
    free(score), free(new_score), free(lp), free(h), free(c);
    return best;
}

void seq2seq_sample(Seq2seq *m, int *out, const int *x, int start_id, int end_id, int steps, double temperature,
                    int top_k, Rng *rng)
{
    start_rows(m, x, 1);
    int id = start_id, t = 0;
    for (; t < steps && id != end_id; t++) {
        const real *scores = decoder_step(&m->dec, &id, 1);
        id = sample_scores(scores, m->s.V, temperature, top_k, rng, m->work);
        out[t] = id;
    }
    for (; t < steps; t++)
        out[t] = end_id;
}
