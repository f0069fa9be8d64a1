/* The recurrent layers: RNN, LSTM and GRU cells and their Time versions.
 *
 * For each: the cell against its plain-loop definition; the cell's gradient
 * against the numerical one; TimeX against the definition run step by step
 * over two batches with the state carried between them; TimeX's gradient with
 * a state carried in from a previous batch (including dL/dh_0 and dL/dc_0);
 * and the stateful, reset and non-stateful behaviours. */
#include <math.h>
#include <string.h>

#include "gradcheck.h"
#include "gru.h"
#include "lstm.h"
#include "params.h"
#include "rnn.h"
#include "test.h"
#include "threads.h"

enum { N = 3, T = 4, D = 5, H = 4 };
typedef enum { KIND_RNN, KIND_LSTM, KIND_GRU } Kind;

static int gates_of(Kind kind)
{
    return kind == KIND_RNN ? 1 : kind == KIND_LSTM ? 4 : 3;
}

/* Outputs of two computations that should be the same numbers, up to rounding. */
static double same_tolerance(void)
{
    return sizeof(real) == sizeof(double) ? 1e-12 : 1e-5;
}

static double max_abs_diff(const real *a, const real *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs((double)a[i] - b[i]) > m)
            m = fabs((double)a[i] - b[i]);
    return m;
}

/* The parameters of one layer, in a ParamSet as a network holds them. */
typedef struct {
    ParamSet ps;
    int iWx, iWh, iWhh, ib;     /* iWhh: the GRU only, else -1 */
} Params;

static void params_make(Params *p, Kind kind, Rng *rng)
{
    int G = gates_of(kind);
    params_init(&p->ps);
    p->iWx = params_add(&p->ps, "Wx", 2, (int[]){D, G * H}, 1);
    p->iWh = params_add(&p->ps, "Wh", 2, (int[]){H, (kind == KIND_GRU ? 2 : G) * H}, 1);
    p->iWhh = kind == KIND_GRU ? params_add(&p->ps, "Whh", 2, (int[]){H, H}, 1) : -1;
    p->ib = params_add(&p->ps, "b", 1, (int[]){G * H}, 0);
    params_alloc(&p->ps);
    fill_uniform(rng, p->ps.values, p->ps.size, -0.6, 0.6);
}

static real *value(const Params *p, int i) { return i < 0 ? NULL : params_value(&p->ps, i); }
static real *grad(const Params *p, int i) { return i < 0 ? NULL : params_grad(&p->ps, i); }

/* ---- the cells ------------------------------------------------------------------------------- */

typedef struct {
    Kind kind;
    Params p;
    real x[N * D], h_prev[N * H], c_prev[N * H];
    real h_next[N * H], c_next[N * H], gates[N * 4 * H], work[N * GRU_WORK * H];
    real Rh[N * H], Rc[N * H];      /* L = sum(h_next * Rh) + sum(c_next * Rc) (c: the LSTM only) */
} CellCase;

static void cell_forward(CellCase *c)
{
    const Params *p = &c->p;
    if (c->kind == KIND_RNN)
        rnn_forward(c->h_next, c->x, c->h_prev, value(p, p->iWx), value(p, p->iWh), value(p, p->ib), N, D, H);
    else if (c->kind == KIND_LSTM)
        lstm_forward(c->h_next, c->c_next, c->gates, c->x, c->h_prev, c->c_prev, value(p, p->iWx),
                     value(p, p->iWh), value(p, p->ib), N, D, H);
    else
        gru_forward(c->h_next, c->gates, c->work, c->x, c->h_prev, value(p, p->iWx), value(p, p->iWh),
                    value(p, p->iWhh), value(p, p->ib), N, D, H);
}

static void cell_direct_forward(CellCase *c, real *h_next, real *c_next)
{
    const Params *p = &c->p;
    if (c->kind == KIND_RNN)
        rnn_direct_forward(h_next, c->x, c->h_prev, value(p, p->iWx), value(p, p->iWh), value(p, p->ib), N, D, H);
    else if (c->kind == KIND_LSTM)
        lstm_direct_forward(h_next, c_next, c->x, c->h_prev, c->c_prev, value(p, p->iWx),
                            value(p, p->iWh), value(p, p->ib), N, D, H);
    else
        gru_direct_forward(h_next, c->x, c->h_prev, value(p, p->iWx), value(p, p->iWh),
                           value(p, p->iWhh), value(p, p->ib), N, D, H);
}

