/* svd.c - a truncated SVD by randomized subspace iteration (see svd.h).
 *
 * The tall-and-thin blocks (Y, Q, B) are stored transposed, one basis vector
 * per ROW, so that Gram-Schmidt walks contiguous memory and every product is
 * one call to matmul with the right transpose flags. */
#include "svd.h"
#include "matmul.h"
#include "util.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/* Make the l rows of X (l, len) orthonormal, in place, by modified Gram-Schmidt:
 * subtract from each row its projections on the rows before it, then scale it
 * to length 1. Run twice ("twice is enough": the second pass removes what
 * rounding left of the first).
 * A row that loses nearly all of its length was a mix of the rows before it
 * (X has rank < l): what is left is rounding noise, pointing anywhere, and
 * scaling it up would give a row that is not orthogonal to the others. It is
 * set to zero instead, and contributes a zero singular value and nothing else. */
static void orthonormalize_rows(real *X, int l, int len)
{
    double eps = sizeof(real) == sizeof(float) ? FLT_EPSILON : DBL_EPSILON;
    double noise = 10 * sqrt((double)len) * eps;   /* relative size of rounding in a dot product */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < l; i++) {
            real *xi = X + (size_t)i * len;
            double before = 0;
            for (int t = 0; t < len; t++)
                before += (double)xi[t] * xi[t];
            for (int j = 0; j < i; j++) {
                const real *xj = X + (size_t)j * len;
                double dot = 0;
                for (int t = 0; t < len; t++)
                    dot += (double)xi[t] * xj[t];
                for (int t = 0; t < len; t++)
                    xi[t] -= (real)dot * xj[t];     /* x_i -= (x_i . x_j) x_j */
            }
            double nrm = 0;
            for (int t = 0; t < len; t++)
                nrm += (double)xi[t] * xi[t];
            real scale = nrm > noise * noise * before && nrm > 0 ? (real)(1 / sqrt(nrm)) : 0;
            for (int t = 0; t < len; t++)
                xi[t] *= scale;
        }
}

