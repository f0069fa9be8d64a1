/* seq2seq and attention (common/seq2seq.c, peeky_seq2seq.c, attention_layer.c,
 * attention_seq2seq.c, seq_data.c): gradient checks of AttentionWeight,
 * WeightSum, Attention and TimeAttention, and of whole small nets of the three
 * kinds with padding ignored; batched greedy decoding against one question at
 * a time; beam width 1 against greedy; the data generators' repeatability,
 * uniqueness and split, and the padded encoding. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_layer.h"
#include "embedding.h"
#include "gradcheck.h"
#include "params.h"
#include "seq2seq.h"
#include "seq_data.h"
#include "test.h"
#include "threads.h"
#include "time_layers.h"
#include "util.h"

/* ---- the attention pieces ------------------------------------------------------------------- */

enum { AN = 2, AT = 5, AH = 4, ATY = 3 };

typedef struct {
    real hs[AN * AT * AH], h[AN * AH], a[AN * AT], c[AN * AH];
    real Ra[AN * AT], Rc[AN * AH];
    int which;      /* 0 AttentionWeight, 1 WeightSum, 2 Attention */
} AttCase;

static double att_loss(void *ctx)
{
    AttCase *k = ctx;
    if (k->which == 0) {
        attention_weight_forward(k->a, k->hs, k->h, AN, AT, AH);
        return dot_real(k->a, k->Ra, AN * AT);
    }
    if (k->which == 1) {
        weight_sum_forward(k->c, k->hs, k->a, AN, AT, AH);
        return dot_real(k->c, k->Rc, AN * AH);
    }
    attention_forward(k->c, k->a, k->hs, k->h, AN, AT, AH);
    return dot_real(k->c, k->Rc, AN * AH);
}

static void att_case(AttCase *k, int which, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    k->which = which;
    fill_uniform(&rng, k->hs, AN * AT * AH, -1, 1);
    fill_uniform(&rng, k->h, AN * AH, -1, 1);
    fill_uniform(&rng, k->a, AN * AT, 0.05, 0.4);
    fill_uniform(&rng, k->Ra, AN * AT, -1, 1);
    fill_uniform(&rng, k->Rc, AN * AH, -1, 1);
}

static void test_attention_weight_gradient(void)
{
    AttCase k;
    att_case(&k, 0, 1);
    real dhs[AN * AT * AH], dh[AN * AH], nhs[AN * AT * AH], nh[AN * AH];
    att_loss(&k);
    for (int n = 0; n < AN; n++) {      /* the weights of each example add up to 1 */
        double s = 0;
        for (int t = 0; t < AT; t++)
            s += k.a[n * AT + t];
        CHECK_NEAR(s, 1, 1e-6);
    }
    attention_weight_backward(dhs, dh, k.Ra, k.a, k.hs, k.h, AN, AT, AH);
    numerical_gradient(att_loss, &k, k.hs, AN * AT * AH, nhs);
    numerical_gradient(att_loss, &k, k.h, AN * AH, nh);
    CHECK(vector_relative_error(dhs, nhs, AN * AT * AH) < gradcheck_tolerance());
    CHECK(vector_relative_error(dh, nh, AN * AH) < gradcheck_tolerance());
}

static void test_weight_sum_gradient(void)
{
    AttCase k;
    att_case(&k, 1, 2);
    real dhs[AN * AT * AH], da[AN * AT], nhs[AN * AT * AH], na[AN * AT];
    att_loss(&k);
    weight_sum_backward(dhs, da, k.Rc, k.hs, k.a, AN, AT, AH);
    numerical_gradient(att_loss, &k, k.hs, AN * AT * AH, nhs);
    numerical_gradient(att_loss, &k, k.a, AN * AT, na);
    CHECK(vector_relative_error(dhs, nhs, AN * AT * AH) < gradcheck_tolerance());
    CHECK(vector_relative_error(da, na, AN * AT) < gradcheck_tolerance());
}

