/* kmeans.h - k-means clustering: K centroids that the points gather around.
 *
 * Lloyd's algorithm: give every point to its nearest centroid, move every
 * centroid to the mean of its points, and repeat until no point changes hands.
 * Each round lowers (or keeps) the sum of squared distances, so it stops, in a
 * local minimum that depends on where the centroids started. They start by
 * k-means++ (Arthur and Vassilvitskii 2007): the first at a random point, each
 * next one at a point drawn with probability proportional to its squared
 * distance from the nearest centroid so far, so they start spread out.
 *
 * Chapter 06 uses it to find groups of similar digits without their labels
 * (a GAN conditioned on the clusters). The distances come from one matrix
 * multiply per round: |x - c|^2 = |x|^2 - 2 x.c + |c|^2. */
#ifndef DL_KMEANS_H
#define DL_KMEANS_H

#include "tensor.h"

#include <stdint.h>

typedef struct {
    int rounds;             /* Lloyd rounds made */
    int converged;          /* 1: the last round moved no point */
    double mean_sq_dist;    /* mean squared distance of a point to its centroid */
} KmeansResult;

/* x (N, D) row-major, 1 <= K <= N. Writes centroids (K, D) and assign[N] (the
 * cluster of each point, 0..K-1; every cluster keeps at least one point).
 * At most max_rounds rounds. The same seed gives the same clusters, with any
 * number of threads. */
KmeansResult kmeans(const real *x, int N, int D, int K, int max_rounds, uint64_t seed,
                    real *centroids, int *assign);

#endif