static double cell_loss(void *ctx)
{
    CellCase *c = ctx;
    cell_forward(c);
    double L = dot_real(c->h_next, c->Rh, N * H);
    if (c->kind == KIND_LSTM)
        L += dot_real(c->c_next, c->Rc, N * H);
    return L;
}

static void cell_case_init(CellCase *c, Kind kind, int seed)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    Rng rng;
    rng_seed(&rng, seed);
    params_make(&c->p, kind, &rng);
    fill_uniform(&rng, c->x, N * D, -1, 1);
    fill_uniform(&rng, c->h_prev, N * H, -1, 1);
    fill_uniform(&rng, c->c_prev, N * H, -1, 1);
    fill_uniform(&rng, c->Rh, N * H, -1, 1);
    fill_uniform(&rng, c->Rc, N * H, -1, 1);
}

static void check_cell_matches_direct(Kind kind)
{
    CellCase c;
    cell_case_init(&c, kind, 10 + kind);
    real h_ref[N * H], c_ref[N * H];
    cell_forward(&c);
    cell_direct_forward(&c, h_ref, c_ref);
    CHECK(max_abs_diff(c.h_next, h_ref, N * H) <= same_tolerance());
    if (kind == KIND_LSTM)
        CHECK(max_abs_diff(c.c_next, c_ref, N * H) <= same_tolerance());
    params_free(&c.p.ps);
}

static void check_cell_gradient(Kind kind)
{
    CellCase c;
    cell_case_init(&c, kind, 20 + kind);
    const Params *p = &c.p;
    real dx[N * D], dh_prev[N * H], dc_prev[N * H], da[N * 4 * H], work[N * GRU_WORK * H];
    cell_loss(&c);
    if (kind == KIND_RNN)
        rnn_backward(dx, dh_prev, grad(p, p->iWx), grad(p, p->iWh), grad(p, p->ib), da, c.Rh, c.x,
                     c.h_prev, c.h_next, value(p, p->iWx), value(p, p->iWh), N, D, H);
    else if (kind == KIND_LSTM)
        lstm_backward(dx, dh_prev, dc_prev, grad(p, p->iWx), grad(p, p->iWh), grad(p, p->ib), da, c.Rh,
                      c.Rc, c.gates, c.x, c.h_prev, c.c_prev, c.c_next, value(p, p->iWx), value(p, p->iWh),
                      N, D, H);
    else
        gru_backward(dx, dh_prev, grad(p, p->iWx), grad(p, p->iWh), grad(p, p->iWhh), grad(p, p->ib), da,
                     work, c.Rh, c.gates, c.x, c.h_prev, value(p, p->iWx), value(p, p->iWh),
                     value(p, p->iWhh), N, D, H);
    double tol = gradcheck_tolerance();
    real num[N * D];
    numerical_gradient(cell_loss, &c, c.x, N * D, num);
    CHECK(vector_relative_error(dx, num, N * D) <= tol);
    numerical_gradient(cell_loss, &c, c.h_prev, N * H, num);
    CHECK(vector_relative_error(dh_prev, num, N * H) <= tol);
    if (kind == KIND_LSTM) {
        numerical_gradient(cell_loss, &c, c.c_prev, N * H, num);
        CHECK(vector_relative_error(dc_prev, num, N * H) <= tol);
    }
    for (int i = 0; i < p->ps.count; i++) {
        const ParamInfo *info = &p->ps.info[i];
        real numW[4 * H * H + 4 * D * H];
        numerical_gradient(cell_loss, &c, params_value(&p->ps, i), info->size, numW);
        double err = vector_relative_error(params_grad(&p->ps, i), numW, info->size);
        if (!(err <= tol))
            printf("  %s: relative error %.3g\n", info->name, err);
        CHECK(err <= tol);
    }
    params_free(&c.p.ps);
}

static void test_rnn_cell_matches_direct(void) { check_cell_matches_direct(KIND_RNN); }
static void test_lstm_cell_matches_direct(void) { check_cell_matches_direct(KIND_LSTM); }
static void test_gru_cell_matches_direct(void) { check_cell_matches_direct(KIND_GRU); }
static void test_rnn_cell_gradient(void) { check_cell_gradient(KIND_RNN); }
static void test_lstm_cell_gradient(void) { check_cell_gradient(KIND_LSTM); }
static void test_gru_cell_gradient(void) { check_cell_gradient(KIND_GRU); }

