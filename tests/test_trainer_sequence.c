/* The shared trainer on text, as chapter 05 will use it: a small LSTM language
 * model reads its corpus in order (truncated BPTT, the LSTM's state carried
 * from batch to batch), is scored by a validation loss, and a run stopped and
 * resumed ends bit for bit where an unbroken one ends, carried state included. */
#include "test.h"
#include "test_files.h"

#include <signal.h>

#include "embedding.h"
#include "lstm.h"
#include "progress.h"
#include "time_layers.h"
#include "trainer.h"

/* After 0 comes 1, 3 or 5, and only the word before the 0 tells which: the
 * model has to remember, across batch boundaries too. */
static const int pattern[] = {0, 1, 2, 0, 3, 4, 0, 5, 6};
enum { P = 9, V = 7, D = 6, H = 16, N = 4, T = 6, LENGTH = P * 24, VAL = P * 4 };

/* TimeEmbedding - TimeLSTM - TimeAffine - TimeSoftmaxWithLoss */
typedef struct {
    ParamSet ps;
    real *E, *Wx, *Wh, *b, *W, *bo, *dE, *dWx, *dWh, *db, *dW, *dbo;
    TimeLSTM lstm;
    real xs[N * T * D], hs[N * T * H], scores[N * T * V], ys[N * T * V];
    real dscores[N * T * V], dhs[N * T * H], dxs[N * T * D];
    int ids[N * T], ts[N * T];
} Lm;

static void lm_init(Lm *m)
{
    ParamSet *ps = &m->ps;
    params_init(ps);
    int iE = params_add(ps, "E", 2, (int[]){V, D}, 1);
    int iWx = params_add(ps, "Wx", 2, (int[]){D, 4 * H}, 1);
    int iWh = params_add(ps, "Wh", 2, (int[]){H, 4 * H}, 1);
    int ib = params_add(ps, "b", 1, (int[]){4 * H}, 0);
    int iW = params_add(ps, "W", 2, (int[]){H, V}, 1);
    int ibo = params_add(ps, "bo", 1, (int[]){V}, 0);
    params_alloc(ps);
    m->E = params_value(ps, iE), m->dE = params_grad(ps, iE);
    m->Wx = params_value(ps, iWx), m->dWx = params_grad(ps, iWx);
    m->Wh = params_value(ps, iWh), m->dWh = params_grad(ps, iWh);
    m->b = params_value(ps, ib), m->db = params_grad(ps, ib);
    m->W = params_value(ps, iW), m->dW = params_grad(ps, iW);
    m->bo = params_value(ps, ibo), m->dbo = params_grad(ps, ibo);
    Rng rng;
    rng_seed(&rng, 3);
    rng_fill_normal(&rng, ps->values, ps->trainable_size, 0.3);
    time_lstm_init(&m->lstm, D, H, N, T, 1);
}

static void lm_free(Lm *m)
{
    params_free(&m->ps);
    time_lstm_free(&m->lstm);
}

static real lm_forward(Lm *m)
{
    time_embedding_forward(m->xs, m->ids, m->E, N, T, V, D);
    time_lstm_forward(&m->lstm, m->hs, m->xs, m->Wx, m->Wh, m->b, N, T);
    time_affine_forward(m->scores, m->hs, m->W, m->bo, N, T, H, V);
    return time_softmax_with_loss_forward(m->ys, m->scores, m->ts, N, T, V);
}

/* Batch k: stream n reads the text from n * LENGTH / N on, k * T further each
 * batch, as the sequel's RnnlmTrainer cuts its corpus. */
static real lm_step(void *net, long k, const int *idx, int n)
{
    Lm *m = net;
    (void)idx;
    (void)n;
    if (k == 0)
        time_lstm_reset_state(&m->lstm);        /* each epoch reads the text from the start */
    for (int s = 0; s < N; s++)
        for (int t = 0; t < T; t++) {
            long pos = s * (LENGTH / N) + k * T + t;
            m->ids[s * T + t] = pattern[pos % P];
            m->ts[s * T + t] = pattern[(pos + 1) % P];
        }
    real loss = lm_forward(m);
    params_zero_grads(&m->ps);
    time_softmax_with_loss_backward(m->dscores, m->ys, m->ts, N, T, V);
    time_affine_backward(m->dhs, m->dW, m->dbo, m->dscores, m->hs, m->W, N, T, H, V);
    time_lstm_backward(&m->lstm, m->dxs, m->dWx, m->dWh, m->db, m->dhs, m->xs, m->Wx, m->Wh, N, T);
    time_embedding_backward(m->dE, m->dxs, m->ids, N, T, V, D);
    return loss;
}

/* The state the LSTM carries to the next batch: h, then c. */
static void lm_carry_get(void *net, real *out)
{
    Lm *m = net;
    int rows = m->lstm.state_rows;
    memset(out, 0, 2 * N * H * sizeof(real));
    memcpy(out, m->lstm.h, (size_t)rows * H * sizeof(real));
    memcpy(out + N * H, m->lstm.c, (size_t)rows * H * sizeof(real));
}

