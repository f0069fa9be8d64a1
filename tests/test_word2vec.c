/* word2vec (vol. 2 ch. 3-4): SigmoidWithLoss from the logits, EmbeddingDot,
 * the sparse gradients, NegativeSamplingLoss and CBOW (gradient checks with a
 * fixed set of negatives), the UnigramSampler's frequencies, and a short
 * training run in which words that share contexts end up close. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cbow.h"
#include "gradcheck.h"
#include "negative_sampling_layer.h"
#include "rng.h"
#include "sigmoid_with_loss.h"
#include "similarity.h"
#include "sparse_grad.h"
#include "test.h"
#include "util.h"

/* ---- SigmoidWithLoss ------------------------------------------------------------- */

static void test_sigmoid_with_loss_values(void)
{
    /* N = 2 rows of K = 3: the loss is the row sums of -t log y - (1-t) log(1-y), averaged */
    real x[6] = { 0.5f, -1, 2, 0, 3, -0.25f }, y[6];
    int t[6] = { 1, 0, 0, 1, 1, 0 };
    double expected = 0;
    for (int i = 0; i < 6; i++) {
        double s = 1 / (1 + exp(-(double)x[i]));
        expected += t[i] ? -log(s) : -log(1 - s);
    }
    CHECK_NEAR(sigmoid_with_loss_forward(y, x, t, 2, 3), expected / 2, 1e-6);
    CHECK_NEAR(y[0], 1 / (1 + exp(-0.5)), 1e-6);
    /* Far out, 1 - y rounds to 0 and the log form would give infinity; the
     * logit form gives the exact answer: loss(x, 0) = x for large x. */
    real big[4] = { 800, -800, 800, -800 };
    int tb[4] = { 0, 1, 1, 0 };
    real yb[4];
    real loss = sigmoid_with_loss_forward(yb, big, tb, 4, 1);
    CHECK(isfinite(loss));
    CHECK_NEAR(loss, (800 + 800 + 0 + 0) / 4.0, 1e-6);
}

enum { SN = 3, SK = 4 };
typedef struct {
    real x[SN * SK], y[SN * SK];
    int t[SN * SK];
} SigmoidCase;

static double sigmoid_loss(void *ctx)
{
    SigmoidCase *c = ctx;
    return sigmoid_with_loss_forward(c->y, c->x, c->t, SN, SK);
}

static void test_sigmoid_with_loss_gradient(void)
{
    SigmoidCase c;
    Rng rng;
    rng_seed(&rng, 11);
    fill_uniform(&rng, c.x, SN * SK, -3, 3);
    for (int i = 0; i < SN * SK; i++)
        c.t[i] = i % 3 == 0;
    real dx[SN * SK], ndx[SN * SK];
    sigmoid_loss(&c);
    sigmoid_with_loss_backward(dx, c.y, c.t, SN, SK, 1);
    numerical_gradient(sigmoid_loss, &c, c.x, SN * SK, ndx);
    CHECK(vector_relative_error(dx, ndx, SN * SK) <= gradcheck_tolerance());
}

/* ---- SparseGrad ------------------------------------------------------------------ */

static void test_sparse_grad_rows_and_update(void)
{
    enum { V = 6, D = 2 };
    SparseGrad g;
    sparse_grad_init(&g, V, D, 100);
    CHECK(g.capacity == V);                      /* cut to V */
    sparse_grad_row(&g, 4)[0] += 1;
    sparse_grad_row(&g, 1)[1] += 2;
    sparse_grad_row(&g, 4)[0] += 3;              /* the same row again: added, not a new row */
    CHECK(g.count == 2 && g.rows[0] == 4 && g.rows[1] == 1);
    CHECK(g.grads[0] == 4 && g.grads[1] == 0 && g.grads[2] == 0 && g.grads[3] == 2);
    real W[V * D];
    for (int i = 0; i < V * D; i++)
        W[i] = 1;
    sparse_sgd_update(W, &g, 0.5f);
    for (int w = 0; w < V; w++)
        for (int j = 0; j < D; j++) {
            real expected = w == 4 && j == 0 ? 1 - 0.5f * 4 : w == 1 && j == 1 ? 1 - 0.5f * 2 : 1;
            CHECK(W[w * D + j] == expected);
        }
    sparse_grad_zero(&g);
    CHECK(g.count == 0);
    real *row = sparse_grad_row(&g, 4);          /* zero again on its new first touch */
    CHECK(row[0] == 0 && row[1] == 0 && g.count == 1);
    sparse_grad_free(&g);
}