static void test_attention_gradient(void)
{
    AttCase k;
    att_case(&k, 2, 3);
    real dhs[AN * AT * AH], dh[AN * AH], nhs[AN * AT * AH], nh[AN * AH], da[AN * AT], dhs2[AN * AT * AH];
    att_loss(&k);
    attention_backward(dhs, dh, k.Rc, k.a, k.hs, k.h, da, dhs2, AN, AT, AH);
    numerical_gradient(att_loss, &k, k.hs, AN * AT * AH, nhs);
    numerical_gradient(att_loss, &k, k.h, AN * AH, nh);
    CHECK(vector_relative_error(dhs, nhs, AN * AT * AH) < gradcheck_tolerance());
    CHECK(vector_relative_error(dh, nh, AN * AH) < gradcheck_tolerance());
}

typedef struct {
    TimeAttention l;
    real enc[AN * AT * AH], dec[AN * ATY * AH], cs[AN * ATY * AH], R[AN * ATY * AH];
} TimeAttCase;

static double time_att_loss(void *ctx)
{
    TimeAttCase *k = ctx;
    time_attention_forward(&k->l, k->cs, k->enc, k->dec, AN, AT, ATY);
    return dot_real(k->cs, k->R, AN * ATY * AH);
}

static void test_time_attention_gradient(void)
{
    TimeAttCase k;
    Rng rng;
    rng_seed(&rng, 4);
    time_attention_init(&k.l, AN, AT, ATY, AH);
    fill_uniform(&rng, k.enc, AN * AT * AH, -1, 1);
    fill_uniform(&rng, k.dec, AN * ATY * AH, -1, 1);
    fill_uniform(&rng, k.R, AN * ATY * AH, -1, 1);
    real denc[AN * AT * AH], ddec[AN * ATY * AH], nenc[AN * AT * AH], ndec[AN * ATY * AH];
    time_att_loss(&k);
    time_attention_backward(&k.l, denc, ddec, k.R, k.enc, k.dec);
    numerical_gradient(time_att_loss, &k, k.enc, AN * AT * AH, nenc);
    numerical_gradient(time_att_loss, &k, k.dec, AN * ATY * AH, ndec);
    CHECK(vector_relative_error(denc, nenc, AN * AT * AH) < gradcheck_tolerance());
    CHECK(vector_relative_error(ddec, ndec, AN * ATY * AH) < gradcheck_tolerance());
    time_attention_free(&k.l);
}

/* TimeAttention multiplies a whole sequence's steps at once; the book's way is
 * Attention called at each step for the whole batch. Both must agree, forward
 * and backward, and 1 or 2 threads must give the same bits. */
