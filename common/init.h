/* init.h - how weights start (the book's section 6.2).
 *
 * Weights are drawn from normal(0, std^2). The std decides whether signals
 * survive a deep stack of layers: too large and sigmoid outputs pile up at 0
 * and 1 (gradients vanish), too small and every unit says the same thing.
 *   fixed   a chosen std (the book tries 1 and 0.01)
 *   Xavier  std = sqrt(1 / n_in): keeps the spread of sigmoid/tanh layers
 *   He      std = sqrt(2 / n_in): the same for ReLU, which zeroes half its inputs
 * n_in is the number of inputs of the layer (rows of W). Biases start at 0. */
#ifndef DL_INIT_H
#define DL_INIT_H

#include <stddef.h>

typedef enum { INIT_FIXED, INIT_XAVIER, INIT_HE } WeightInitKind;

typedef struct {
    WeightInitKind kind;
    double std;             /* INIT_FIXED only */
} WeightInit;

/* The standard deviation for a layer with n_in inputs. */
double weight_init_std(WeightInit init, int n_in);
/* "xavier", "he", or a number ("0.01"); 0, or -1 if s is none of these. */
int weight_init_parse(const char *s, WeightInit *init);
/* "Xavier", "He", "std=0.01" into buf; returns buf. */
const char *weight_init_name(WeightInit init, char *buf, size_t size);

#endif
