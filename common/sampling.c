/* sampling.c - greedy, temperature and top-k sampling from a model's scores. */
#include "sampling.h"
#include "functions.h"
#include "util.h"

#include <math.h>

int sample_greedy(const real *scores, int V)
{
    return argmax(scores, V);
}

int sample_categorical(const real *p, int V, Rng *rng)
{
    double total = 0;
    for (int i = 0; i < V; i++)
        total += p[i];
    if (!(total > 0))
        die("sample_categorical: the %d weights add up to %g, not a positive number", V, total);
    /* Lay the weights end to end on [0, total) and see where u falls. */
    double u = rng_uniform(rng) * total, sum = 0;
    int last = 0;
    for (int i = 0; i < V; i++) {
        if (p[i] <= 0)
            continue;
        sum += p[i];
        last = i;
        if (u < sum)
            return i;
    }
    return last;    /* u fell past the end by rounding: the last word that can be drawn */
}

int sample_scores(const real *scores, int V, double temperature, int top_k, Rng *rng, real *work)
{
    int best = argmax(scores, V);
    if (temperature <= 0)
        return best;                                    /* the limit of temperature -> 0 */
    int k = top_k <= 0 || top_k > V ? V : top_k;
    /* work[i] = exp((scores[i] - max) / temperature) for the k highest scores, else 0:
     * softmax(scores / temperature) up to its sum, which sample_categorical divides by.
     * With a top k, the k highest are picked one by one (k passes over V: k is small). -1 marks
     * "not picked yet": a picked weight is >= 0 (it may round to 0, far below the max). */
    if (k == V) {                                       /* every character may be drawn */
        for (int i = 0; i < V; i++)
            work[i] = (real)exp((scores[i] - scores[best]) / temperature);
        return sample_categorical(work, V, rng);
    }
    for (int i = 0; i < V; i++)
        work[i] = -1;
    for (int picked = 0; picked < k; picked++) {
        int top = -1;
        for (int i = 0; i < V; i++)
            if (work[i] < 0 && (top < 0 || scores[i] > scores[top]))
                top = i;
        work[top] = (real)exp((scores[top] - scores[best]) / temperature);
    }
    for (int i = 0; i < V; i++)
        if (work[i] < 0)
            work[i] = 0;                                /* outside the top k: never drawn */
    return sample_categorical(work, V, rng);
}
