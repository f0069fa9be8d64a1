/* weight_decay.h - L2 weight decay (the book's chapter 6.4.1).
 *
 * Large weights are what over-fitting leans on, so the loss gains a penalty
 * lambda/2 * sum W^2 over the weights (the tensors a net registered with
 * `decay`: weights yes, biases, gamma and beta no), and each weight's gradient
 * gains lambda * W, which pulls every weight a little towards 0 at each step. */
#ifndef DL_WEIGHT_DECAY_H
#define DL_WEIGHT_DECAY_H
#include "params.h"

/* The loss term lambda/2 * sum W^2. */
double weight_decay_loss(const ParamSet *ps, double lambda);

/* Its gradient: dW += lambda * W for every tensor marked `decay`. */
void weight_decay_backward(ParamSet *ps, double lambda);

#endif
