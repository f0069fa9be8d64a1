/* summary.h - a net's layers as a table, as Keras users get from model.summary().
 *
 * Each net lists its layers in order with summary_add: the layer's name, the
 * shape of its output for one example, its parameters and its forward FLOPs per
 * example (a multiply-add counts 2). summary_print adds them up, with the memory
 * the parameters and the layer outputs take at a given batch size. The rows come
 * from the same shape structs the nets allocate with, so the table cannot drift
 * from the code. */
#ifndef DL_SUMMARY_H
#define DL_SUMMARY_H
#include <stddef.h>
#include "convolution.h"
#include "params.h"
#include "pooling.h"

#define SUMMARY_MAX_ROWS 64

typedef struct {
    char name[48];
    char shape[32];     /* one example's output: "30x24x24" or "100" */
    size_t outputs;     /* numbers in that output */
    size_t params;      /* trainable parameters */
    double flops;       /* forward, per example */
} SummaryRow;

typedef struct {
    char title[64];
    int count;
    SummaryRow row[SUMMARY_MAX_ROWS];
} Summary;

/* A table whose first row is the input, C x H x W (H = W = 0: a vector of C). */
void summary_start(Summary *s, const char *title, int C, int H, int W);

/* One layer: its output C x H x W (H = W = 0: a vector of C). */
void summary_add(Summary *s, const char *name, int C, int H, int W, size_t params, double flops);

/* The rows of the book's layers, their parameters and FLOPs worked out from
 * their shapes. An elementwise layer costs a FLOP per number. */
void summary_convolution(Summary *s, const ConvShape *c);
void summary_pooling(Summary *s, const PoolShape *p);
void summary_affine(Summary *s, int in, int out);
void summary_elementwise(Summary *s, const char *name, int C, int H, int W);
void summary_batch_norm(Summary *s, int n);
void summary_softmax_with_loss(Summary *s, int classes);

size_t summary_params(const Summary *s);    /* the sum of the rows' parameters */
double summary_flops(const Summary *s);     /* forward FLOPs per example */

/* The table and its totals; ps gives the state tensors (batch norm's running
 * statistics) that are saved with the model but not trained. */
void summary_print(const Summary *s, const ParamSet *ps, int batch);

#endif
