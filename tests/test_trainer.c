/* The shared trainer: a run interrupted by Ctrl-C and resumed ends bit for bit
 * where an unbroken run ends; a diverging run stops and keeps its last good
 * checkpoint; a save that fails half-way leaves the previous file whole; and
 * output that cannot be written is refused before training starts. */
#include "test.h"
#include "test_files.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "model.h"
#include "multi_layer_net.h"
#include "options.h"
#include "plot.h"
#include "progress.h"
#include "trainer.h"
#include "util.h"

static Dataset train_set, test_set;

/* A small net with everything a checkpoint must carry: batch norm's running
 * statistics (state tensors), dropout's generator, Adam's two moments. */
static void make_net(MultiLayerNet *net)
{
    MultiLayerNetConfig c = {.input = 784, .output = 10, .hidden_count = 2, .hidden = {24, 24},
                             .activation = ACT_RELU, .init = {INIT_HE, 0}, .use_batchnorm = 1,
                             .use_dropout = 1, .dropout_ratio = 0.2};
    Rng rng;
    rng_seed(&rng, 7);
    multi_layer_net_init(net, &c, 500, &rng);
}

/* The hooks count the gradients they were asked for, and can ask the trainer
 * to stop (as Ctrl-C does) or return a NaN loss at a chosen one. */
static long calls, interrupt_at = -1, nan_at = -1;

static real gradient_hook(void *net, const real *x, const int *t, int n)
{
    calls++;
    real loss = multi_layer_net_gradient(net, x, t, n);
    if (calls == interrupt_at)
        raise(SIGINT);
    if (calls == nan_at)
        return (real)NAN;
    return loss;
}

static double accuracy_hook(void *net, const Dataset *d)
{
    return multi_layer_net_accuracy(net, d);
}

static TrainerConfig config(const char *out)
{
    TrainerConfig c = trainer_defaults();
    c.title = "test net";
    c.tag = "test_net";
    c.out = out;
    c.lr = 0.01;
    c.schedule = LR_COSINE;
    c.weight_decay = 1e-4;
    c.batch = 50;           /* 12 iterations per epoch of 600 images */
    c.epochs = 3;
    c.eval_every = 5;       /* evaluations inside epochs too */
    c.train_eval_size = 200;
    c.quiet = 1;
    rng_seed(&c.rng, 11);
    return c;
}

static TrainResult run(const TrainerConfig *c, MultiLayerNet *net)
{
    TrainerNet tn = {.net = net, .params = &net->params,
                     .gradient = gradient_hook, .accuracy = accuracy_hook,
                     .rng = &net->rng};
    calls = 0;
    return trainer_run(c, &tn, &train_set, &test_set);
}

/* Stop after `stops[0]` gradients, resume, stop again after stops[1] more, ...
 * and compare the end with an unbroken run. */
static void check_resume(const long *stops, int nstops)
{
    char a[64], b[64];
    test_make_temp_dir(a, sizeof a, "trainer_a");
    test_make_temp_dir(b, sizeof b, "trainer_b");
    TrainerConfig ca = config(a), cb = config(b);

    MultiLayerNet whole;
    make_net(&whole);
    interrupt_at = -1;
    TrainResult ra = run(&ca, &whole);
    CHECK(ra.status == TRAIN_DONE);
    CHECK(ra.iters == 36);

    MultiLayerNet part;
    TrainResult rb = {0};
    for (int k = 0; k <= nstops; k++) {
        make_net(&part);        /* a fresh process would start from a fresh net */
        cb.resume = k > 0;
        interrupt_at = k < nstops ? stops[k] : -1;
        rb = run(&cb, &part);
        CHECK(rb.status == (k < nstops ? TRAIN_INTERRUPTED : TRAIN_DONE));
        if (k < nstops)
            multi_layer_net_free(&part);
    }
    CHECK(rb.iters == 36);
    CHECK(memcmp(whole.params.values, part.params.values, whole.params.size * sizeof(real)) == 0);
    CHECK(ra.test_acc == rb.test_acc);
    CHECK(ra.train_acc == rb.train_acc);
    CHECK(ra.loss == rb.loss);
    CHECK(ra.evaluations == rb.evaluations);
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/test_net_loss.tsv", a);
    snprintf(pb, sizeof pb, "%s/test_net_loss.tsv", b);
    CHECK(test_same_file(pa, pb));
    snprintf(pa, sizeof pa, "%s/test_net_accuracy.tsv", a);
    snprintf(pb, sizeof pb, "%s/test_net_accuracy.tsv", b);
    CHECK(test_same_file(pa, pb));
    multi_layer_net_free(&whole);
    multi_layer_net_free(&part);
    test_remove_dir(a);
    test_remove_dir(b);
}

static void test_resume_mid_epoch_equals_unbroken(void)
{
    long stops[] = {17};            /* inside epoch 2, between two evaluations */
    check_resume(stops, 1);
}

static void test_resume_at_epoch_end_equals_unbroken(void)
{
    long stops[] = {12};            /* the last step of epoch 1 */
    check_resume(stops, 1);
}

