/* summary.c - the layer table of --summary (see summary.h). */
#include "summary.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static void shape_text(char *buf, size_t size, int C, int H, int W)
{
    if (H > 0 && W > 0)
        snprintf(buf, size, "%dx%dx%d", C, H, W);
    else
        snprintf(buf, size, "%d", C);
}

void summary_start(Summary *s, const char *title, int C, int H, int W)
{
    memset(s, 0, sizeof *s);
    snprintf(s->title, sizeof s->title, "%s", title);
    summary_add(s, "input", C, H, W, 0, 0);
}

void summary_add(Summary *s, const char *name, int C, int H, int W, size_t params, double flops)
{
    if (s->count == SUMMARY_MAX_ROWS)
        die("summary: more than %d layers", SUMMARY_MAX_ROWS);
    SummaryRow *r = &s->row[s->count++];
    snprintf(r->name, sizeof r->name, "%s", name);
    shape_text(r->shape, sizeof r->shape, C, H, W);
    r->outputs = (size_t)C * (H > 0 ? (size_t)H : 1) * (W > 0 ? (size_t)W : 1);
    r->params = params;
    r->flops = flops;
}

void summary_convolution(Summary *s, const ConvShape *c)
{
    char name[48];
    snprintf(name, sizeof name, "Convolution %d %dx%d%s", c->FN, c->FH, c->FW,
             c->pad ? (c->pad == 1 ? " pad 1" : " pad 2") : "");
    size_t K = (size_t)c->C * c->FH * c->FW, P = (size_t)c->OH * c->OW;
    /* each output: K multiply-adds and a bias */
    summary_add(s, name, c->FN, c->OH, c->OW, K * c->FN + c->FN, (2.0 * K + 1) * c->FN * P);
}

void summary_pooling(Summary *s, const PoolShape *p)
{
    char name[48];
    snprintf(name, sizeof name, "Pooling %s %dx%d", p->kind == POOL_MAX ? "max" : "average", p->PH, p->PW);
    /* a comparison (or an addition) per number in each window */
    summary_add(s, name, p->C, p->OH, p->OW, 0, (double)p->C * p->OH * p->OW * p->PH * p->PW);
}

void summary_affine(Summary *s, int in, int out)
{
    summary_add(s, "Affine", out, 0, 0, (size_t)in * out + out, (2.0 * in + 1) * out);
}

void summary_elementwise(Summary *s, const char *name, int C, int H, int W)
{
    double n = (double)C * (H > 0 ? H : 1) * (W > 0 ? W : 1);
    summary_add(s, name, C, H, W, 0, n);
}

void summary_batch_norm(Summary *s, int n)
{
    /* gamma and beta; at inference (x - mean) / std * gamma + beta: 4 per number */
    summary_add(s, "BatchNorm", n, 0, 0, 2 * (size_t)n, 4.0 * n);
}

void summary_softmax_with_loss(Summary *s, int classes)
{
    /* max, exp, sum, divide, and the log of one: about 4 per class */
    summary_add(s, "SoftmaxWithLoss", classes, 0, 0, 0, 4.0 * classes);
}

size_t summary_params(const Summary *s)
{
    size_t n = 0;
    for (int i = 0; i < s->count; i++)
        n += s->row[i].params;
    return n;
}

double summary_flops(const Summary *s)
{
    double f = 0;
    for (int i = 0; i < s->count; i++)
        f += s->row[i].flops;
    return f;
}

/* 433890 -> "433,890" */
static const char *grouped(char *buf, size_t size, double v)
{
    char digits[40];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t n = strlen(digits), j = 0;
    for (size_t i = 0; i < n && j + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

static const char *bytes_text(char *buf, size_t size, double bytes)
{
    if (bytes >= 1e6)
        snprintf(buf, size, "%.1f MB", bytes / 1e6);
    else
        snprintf(buf, size, "%.1f KB", bytes / 1e3);
    return buf;
}

void summary_print(const Summary *s, const ParamSet *ps, int batch)
{
    char a[40], b[40], c[40];
    printf("%s\n", s->title);
    printf("  %-34s %-12s %12s %16s\n", "layer", "output", "parameters", "forward FLOPs");
    double outputs = 0;
    for (int i = 0; i < s->count; i++) {
        const SummaryRow *r = &s->row[i];
        printf("  %-34s %-12s %12s %16s\n", r->name, r->shape, grouped(a, sizeof a, (double)r->params),
               grouped(b, sizeof b, r->flops));
        if (i > 0)
            outputs += (double)r->outputs;
    }
    size_t params = summary_params(s), state = ps ? ps->size - ps->trainable_size : 0;
    printf("  total: %s trainable parameters", grouped(a, sizeof a, (double)params));
    if (state)
        printf(" (and %s of batch norm's running statistics, saved but not trained)",
               grouped(b, sizeof b, (double)state));
    printf("\n  memory: parameters %s as %s; their gradients as much again;\n"
           "          the layers' outputs for a batch of %d: %s\n",
           bytes_text(a, sizeof a, (double)(params + state) * sizeof(real)),
           sizeof(real) == 4 ? "float" : "double", batch,
           bytes_text(b, sizeof b, outputs * batch * sizeof(real)));
    printf("  forward pass: %s FLOPs per example, %.3g GFLOP per batch of %d\n",
           grouped(c, sizeof c, summary_flops(s)), summary_flops(s) * batch / 1e9, batch);
}
