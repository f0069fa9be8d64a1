/* eigen.c - Jacobi's eigenvalue method (see eigen.h). */
#include "eigen.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int eigen_symmetric(double *A, int n, double *values, double *V)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            V[i * n + j] = i == j;
    double total = 0;
    for (int i = 0; i < n * n; i++)
        total += A[i] * A[i];
    for (int sweep = 1; sweep <= 100; sweep++) {
        double off = 0;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
                off += 2 * A[p * n + q] * A[p * n + q];
        if (off <= 1e-30 * total || off == 0) {
            for (int i = 0; i < n; i++)
                values[i] = A[i * n + i];
            return sweep - 1;
        }
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = A[p * n + q];
                if (apq == 0)
                    continue;
                /* The rotation (c, s) that zeroes a[p][q]: theta = (a_qq - a_pp) / (2 a_pq),
                 * t = tan of the angle, the smaller root of t^2 + 2 t theta - 1 = 0. */
                double theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                /* A <- J^T A J, on columns p and q, then rows p and q */
                for (int k = 0; k < n; k++) {
                    double akp = A[k * n + p], akq = A[k * n + q];
                    A[k * n + p] = c * akp - s * akq;
                    A[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {
                    double apk = A[p * n + k], aqk = A[q * n + k];
                    A[p * n + k] = c * apk - s * aqk;
                    A[q * n + k] = s * apk + c * aqk;
                }
                /* V <- V J */
                for (int k = 0; k < n; k++) {
                    double vkp = V[k * n + p], vkq = V[k * n + q];
                    V[k * n + p] = c * vkp - s * vkq;
                    V[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    return -1;
}

int sqrtm_symmetric(double *R, const double *S, int n)
{
    double *A = xmalloc((size_t)n * n * sizeof(double)), *V = xmalloc((size_t)n * n * sizeof(double));
    double *root = xmalloc((size_t)n * sizeof(double));
    memcpy(A, S, (size_t)n * n * sizeof(double));
    int rc = eigen_symmetric(A, n, root, V);
    for (int k = 0; k < n; k++)
        root[k] = root[k] > 0 ? sqrt(root[k]) : 0;
    /* R = V diag(root) V^T */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int k = 0; k < n; k++)
                sum += V[i * n + k] * root[k] * V[j * n + k];
            R[i * n + j] = sum;
        }
    free(A), free(V), free(root);
    return rc < 0 ? -1 : 0;
}