static void test_time_attention_is_attention_per_step(void)
{
    enum { N2 = 9, TX2 = 7, TY2 = 5, H2 = 16 };
    static real enc[N2 * TX2 * H2], dec[N2 * TY2 * H2], dcs[N2 * TY2 * H2], cs[N2 * TY2 * H2];
    static real denc[N2 * TX2 * H2], ddec[N2 * TY2 * H2], cs2[N2 * TY2 * H2], denc2[N2 * TX2 * H2],
        ddec2[N2 * TY2 * H2];
    static real ref_cs[N2 * TY2 * H2], ref_denc[N2 * TX2 * H2], ref_ddec[N2 * TY2 * H2];
    Rng rng;
    rng_seed(&rng, 5);
    fill_uniform(&rng, enc, N2 * TX2 * H2, -1, 1);
    fill_uniform(&rng, dec, N2 * TY2 * H2, -1, 1);
    fill_uniform(&rng, dcs, N2 * TY2 * H2, -1, 1);

    /* the reference: Attention over the batch, one decoder step at a time */
    real h[N2 * H2], c[N2 * H2], dc[N2 * H2], dh[N2 * H2], a[TY2][N2 * TX2], da[N2 * TX2];
    static real dhs[N2 * TX2 * H2], dhs2[N2 * TX2 * H2];
    memset(ref_denc, 0, sizeof ref_denc);
    for (int t = 0; t < TY2; t++) {
        for (int n = 0; n < N2; n++) {
            memcpy(h + n * H2, dec + (n * TY2 + t) * H2, H2 * sizeof(real));
            memcpy(dc + n * H2, dcs + (n * TY2 + t) * H2, H2 * sizeof(real));
        }
        attention_forward(c, a[t], enc, h, N2, TX2, H2);
        attention_backward(dhs, dh, dc, a[t], enc, h, da, dhs2, N2, TX2, H2);
        for (int i = 0; i < N2 * TX2 * H2; i++)
            ref_denc[i] += dhs[i];
        for (int n = 0; n < N2; n++) {
            memcpy(ref_cs + (n * TY2 + t) * H2, c + n * H2, H2 * sizeof(real));
            memcpy(ref_ddec + (n * TY2 + t) * H2, dh + n * H2, H2 * sizeof(real));
        }
    }

    int saved = get_threads();
    for (int threads = 1; threads <= 2; threads++) {
        set_threads(threads);
        TimeAttention l;
        time_attention_init(&l, N2, TX2, TY2, H2);
        time_attention_forward(&l, threads == 1 ? cs : cs2, enc, dec, N2, TX2, TY2);
        time_attention_backward(&l, threads == 1 ? denc : denc2, threads == 1 ? ddec : ddec2, dcs, enc, dec);
        if (threads == 1)
            for (int n = 0; n < N2; n++)    /* the map: example n, step t */
                for (int t = 0; t < TY2; t++)
                    for (int k = 0; k < TX2; k++)
                        CHECK_NEAR(l.a[(n * TY2 + t) * TX2 + k], a[t][n * TX2 + k], 1e-5);
        time_attention_free(&l);
    }
    set_threads(saved);
    CHECK(vector_relative_error(cs, ref_cs, N2 * TY2 * H2) < 1e-5);
    CHECK(vector_relative_error(denc, ref_denc, N2 * TX2 * H2) < 1e-5);
    CHECK(vector_relative_error(ddec, ref_ddec, N2 * TY2 * H2) < 1e-5);
    CHECK(memcmp(cs, cs2, sizeof cs) == 0);
    CHECK(memcmp(denc, denc2, sizeof denc) == 0);
    CHECK(memcmp(ddec, ddec2, sizeof ddec) == 0);
}

/* ---- whole nets ------------------------------------------------------------------------------ */

enum { V = 7, D = 3, H = 4, N = 3, TX = 5, TY = 4 };

typedef struct {
    Seq2seq m;
    int xs[N * TX], in[N * TY], ts[N * TY];
} NetCase;

static double net_loss(void *ctx)
{
    NetCase *c = ctx;
    return seq2seq_forward(&c->m, c->xs, c->in, c->ts, N);
}

static void net_case(NetCase *c, Seq2seqKind kind, uint64_t seed, double scale)
{
    Seq2seqShape s = {kind, V, D, H, N, TX, TY};
    seq2seq_init(&c->m, &s, seed);
    Rng rng;
    rng_seed(&rng, seed + 1);
    /* larger weights than the book's start, so that every path carries gradient */
    for (size_t i = 0; i < c->m.ps.size; i++)
        c->m.ps.values[i] = (real)(scale * (rng_uniform(&rng) - 0.5));
    for (int i = 0; i < N * TX; i++)
        c->xs[i] = rng_int(&rng, V);
    for (int i = 0; i < N * TY; i++) {
        c->in[i] = rng_int(&rng, V);
        c->ts[i] = rng_int(&rng, V);
    }
    c->ts[0 * TY + 3] = IGNORE_LABEL;       /* padding after short answers */
    c->ts[1 * TY + 2] = c->ts[1 * TY + 3] = IGNORE_LABEL;
}