/* ---- EmbeddingDot ---------------------------------------------------------------- */

static void test_embedding_dot_by_hand(void)
{
    /* h . W[idx]: h = (1, 2), W rows (1, 0), (0, 1), (3, -1) */
    real h[2 * 2] = { 1, 2, -1, 1 }, W[3 * 2] = { 1, 0, 0, 1, 3, -1 }, out[2 * 2];
    int idx[2 * 2] = { 2, 0, 1, 2 };
    embedding_dot_forward(out, h, idx, W, 2, 2, 3, 2);
    CHECK(out[0] == 1 && out[1] == 1 && out[2] == 1 && out[3] == -4);
}

enum { EN = 4, EK = 3, EV = 5, ED = 6 };
typedef struct {
    real h[EN * ED], W[EV * ED], R[EN * EK], out[EN * EK];
    int idx[EN * EK];
} EmbeddingDotCase;

static double embedding_dot_loss(void *ctx)
{
    EmbeddingDotCase *c = ctx;
    embedding_dot_forward(c->out, c->h, c->idx, c->W, EN, EK, EV, ED);
    return dot_real(c->out, c->R, EN * EK);
}

static void test_embedding_dot_gradient(void)
{
    EmbeddingDotCase c;
    Rng rng;
    rng_seed(&rng, 12);
    fill_uniform(&rng, c.h, EN * ED, -1, 1);
    fill_uniform(&rng, c.W, EV * ED, -1, 1);
    fill_uniform(&rng, c.R, EN * EK, -1, 1);
    /* ids repeat, within a row and across rows, and word 4 is never used */
    static const int idx[EN * EK] = { 0, 1, 0, 2, 3, 1, 3, 3, 3, 0, 2, 1 };
    memcpy(c.idx, idx, sizeof idx);
    SparseGrad g;
    sparse_grad_init(&g, EV, ED, EN * EK);
    real dh[EN * ED], dW[EV * ED] = { 0 }, ndh[EN * ED], ndW[EV * ED];
    embedding_dot_loss(&c);
    embedding_dot_backward(dh, &g, c.R, c.h, c.idx, c.W, EN, EK, EV, ED);
    CHECK(g.count == 4);                         /* rows 0..3 touched, each once */
    sparse_grad_add_to_dense(dW, &g);
    numerical_gradient(embedding_dot_loss, &c, c.h, EN * ED, ndh);
    numerical_gradient(embedding_dot_loss, &c, c.W, EV * ED, ndW);
    double tol = gradcheck_tolerance();
    CHECK(vector_relative_error(dh, ndh, EN * ED) <= tol);
    CHECK(vector_relative_error(dW, ndW, EV * ED) <= tol);
    for (int j = 0; j < ED; j++)
        CHECK(dW[4 * ED + j] == 0);
    sparse_grad_free(&g);
}

/* ---- CBOW + NegativeSamplingLoss ------------------------------------------------- */

enum { CV = 9, CD = 5, CW = 2, CS = 3, CN = 4 };
typedef struct {
    CBOW m;
    int contexts[CN * 2 * CW], target[CN], negatives[CN * CS];
} CbowCase;

static double cbow_loss(void *ctx)
{
    CbowCase *c = ctx;
    return cbow_forward(&c->m, c->contexts, c->target, c->negatives, CN);
}

