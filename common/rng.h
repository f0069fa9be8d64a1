/* rng.h - a seeded random number generator (xoshiro256**).
 *
 * One seed drives every random choice of a run, so the same seed gives the same
 * numbers. Never seeded from the clock. */
#ifndef DL_RNG_H
#define DL_RNG_H

#include <stdint.h>

#include "tensor.h"

#define RNG_DEFAULT_SEED 42

typedef struct {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);              /* 64 random bits */
double rng_uniform(Rng *r);             /* in [0, 1) */
double rng_normal(Rng *r);              /* mean 0, standard deviation 1 */
int rng_int(Rng *r, int n);             /* in [0, n) */
void rng_shuffle(Rng *r, int *a, int n); /* Fisher-Yates */
/* Fill x[0..n) with normal(0, std) values. */
void rng_fill_normal(Rng *r, real *x, size_t n, double std);

#endif