static void check_net(Seq2seqKind kind)
{
    NetCase c;
    net_case(&c, kind, 10 + kind, 1);
    ParamSet *ps = &c.m.ps;
    net_loss(&c);
    seq2seq_backward(&c.m);
    real *analytic = xmalloc(ps->size * sizeof(real)), *num = xmalloc(ps->size * sizeof(real));
    memcpy(analytic, ps->grads, ps->size * sizeof(real));
    numerical_gradient(net_loss, &c, ps->values, ps->trainable_size, num);
    /* a whole net in float: f(x+h) - f(x-h) loses more digits than one layer's */
    double err = vector_relative_error(analytic, num, ps->trainable_size), tol = sizeof(real) == sizeof(double) ? 1e-6 : 5e-2;
    CHECK(err < tol);
    if (!(err < tol))
        printf("  %s: relative error %.3g\n", seq2seq_kind_name(kind), err);
    /* every tensor gets some gradient (none is cut off from the loss) */
    for (int i = 0; i < ps->count; i++) {
        double s = 0;
        for (size_t j = 0; j < ps->info[i].size; j++)
            s += fabs(analytic[ps->info[i].offset + j]);
        CHECK(s > 0);
    }
    free(analytic);
    free(num);
    seq2seq_free(&c.m);
}

static void test_seq2seq_gradient(void) { check_net(SEQ2SEQ); }
static void test_peeky_seq2seq_gradient(void) { check_net(PEEKY_SEQ2SEQ); }
static void test_attention_seq2seq_gradient(void) { check_net(ATTENTION_SEQ2SEQ); }

/* The encoder and the decoders take each step's x Wx + b from a table of every
 * character's (E Wx + b), and the peeky decoder adds h Wx_h once per sequence
 * instead of concatenating [h, e_t] at every step: their states and scores
 * must be those of the book's way, TimeEmbedding then a TimeLSTM over (the
 * concatenation of) its output with the whole Wx, then an Affine of [h, hs_t]. */
static void test_input_table_and_peeky_are_the_book_layers(void)
{
    NetCase c;
    net_case(&c, PEEKY_SEQ2SEQ, 50, 1);
    net_loss(&c);
    const Encoder *e = &c.m.enc;
    const Decoder *d = &c.m.dec;
    const real *h = e->h;
    enum { IN = H + D };
    real xemb[N * TX * D], ehs[N * TX * H];
    real emb[N * TY * D], lin[N * TY * IN], hs[N * TY * H], aff[N * TY * 2 * H], scores[N * TY * V];
    TimeLSTM le, l;
    time_lstm_init(&le, D, H, N, TX, 0);
    time_embedding_forward(xemb, c.xs, e->E, N, TX, V, D);
    time_lstm_forward(&le, ehs, xemb, e->Wx, e->Wh, e->b, N, TX);
    CHECK(vector_relative_error(ehs, e->hs, N * TX * H) < 1e-5);
    time_embedding_forward(emb, c.in, d->E, N, TY, V, D);
    for (int n = 0; n < N; n++)
        for (int t = 0; t < TY; t++) {
            memcpy(lin + (n * TY + t) * IN, h + n * H, H * sizeof(real));
            memcpy(lin + (n * TY + t) * IN + H, emb + (n * TY + t) * D, D * sizeof(real));
        }
    time_lstm_init(&l, IN, H, N, TY, 1);
    time_lstm_set_state(&l, h, NULL, N);
    time_lstm_forward(&l, hs, lin, d->Wx, d->Wh, d->b, N, TY);
    for (int r = 0; r < N * TY; r++) {
        memcpy(aff + r * 2 * H, h + (r / TY) * H, H * sizeof(real));
        memcpy(aff + r * 2 * H + H, hs + r * H, H * sizeof(real));
    }
    time_affine_forward(scores, aff, d->W, d->bo, N, TY, 2 * H, V);
    CHECK(vector_relative_error(hs, d->hs, N * TY * H) < 1e-5);
    CHECK(vector_relative_error(scores, d->scores, N * TY * V) < 1e-5);
    time_lstm_free(&le);
    time_lstm_free(&l);
    seq2seq_free(&c.m);
}

