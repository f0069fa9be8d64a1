/* Chapter 05's language model (05_rnn/rnnlm.c) against central differences:
 * the whole gradient of a two-layer RNN, LSTM and GRU model with dropout, its
 * state carried in from a previous batch, and the parameter count it reports.
 * The chapter's file is compiled into this test, as it is into the program. */
#include "../05_rnn/rnnlm.c"

#include "gradcheck.h"
#include "test.h"

enum { V = 7, D = 5, H = 6, N = 3, T = 4 };

static real loss_at(Rnnlm *m, const real *state, const Rng *rng)
{
    rnnlm_set_state(m, state);
    m->rng = *rng;          /* the same dropout masks every time */
    return rnnlm_forward(m, N, T, 1);
}

static void check_cell(CellKind cell)
{
    RnnlmShape s = {cell, V, D, H, 2, 0.3, N, T};
    Rnnlm m;
    rnnlm_init(&m, &s, 11);
    CHECK(m.ps.trainable_size == rnnlm_param_count(&s));
    Rng data;
    rng_seed(&data, 5);
    /* a first batch leaves a state behind, as in training */
    for (int i = 0; i < N * T; i++)
        m.ids[i] = rng_int(&data, V), m.ts[i] = rng_int(&data, V);
    rnnlm_forward(&m, N, T, 1);
    real *state = xmalloc(rnnlm_state_size(&m) * sizeof(real));
    rnnlm_get_state(&m, state);
    double state_norm = 0;
    for (size_t i = 0; i < rnnlm_state_size(&m); i++)
        state_norm += fabs((double)state[i]);
    CHECK(state_norm > 0);

    for (int i = 0; i < N * T; i++)
        m.ids[i] = rng_int(&data, V), m.ts[i] = rng_int(&data, V);
    const Rng rng = m.rng;
    loss_at(&m, state, &rng);
    rnnlm_backward(&m, N, T);
    size_t n = m.ps.trainable_size;
    real *analytic = xmalloc(n * sizeof(real)), *numeric = xmalloc(n * sizeof(real));
    memcpy(analytic, m.ps.grads, n * sizeof(real));
    const double h = sizeof(real) == sizeof(double) ? 1e-5 : 1e-2;
    for (size_t i = 0; i < n; i++) {
        real keep = m.ps.values[i];
        m.ps.values[i] = keep + (real)h;
        double up = loss_at(&m, state, &rng);
        m.ps.values[i] = keep - (real)h;
        double down = loss_at(&m, state, &rng);
        m.ps.values[i] = keep;
        numeric[i] = (real)((up - down) / (2 * h));
    }
    double err = vector_relative_error(analytic, numeric, n);
    CHECK(err < gradcheck_tolerance());
    if (!(err < gradcheck_tolerance()))
        printf("  %s: relative error %.3g\n", cell_name(cell), err);
    free(analytic), free(numeric), free(state);
    rnnlm_free(&m);
}

static void test_rnn_lm_gradient(void)
{
    check_cell(CELL_RNN);
}

static void test_lstm_lm_gradient(void)
{
    check_cell(CELL_LSTM);
}

static void test_gru_lm_gradient(void)
{
    check_cell(CELL_GRU);
}

/* Without dropout, inference and training give the same loss; with it, they differ. */
static void test_dropout_only_in_training(void)
{
    RnnlmShape s = {CELL_LSTM, V, D, H, 2, 0.5, N, T};
    Rnnlm m;
    rnnlm_init(&m, &s, 3);
    for (int i = 0; i < N * T; i++)
        m.ids[i] = i % V, m.ts[i] = (i + 1) % V;
    double test1 = rnnlm_forward(&m, N, T, 0);
    rnnlm_reset_state(&m);
    double train = rnnlm_forward(&m, N, T, 1);
    rnnlm_reset_state(&m);
    double test2 = rnnlm_forward(&m, N, T, 0);
    CHECK(test1 == test2);
    CHECK(train != test1);
    rnnlm_free(&m);
}

int main(void)
{
    RUN(test_rnn_lm_gradient);
    RUN(test_lstm_lm_gradient);
    RUN(test_gru_lm_gradient);
    RUN(test_dropout_only_in_training);
    return test_summary();
}
