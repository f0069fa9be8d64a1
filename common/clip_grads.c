/* clip_grads.c - gradient clipping by the global norm (the sequel's common/util.py). */
#include "clip_grads.h"

#include <math.h>

double clip_grads(real *grads, size_t n, double max_norm)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)grads[i] * grads[i];
    double norm = sqrt(sum);
    if (norm > max_norm) {
        double rate = max_norm / norm;                  /* < 1: the direction stays, the length shrinks */
        for (size_t i = 0; i < n; i++)
            grads[i] = (real)(grads[i] * rate);
    }
    return norm;
}