static void test_cbow_negative_sampling_gradient(void)
{
    CbowCase c;
    Rng rng;
    rng_seed(&rng, 13);
    cbow_init(&c.m, CV, CD, CW, CS, CN, &rng);
    /* weights of order 1, not the book's 0.01, so the sigmoids are not all 1/2 */
    fill_uniform(&rng, c.m.W_in, CV * CD, -1, 1);
    fill_uniform(&rng, c.m.W_out, CV * CD, -1, 1);
    /* a fixed set of negatives; a context word twice in a row, a negative
     * twice, and a target that is another row's context */
    static const int contexts[CN * 2 * CW] = { 0, 1, 3, 4, 2, 2, 5, 6, 7, 1, 0, 3, 4, 5, 6, 2 };
    static const int target[CN] = { 2, 4, 8, 3 };
    static const int negatives[CN * CS] = { 5, 5, 7, 0, 1, 8, 2, 6, 4, 1, 7, 2 };
    memcpy(c.contexts, contexts, sizeof contexts);
    memcpy(c.target, target, sizeof target);
    memcpy(c.negatives, negatives, sizeof negatives);
    real dW_in[CV * CD] = { 0 }, dW_out[CV * CD] = { 0 }, nd_in[CV * CD], nd_out[CV * CD];
    cbow_zero_grads(&c.m);
    real loss = cbow_loss(&c);
    CHECK(isfinite(loss) && loss > 0);
    cbow_backward(&c.m);
    sparse_grad_add_to_dense(dW_in, &c.m.dW_in);
    sparse_grad_add_to_dense(dW_out, &c.m.dW_out);
    numerical_gradient(cbow_loss, &c, c.m.W_in, CV * CD, nd_in);
    numerical_gradient(cbow_loss, &c, c.m.W_out, CV * CD, nd_out);
    double tol = gradcheck_tolerance();
    CHECK(vector_relative_error(dW_in, nd_in, CV * CD) <= tol);
    CHECK(vector_relative_error(dW_out, nd_out, CV * CD) <= tol);
    /* Only the rows the batch used are in the sparse gradients: word 8 is
     * never a context, so W_in's row 8 has no entry (and no gradient). */
    CHECK(c.m.dW_in.count == 8 && c.m.dW_in.slot[8] == -1);
    CHECK(c.m.dW_out.count == 9);
    cbow_free(&c.m);
}

static void test_create_contexts_target_of_the_book(void)
{
    /* "you say goodbye and i say hello ." -> the book's contexts and target (window 1) */
    static const int corpus[8] = { 0, 1, 2, 3, 4, 1, 5, 6 };
    static const int expected_contexts[6 * 2] = { 0, 2, 1, 3, 2, 4, 3, 1, 4, 5, 1, 6 };
    static const int expected_target[6] = { 1, 2, 3, 4, 1, 5 };
    int contexts[6 * 2], target[6];
    CHECK(create_contexts_target(contexts, target, corpus, 8, 1) == 6);
    CHECK(memcmp(contexts, expected_contexts, sizeof contexts) == 0);
    CHECK(memcmp(target, expected_target, sizeof target) == 0);
    int c2[4 * 4], t2[4];
    CHECK(create_contexts_target(c2, t2, corpus, 8, 2) == 4);
    CHECK(c2[0] == 0 && c2[1] == 1 && c2[2] == 3 && c2[3] == 4 && t2[0] == 2);
}

/* ---- UnigramSampler -------------------------------------------------------------- */

/* sum over words of (observed - expected)^2 / expected, for n draws from p */
static double chi_square(const int *observed, const double *p, int V, int n)
{
    double chi2 = 0;
    for (int w = 0; w < V; w++)
        if (p[w] > 0)
            chi2 += (observed[w] - n * p[w]) * (observed[w] - n * p[w]) / (n * p[w]);
    return chi2;
}

