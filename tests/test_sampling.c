/* Sampling the next word: greedy, temperature, top-k, all from the shared Rng. */
#include <math.h>
#include <string.h>

#include "gradcheck.h"
#include "sampling.h"
#include "test.h"

enum { V = 12 };

static void test_greedy_is_the_highest_score(void)
{
    real s[5] = {0.1f, 2, -1, 2, 1.5f};
    CHECK(sample_greedy(s, 5) == 1);                /* the first of a tie */
}

/* Temperature 0 is greedy, and draws nothing from the generator. */
static void test_temperature_zero_is_greedy(void)
{
    Rng rng, untouched;
    rng_seed(&rng, 1);
    real s[V], work[V];
    for (int trial = 0; trial < 50; trial++) {
        fill_uniform(&rng, s, V, -3, 3);
        untouched = rng;
        CHECK(sample_scores(s, V, 0, 0, &rng, work) == sample_greedy(s, V));
        CHECK(sample_scores(s, V, 0, 3, &rng, work) == sample_greedy(s, V));
        CHECK(memcmp(&rng, &untouched, sizeof rng) == 0);
    }
}

static void test_sampling_repeats_for_a_seed(void)
{
    real s[V], work[V];
    Rng rng;
    rng_seed(&rng, 2);
    fill_uniform(&rng, s, V, -1, 1);
    int a[200], b[200], c[200];
    Rng r1, r2, r3;
    rng_seed(&r1, 7), rng_seed(&r2, 7), rng_seed(&r3, 8);
    for (int i = 0; i < 200; i++) {
        a[i] = sample_scores(s, V, 1, 0, &r1, work);
        b[i] = sample_scores(s, V, 1, 0, &r2, work);
        c[i] = sample_scores(s, V, 1, 0, &r3, work);
    }
    CHECK(memcmp(a, b, sizeof a) == 0);             /* same seed, same words */
    CHECK(memcmp(a, c, sizeof a) != 0);             /* another seed, other words */
}

/* Even at a high temperature, where every word is nearly as likely, top-k
 * draws only the k highest scores, and all of them. */
static void test_top_k_never_leaves_the_top_k(void)
{
    real s[V], work[V];
    Rng rng;
    rng_seed(&rng, 3);
    fill_uniform(&rng, s, V, -1, 1);
    int rank_of[V];                                 /* 0 for the highest score */
    for (int i = 0; i < V; i++) {
        rank_of[i] = 0;
        for (int j = 0; j < V; j++)
            if (s[j] > s[i])
                rank_of[i]++;
    }
    int seen[V] = {0};
    for (int i = 0; i < 3000; i++) {
        int w = sample_scores(s, V, 100, 3, &rng, work);
        CHECK(w >= 0 && w < V && rank_of[w] < 3);
        seen[w]++;
    }
    for (int i = 0; i < V; i++)
        CHECK((seen[i] > 0) == (rank_of[i] < 3));
    CHECK(sample_scores(s, V, 1, 1, &rng, work) == sample_greedy(s, V));   /* top-1 is greedy */
}

/* At temperature 1 the words come with softmax(scores)'s frequencies; a low
 * temperature all but always gives the highest; a weight of 0 never comes. */
static void test_frequencies_follow_softmax(void)
{
    const double p[4] = {0.5, 0.3, 0.15, 0.05};
    real s[4], work[4];
    for (int i = 0; i < 4; i++)
        s[i] = (real)(log(p[i]) + 1.0);             /* softmax ignores the shift */
    Rng rng;
    rng_seed(&rng, 4);
    enum { DRAWS = 20000 };
    int count[4] = {0}, cold[4] = {0};
    for (int i = 0; i < DRAWS; i++) {
        count[sample_scores(s, 4, 1, 0, &rng, work)]++;
        cold[sample_scores(s, 4, 0.05, 0, &rng, work)]++;
    }
    for (int i = 0; i < 4; i++)
        CHECK_NEAR((double)count[i] / DRAWS, p[i], 0.015);
    CHECK(cold[0] >= DRAWS - 5);                    /* (0.3/0.5)^20: about 4e-5 each */

    real q[5] = {0, 0.2f, 0, 0.8f, 0};
    int hits[5] = {0};
    for (int i = 0; i < DRAWS; i++)
        hits[sample_categorical(q, 5, &rng)]++;
    CHECK(hits[0] == 0 && hits[2] == 0 && hits[4] == 0);
    CHECK_NEAR((double)hits[3] / DRAWS, 0.8, 0.015);
}

int main(void)
{
    RUN(test_greedy_is_the_highest_score);
    RUN(test_temperature_zero_is_greedy);
    RUN(test_sampling_repeats_for_a_seed);
    RUN(test_top_k_never_leaves_the_top_k);
    RUN(test_frequencies_follow_softmax);
    return test_summary();
}
