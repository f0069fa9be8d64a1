/* trainer.h - the training loop every chapter shares (the book's trainer.py).
 *
 * Chapters 02 to 06 train in the same way: walk the training set in a freshly
 * shuffled order each epoch, a mini-batch at a time; ask the net for the loss
 * and its gradient; let the optimizer update the parameters; now and then
 * measure the accuracy and write it down. Only the net differs, so the net
 * comes in as a few functions (TrainerNet) and the loop lives here, once.
 *
 * What the loop adds to the book's:
 *   - a learning-rate schedule: constant, cosine (glides from lr to 0 over the
 *     run), or step (multiplied by a factor from a given epoch on);
 *   - logs: OUT/TAG_loss.tsv (every iteration) and OUT/TAG_accuracy.tsv (every
 *     evaluation), written when the run ends, made into TAG_loss.png and
 *     TAG_accuracy.png by trainer_plot;
 *   - checkpoints: OUT/TAG.checkpoint.safetensors holds the parameters, the
 *     optimizer's state, the random generators, the position in the run and
 *     the logs so far. It is written at the end of every epoch, every few
 *     minutes within a long epoch, and when Ctrl-C (SIGINT) or SIGTERM asks
 *     the run to stop. `--resume` continues from it, and the resumed run ends
 *     with the very same parameters, bit for bit, as one never interrupted
 *     (same seed, same thread count);
 *   - a guard: a loss or gradient that is NaN or infinite stops the run with
 *     one line saying where, and the last good checkpoint stays as it was;
 *   - two nets trained in turn (chapter 06's GANs): a second ParamSet with a
 *     step and an optimizer of its own, numbers of the net's own logged per
 *     step (D(x), D(G(z))) and per evaluation (sample scores), all of it in
 *     the same checkpoints.
 */
#ifndef DL_TRAINER_H
#define DL_TRAINER_H
#include "dataset.h"
#include "optimizer.h"
#include "params.h"
#include "rng.h"

/* The net, as the trainer sees it. */
typedef struct {
    void *net;
    ParamSet *params;
    /* Loss of the batch x (n examples) against labels t, in training mode, with
     * its gradient left in params->grads. */
    real (*gradient)(void *net, const real *x, const int *t, int n);
    /* Fraction of d classified right, in inference mode. */
    double (*accuracy)(void *net, const Dataset *d);
    /* The net's own generator (dropout masks), saved with the checkpoint so a
     * resumed run draws the same masks; NULL if the net has none. */
    Rng *rng;

    /* For data that is not a Dataset of labelled images (chapter 05's text),
     * set `step` instead of `gradient`, and `examples`: */
    /* The loss and gradient of batch k of the epoch (0-based), made of the
     * examples idx[0..n) (a shuffled order of 0..examples-1, or in order with
     * TrainerConfig.in_order, as truncated BPTT reads its text). */
    real (*step)(void *net, long k, const int *idx, int n);
    int examples;
    /* A loss on held-out data, lower is better (a language model's validation
     * cross-entropy), measured instead of accuracies when set. */
    double (*validate)(void *net);
    /* Numbers the net carries from one batch to the next (a stateful LSTM's h
     * and c, a GAN's moving average of its generator), saved in checkpoints so
     * a resumed run goes on from them. */
    size_t carry_size;
    void (*carry_get)(void *net, real *out);
    void (*carry_set)(void *net, const real *in);

    /* Two nets trained in turn (a GAN: its discriminator, then its generator).
     * With params2 set, each iteration first updates params from `gradient`
     * (or `step`), then asks gradient2, on the same batch, for the loss and
     * gradient of params2, which an optimizer of its own (same kind, rate and
     * schedule) updates. Its loss is logged as loss2 beside the first; the NaN
     * guard watches both; checkpoints hold both nets and both optimizers.
     * Weight decay applies to params only. */
    ParamSet *params2;
    real (*gradient2)(void *net, const real *x, const int *t, int n);
    /* Numbers a step measures besides its loss (a GAN's mean D(x) and
     * D(G(z))): the net writes metric_count of them into metrics during each
     * step; they go into TAG_loss.tsv under metric_names (tab-separated
     * column names) and into checkpoints. */
    int metric_count;
    const char *metric_names;
    const real *metrics;
    /* An evaluation of the net's own instead of accuracies (a GAN's sample
     * grid and scores): score(net, epoch, out) writes score_count numbers
     * (at most TRAINER_SCORES), printed with their names and logged in
     * TAG_accuracy.tsv under score_names (tab-separated). */
    int score_count;
    const char *score_names;
    void (*score)(void *net, double epoch, double *out);
    /* Called after each iteration's updates, with the iterations done so far
     * (1, 2, ...; a resumed run goes on counting), before any evaluation: a
     * GAN moves its averaged generator here. NULL: nothing. */
    void (*after_update)(void *net, long iters);
} TrainerNet;