static void test_resume_twice_equals_unbroken(void)
{
    long stops[] = {3, 20};         /* stopped in epoch 1, then again in epoch 3 */
    check_resume(stops, 2);
}

/* after_update: once after every iteration's update, counting 1, 2, ...; a
 * resumed run goes on counting where the stopped one left off. */
static long updates_seen, first_update, last_update;

static void after_update_hook(void *net, long iters)
{
    (void)net;
    if (!updates_seen++)
        first_update = iters;
    CHECK(updates_seen == 1 || iters == last_update + 1);
    last_update = iters;
}

static void test_after_update_counts_on_through_a_resume(void)
{
    char dir[64];
    test_make_temp_dir(dir, sizeof dir, "trainer_after");
    TrainerConfig c = config(dir);
    for (int k = 0; k < 2; k++) {
        MultiLayerNet net;
        make_net(&net);
        TrainerNet tn = {.net = &net, .params = &net.params, .gradient = gradient_hook,
                         .accuracy = accuracy_hook, .rng = &net.rng, .after_update = after_update_hook};
        calls = updates_seen = 0;
        interrupt_at = k == 0 ? 17 : -1;
        c.resume = k;
        TrainResult r = trainer_run(&c, &tn, &train_set, &test_set);
        CHECK(r.status == (k == 0 ? TRAIN_INTERRUPTED : TRAIN_DONE));
        CHECK(first_update == (k == 0 ? 1 : 18) && last_update == (k == 0 ? 17 : 36));
        multi_layer_net_free(&net);
    }
    interrupt_at = -1;
    test_remove_dir(dir);
}

static void test_interrupt_writes_checkpoint_where_it_stopped(void)
{
    char d[64], path[OUT_PATH_SIZE], value[64], err[MODEL_ERR_SIZE];
    test_make_temp_dir(d, sizeof d, "trainer_int");
    TrainerConfig c = config(d);
    MultiLayerNet net;
    make_net(&net);
    interrupt_at = 5;
    TrainResult r = run(&c, &net);
    interrupt_at = -1;
    CHECK(r.status == TRAIN_INTERRUPTED);
    CHECK(r.iters == 5);            /* the step under way was finished */
    CHECK(trainer_exit_status(r.status) == 130);
    trainer_checkpoint_path(path, sizeof path, &c);
    CHECK(model_read_metadata(path, "iteration", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "5") == 0);
    CHECK(test_no_temp_files_left(d));
    multi_layer_net_free(&net);
    test_remove_dir(d);
}

static void test_nan_loss_stops_and_keeps_last_checkpoint(void)
{
    char d[64], path[OUT_PATH_SIZE], value[64], err[MODEL_ERR_SIZE];
    test_make_temp_dir(d, sizeof d, "trainer_nan");
    TrainerConfig c = config(d);
    MultiLayerNet net;
    make_net(&net);
    nan_at = 20;                    /* in epoch 2: the checkpoint of epoch 1 is the last good one */
    TrainResult r = run(&c, &net);
    nan_at = -1;
    CHECK(r.status == TRAIN_DIVERGED);
    CHECK(trainer_exit_status(r.status) == 1);
    CHECK(r.iters == 19);           /* the bad step made no update */
    trainer_checkpoint_path(path, sizeof path, &c);
    CHECK(model_read_metadata(path, "iteration", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "12") == 0);
    for (size_t k = 0; k < net.params.size; k++)
        if (!isfinite(net.params.values[k])) {
            CHECK(!"a parameter is not finite");
            break;
        }
    multi_layer_net_free(&net);
    test_remove_dir(d);
}

static void test_huge_learning_rate_diverges(void)
{
    char d[64];
    test_make_temp_dir(d, sizeof d, "trainer_lr");
    TrainerConfig c = config(d);
    c.optimizer = SGD;
    c.lr = 1e30;
    MultiLayerNet net;
    make_net(&net);
    TrainResult r = run(&c, &net);
    CHECK(r.status == TRAIN_DIVERGED);
    CHECK(r.iters < 36);
    multi_layer_net_free(&net);
    test_remove_dir(d);
}