static void lm_carry_set(void *net, const real *in)
{
    Lm *m = net;
    time_lstm_set_state(&m->lstm, in, in + N * H, N);
}

/* The mean loss over held-out text (stream 0 from a fresh state, VAL words),
 * leaving the training state as it was. */
static double lm_validate(void *net)
{
    Lm *m = net;
    real saved[2 * N * H];
    lm_carry_get(m, saved);
    time_lstm_reset_state(&m->lstm);
    double sum = 0;
    int batches = VAL / (N * T) > 0 ? VAL / (N * T) : 1;
    for (int b = 0; b < batches; b++) {
        for (int i = 0; i < N * T; i++) {
            long pos = 7 + b * N * T + i;        /* starting mid-pattern, unlike training */
            m->ids[i] = pattern[pos % P];
            m->ts[i] = pattern[(pos + 1) % P];
        }
        sum += lm_forward(m);
    }
    lm_carry_set(m, saved);
    return sum / batches;
}

static long calls, interrupt_at = -1;

static real step_hook(void *net, long k, const int *idx, int n)
{
    calls++;
    real loss = lm_step(net, k, idx, n);
    if (calls == interrupt_at)
        raise(SIGINT);
    return loss;
}

static TrainerConfig config(const char *out)
{
    TrainerConfig c = trainer_defaults();
    c.title = "test LM";
    c.tag = "test_lm";
    c.out = out;
    c.lr = 0.02;
    c.batch = N;
    c.epochs = 6;
    c.in_order = 1;
    c.clip_norm = 1.0;
    c.quiet = 1;
    return c;
}

static TrainResult run(const TrainerConfig *c, Lm *m, int with_carry)
{
    TrainerNet tn = {.net = m, .params = &m->ps, .step = step_hook, .examples = N * (LENGTH / N / T),
                     .validate = lm_validate};
    if (with_carry) {
        tn.carry_size = 2 * N * H;
        tn.carry_get = lm_carry_get;
        tn.carry_set = lm_carry_set;
    }
    calls = 0;
    return trainer_run(c, &tn, NULL, NULL);
}

/* Stopped at `stop`, resumed: the same parameters and validation loss as an
 * unbroken run when the carried state is saved; other ones without it. */
static void check_resume(long stop, int with_carry, int expect_same)
{
    char a[64], b[64];
    test_make_temp_dir(a, sizeof a, "trainer_seq_a");
    test_make_temp_dir(b, sizeof b, "trainer_seq_b");
    TrainerConfig ca = config(a), cb = config(b);
    static Lm whole, part;
    lm_init(&whole);
    interrupt_at = -1;
    TrainResult ra = run(&ca, &whole, 1);
    CHECK(ra.status == TRAIN_DONE);

    lm_init(&part);
    interrupt_at = stop;
    TrainResult rb = run(&cb, &part, with_carry);
    CHECK(rb.status == TRAIN_INTERRUPTED);
    lm_free(&part);
    lm_init(&part);
    cb.resume = 1;
    interrupt_at = -1;
    rb = run(&cb, &part, with_carry);
    CHECK(rb.status == TRAIN_DONE);
    int same = memcmp(whole.ps.values, part.ps.values, whole.ps.size * sizeof(real)) == 0
               && ra.val_loss == rb.val_loss;
    CHECK(same == expect_same);
    if (expect_same) {
        char pa[256], pb[256];
        snprintf(pa, sizeof pa, "%s/test_lm_accuracy.tsv", a);
        snprintf(pb, sizeof pb, "%s/test_lm_accuracy.tsv", b);
        CHECK(test_same_file(pa, pb));
    }
    lm_free(&whole);
    lm_free(&part);
    test_remove_dir(a);
    test_remove_dir(b);
}

static void test_lm_learns_its_text(void)
{
    char d[64];
    test_make_temp_dir(d, sizeof d, "trainer_seq");
    TrainerConfig c = config(d);
    c.eval_at_start = 1;
    static Lm m;
    lm_init(&m);
    TrainResult r = run(&c, &m, 1);
    CHECK(r.status == TRAIN_DONE);
    CHECK(r.train_acc == -1 && r.test_acc == -1);   /* a validation loss, not accuracies */
    /* log 7 = 1.95 untrained; seeing only the current word allows no less than
     * (3/9) log 3 = 0.37; remembering the word before the 0 goes below. */
    CHECK(r.val_loss >= 0 && r.val_loss < 0.3);
    lm_free(&m);
    test_remove_dir(d);
}

static void test_resume_mid_epoch_with_carried_state(void)
{
    check_resume(13, 1, 1);         /* inside epoch 2 of 9 batches each */
}

static void test_resume_at_epoch_end(void)
{
    check_resume(18, 1, 1);
}

static void test_resume_without_the_carried_state_differs(void)
{
    check_resume(13, 0, 0);         /* the test would notice a state left behind */
}

int main(void)
{
    progress_set_quiet(1);
    RUN(test_lm_learns_its_text);
    RUN(test_resume_mid_epoch_with_carried_state);
    RUN(test_resume_at_epoch_end);
    RUN(test_resume_without_the_carried_state_differs);
    return test_summary();
}
