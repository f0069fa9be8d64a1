/* scores.c - Inception Score and Fréchet distance (see scores.h). */
#include "scores.h"
#include "eigen.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

double inception_score(const real *probs, int N, int K)
{
    double *py = xcalloc((size_t)K, sizeof(double));
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            py[k] += probs[(size_t)n * K + k];
    for (int k = 0; k < K; k++)
        py[k] /= N;                                 /* p(y) = mean over x of p(y|x) */
    double kl = 0;
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++) {
            double p = probs[(size_t)n * K + k];
            if (p > 0)                              /* 0 log 0 = 0 */
                kl += p * (log(p) - log(py[k]));    /* KL(p(y|x) || p(y)) */
        }
    free(py);
    return exp(kl / N);
}

double inception_score_parts(const real *probs, int N, int K, double *classes, double *spread, double *py)
{
    double *mean = xcalloc((size_t)K, sizeof(double));
    double h_each = 0;                              /* sum over x of H(p(y|x)) */
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++) {
            double p = probs[(size_t)n * K + k];
            mean[k] += p;
            if (p > 0)
                h_each -= p * log(p);
        }
    double h_mean = 0;                              /* H(p(y)) */
    for (int k = 0; k < K; k++) {
        mean[k] /= N;
        if (mean[k] > 0)
            h_mean -= mean[k] * log(mean[k]);
        if (py)
            py[k] = mean[k];
    }
    free(mean);
    *classes = exp(h_mean);
    *spread = exp(h_each / N);
    return *classes / *spread;
}

void feature_moments(const real *features, int N, int d, double *mean, double *cov)
{
    for (int j = 0; j < d; j++) {
        double s = 0;
        for (int n = 0; n < N; n++)
            s += features[(size_t)n * d + j];
        mean[j] = s / N;
    }
    /* cov = xc^T xc / (N - 1), xc = features - mean; the upper half, then mirrored */
    double *xc = xmalloc((size_t)d * sizeof(double));
    for (int i = 0; i < d * d; i++)
        cov[i] = 0;
    for (int n = 0; n < N; n++) {
        for (int j = 0; j < d; j++)
            xc[j] = features[(size_t)n * d + j] - mean[j];
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++)
                cov[i * d + j] += xc[i] * xc[j];
    }
    for (int i = 0; i < d; i++)
        for (int j = i; j < d; j++)
            cov[j * d + i] = cov[i * d + j] /= (N > 1 ? N - 1 : 1);
    free(xc);
}

double frechet_distance(const double *mu1, const double *S1, const double *mu2, const double *S2, int d)
{
    size_t dd = (size_t)d * d;
    double *R = xmalloc(dd * sizeof(double)), *T = xmalloc(dd * sizeof(double));
    double *M = xmalloc(dd * sizeof(double)), *Mroot = xmalloc(dd * sizeof(double));
    double fd = -1;
    if (sqrtm_symmetric(R, S1, d) == 0) {
        /* M = R S2 R: symmetric, with the eigenvalues of S1 S2 */
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++)
                    s += R[i * d + k] * S2[k * d + j];
                T[i * d + j] = s;
            }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++)
                    s += T[i * d + k] * R[k * d + j];
                M[i * d + j] = s;
            }
        for (int i = 0; i < d; i++)           /* exactly symmetric for the solver */
            for (int j = i + 1; j < d; j++)
                M[i * d + j] = M[j * d + i] = (M[i * d + j] + M[j * d + i]) / 2;
        if (sqrtm_symmetric(Mroot, M, d) == 0) {
            double dist = 0, tr = 0;
            for (int i = 0; i < d; i++) {
                dist += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
                tr += S1[i * d + i] + S2[i * d + i] - 2 * Mroot[i * d + i];
            }
            fd = dist + tr;
            if (fd < 0 && fd > -1e-9 * (1 + dist + fabs(tr)))
                fd = 0;                     /* rounding of a set against itself */
        }
    }
    free(R), free(T), free(M), free(Mroot);
    return fd;
}
