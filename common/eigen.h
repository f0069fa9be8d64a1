/* eigen.h - eigenvalues and eigenvectors of a symmetric matrix, by Jacobi's method.
 *
 * Each step picks an off-diagonal entry a[p][q] and rotates rows and columns p
 * and q by the angle that makes it zero; sweeping over all pairs again and
 * again drives the whole off-diagonal to zero, leaving the eigenvalues on the
 * diagonal, and the product of the rotations holds the eigenvectors. Slower
 * than LAPACK's methods for big matrices, but a few dozen lines, always
 * convergent for symmetric input, and quick for the 100 x 100 covariances of
 * the Fréchet distance (scores.h). In double, whatever `real` is. */
#ifndef DL_EIGEN_H
#define DL_EIGEN_H

/* A (n, n) symmetric, row-major, is destroyed. On return values[0..n) holds
 * the eigenvalues (in no particular order) and V (n, n) the eigenvectors as
 * its columns: A = V diag(values) V^T. Returns the number of sweeps made, or
 * -1 if the off-diagonal had not vanished after 100 sweeps. */
int eigen_symmetric(double *A, int n, double *values, double *V);

/* The symmetric square root of a symmetric positive semi-definite S (n, n):
 * R with R R = S, R = V diag(sqrt(values)) V^T (eigenvalues below 0 from
 * rounding count as 0). S is not changed. Returns 0, or -1 as eigen_symmetric. */
int sqrtm_symmetric(double *R, const double *S, int n);

#endif
