/* A tiny two-layer LSTM language model built from the common/ layers, as
 * chapter 05 builds its own:
 *
 *   TimeEmbedding - TimeLSTM - TimeLSTM - TimeAffine - TimeSoftmaxWithLoss
 *
 * with all parameters in one ParamSet. Its whole gradient is checked against
 * the numerical one, with states carried in from a previous batch and a
 * padded position; then it learns a sequence that needs memory (truncated
 * BPTT over stateful layers, clipping, Adam) and writes it back greedily. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clip_grads.h"
#include "embedding.h"
#include "gradcheck.h"
#include "lstm.h"
#include "optimizer.h"
#include "params.h"
#include "sampling.h"
#include "test.h"
#include "time_layers.h"

typedef struct {
    int V, D, H, N, T;          /* vocabulary, word vector, hidden sizes; batch */
    ParamSet ps;
    real *embed_W, *Wx1, *Wh1, *b1, *Wx2, *Wh2, *b2, *affine_W, *affine_b;
    real *dembed_W, *dWx1, *dWh1, *db1, *dWx2, *dWh2, *db2, *daffine_W, *daffine_b;
    TimeLSTM lstm1, lstm2;
    real *xs, *h1, *h2, *scores, *ys;               /* forward activations */
    real *dscores, *dh2, *dh1, *dxs;                /* their gradients */
} TinyLm;

static void tiny_lm_init(TinyLm *m, int V, int D, int H, int N, int T, Rng *rng)
{
    m->V = V, m->D = D, m->H = H, m->N = N, m->T = T;
    ParamSet *ps = &m->ps;
    params_init(ps);
    int iE = params_add(ps, "embed_W", 2, (int[]){V, D}, 1);
    int iWx1 = params_add(ps, "lstm1_Wx", 2, (int[]){D, 4 * H}, 1);
    int iWh1 = params_add(ps, "lstm1_Wh", 2, (int[]){H, 4 * H}, 1);
    int ib1 = params_add(ps, "lstm1_b", 1, (int[]){4 * H}, 0);
    int iWx2 = params_add(ps, "lstm2_Wx", 2, (int[]){H, 4 * H}, 1);
    int iWh2 = params_add(ps, "lstm2_Wh", 2, (int[]){H, 4 * H}, 1);
    int ib2 = params_add(ps, "lstm2_b", 1, (int[]){4 * H}, 0);
    int iW = params_add(ps, "affine_W", 2, (int[]){H, V}, 1);
    int ib = params_add(ps, "affine_b", 1, (int[]){V}, 0);
    params_alloc(ps);
    m->embed_W = params_value(ps, iE), m->dembed_W = params_grad(ps, iE);
    m->Wx1 = params_value(ps, iWx1), m->dWx1 = params_grad(ps, iWx1);
    m->Wh1 = params_value(ps, iWh1), m->dWh1 = params_grad(ps, iWh1);
    m->b1 = params_value(ps, ib1), m->db1 = params_grad(ps, ib1);
    m->Wx2 = params_value(ps, iWx2), m->dWx2 = params_grad(ps, iWx2);
    m->Wh2 = params_value(ps, iWh2), m->dWh2 = params_grad(ps, iWh2);
    m->b2 = params_value(ps, ib2), m->db2 = params_grad(ps, ib2);
    m->affine_W = params_value(ps, iW), m->daffine_W = params_grad(ps, iW);
    m->affine_b = params_value(ps, ib), m->daffine_b = params_grad(ps, ib);
    fill_uniform(rng, ps->values, ps->size, -0.5, 0.5);

    time_lstm_init(&m->lstm1, D, H, N, T, 1);
    time_lstm_init(&m->lstm2, H, H, N, T, 1);
    size_t NT = (size_t)N * T;
    m->xs = malloc(NT * D * sizeof(real)), m->dxs = malloc(NT * D * sizeof(real));
    m->h1 = malloc(NT * H * sizeof(real)), m->dh1 = malloc(NT * H * sizeof(real));
    m->h2 = malloc(NT * H * sizeof(real)), m->dh2 = malloc(NT * H * sizeof(real));
    m->scores = malloc(NT * V * sizeof(real)), m->dscores = malloc(NT * V * sizeof(real));
    m->ys = malloc(NT * V * sizeof(real));
}