static void test_unigram_sampler_follows_counts_to_the_075(void)
{
    /* Word 0 has count 0 and is the target, so the other words' frequencies
     * are exactly counts^0.75 / sum: no renormalising to account for. */
    enum { V = 7, DRAWS = 60000 };
    static const int counts[V] = { 0, 1, 5, 20, 100, 3, 400 };
    UnigramSampler s;
    unigram_sampler_init(&s, counts, V, 0.75);
    double p075[V], p1[V], total075 = 0, total1 = 0;
    for (int w = 0; w < V; w++) {
        total075 += pow(counts[w], 0.75);
        total1 += counts[w];
    }
    for (int w = 0; w < V; w++) {
        p075[w] = counts[w] ? pow(counts[w], 0.75) / total075 : 0;
        p1[w] = counts[w] / total1;
        CHECK_NEAR(unigram_sampler_probability(&s, w), p075[w], 1e-12);
    }
    Rng rng;
    rng_seed(&rng, 14);
    enum { N = 2000, S = DRAWS / N };
    int *target = xcalloc(N, sizeof(int)), *neg = xmalloc(sizeof(int) * N * S);
    unigram_sampler_get_negative_sample(&s, neg, target, N, S, &rng);
    int observed[V] = { 0 };
    for (int i = 0; i < N * S; i++)
        observed[neg[i]]++;
    CHECK(observed[0] == 0);
    /* 5 degrees of freedom: chi-square above 30 has probability 2e-5 for a
     * right sampler; the plain counts (power 1) must be far off. */
    double chi2 = chi_square(observed, p075, V, N * S);
    CHECK(chi2 < 30);
    CHECK(chi_square(observed, p1, V, N * S) > 1000);
    free(target);
    free(neg);
    unigram_sampler_free(&s);
}

static void test_unigram_sampler_never_draws_the_target(void)
{
    /* Word 3 holds 90% of the weight; as a target it must still never come out. */
    enum { V = 5, N = 500, S = 5 };
    static const int counts[V] = { 2, 3, 1, 10000, 4 };
    UnigramSampler s;
    unigram_sampler_init(&s, counts, V, 0.75);
    int target[N], neg[N * S], again[N * S];
    for (int n = 0; n < N; n++)
        target[n] = n % V;
    Rng rng;
    rng_seed(&rng, 15);
    unigram_sampler_get_negative_sample(&s, neg, target, N, S, &rng);
    int hits_of_3 = 0;
    for (int n = 0; n < N; n++)
        for (int i = 0; i < S; i++) {
            CHECK(neg[n * S + i] != target[n]);
            CHECK(neg[n * S + i] >= 0 && neg[n * S + i] < V);
            hits_of_3 += neg[n * S + i] == 3;
        }
    CHECK(hits_of_3 > N * S / 2);               /* the frequent word is drawn when allowed */
    /* the same seed gives the same negatives */
    rng_seed(&rng, 15);
    unigram_sampler_get_negative_sample(&s, again, target, N, S, &rng);
    CHECK(memcmp(neg, again, sizeof neg) == 0);
    unigram_sampler_free(&s);
}

/* ---- training ---------------------------------------------------------------------- */

/* A synthetic language of G groups. Group g has its own two frame words L_g
 * and R_g, and M member words that only ever appear as "L_g member R_g".
 * Members of one group share their contexts; members of different groups
 * share none. After training, every member's nearest neighbour (by cosine of
 * the rows of W_in) must be a member of its own group. */
enum { G = 3, MEMBERS = 3, TV = G * (MEMBERS + 2), TD = 10, TRIPLES = 1000 };

static int member_id(int g, int i) { return g * MEMBERS + i; }
static int frame_id(int g, int side) { return G * MEMBERS + 2 * g + side; }

