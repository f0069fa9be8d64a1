/* k-means: finds clusters that are there, lowers its distance, repeats for a
 * seed on any number of threads, and never leaves a cluster empty. */
#include <stdlib.h>
#include <string.h>

#include "kmeans.h"
#include "rng.h"
#include "test.h"
#include "threads.h"
#include "util.h"

enum { D = 40, PER = 300 };

/* `groups` tight blobs of PER points each, around centres far apart, in an
 * order that mixes the groups; truth[i] says which blob point i came from. */
static real *blobs(int groups, int *truth, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    real *centre = xmalloc((size_t)groups * D * sizeof(real));
    for (int g = 0; g < groups; g++)
        for (int j = 0; j < D; j++)
            centre[g * D + j] = (real)(10 * rng_normal(&rng));
    const int N = groups * PER;
    real *x = xmalloc((size_t)N * D * sizeof(real));
    for (int i = 0; i < N; i++) {
        truth[i] = (i * 7) % groups;
        for (int j = 0; j < D; j++)
            x[(size_t)i * D + j] = centre[truth[i] * D + j] + (real)(0.5 * rng_normal(&rng));
    }
    free(centre);
    return x;
}

/* Every found cluster holds exactly one blob: the points of a blob share a
 * cluster, and no two blobs share one. */
static void test_finds_the_blobs(void)
{
    enum { G = 6, N = G * PER };
    int truth[N], assign[N];
    real *x = blobs(G, truth, 1);
    real c[G * D];
    KmeansResult r = kmeans(x, N, D, G, 100, 3, c, assign);
    CHECK(r.converged);
    int cluster_of[G];
    for (int g = 0; g < G; g++)
        cluster_of[g] = -1;
    int ok = 1;
    for (int i = 0; i < N; i++) {
        if (cluster_of[truth[i]] < 0)
            cluster_of[truth[i]] = assign[i];
        ok &= cluster_of[truth[i]] == assign[i];
    }
    for (int a = 0; a < G; a++)
        for (int b = a + 1; b < G; b++)
            ok &= cluster_of[a] != cluster_of[b];
    CHECK(ok);
    /* a point is about 0.5^2 * D = 10 from its blob's centre, squared */
    CHECK(r.mean_sq_dist > 8 && r.mean_sq_dist < 12);
    free(x);
}

/* More rounds never raise the mean squared distance: Lloyd's two steps each
 * lower it or keep it. Ten clusters for blobs that do not come in tens. */
static void test_rounds_lower_the_distance(void)
{
    enum { G = 7, N = G * PER, K = 10 };
    int truth[N], assign[N];
    real *x = blobs(G, truth, 2);
    real c[K * D];
    double last = 1e300;
    for (int rounds = 1; rounds <= 6; rounds++) {
        KmeansResult r = kmeans(x, N, D, K, rounds, 5, c, assign);
        CHECK(r.rounds <= rounds);
        CHECK(r.mean_sq_dist <= last * (1 + 1e-6));
        last = r.mean_sq_dist;
    }
    free(x);
}

/* The same seed gives the same clusters on 1 and 2 threads; every cluster
 * keeps a point even when there are as many clusters as points. */
static void test_repeatable_and_never_empty(void)
{
    enum { G = 5, N = G * PER, K = 12 };
    int truth[N], a1[N], a2[N];
    real *x = blobs(G, truth, 4);
    real c1[K * D], c2[K * D];
    set_threads(1);
    kmeans(x, N, D, K, 50, 9, c1, a1);
    set_threads(2);
    kmeans(x, N, D, K, 50, 9, c2, a2);
    CHECK(memcmp(a1, a2, sizeof a1) == 0 && memcmp(c1, c2, sizeof c1) == 0);
    int count[K] = {0};
    for (int i = 0; i < N; i++)
        count[a1[i]]++;
    int empty = 0;
    for (int k = 0; k < K; k++)
        empty += count[k] == 0;
    CHECK(empty == 0);
    /* 8 points, 8 clusters: one each, at distance 0 */
    int small[8];
    real cs[8 * D];
    KmeansResult r = kmeans(x, 8, D, 8, 50, 1, cs, small);
    int seen[8] = {0};
    for (int i = 0; i < 8; i++)
        seen[small[i]]++;
    int one_each = 1;
    for (int k = 0; k < 8; k++)
        one_each &= seen[k] == 1;
    CHECK(one_each && r.mean_sq_dist < 1e-6);
    free(x);
}

int main(void)
{
    RUN(test_finds_the_blobs);
    RUN(test_rounds_lower_the_distance);
    RUN(test_repeatable_and_never_empty);
    return test_summary();
}