static void tiny_lm_free(TinyLm *m)
{
    params_free(&m->ps);
    time_lstm_free(&m->lstm1);
    time_lstm_free(&m->lstm2);
    real *bufs[] = {m->xs, m->dxs, m->h1, m->dh1, m->h2, m->dh2, m->scores, m->dscores, m->ys};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
}

/* Scores (N, T, V) for the next word after each of the ids (N, T). */
static const real *tiny_lm_predict(TinyLm *m, const int *ids, int N, int T)
{
    time_embedding_forward(m->xs, ids, m->embed_W, N, T, m->V, m->D);
    time_lstm_forward(&m->lstm1, m->h1, m->xs, m->Wx1, m->Wh1, m->b1, N, T);
    time_lstm_forward(&m->lstm2, m->h2, m->h1, m->Wx2, m->Wh2, m->b2, N, T);
    time_affine_forward(m->scores, m->h2, m->affine_W, m->affine_b, N, T, m->H, m->V);
    return m->scores;
}

static real tiny_lm_loss(TinyLm *m, const int *ids, const int *ts)
{
    tiny_lm_predict(m, ids, m->N, m->T);
    return time_softmax_with_loss_forward(m->ys, m->scores, ts, m->N, m->T, m->V);
}

/* Loss and gradient (into m->ps.grads), backward in the reverse order of forward. */
static real tiny_lm_gradient(TinyLm *m, const int *ids, const int *ts)
{
    const int N = m->N, T = m->T;
    real loss = tiny_lm_loss(m, ids, ts);
    params_zero_grads(&m->ps);
    time_softmax_with_loss_backward(m->dscores, m->ys, ts, N, T, m->V);
    time_affine_backward(m->dh2, m->daffine_W, m->daffine_b, m->dscores, m->h2, m->affine_W, N, T, m->H, m->V);
    time_lstm_backward(&m->lstm2, m->dh1, m->dWx2, m->dWh2, m->db2, m->dh2, m->h1, m->Wx2, m->Wh2, N, T);
    time_lstm_backward(&m->lstm1, m->dxs, m->dWx1, m->dWh1, m->db1, m->dh1, m->xs, m->Wx1, m->Wh1, N, T);
    time_embedding_backward(m->dembed_W, m->dxs, ids, N, T, m->V, m->D);
    return loss;
}

/* ---- the whole gradient, with carried states ------------------------------------------------------ */

enum { V = 7, D = 5, H = 4, N = 2, T = 3 };

typedef struct {
    TinyLm m;
    int ids[N * T], ts[N * T];
    real h1[N * H], c1[N * H], h2[N * H], c2[N * H];  /* states the previous batch left */
} LmCase;

static double lm_case_loss(void *ctx)
{
    LmCase *c = ctx;
    time_lstm_set_state(&c->m.lstm1, c->h1, c->c1, N);
    time_lstm_set_state(&c->m.lstm2, c->h2, c->c2, N);
    return tiny_lm_loss(&c->m, c->ids, c->ts);
}