#define TRAINER_SCORES 8

typedef enum { LR_CONSTANT, LR_COSINE, LR_STEP } LrSchedule;

typedef struct {
    const char *title;      /* "SimpleConvNet": the progress bar and the plots */
    const char *tag;        /* "simple_conv_net": the files' names under out */
    const char *out;        /* the output folder */

    OptimizerKind optimizer;
    double lr;
    double lr2;             /* the second net's rate, scheduled as lr is (0: lr) */
    LrSchedule schedule;
    int step_epoch;         /* LR_STEP: from this epoch on (1-based) ... */
    double step_factor;     /* ... the rate is lr * step_factor */
    double weight_decay;    /* dW += lambda W after the net's gradient (0: off) */
    /* Instead of the optimizer, an update of one's own (chapter 02 writes out
     * the book's W -= lr * dW; word2vec updates only the rows a batch used);
     * NULL uses the optimizer. */
    void (*update)(void *net, ParamSet *ps, double lr);
    double clip_norm;       /* clip the gradients to this global norm first (0: off) */
    double adam_beta1;      /* Adam's beta1 (0: the book's 0.9; GANs take 0.5) */

    int batch;
    int epochs;             /* passes over the training set ... */
    long iters;             /* ... or a number of iterations, if > 0 */
    Rng rng;                /* the order of the examples (a copy is used) */
    int in_order;           /* no shuffling: examples 0, 1, 2, ... every epoch */

    int eval_every;         /* iterations between evaluations (0: each epoch) */
    int eval_at_start;      /* also evaluate before the first update (epoch 0) */
    int train_eval_size;    /* train accuracy on the first N images (0: all, -1: none) */
    double checkpoint_minutes; /* within an epoch, a checkpoint this often (0: 10) */
    int resume;             /* continue from OUT/TAG.checkpoint.safetensors */
    int quiet;              /* no epoch lines (the progress bar follows --quiet) */
} TrainerConfig;

/* The defaults: Adam lr 0.001, constant, batch 100, 1 epoch, eval each epoch. */
TrainerConfig trainer_defaults(void);

typedef enum { TRAIN_DONE, TRAIN_INTERRUPTED, TRAIN_DIVERGED } TrainStatus;

typedef struct {
    TrainStatus status;
    long iters;             /* updates made in all, resumed ones included */
    double epochs;          /* iters in epochs */
    double train_acc;       /* at the last evaluation (-1 if not measured) */
    double test_acc;
    double val_loss;        /* with TrainerNet.validate (-1 otherwise) */
    double loss;            /* mean loss since the evaluation before the last */
    double loss2;           /* the same for the second net (-1 without one) */
    double score[TRAINER_SCORES]; /* with TrainerNet.score: the last evaluation's */
    double train_seconds;   /* gradients and updates */
    double eval_seconds;    /* evaluations */
    int evaluations;
} TrainResult;

/* Train net on train, evaluating on test (which may be NULL; with
 * TrainerNet.step, train and test are not used and may be NULL). Prints a line per
 * evaluation and a progress bar. On TRAIN_INTERRUPTED a checkpoint is saved and
 * the way to resume printed; on TRAIN_DIVERGED the reason is printed. The
 * chapter decides how to exit: trainer_exit_status gives 0, 130 or 1. Dies
 * (with one line) on a checkpoint it cannot write or resume from. */
TrainResult trainer_run(const TrainerConfig *cfg, TrainerNet *net, const Dataset *train,
                        const Dataset *test);

int trainer_exit_status(TrainStatus status);

/* TAG_loss.png (mini-batch loss and its moving average, log scale) and
 * TAG_accuracy.png (train and test accuracy per epoch, y-range from the data),
 * or TAG_val_loss.png for a run scored by a validation loss, from the TSV files
 * of the run; prints their paths. */
void trainer_plot(const TrainerConfig *cfg, const TrainResult *run);

/* The moving-average loss every 100 iterations, drawn in the terminal. */
void trainer_plot_terminal(const TrainerConfig *cfg);

/* "OUT/TAG.checkpoint.safetensors" into buf, of OUT_PATH_SIZE bytes (util.h). */
const char *trainer_checkpoint_path(char *buf, size_t size, const TrainerConfig *cfg);

#endif