/* A batch big enough for the LSTMs to split it between threads (and every
 * attention question on its own): 1 and 2 threads give the same loss and
 * gradients, bit for bit, for all three kinds. */
static void test_one_and_two_threads_agree(void)
{
    enum { BN = 40, BV = 11, BD = 5, BH = 16, BTX = 6, BTY = 4 };
    int xs[BN * BTX], in[BN * BTY], ts[BN * BTY];
    Rng rng;
    rng_seed(&rng, 70);
    for (int i = 0; i < BN * BTX; i++)
        xs[i] = rng_int(&rng, BV);
    for (int i = 0; i < BN * BTY; i++)
        in[i] = rng_int(&rng, BV), ts[i] = i % 5 == 4 ? IGNORE_LABEL : rng_int(&rng, BV);
    int saved = get_threads();
    for (int kind = SEQ2SEQ; kind <= ATTENTION_SEQ2SEQ; kind++) {
        Seq2seqShape s = {(Seq2seqKind)kind, BV, BD, BH, BN, BTX, BTY};
        real loss[2], *grads[2];
        for (int t = 0; t < 2; t++) {
            set_threads(t + 1);
            Seq2seq m;
            seq2seq_init(&m, &s, 71);
            loss[t] = seq2seq_forward(&m, xs, in, ts, BN);
            seq2seq_backward(&m);
            grads[t] = xmalloc(m.ps.size * sizeof(real));
            memcpy(grads[t], m.ps.grads, m.ps.size * sizeof(real));
            if (t == 1) {
                CHECK(loss[0] == loss[1]);
                CHECK(memcmp(grads[0], grads[1], m.ps.size * sizeof(real)) == 0);
            }
            seq2seq_free(&m);
        }
        free(grads[0]);
        free(grads[1]);
    }
    set_threads(saved);
}

static void test_ignored_positions_do_not_matter(void)
{
    /* the decoder's input at a step whose target (and all later ones) is
     * ignored reaches only ignored scores: the loss must not move */
    NetCase c;
    net_case(&c, ATTENTION_SEQ2SEQ, 30, 1);
    double l1 = net_loss(&c);
    c.in[1 * TY + 3] = (c.in[1 * TY + 3] + 1) % V;  /* input at an ignored step, after the last counted one */
    double l2 = net_loss(&c);
    CHECK_NEAR(l1, l2, 1e-12);
    seq2seq_free(&c.m);
}

/* ---- decoding ---------------------------------------------------------------------------------- */

static void test_batched_decoding_equals_one_at_a_time(void)
{
    for (int kind = SEQ2SEQ; kind <= ATTENTION_SEQ2SEQ; kind++) {
        enum { COUNT = 11 };    /* more than a batch (N = 3), and not a multiple of it */
        NetCase c;
        net_case(&c, (Seq2seqKind)kind, 40 + kind, 6);
        Rng rng;
        rng_seed(&rng, 5);
        int xs[COUNT * TX], batched[COUNT * TY], one[TY];
        for (int i = 0; i < COUNT * TX; i++)
            xs[i] = rng_int(&rng, V);
        seq2seq_generate(&c.m, batched, xs, COUNT, 0, TY);
        int same = 1, varied = 0;
        for (int q = 0; q < COUNT; q++) {
            seq2seq_generate(&c.m, one, xs + q * TX, 1, 0, TY);
            same &= memcmp(one, batched + q * TY, sizeof one) == 0;
                varied |= memcmp(batched, batched + q * TY, sizeof one) != 0;
        }
        if (!varied)
            for (int q = 0; q < COUNT * TY; q++)
                printf("%d%s", batched[q], q % TY == TY - 1 ? " | " : "");
        CHECK(same);
        CHECK(varied);  /* the answers depend on the question */
        seq2seq_free(&c.m);
    }
}