static void test_two_layer_lstm_lm_gradient(void)
{
    static LmCase c;
    Rng rng;
    rng_seed(&rng, 1);
    tiny_lm_init(&c.m, V, D, H, N, T, &rng);
    for (int i = 0; i < N * T; i++)
        c.ids[i] = rng_int(&rng, V), c.ts[i] = rng_int(&rng, V);
    tiny_lm_loss(&c.m, c.ids, c.ts);                /* a previous batch leaves its states */
    memcpy(c.h1, c.m.lstm1.h, sizeof c.h1), memcpy(c.c1, c.m.lstm1.c, sizeof c.c1);
    memcpy(c.h2, c.m.lstm2.h, sizeof c.h2), memcpy(c.c2, c.m.lstm2.c, sizeof c.c2);
    for (int i = 0; i < N * T; i++)                 /* the next batch */
        c.ids[i] = rng_int(&rng, V), c.ts[i] = rng_int(&rng, V);
    c.ts[N * T - 1] = IGNORE_LABEL;                 /* and a padded position */

    time_lstm_set_state(&c.m.lstm1, c.h1, c.c1, N);
    time_lstm_set_state(&c.m.lstm2, c.h2, c.c2, N);
    tiny_lm_gradient(&c.m, c.ids, c.ts);
    const ParamSet *ps = &c.m.ps;
    real *num = malloc(ps->size * sizeof(real));
    numerical_gradient(lm_case_loss, &c, ps->values, ps->size, num);
    double tol = gradcheck_tolerance();
    CHECK(vector_relative_error(ps->grads, num, ps->size) <= tol);
    /* Each tensor on its own, too, in double precision. In float, f(x+h) - f(x-h)
     * of a loss near 2 resolves gradients to about 1e-3, the size of those
     * that reach the first layers: only the whole vector is checked there. */
    for (int i = 0; i < ps->count && sizeof(real) == sizeof(double); i++) {
        const ParamInfo *info = &ps->info[i];
        double err = vector_relative_error(ps->grads + info->offset, num + info->offset, info->size);
        if (!(err <= tol))
            printf("  %s: relative error %.3g\n", info->name, err);
        CHECK(err <= tol);
    }
    free(num);
    tiny_lm_free(&c.m);
}

/* ---- it learns a sequence that needs memory ------------------------------------------------------ */

/* After 0 comes 1, 3 or 5: which one, only the word before the 0 tells. A
 * model that saw only the current word could not bring the loss below
 * (3/9) log 3 = 0.37, nor write the pattern back. */
static const int pattern[] = {0, 1, 2, 0, 3, 4, 0, 5, 6};
enum { P = sizeof pattern / sizeof pattern[0] };

static void test_lstm_lm_learns_and_writes_a_sequence(void)
{
    enum { LH = 16, LN = 2, LT = 6, LENGTH = P * 12, ITERS = 300 };
    TinyLm m;
    Rng rng;
    rng_seed(&rng, 2);
    tiny_lm_init(&m, V, D, LH, LN, LT, &rng);
    Optimizer opt = optimizer_create(ADAM, 0.02, m.ps.trainable_size);
    /* The book's batching for truncated BPTT: sequence n reads the text from
     * offset n * LENGTH / LN on, each batch going on where the last stopped. */
    int ids[LN * LT], ts[LN * LT];
    long time_idx = 0;
    real first = 0, loss = 0;
    for (int it = 0; it < ITERS; it++) {
        for (int n = 0; n < LN; n++)
            for (int t = 0; t < LT; t++) {
                long pos = (n * (LENGTH / LN) + time_idx + t) % LENGTH;
                ids[n * LT + t] = pattern[pos % P];
                ts[n * LT + t] = pattern[(pos + 1) % P];
            }
        time_idx += LT;
        loss = tiny_lm_gradient(&m, ids, ts);
        if (it == 0)
            first = loss;
        clip_grads(m.ps.grads, m.ps.trainable_size, 1.0);
        optimizer_update(&opt, m.ps.values, m.ps.grads);
    }
    CHECK(first > 1.5);                             /* about log 7 untrained */
    CHECK(loss < 0.1);

    /* Write from a prompt that settles which 0 we are at, one word at a time,
     * each fed back in, the states carried on. */
    time_lstm_reset_state(&m.lstm1);
    time_lstm_reset_state(&m.lstm2);
    enum { PROMPT = 4 };
    const real *scores = tiny_lm_predict(&m, pattern, 1, PROMPT);   /* 0 1 2 0 */
    int word = sample_greedy(scores + (PROMPT - 1) * V, V), right = 0;
    for (int i = PROMPT; i < PROMPT + 2 * P; i++) {
        right += word == pattern[i % P];
        scores = tiny_lm_predict(&m, &word, 1, 1);
        word = sample_greedy(scores, V);
    }
    CHECK(right == 2 * P);
    optimizer_free(&opt);
    tiny_lm_free(&m);
}

int main(void)
{
    RUN(test_two_layer_lstm_lm_gradient);
    RUN(test_lstm_lm_learns_and_writes_a_sequence);
    return test_summary();
}
