/* sampling.h - choosing the next word (or character) from a model's scores.
 *
 * A language model gives, for the next position, a score for each of the V
 * words of the vocabulary (TimeAffine's output, before softmax). Generating
 * text picks one and feeds it back in. The sequel's RnnlmGen draws from
 * softmax(scores); three controls trade surprise for safety:
 *   greedy       always the highest score: safe, repetitive.
 *   temperature  draw from softmax(scores / temperature): below 1 sharpens
 *                the distribution towards greedy (0 IS greedy), above 1
 *                flattens it towards uniform.
 *   top-k        draw only among the k highest scores: never a word the
 *                model thinks unlikely.
 * The draws come from the shared Rng, so one seed gives the same text. */
#ifndef DL_SAMPLING_H
#define DL_SAMPLING_H

#include "rng.h"
#include "tensor.h"

/* The index of the highest of V scores (the first one on ties). */
int sample_greedy(const real *scores, int V);

/* i with probability p[i] / sum(p): p (V) nonnegative weights, not all 0
 * (probabilities need not add up to exactly 1). One draw from rng. */
int sample_categorical(const real *p, int V, Rng *rng);

/* One index from softmax(scores / temperature), restricted to the top_k
 * highest scores (top_k <= 0 or >= V: all of them). temperature 0 is greedy
 * and draws nothing from rng. work (V) is scratch the caller provides. */
int sample_scores(const real *scores, int V, double temperature, int top_k, Rng *rng, real *work);

#endif