/* ---- the Time versions --------------------------------------------------------------------------- */

/* Buffers bigger than the batch, so that a mix-up of N with N_max shows. */
enum { N_MAX = N + 2, T_MAX = T + 3 };

typedef struct {
    Kind kind;
    Params p;
    TimeRNN rnn;
    TimeLSTM lstm;
    TimeGRU gru;
    real xs[N * T * D], hs[N * T * H], R[N * T * H];
    real h0[N * H], c0[N * H];          /* the state carried in from the previous batch */
} TimeCase;

static void time_case_init(TimeCase *c, Kind kind, int stateful, int seed)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    Rng rng;
    rng_seed(&rng, seed);
    params_make(&c->p, kind, &rng);
    if (kind == KIND_RNN)
        time_rnn_init(&c->rnn, D, H, N_MAX, T_MAX, stateful);
    else if (kind == KIND_LSTM)
        time_lstm_init(&c->lstm, D, H, N_MAX, T_MAX, stateful);
    else
        time_gru_init(&c->gru, D, H, N_MAX, T_MAX, stateful);
    fill_uniform(&rng, c->xs, N * T * D, -1, 1);
    fill_uniform(&rng, c->R, N * T * H, -1, 1);
}

static void time_case_free(TimeCase *c)
{
    params_free(&c->p.ps);
    if (c->kind == KIND_RNN)
        time_rnn_free(&c->rnn);
    else if (c->kind == KIND_LSTM)
        time_lstm_free(&c->lstm);
    else
        time_gru_free(&c->gru);
}

static void time_forward(TimeCase *c)
{
    const Params *p = &c->p;
    if (c->kind == KIND_RNN)
        time_rnn_forward(&c->rnn, c->hs, c->xs, value(p, p->iWx), value(p, p->iWh), value(p, p->ib), N, T);
    else if (c->kind == KIND_LSTM)
        time_lstm_forward(&c->lstm, c->hs, c->xs, value(p, p->iWx), value(p, p->iWh), value(p, p->ib), N, T);
    else
        time_gru_forward(&c->gru, c->hs, c->xs, value(p, p->iWx), value(p, p->iWh), value(p, p->iWhh),
                         value(p, p->ib), N, T);
}

static void time_backward(TimeCase *c, real *dxs)
{
    const Params *p = &c->p;
    if (c->kind == KIND_RNN)
        time_rnn_backward(&c->rnn, dxs, grad(p, p->iWx), grad(p, p->iWh), grad(p, p->ib), c->R, c->xs,
                          value(p, p->iWx), value(p, p->iWh), N, T);
    else if (c->kind == KIND_LSTM)
        time_lstm_backward(&c->lstm, dxs, grad(p, p->iWx), grad(p, p->iWh), grad(p, p->ib), c->R, c->xs,
                           value(p, p->iWx), value(p, p->iWh), N, T);
    else
        time_gru_backward(&c->gru, dxs, grad(p, p->iWx), grad(p, p->iWh), grad(p, p->iWhh), grad(p, p->ib),
                          c->R, c->xs, value(p, p->iWx), value(p, p->iWh), value(p, p->iWhh), N, T);
}

/* The layer's state after the last forward (what the next batch starts from). */
static void time_state(TimeCase *c, real *h, real *cc)
{
    if (c->kind == KIND_RNN)
        memcpy(h, c->rnn.h, sizeof(real) * N * H);
    else if (c->kind == KIND_LSTM) {
        memcpy(h, c->lstm.h, sizeof(real) * N * H);
        memcpy(cc, c->lstm.c, sizeof(real) * N * H);
    } else
        memcpy(h, c->gru.h, sizeof(real) * N * H);
}

static void time_set_state(TimeCase *c)
{
    if (c->kind == KIND_RNN)
        time_rnn_set_state(&c->rnn, c->h0, N);
    else if (c->kind == KIND_LSTM)
        time_lstm_set_state(&c->lstm, c->h0, c->c0, N);
    else
        time_gru_set_state(&c->gru, c->h0, N);
}

static void time_reset_state(TimeCase *c)
{
    if (c->kind == KIND_RNN)
        time_rnn_reset_state(&c->rnn);
    else if (c->kind == KIND_LSTM)
        time_lstm_reset_state(&c->lstm);
    else
        time_gru_reset_state(&c->gru);
}

