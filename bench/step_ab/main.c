/* main.c - step_ab: an older version of the library against the working tree's,
 * DeepConvNet's training step by training step in one process, taking turns
 * (scripts/step_ab.sh builds it). A layer timed alone finds its input in the
 * cache; inside a step it comes from the layer before. So a change to the
 * layers counts when the stages inside the step show it, and the two versions
 * take turns step by step so that the host's changes of speed hit both.
 *
 * It prints each version's median time of the whole step and of each stage,
 * and the median of the step-by-step ratios, older / newer.
 *
 * usage: step_ab [STEPS] [THREADS]   (default 200 steps, 2 threads) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"
#include "timer.h"
#include "util.h"

/* the two versions' drivers (driver.c), the older one's symbols prefixed */
void *old_step_create(int threads, int N, uint64_t seed);
int old_step_stages(void);
void old_step_run(void *p, double *seconds);
const real *old_step_params(void *p, size_t *count);
void *step_create(int threads, int N, uint64_t seed);
int step_stages(void);
void step_run(void *p, double *seconds);
void step_stage_name(void *p, int stage, char *name, size_t size);
const real *step_params(void *p, size_t *count);

enum { BATCH = 100, WARM_UP = 5, MAX_STAGES = 32 };

int main(int argc, char **argv)
{
    const int steps = argc > 1 ? atoi(argv[1]) : 200, threads = argc > 2 ? atoi(argv[2]) : 2;
    if (steps < 1 || threads < 1 || argc > 3) {
        fprintf(stderr, "usage: step_ab [STEPS] [THREADS]  (at least 1 of each)\n");
        return 2;
    }
    void *older = old_step_create(threads, BATCH, 42), *newer = step_create(threads, BATCH, 42);
    /* stages only where both versions time the same ones */
    const int stages = old_step_stages() == step_stages() && step_stages() <= MAX_STAGES ? step_stages() : 0;
    const int per_step = 1 + 2 * stages;           /* the whole step, then each stage's two passes */
    double *t[2];
    for (int v = 0; v < 2; v++)
        t[v] = xcalloc((size_t)steps * per_step, sizeof(double));
    double seconds[2 * MAX_STAGES];
    for (int i = -WARM_UP; i < steps; i++)
        for (int turn = 0; turn < 2; turn++) {
            const int v = (turn + i + WARM_UP) % 2;    /* 0: older, 1: newer; each goes first in turn */
            double start = now_seconds();
            if (v == 0)
                old_step_run(older, stages ? seconds : NULL);
            else
                step_run(newer, stages ? seconds : NULL);
            double took = now_seconds() - start;
            if (i < 0)
                continue;
            t[v][i] = took;
            for (int k = 0; k < 2 * stages; k++)
                t[v][(size_t)(1 + k) * steps + i] = seconds[k];
        }
    size_t n_old, n_new;
    const real *p_old = old_step_params(older, &n_old), *p_new = step_params(newer, &n_new);
    const int same = n_old == n_new && memcmp(p_old, p_new, n_new * sizeof(real)) == 0;
    printf("DeepConvNet, batch %d, %d thread%s, %d steps of each after %d warm-up, taking turns; medians in ms:\n",
           BATCH, threads, threads == 1 ? "" : "s", steps, WARM_UP);
    printf("  %-46s %9s %9s %12s\n", "", "older", "newer", "older/newer");
    double *ratio = xcalloc((size_t)steps, sizeof(double));     /* older / newer, step by step */
    for (int row = 0; row < per_step; row++) {
        char name[96];
        if (row == 0)
            snprintf(name, sizeof name, "the whole step");
        else {
            char stage[64];
            step_stage_name(newer, (row - 1) / 2, stage, sizeof stage);
            snprintf(name, sizeof name, "%s, %s", stage, (row - 1) % 2 ? "backward" : "forward");
        }
        /* the ratio of each step's pair, taken a few milliseconds apart, so that
         * the host's slower and faster minutes cancel; then their median */
        double *a = t[0] + (size_t)row * steps, *b = t[1] + (size_t)row * steps;
        for (int i = 0; i < steps; i++)
            ratio[i] = b[i] > 0 ? a[i] / b[i] : 1;
        const double r = median(ratio, steps);
        printf("  %-46s %9.3f %9.3f %11.3fx\n", name, 1e3 * median(a, steps), 1e3 * median(b, steps), r);
    }
    if (!stages)
        printf("  (no stages: the older version does not time them inside the step)\n");
    printf("The weights after %d steps: %s\n", steps + WARM_UP,
           same ? "the same bits in both" : "they differ (the two versions round differently)");
    printf("(REV=HEAD, the same code against itself, shows what a difference has to beat on this host)\n");
    free(t[0]), free(t[1]), free(ratio);
    return 0;
}