static void test_cbow_training_brings_shared_contexts_together(void)
{
    Rng rng;
    rng_seed(&rng, 16);
    int n = 3 * TRIPLES;
    int *corpus = xmalloc(sizeof(int) * n), counts[TV] = { 0 };
    for (int k = 0; k < TRIPLES; k++) {
        int g = rng_int(&rng, G);
        corpus[3 * k] = frame_id(g, 0);
        corpus[3 * k + 1] = member_id(g, rng_int(&rng, MEMBERS));
        corpus[3 * k + 2] = frame_id(g, 1);
    }
    for (int i = 0; i < n; i++)
        counts[corpus[i]]++;
    enum { W = 1, S = 3, B = 20 };
    int *contexts = xmalloc(sizeof(int) * n * 2 * W), *target = xmalloc(sizeof(int) * n);
    int examples = create_contexts_target(contexts, target, corpus, n, W);
    UnigramSampler sampler;
    unigram_sampler_init(&sampler, counts, TV, 0.75);
    CBOW m;
    cbow_init(&m, TV, TD, W, S, B, &rng);
    int *order = xmalloc(sizeof(int) * examples), batch_c[B * 2 * W], batch_t[B], neg[B * S];
    for (int i = 0; i < examples; i++)
        order[i] = i;
    double first_loss = 0, last_loss = 0;
    enum { EPOCHS = 15 };
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        rng_shuffle(&rng, order, examples);
        double sum = 0;
        int batches = 0;
        for (int start = 0; start + B <= examples; start += B, batches++) {
            for (int b = 0; b < B; b++) {
                int e = order[start + b];
                batch_t[b] = target[e];
                memcpy(batch_c + b * 2 * W, contexts + (size_t)e * 2 * W, sizeof(int) * 2 * W);
            }
            unigram_sampler_get_negative_sample(&sampler, neg, batch_t, B, S, &rng);
            cbow_zero_grads(&m);
            sum += cbow_forward(&m, batch_c, batch_t, neg, B);
            cbow_backward(&m);
            cbow_sgd_update(&m, 1.0f);
        }
        if (epoch == 0)
            first_loss = sum / batches;
        last_loss = sum / batches;
    }
    CHECK(last_loss < 0.6 * first_loss);
    double within = 0, between = 0;
    int nw = 0, nb = 0;
    for (int g = 0; g < G; g++)
        for (int i = 0; i < MEMBERS; i++) {
            int w = member_id(g, i), ids[1];
            double sims[1];
            most_similar(ids, sims, w, m.W_in, TV, TD, 1);
            CHECK(ids[0] / MEMBERS == g && ids[0] < G * MEMBERS);
            for (int h = 0; h < G; h++)
                for (int j = 0; j < MEMBERS; j++) {
                    int v = member_id(h, j);
                    if (v == w)
                        continue;
                    double cs = cos_similarity(m.W_in + (size_t)w * TD, m.W_in + (size_t)v * TD, TD);
                    if (h == g) {
                        within += cs;
                        nw++;
                    } else {
                        between += cs;
                        nb++;
                    }
                }
        }
    within /= nw;
    between /= nb;
    printf("  loss %.3f -> %.3f, mean cosine within groups %.3f, between %.3f\n",
           first_loss, last_loss, within, between);
    CHECK(within > 0.8);
    CHECK(within > between + 0.5);
    cbow_free(&m);
    unigram_sampler_free(&sampler);
    free(order);
    free(contexts);
    free(target);
    free(corpus);
}

int main(void)
{
    RUN(test_sigmoid_with_loss_values);
    RUN(test_sigmoid_with_loss_gradient);
    RUN(test_sparse_grad_rows_and_update);
    RUN(test_embedding_dot_by_hand);
    RUN(test_embedding_dot_gradient);
    RUN(test_cbow_negative_sampling_gradient);
    RUN(test_create_contexts_target_of_the_book);
    RUN(test_unigram_sampler_follows_counts_to_the_075);
    RUN(test_unigram_sampler_never_draws_the_target);
    RUN(test_cbow_training_brings_shared_contexts_together);
    return test_summary();
}
