/* driver.c - one DeepConvNet training on a fixed batch, for step_ab: compiled
 * once against each of the two versions' headers and linked with that
 * version's library (scripts/step_ab.sh gives the older one's symbols an
 * "old_" prefix), so that each version sees its own struct layouts. */
#include "deep_conv_net.h"
#include "optimizer.h"
#include "rng.h"
#include "threads.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    DeepConvNet net;
    Optimizer opt;
    real *x;
    int *t;
    int N;
} Stepper;

/* A net seeded by seed, and a batch of N random images (from the same seed:
 * both versions train on the same numbers). */
void *step_create(int threads, int N, uint64_t seed)
{
    set_threads(threads);
    Stepper *s = xcalloc(1, sizeof *s);
    Rng rng;
    rng_seed(&rng, seed);
    deep_conv_net_init(&s->net, 1, 28, 28, 10, N, &rng);
    s->opt = optimizer_create(ADAM, 0.001, s->net.params.trainable_size);
    s->x = xmalloc((size_t)N * 784 * sizeof(real));
    s->t = xmalloc((size_t)N * sizeof(int));
    rng_fill_normal(&rng, s->x, (size_t)N * 784, 1);
    for (int i = 0; i < N; i++)
        s->t[i] = i % 10;
    s->N = N;
    return s;
}

/* The stages this version times inside a step (0: none) */
int step_stages(void)
{
#ifdef DEEP_STAGES
    return DEEP_STAGES;
#else
    return 0;
#endif
}

/* One training step; each stage's seconds (forward, backward) into seconds[2k],
 * seconds[2k + 1] when this version times them. */
void step_run(void *p, double *seconds)
{
    Stepper *s = p;
#ifdef DEEP_STAGES
    s->net.timing = seconds != NULL;
    memset(s->net.seconds, 0, sizeof s->net.seconds);
#endif
    deep_conv_net_gradient(&s->net, s->x, s->t, s->N);
    optimizer_update(&s->opt, s->net.params.values, s->net.params.grads);
#ifdef DEEP_STAGES
    if (seconds)
        memcpy(seconds, s->net.seconds, sizeof s->net.seconds);
#endif
}

void step_stage_name(void *p, int stage, char *name, size_t size)
{
#ifdef DEEP_STAGES
    deep_conv_net_stage_name(&((Stepper *)p)->net, stage, name, size);
#else
    (void)p, (void)stage, (void)name, (void)size;
#endif
}

/* The weights after the steps so far: the same bits in both versions, or not */
const real *step_params(void *p, size_t *count)
{
    Stepper *s = p;
    *count = s->net.params.trainable_size;
    return s->net.params.values;
}