static void test_beam_width_one_is_greedy(void)
{
    for (int kind = SEQ2SEQ; kind <= ATTENTION_SEQ2SEQ; kind++) {
        NetCase c;
        net_case(&c, (Seq2seqKind)kind, 50 + kind, 6);
        Rng rng;
        rng_seed(&rng, 6);
        const int end = 2;
        for (int q = 0; q < 8; q++) {
            int x[TX], greedy[TY], beam[TY];
            for (int i = 0; i < TX; i++)
                x[i] = rng_int(&rng, V);
            seq2seq_generate(&c.m, greedy, x, 1, 0, TY);
            seq2seq_beam_search(&c.m, beam, x, 0, end, TY, 1);
            int same = 1;
            for (int t = 0; t < TY; t++) {      /* the same up to and with the end mark */
                same &= greedy[t] == beam[t];
                if (greedy[t] == end)
                    break;
            }
            CHECK(same);
        }
        /* a wider beam finds an answer at least as likely as greedy's */
        int x[TX] = {1, 2, 3, 4, 5}, out[TY];
        double lp1 = seq2seq_beam_search(&c.m, out, x, 0, end, TY, 1);
        double lp3 = seq2seq_beam_search(&c.m, out, x, 0, end, TY, 3);
        CHECK(lp3 >= lp1 - 1e-9);
        seq2seq_free(&c.m);
    }
}

/* ---- data ---------------------------------------------------------------------------------------- */

static int all_unique(const TextPairs *p)
{
    for (int i = 0; i < p->count; i++)
        for (int j = i + 1; j < p->count; j++)
            if (strcmp(pair_question(p, i), pair_question(p, j)) == 0)
                return 0;
    return 1;
}

static void test_addition_generator(void)
{
    TextPairs a, b, c;
    addition_pairs(&a, 2000, 7);
    addition_pairs(&b, 2000, 7);
    addition_pairs(&c, 2000, 8);
    CHECK(a.count == 2000);
    CHECK(memcmp(a.q, b.q, (size_t)a.count * a.stride_q) == 0);    /* the same seed, the same problems */
    CHECK(memcmp(a.q, c.q, (size_t)a.count * a.stride_q) != 0);    /* another seed, others */
    CHECK(all_unique(&a));
    int ok = 1, three = 0;
    for (int i = 0; i < a.count; i++) {
        int x, y;
        ok &= sscanf(pair_question(&a, i), "%d+%d", &x, &y) == 2 && x + y == atoi(pair_answer(&a, i));
        three += x >= 100;
        ok &= (int)strlen(pair_question(&a, i)) <= ADDITION_QW;
    }
    CHECK(ok);
    CHECK(three > 500 && three < 850);      /* a third of the numbers have 3 digits */
    TextPairs train, test;
    text_pairs_split(&a, 200, &train, &test);
    CHECK(train.count == 1800 && test.count == 200);
    int leak = 0;
    for (int i = 0; i < test.count; i++)
        for (int j = 0; j < train.count; j++)
            leak |= strcmp(pair_question(&test, i), pair_question(&train, j)) == 0;
    CHECK(!leak);
    text_pairs_free(&a), text_pairs_free(&b), text_pairs_free(&c), text_pairs_free(&train), text_pairs_free(&test);
}

static void test_date_generator(void)
{
    char buf[DATE_QW + 1], iso[DATE_AW + 1];
    /* 1994-09-27 is day 9035 since 1970-01-01, a Tuesday */
    date_iso(iso, 9035);
    CHECK(strcmp(iso, "1994-09-27") == 0);
    const char *want[] = {"september 27, 1994", "27 SEP 1994", "9/27/94", "Tuesday, September 27, 1994",
                          "the 27th of september, 1994"};
    const int fmt[] = {0, 4, 9, 14, 18};
    for (int i = 0; i < 5; i++) {
        date_format(buf, fmt[i], 9035);
        CHECK(strcmp(buf, want[i]) == 0);
        if (strcmp(buf, want[i]) != 0)
            printf("  format %d: '%s', expected '%s'\n", fmt[i], buf, want[i]);
    }
    date_format(buf, 17, -7305);    /* 1950-01-01, a Sunday: the longest day name does not overflow */
    CHECK(strcmp(buf, "SUNDAY, JANUARY 1, 1950") == 0);
    TextPairs a, b;
    date_pairs(&a, 1000, 3);
    date_pairs(&b, 1000, 3);
    CHECK(memcmp(a.q, b.q, (size_t)a.count * a.stride_q) == 0 && memcmp(a.a, b.a, (size_t)a.count * a.stride_a) == 0);
    CHECK(all_unique(&a));
    int ok = 1;
    for (int i = 0; i < a.count; i++)
        ok &= strlen(pair_answer(&a, i)) == 10 && pair_answer(&a, i)[4] == '-';
    CHECK(ok);
    text_pairs_free(&a), text_pairs_free(&b);
}

