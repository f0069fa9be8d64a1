/* svd.h - the top k singular vectors of a matrix (vol. 2 ch. 2's dimensionality
 * reduction of the PPMI matrix; the book calls sklearn's randomized_svd).
 *
 *   A (m, n) = U S V^T,   U (m, k), S (k) largest first, V^T (k, n)
 *
 * Row w of U (times S, or not) is word w's dense vector: the k directions that
 * explain most of the PPMI matrix, instead of its V sparse columns.
 *
 * Randomized subspace iteration (Halko, Martinsson and Tropp, 2011):
 *   1. Y = A Omega, with Omega (n, l) random normal and l = k + oversample.
 *      Y's columns mix mostly the top singular directions of A.
 *   2. `iterations` times: Y = A (A^T Y), re-orthonormalised in between.
 *      Each pass multiplies direction i by s_i^2, so the top k pull ahead of
 *      the rest by (s_i / s_{l+1})^2 per pass.
 *   3. Q = orthonormal basis of Y (m, l); B = Q^T A is small (l, n).
 *   4. SVD of B from the eigen-decomposition of B B^T (l, l) = E L E^T:
 *      s_i = sqrt(L_i), U = Q E, V^T = E^T B / s.
 *
 * Cost: every pass is two (m x n) by l multiplies, 2 m n l multiply-adds each,
 * so (2 + 2 * iterations) m n l in all: linear in the matrix's size and in k.
 * For V = 12,000 words and k = 100, l = 110: 1.6e10 per multiply, seconds on
 * the threaded matmul. A full SVD would be O(V^3), and 12,000^3 is 1.7e12.
 * Memory beyond A: three (l, max(m, n)) blocks. */
#ifndef DL_SVD_H
#define DL_SVD_H

#include "rng.h"
#include "tensor.h"

/* A (m, n) row-major. Writes U (m, k), S (k) in decreasing order, and Vt (k, n)
 * unless Vt is NULL. k + oversample must not exceed min(m, n) (it is cut to it).
 * Each singular pair's sign is chosen so that the largest-magnitude entry of
 * its column of U is positive, so one seed gives one answer. */
void randomized_svd(const real *A, int m, int n, int k, int oversample, int iterations,
                    Rng *rng, real *U, real *S, real *Vt);

/* The eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations:
 * G (l, l) is overwritten (its diagonal ends up holding the eigenvalues, in
 * eigenvalues (l), largest first); E (l, l) holds the eigenvectors as columns,
 * in the same order. Done in double: l is small (k + oversample). */
void symmetric_eigen(double *G, int l, double *eigenvalues, double *E);

#endif