/* L = sum(hs * R) for the batch xs, starting from the state (h0, c0). */
static double time_loss(void *ctx)
{
    TimeCase *c = ctx;
    time_set_state(c);
    time_forward(c);
    return dot_real(c->hs, c->R, N * T * H);
}

/* The definition, step by step: two batches through the direct cell, the
 * second starting where the first stopped, against two calls of the stateful
 * Time layer. */
static void check_time_matches_direct(Kind kind)
{
    TimeCase c;
    time_case_init(&c, kind, 1, 30 + kind);
    CellCase cell;
    memset(&cell, 0, sizeof cell);
    cell.kind = kind;
    cell.p = c.p;                       /* the same parameters (not freed twice) */
    Rng rng;
    rng_seed(&rng, 40 + kind);
    for (int batch = 0; batch < 2; batch++) {
        fill_uniform(&rng, c.xs, N * T * D, -1, 1);
        time_forward(&c);
        real expect[N * T * H];
        for (int t = 0; t < T; t++) {
            for (int n = 0; n < N; n++)
                memcpy(cell.x + n * D, c.xs + (n * T + t) * D, sizeof(real) * D);
            cell_direct_forward(&cell, cell.h_next, cell.c_next);
            for (int n = 0; n < N; n++)
                memcpy(expect + (n * T + t) * H, cell.h_next + n * H, sizeof(real) * H);
            memcpy(cell.h_prev, cell.h_next, sizeof cell.h_prev);   /* the state goes on */
            memcpy(cell.c_prev, cell.c_next, sizeof cell.c_prev);
        }
        CHECK(max_abs_diff(c.hs, expect, N * T * H) <= same_tolerance());
    }
    time_case_free(&c);
}

/* The gradient of the second batch, with the state the first batch left. */
static void check_time_gradient(Kind kind)
{
    TimeCase c;
    time_case_init(&c, kind, 1, 50 + kind);
    time_forward(&c);                   /* a first batch leaves a state */
    time_state(&c, c.h0, c.c0);
    Rng rng;
    rng_seed(&rng, 60 + kind);
    fill_uniform(&rng, c.xs, N * T * D, -1, 1);

    real dxs[N * T * D];
    params_zero_grads(&c.p.ps);
    time_loss(&c);
    time_backward(&c, dxs);
    const real *dh0 = kind == KIND_RNN ? c.rnn.dh : kind == KIND_LSTM ? c.lstm.dh : c.gru.dh;

    double tol = gradcheck_tolerance();
    real num[N * T * D];
    numerical_gradient(time_loss, &c, c.xs, N * T * D, num);
    CHECK(vector_relative_error(dxs, num, N * T * D) <= tol);
    numerical_gradient(time_loss, &c, c.h0, N * H, num);
    CHECK(vector_relative_error(dh0, num, N * H) <= tol);
    if (kind == KIND_LSTM) {
        numerical_gradient(time_loss, &c, c.c0, N * H, num);
        CHECK(vector_relative_error(c.lstm.dc, num, N * H) <= tol);
    }
    for (int i = 0; i < c.p.ps.count; i++) {
        const ParamInfo *info = &c.p.ps.info[i];
        real numW[4 * H * H + 4 * D * H];
        numerical_gradient(time_loss, &c, params_value(&c.p.ps, i), info->size, numW);
        double err = vector_relative_error(params_grad(&c.p.ps, i), numW, info->size);
        if (!(err <= tol))
            printf("  %s: relative error %.3g\n", info->name, err);
        CHECK(err <= tol);
    }
    /* The state did matter: from h = 0 the loss is another number. */
    double with_state = time_loss(&c);
    time_reset_state(&c);
    time_forward(&c);
    CHECK(fabs(dot_real(c.hs, c.R, N * T * H) - with_state) > 1e-3);
    time_case_free(&c);
}

static void test_time_rnn_matches_direct(void) { check_time_matches_direct(KIND_RNN); }
static void test_time_lstm_matches_direct(void) { check_time_matches_direct(KIND_LSTM); }
static void test_time_gru_matches_direct(void) { check_time_matches_direct(KIND_GRU); }
static void test_time_rnn_gradient_with_carried_state(void) { check_time_gradient(KIND_RNN); }
static void test_time_lstm_gradient_with_carried_state(void) { check_time_gradient(KIND_LSTM); }
static void test_time_gru_gradient_with_carried_state(void) { check_time_gradient(KIND_GRU); }

