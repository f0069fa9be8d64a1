/* scores.h - how good are a generator's samples? Two numbers from a classifier.
 *
 * Inception Score (Salimans et al. 2016), here with chapter 04's digit
 * classifier in place of the Inception net: p(y|x) are its class
 * probabilities for a sample x, p(y) their mean over all samples.
 *
 *   IS = exp( mean over x of KL( p(y|x) || p(y) ) )
 *
 * It is high when each sample is clearly one digit (p(y|x) sharp) and all
 * digits appear equally (p(y) flat); at most the number of classes, 10, and
 * 1 when every sample looks alike or none looks like any digit.
 *
 * Fréchet distance (Heusel et al. 2017, "FID" with Inception features): fit a
 * Gaussian to the classifier's penultimate-layer features of the samples
 * (mean mu1, covariance S1) and of real test digits (mu2, S2); the distance
 * between the two Gaussians is
 *
 *   FD = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2))
 *
 * 0 for the same set, growing as the samples' features drift from the real
 * ones in place or in spread. tr((S1 S2)^(1/2)) is computed as
 * tr((R S2 R)^(1/2)) with R = S1^(1/2), a symmetric matrix, so that Jacobi's
 * method (eigen.h) serves for both square roots. All in double. */
#ifndef DL_SCORES_H
#define DL_SCORES_H

#include "tensor.h"

/* probs (N, K): each row a probability distribution. */
double inception_score(const real *probs, int N, int K);

/* The same score as two factors. p(y) is the mean of the p(y|x), so the mean
 * KL divergence is H(p(y)) - (mean over x of H(p(y|x))), H the entropy, and
 *
 *   IS = exp(H(p(y))) / exp(mean H(p(y|x))) = classes / spread
 *
 * classes (1 to K): how many classes the samples fall into, counted as if
 * equally common (K when every class turns up as often); spread (1 to K): how
 * many classes one sample is shared between (1 when each is clearly one).
 * py (K, or NULL) gets p(y). Returns classes / spread. */
double inception_score_parts(const real *probs, int N, int K, double *classes, double *spread, double *py);

/* The mean (d) and covariance (d, d) of N rows of features (N, d), the
 * covariance divided by N - 1. */
void feature_moments(const real *features, int N, int d, double *mean, double *cov);

/* The Fréchet distance between normal(mu1, S1) and normal(mu2, S2) in d
 * dimensions; -1 if the eigen-solver did not converge. */
double frechet_distance(const double *mu1, const double *S1, const double *mu2, const double *S2, int d);

#endif
