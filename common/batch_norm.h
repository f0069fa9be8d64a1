/* batch_norm.h - the book's BatchNormalization layer, for (N, D) inputs
 * and, over channels, for (N, C, H, W) ones.
 *
 * Training normalises each of the D features over the mini-batch,
 *     xn = (x - mean) / sqrt(var + eps),   y = gamma * xn + beta,
 * so every layer sees inputs of mean 0 and variance 1 whatever the weights
 * did upstream; gamma and beta (learned) give back any scale and shift. It also
 * keeps running averages of mean and var (momentum 0.9, as the book), which
 * inference uses in place of the batch's, since a single test image has no
 * batch statistics. The running averages are state tensors of the network's
 * ParamSet (params_add_state), so they are saved with the model. */
#ifndef DL_BATCH_NORM_H
#define DL_BATCH_NORM_H

#include "tensor.h"

#define BATCH_NORM_EPS 1e-6       /* the book's 10e-7 */
#define BATCH_NORM_MOMENTUM 0.9

/* x, y (N, D); gamma, beta (D).
 * Training (train = 1): writes xn (N, D) and std (D), which backward needs, and
 *   updates running = momentum * running + (1 - momentum) * batch statistic.
 * Inference (train = 0): normalises with running_mean and running_var; xn and
 *   std are not touched (may be NULL). y may not alias x. */
void batch_norm_forward(real *y, real *xn, real *std, const real *x, const real *gamma,
                        const real *beta, real *running_mean, real *running_var,
                        int N, int D, double momentum, int train);

/* dy (N, D) -> dx (N, D); dgamma += sum_n dy * xn, dbeta += sum_n dy.
 *   dx = (gamma / std) * (dy - mean_n(dy) - xn * mean_n(dy * xn))
 * (the book's chain of small steps through xc, var and mean, collapsed).
 * dx may alias dy. */
void batch_norm_backward(real *dx, real *dgamma, real *dbeta, const real *dy, const real *xn,
                         const real *std, const real *gamma, int N, int D);

/* The same over channels, for convolutions (DCGAN's "BatchNorm2d"): x, y, xn
 * (N, C, P) with P = H*W positions; gamma, beta, std and the running
 * statistics (C). Each channel is normalised over all N*P of its numbers, so a
 * filter's output keeps one scale wherever in the image it fires. */
void batch_norm_channels_forward(real *y, real *xn, real *std, const real *x, const real *gamma,
                                 const real *beta, real *running_mean, real *running_var,
                                 int N, int C, int P, double momentum, int train);
void batch_norm_channels_backward(real *dx, real *dgamma, real *dbeta, const real *dy, const real *xn,
                                  const real *std, const real *gamma, int N, int C, int P);

#endif
