/* activation.h - the activation function a fully connected net puts after each
 * hidden Affine layer, chosen by name.
 *
 *   sigmoid  the book's chapters 3-5 (and TwoLayerNet of chapter 01)
 *   tanh     a sigmoid centred on 0 (chapter 03's initialisation experiment)
 *   ReLU     the book's choice from chapter 5 on
 *
 * TwoLayerNet and MultiLayerNet both take an Activation; the layers themselves
 * are in layers.h (relu_forward, sigmoid_forward, tanh_forward and backward). */
#ifndef DL_ACTIVATION_H
#define DL_ACTIVATION_H

#include <stddef.h>

#include "tensor.h"

typedef enum { ACT_SIGMOID, ACT_TANH, ACT_RELU } Activation;

/* "sigmoid", "tanh", "ReLU" */
const char *activation_name(Activation a);
/* "sigmoid", "tanh" or "relu", in any case; 0, or -1 if s is none of these. */
int activation_parse(const char *s, Activation *a);

/* The chosen layer on n numbers: y = h(x), and dx = dy * h'(x) computed from
 * the forward output y. y may alias x, dx may alias dy. */
void activation_forward(Activation a, real *y, const real *x, size_t n);
void activation_backward(Activation a, real *dx, const real *dy, const real *y, size_t n);

#endif