static void test_encoding_pads_reverses_and_ignores(void)
{
    TextPairs p;
    text_pairs_alloc(&p, 2, ADDITION_QW, ADDITION_AW);
    text_pairs_add(&p, "16+75", "91");
    text_pairs_add(&p, "999+999", "1998");
    CharTable t;
    char err[128];
    char_table_init(&t, "0123456789+ _");
    CHECK(t.size == 13);
    SeqFormat f = {' ', '_', ' ', 0};
    SeqSet s;
    CHECK(seq_set_encode(&s, &p, &t, &f, 7, 4, err, sizeof err) == 0);
    char row[8] = {0};
    for (int i = 0; i < 7; i++)
        row[i] = t.chars[s.xs[i]];
    CHECK(strcmp(row, "16+75  ") == 0);         /* the book's format: padded with spaces */
    CHECK(s.dec_in[0] == t.id['_'] && s.dec_in[1] == t.id['9'] && s.dec_in[2] == t.id['1']);
    CHECK(s.ts[0] == t.id['9'] && s.ts[1] == t.id['1'] && s.ts[2] == t.id[' '] && s.ts[3] == IGNORE_LABEL);
    CHECK(s.ts[4] == t.id['1'] && s.ts[7] == t.id['8']);  /* a full answer has no room for an end mark */
    char ans[8];
    seq_decode_answer(ans, s.ts, 3, &t, &f);
    CHECK(strcmp(ans, "91") == 0);
    seq_set_free(&s);
    f.reverse = 1;
    CHECK(seq_set_encode(&s, &p, &t, &f, 7, 4, err, sizeof err) == 0);
    for (int i = 0; i < 7; i++)
        row[i] = t.chars[s.xs[i]];
    CHECK(strcmp(row, "  57+61") == 0);
    seq_set_free(&s);
    int xs[7];
    CHECK(seq_encode_question(xs, "1-2", &t, &f, 7, err, sizeof err) == -1 && strstr(err, "'-'"));
    CHECK(seq_encode_question(xs, "1234+5678", &t, &f, 7, err, sizeof err) == -1 && strstr(err, "at most 7"));
    CHECK(seq_set_encode(&s, &p, &t, &f, 7, 3, err, sizeof err) == -1);   /* "1998" is too long for 3 */
    text_pairs_free(&p);
}

int main(void)
{
    RUN(test_attention_weight_gradient);
    RUN(test_weight_sum_gradient);
    RUN(test_attention_gradient);
    RUN(test_time_attention_gradient);
    RUN(test_time_attention_is_attention_per_step);
    RUN(test_seq2seq_gradient);
    RUN(test_peeky_seq2seq_gradient);
    RUN(test_attention_seq2seq_gradient);
    RUN(test_input_table_and_peeky_are_the_book_layers);
    RUN(test_one_and_two_threads_agree);
    RUN(test_ignored_positions_do_not_matter);
    RUN(test_batched_decoding_equals_one_at_a_time);
    RUN(test_beam_width_one_is_greedy);
    RUN(test_addition_generator);
    RUN(test_date_generator);
    RUN(test_encoding_pads_reverses_and_ignores);
    return test_summary();
}
