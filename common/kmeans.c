/* kmeans.c - k-means clustering (see kmeans.h). */
#include "kmeans.h"
#include "matmul.h"
#include "rng.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Points go through the distance product this many at a time, so the
 * (rows, K) block of dot products stays small whatever N is. */
enum { KMEANS_ROWS = 4096 };

static double sq_norm(const real *v, int D)
{
    double s = 0;
    for (int j = 0; j < D; j++)
        s += (double)v[j] * v[j];
    return s;
}

/* |a - b|^2 exactly (in double), where the product's formula would lose digits
 * to cancellation near 0 */
static double sq_dist(const real *a, const real *b, int D)
{
    double s = 0;
    for (int j = 0; j < D; j++)
        s += ((double)a[j] - b[j]) * ((double)a[j] - b[j]);
    return s;
}

/* Squared distances of the points rows [i0, i1) to the K centroids, from the
 * points' squared norms xn and the centroids' cn: dist (rows, K). */
static void distances(double *dist, real *dots, const real *x, const double *xn, int i0, int i1, int D,
                      const real *c, const double *cn, int K)
{
    const int rows = i1 - i0;
    /* dots (rows, K) = x rows times c^T */
    matmul(0, 1, rows, K, D, x + (size_t)i0 * D, c, 0, dots);
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < K; k++) {
            double d = xn[i0 + r] - 2.0 * dots[(size_t)r * K + k] + cn[k];
            dist[(size_t)r * K + k] = d > 0 ? d : 0;    /* rounding can dip below 0 */
        }
}

/* k-means++: centroid 0 at a random point, each next at a point drawn with
 * probability proportional to its squared distance to the nearest so far. */
static void seed_centroids(const real *x, const double *xn, int N, int D, int K, Rng *rng, real *c,
                           double *cn, double *nearest, double *dist, real *dots)
{
    int first = rng_int(rng, N);
    memcpy(c, x + (size_t)first * D, (size_t)D * sizeof(real));
    cn[0] = xn[first];
    for (int i = 0; i < N; i++)
        nearest[i] = -1;
    for (int k = 1; k < K; k++) {
        /* the points' distances to centroid k - 1, the newest */
        double total = 0;
        for (int i0 = 0; i0 < N; i0 += KMEANS_ROWS) {
            int i1 = N - i0 < KMEANS_ROWS ? N : i0 + KMEANS_ROWS;
            distances(dist, dots, x, xn, i0, i1, D, c + (size_t)(k - 1) * D, cn + k - 1, 1);
            for (int i = i0; i < i1; i++) {
                if (nearest[i] < 0 || dist[i - i0] < nearest[i])
                    nearest[i] = dist[i - i0];
                total += nearest[i];
            }
        }
        /* draw a point: the first whose running sum passes u * total (all
         * points at distance 0 from a centroid: any point will do) */
        double u = rng_uniform(rng) * total, run = 0;
        int pick = rng_int(rng, N);
        if (total > 0)
            for (int i = 0; i < N; i++) {
                run += nearest[i];
                if (run > u) {
                    pick = i;
                    break;
                }
            }
        memcpy(c + (size_t)k * D, x + (size_t)pick * D, (size_t)D * sizeof(real));
        cn[k] = xn[pick];
    }
}

KmeansResult kmeans(const real *x, int N, int D, int K, int max_rounds, uint64_t seed, real *centroids,
                    int *assign)
{
    if (K < 1 || K > N || D < 1)
        die("kmeans: %d clusters of %d points of %d numbers", K, N, D);
    KmeansResult res = {0, 0, 0};
    double *xn = xmalloc((size_t)N * sizeof(double)), *cn = xmalloc((size_t)K * sizeof(double));
    double *own = xmalloc((size_t)N * sizeof(double));     /* each point's distance to its centroid */
    double *dist = xmalloc((size_t)KMEANS_ROWS * K * sizeof(double));
    real *dots = xmalloc((size_t)KMEANS_ROWS * K * sizeof(real));
    double *sum = xmalloc((size_t)K * D * sizeof(double));
    int *count = xmalloc((size_t)K * sizeof(int));
    for (int i = 0; i < N; i++)
        xn[i] = sq_norm(x + (size_t)i * D, D);
    Rng rng;
    rng_seed(&rng, seed);
    seed_centroids(x, xn, N, D, K, &rng, centroids, cn, own, dist, dots);
    for (int i = 0; i < N; i++)
        assign[i] = -1;

    while (res.rounds < max_rounds) {
        /* each point to its nearest centroid (the first of equals) */
        int moved = 0;
        for (int i0 = 0; i0 < N; i0 += KMEANS_ROWS) {
            int i1 = N - i0 < KMEANS_ROWS ? N : i0 + KMEANS_ROWS;
            distances(dist, dots, x, xn, i0, i1, D, centroids, cn, K);
            for (int i = i0; i < i1; i++) {
                const double *d = dist + (size_t)(i - i0) * K;
                int best = 0;
                for (int k = 1; k < K; k++)
                    if (d[k] < d[best])
                        best = k;
                moved += assign[i] != best;
                assign[i] = best;
                own[i] = sq_dist(x + (size_t)i * D, centroids + (size_t)best * D, D);
            }
        }
        res.rounds++;
        if (!moved) {
            res.converged = 1;
            break;
        }
        /* a cluster left without points takes the point farthest from its
         * centroid (from a cluster that keeps at least one) */
        memset(count, 0, (size_t)K * sizeof(int));
        for (int i = 0; i < N; i++)
            count[assign[i]]++;
        for (int k = 0; k < K; k++)
            if (count[k] == 0) {
                int far = -1;
                for (int i = 0; i < N; i++)
                    if (count[assign[i]] > 1 && (far < 0 || own[i] > own[far]))
                        far = i;
                count[assign[far]]--;
                assign[far] = k;
                own[far] = 0;
                count[k] = 1;
            }
        /* each centroid to the mean of its points */
        memset(sum, 0, (size_t)K * D * sizeof(double));
        for (int i = 0; i < N; i++) {
            double *s = sum + (size_t)assign[i] * D;
            const real *p = x + (size_t)i * D;
            for (int j = 0; j < D; j++)
                s[j] += p[j];
        }
        for (int k = 0; k < K; k++) {
            for (int j = 0; j < D; j++)
                centroids[(size_t)k * D + j] = (real)(sum[(size_t)k * D + j] / count[k]);
            cn[k] = sq_norm(centroids + (size_t)k * D, D);
        }
    }
    double total = 0;
    for (int i = 0; i < N; i++)
        total += own[i];
    res.mean_sq_dist = total / N;
    free(xn), free(cn), free(own), free(dist), free(dots), free(sum), free(count);
    return res;
}