/* Run fn in a child process; its exit status (or 128 + the signal that ended it). */
static int in_child(void (*fn)(const char *), const char *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        freopen("/dev/null", "w", stdout);
        fn(arg);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void resume_with_other_lr(const char *dir)
{
    TrainerConfig c = config(dir);
    c.resume = 1;
    c.lr = 0.02;
    MultiLayerNet net;
    make_net(&net);
    run(&c, &net);
    _exit(0);           /* reached only if the trainer did not refuse */
}

static void resume_from_nothing(const char *dir)
{
    TrainerConfig c = config(dir);
    c.resume = 1;
    MultiLayerNet net;
    make_net(&net);
    run(&c, &net);
    _exit(0);
}

static void test_resume_refuses_other_settings_or_no_checkpoint(void)
{
    char d[64];
    test_make_temp_dir(d, sizeof d, "trainer_refuse");
    CHECK(in_child(resume_from_nothing, d) == 1);
    TrainerConfig c = config(d);
    MultiLayerNet net;
    make_net(&net);
    interrupt_at = 4;
    run(&c, &net);
    interrupt_at = -1;
    CHECK(in_child(resume_with_other_lr, d) == 1);
    multi_layer_net_free(&net);
    test_remove_dir(d);
}

/* A file-size limit makes the write fail half-way, as a full disk would. */
static void save_under_size_limit(const char *path)
{
    signal(SIGXFSZ, SIG_IGN);           /* a failed write, not a killed process */
    struct rlimit lim = {4096, 4096};
    setrlimit(RLIMIT_FSIZE, &lim);
    MultiLayerNet net;
    make_net(&net);
    char err[MODEL_ERR_SIZE];
    int rc = strstr(path, "checkpoint") ? model_save_exact(path, &net.params, NULL, err)
                                        : model_save(path, &net.params, NULL, err);
    _exit(rc == 0 ? 0 : 3);             /* 3: the save reported its failure */
}

static void test_failed_save_keeps_previous_file(void)
{
    char d[64], path[256];
    test_make_temp_dir(d, sizeof d, "trainer_fsize");
    const char *names[] = {"model.safetensors", "x.checkpoint.safetensors"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", d, names[k]);
        const char before[] = "the previous model, which must survive";
        test_write_bytes(path, before, sizeof before);
        CHECK(in_child(save_under_size_limit, path) == 3);
        size_t n;
        unsigned char *after = test_read_bytes(path, &n);
        CHECK(after && n == sizeof before && memcmp(after, before, n) == 0);
        free(after);
    }
    CHECK(test_no_temp_files_left(d));
    test_remove_dir(d);
}

/* However short, a run evaluates at its end, and its plots are drawn. */
static void test_short_run_logs_and_plots(void)
{
    char d[64], path[256];
    test_make_temp_dir(d, sizeof d, "trainer_short");
    TrainerConfig c = config(d);
    c.iters = 3;
    c.eval_at_start = 1;
    MultiLayerNet net;
    make_net(&net);
    TrainResult r = run(&c, &net);
    CHECK(r.status == TRAIN_DONE && r.iters == 3 && r.evaluations == 2);
    snprintf(path, sizeof path, "%s/test_net_accuracy.tsv", d);
    size_t n;
    char *tsv = (char *)test_read_bytes(path, &n);
    int lines = 0;
    for (size_t k = 0; k < n; k++)
        lines += tsv[k] == '\n';
    CHECK(lines == 3);              /* the header, epoch 0, and the end at epoch 0.25 */
    CHECK(tsv && strstr(tsv, "\n0.25\t"));
    free(tsv);
    fflush(stdout);
    trainer_plot(&c, &r);
    if (have_gnuplot()) {
        const char *pngs[] = {"test_net_loss.png", "test_net_accuracy.png"};
        for (int k = 0; k < 2; k++) {
            snprintf(path, sizeof path, "%s/%s", d, pngs[k]);
            unsigned char *png = test_read_bytes(path, &n);
            CHECK(png && n > 1000 && memcmp(png, "\x89PNG", 4) == 0);
            free(png);
        }
    } else {
        printf("  (gnuplot is not installed: the plots were not checked)\n");
    }
    multi_layer_net_free(&net);
    test_remove_dir(d);
}

static void make_out(const char *dir)
{
    CommonOptions o;
    options_defaults(&o);
    o.out = dir;
    options_make_out(&o);
}

static void test_unwritable_out_fails_at_start(void)
{
    char d[64], file[128], below[160];
    test_make_temp_dir(d, sizeof d, "trainer_out");
    snprintf(file, sizeof file, "%s/a_file", d);
    test_write_bytes(file, "x", 1);
    snprintf(below, sizeof below, "%s/out", file);          /* a folder inside a file */
    CHECK(in_child(make_out, below) == 1);
    CHECK(in_child(make_out, "/proc/self") == 1);           /* a folder nobody can write in */
    snprintf(below, sizeof below, "%s/fine/out", d);
    CHECK(in_child(make_out, below) == 0);
    snprintf(below, sizeof below, "%s/fine/out", d);
    rmdir(below);
    snprintf(below, sizeof below, "%s/fine", d);
    rmdir(below);
    test_remove_dir(d);
}

int main(void)
{
    progress_set_quiet(1);
    Dataset full_train, full_test;
    if (test_load_mnist(&full_train, &full_test) != 0)
        return 1;
    train_set = dataset_head(&full_train, 600);
    test_set = dataset_head(&full_test, 300);
    dataset_free(&full_train);
    dataset_free(&full_test);

    RUN(test_resume_mid_epoch_equals_unbroken);
    RUN(test_resume_at_epoch_end_equals_unbroken);
    RUN(test_resume_twice_equals_unbroken);
    RUN(test_after_update_counts_on_through_a_resume);
    RUN(test_interrupt_writes_checkpoint_where_it_stopped);
    RUN(test_nan_loss_stops_and_keeps_last_checkpoint);
    RUN(test_huge_learning_rate_diverges);
    RUN(test_resume_refuses_other_settings_or_no_checkpoint);
    RUN(test_failed_save_keeps_previous_file);
    RUN(test_unwritable_out_fails_at_start);
    RUN(test_short_run_logs_and_plots);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return test_summary();
}