/* A stateful layer goes on from its state until reset; after a reset it gives
 * what a fresh layer gives. A layer that is not stateful starts from 0 every time. */
static void test_time_layers_state_and_reset(void)
{
    for (Kind kind = KIND_RNN; kind <= KIND_GRU; kind++) {
        real first[N * T * H], second[N * T * H];
        TimeCase c;
        time_case_init(&c, kind, 1, 70 + kind);
        time_forward(&c);
        memcpy(first, c.hs, sizeof first);
        time_forward(&c);               /* same input, but from the state the first call left */
        CHECK(max_abs_diff(c.hs, first, N * T * H) > 1e-3);
        time_reset_state(&c);
        time_forward(&c);
        CHECK(max_abs_diff(c.hs, first, N * T * H) == 0);
        time_case_free(&c);

        time_case_init(&c, kind, 0, 70 + kind);
        time_forward(&c);
        memcpy(second, c.hs, sizeof second);
        CHECK(max_abs_diff(second, first, N * T * H) == 0);
        time_forward(&c);
        CHECK(max_abs_diff(c.hs, first, N * T * H) == 0);
        time_case_free(&c);
    }
}

/* TimeLSTM gives each thread a band of the batch for the whole time loop.
 * The numbers must not depend on it: forward and backward of a batch large
 * enough to be split, on 1 and on 2 threads, agree bit for bit. */
enum { BN = 40, BT = 6, BD = 7, BH = 20 };

static void time_lstm_run(int threads, real *hs, real *dxs, real *dW, const real *xs, const real *dhs,
                          const real *Wx, const real *Wh, const real *b)
{
    set_threads(threads);
    TimeLSTM l;
    time_lstm_init(&l, BD, BH, BN, BT, 1);
    real *dWx = dW, *dWh = dW + BD * 4 * BH, *db = dWh + BH * 4 * BH;
    memset(dW, 0, sizeof(real) * (BD + BH + 1) * 4 * BH);
    for (int batch = 0; batch < 2; batch++) {          /* the second starts from the first's state */
        time_lstm_forward(&l, hs, xs, Wx, Wh, b, BN, BT);
        time_lstm_backward(&l, dxs, dWx, dWh, db, dhs, xs, Wx, Wh, BN, BT);
    }
    time_lstm_free(&l);
}

static void test_time_lstm_same_bits_on_1_and_2_threads(void)
{
    static real xs[BN * BT * BD], dhs[BN * BT * BH], Wx[BD * 4 * BH], Wh[BH * 4 * BH], b[4 * BH];
    static real hs[2][BN * BT * BH], dxs[2][BN * BT * BD], dW[2][(BD + BH + 1) * 4 * BH];
    Rng rng;
    rng_seed(&rng, 7);
    fill_uniform(&rng, xs, BN * BT * BD, -1, 1);
    fill_uniform(&rng, dhs, BN * BT * BH, -1, 1);
    fill_uniform(&rng, Wx, BD * 4 * BH, -0.5, 0.5);
    fill_uniform(&rng, Wh, BH * 4 * BH, -0.5, 0.5);
    fill_uniform(&rng, b, 4 * BH, -0.5, 0.5);
    int saved = get_threads();
    for (int k = 0; k < 2; k++)
        time_lstm_run(k + 1, hs[k], dxs[k], dW[k], xs, dhs, Wx, Wh, b);
    set_threads(saved);
    CHECK(memcmp(hs[0], hs[1], sizeof hs[0]) == 0);
    CHECK(memcmp(dxs[0], dxs[1], sizeof dxs[0]) == 0);
    CHECK(memcmp(dW[0], dW[1], sizeof dW[0]) == 0);
}

int main(void)
{
    RUN(test_rnn_cell_matches_direct);
    RUN(test_lstm_cell_matches_direct);
    RUN(test_time_lstm_same_bits_on_1_and_2_threads);
    RUN(test_gru_cell_matches_direct);
    RUN(test_rnn_cell_gradient);
    RUN(test_lstm_cell_gradient);
    RUN(test_gru_cell_gradient);
    RUN(test_time_rnn_matches_direct);
    RUN(test_time_lstm_matches_direct);
    RUN(test_time_gru_matches_direct);
    RUN(test_time_rnn_gradient_with_carried_state);
    RUN(test_time_lstm_gradient_with_carried_state);
    RUN(test_time_gru_gradient_with_carried_state);
    RUN(test_time_layers_state_and_reset);
    return test_summary();
}