void symmetric_eigen(double *G, int l, double *eigenvalues, double *E)
{
    for (int i = 0; i < l; i++)
        for (int j = 0; j < l; j++)
            E[(size_t)i * l + j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0, all = 0;
        for (int i = 0; i < l; i++)
            for (int j = 0; j < l; j++) {
                double g2 = G[(size_t)i * l + j] * G[(size_t)i * l + j];
                all += g2;
                if (i != j)
                    off += g2;
            }
        if (off <= 1e-30 * all)
            break;
        /* One sweep: a rotation in the (p, q) plane for every pair, each chosen
         * to zero G[p][q]: G = J^T G J, E = E J, with J = [[c, s], [-s, c]]. */
        for (int p = 0; p < l - 1; p++)
            for (int q = p + 1; q < l; q++) {
                double gpq = G[(size_t)p * l + q];
                if (gpq == 0)
                    continue;
                /* tan of the angle, the smaller root of t^2 + 2 theta t - 1 = 0 */
                double theta = (G[(size_t)q * l + q] - G[(size_t)p * l + p]) / (2 * gpq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + hypot(theta, 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < l; k++) {       /* columns p and q: G J */
                    double gkp = G[(size_t)k * l + p], gkq = G[(size_t)k * l + q];
                    G[(size_t)k * l + p] = c * gkp - s * gkq;
                    G[(size_t)k * l + q] = s * gkp + c * gkq;
                }
                for (int k = 0; k < l; k++) {       /* rows p and q: J^T (G J) */
                    double gpk = G[(size_t)p * l + k], gqk = G[(size_t)q * l + k];
                    G[(size_t)p * l + k] = c * gpk - s * gqk;
                    G[(size_t)q * l + k] = s * gpk + c * gqk;
                }
                for (int k = 0; k < l; k++) {       /* E J */
                    double ekp = E[(size_t)k * l + p], ekq = E[(size_t)k * l + q];
                    E[(size_t)k * l + p] = c * ekp - s * ekq;
                    E[(size_t)k * l + q] = s * ekp + c * ekq;
                }
            }
    }
    /* Largest first: selection sort of the diagonal, swapping E's columns along. */
    for (int i = 0; i < l; i++)
        eigenvalues[i] = G[(size_t)i * l + i];
    for (int i = 0; i < l; i++) {
        int best = i;
        for (int j = i + 1; j < l; j++)
            if (eigenvalues[j] > eigenvalues[best])
                best = j;
        if (best == i)
            continue;
        double tmp = eigenvalues[i];
        eigenvalues[i] = eigenvalues[best];
        eigenvalues[best] = tmp;
        for (int k = 0; k < l; k++) {
            tmp = E[(size_t)k * l + i];
            E[(size_t)k * l + i] = E[(size_t)k * l + best];
            E[(size_t)k * l + best] = tmp;
        }
    }
}

void randomized_svd(const real *A, int m, int n, int k, int oversample, int iterations,
                    Rng *rng, real *U, real *S, real *Vt)
{
    int min_mn = m < n ? m : n;
    if (k < 1 || k > min_mn)
        die("randomized_svd: k = %d must be in [1, %d]", k, min_mn);
    int l = k + (oversample > 0 ? oversample : 0);
    if (l > min_mn)
        l = min_mn;
    int big = m > n ? m : n;
    real *Z = xmalloc((size_t)l * big * sizeof(real));     /* (l, n): Omega^T, (A^T Q)^T, then B */
    real *Y = xmalloc((size_t)l * big * sizeof(real));     /* (l, m): (A Omega)^T, then Q^T */

    /* 1. Y = A Omega, stored as Y^T = Omega^T A^T */
    rng_fill_normal(rng, Z, (size_t)l * n, 1.0);
    matmul(0, 1, l, m, n, Z, A, 0, Y);
    orthonormalize_rows(Y, l, m);
    /* 2. Y = A (A^T Y): Z^T = Y^T A, then Y^T = Z^T A^T */
    for (int it = 0; it < iterations; it++) {
        matmul(0, 0, l, n, m, Y, A, 0, Z);
        orthonormalize_rows(Z, l, n);
        matmul(0, 1, l, m, n, Z, A, 0, Y);
        orthonormalize_rows(Y, l, m);
    }
    /* 3. Q = Y; B = Q^T A (l, n) */
    real *B = Z;
    matmul(0, 0, l, n, m, Y, A, 0, B);

    /* 4. B B^T = E L E^T (l, l) */
    real *BBt = xmalloc((size_t)l * l * sizeof(real));
    matmul(0, 1, l, l, n, B, B, 0, BBt);
    double *G = xmalloc((size_t)l * l * sizeof(double));
    double *E = xmalloc((size_t)l * l * sizeof(double));
    double *eig = xmalloc((size_t)l * sizeof(double));
    for (size_t i = 0; i < (size_t)l * l; i++)
        G[i] = BBt[i];
    symmetric_eigen(G, l, eig, E);
    real *Ek = xmalloc((size_t)l * k * sizeof(real));      /* the top k eigenvectors (l, k) */
    for (int r = 0; r < l; r++)
        for (int j = 0; j < k; j++)
            Ek[(size_t)r * k + j] = (real)E[(size_t)r * l + j];
    for (int j = 0; j < k; j++)
        S[j] = eig[j] > 0 ? (real)sqrt(eig[j]) : 0;        /* s = sqrt(eigenvalue of B B^T) */

    matmul(1, 0, m, k, l, Y, Ek, 0, U);                     /* U = Q E_k */
    if (Vt) {
        matmul(1, 0, k, n, l, Ek, B, 0, Vt);                /* V^T = E_k^T B / s */
        for (int j = 0; j < k; j++) {
            real inv = S[j] > 0 ? 1 / S[j] : 0;
            for (int c = 0; c < n; c++)
                Vt[(size_t)j * n + c] *= inv;
        }
    }
    /* A sign is arbitrary (u s v^T = (-u) s (-v)^T): make each column of U's
     * largest-magnitude entry positive. */
    for (int j = 0; j < k; j++) {
        int arg = 0;
        for (int r = 1; r < m; r++)
            if (fabs((double)U[(size_t)r * k + j]) > fabs((double)U[(size_t)arg * k + j]))
                arg = r;
        if (U[(size_t)arg * k + j] < 0) {
            for (int r = 0; r < m; r++)
                U[(size_t)r * k + j] = -U[(size_t)r * k + j];
            if (Vt)
                for (int c = 0; c < n; c++)
                    Vt[(size_t)j * n + c] = -Vt[(size_t)j * n + c];
        }
    }
    free(Ek);
    free(eig);
    free(E);
    free(G);
    free(BBt);
    free(Y);
    free(Z);
}
