/* bench_matmul.c - how fast is each matrix multiply, next to OpenBLAS?
 *
 *   build/release/bench/bench_matmul [--threads N] [--repeats R] [--shapes S] [--tsv FILE]
 *   build/release/bench/bench_matmul --peak
 *
 * For each shape the course uses (and the classic 1024^3) it prints GFLOP/s
 * (2*M*N*K floating-point operations per multiply) of matmul_naive,
 * matmul_blocked on one thread, matmul on N threads, and OpenBLAS's sgemm on
 * the same N threads, then matmul as a fraction of OpenBLAS. Each figure is the
 * median of R timings; each timing repeats the multiply for at least 20 ms.
 * The four take turns (naive, blocked, matmul, OpenBLAS, naive, ...), so that
 * a change in the machine's load hits all of them. --shapes S: the first S
 * shapes only; --tsv FILE appends the square's figures to make bench's table.
 * --peak prints only the fused multiply-adds one thread does per second
 * (matmul_peak_gflops): make bench measures it as it starts and as it ends,
 * to say how fast the host let it run. */
#include "matmul.h"
#include "rng.h"
#include "threads.h"
#include "timer.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_OPENBLAS
#include <cblas.h>
#endif

typedef struct {
    const char *what;
    int transA, transB, M, N, K;
} Shape;

static const Shape shapes[] = {
    {"square", 0, 0, 1024, 1024, 1024},
    {"two-layer net, Affine 1 forward  x W1", 0, 0, 100, 50, 784},
    {"  its backward dW1 = x^T dy", 1, 0, 784, 50, 100},
    {"  its backward dx  = dy W1^T", 0, 1, 100, 784, 50},
    {"two-layer net, Affine 2 forward", 0, 0, 100, 10, 50},
    {"conv 1 (im2col) forward", 0, 0, 57600, 30, 25},
    {"  its backward dW", 1, 0, 25, 30, 57600},
    {"  its backward dcol", 0, 1, 57600, 25, 30},
    {"conv 2 (im2col) forward", 0, 0, 19600, 64, 576},
    {"  its backward dW", 1, 0, 576, 64, 19600},
    {"  its backward dcol", 0, 1, 19600, 576, 64},
};
#define NSHAPES ((int)(sizeof shapes / sizeof shapes[0]))

enum { NAIVE, BLOCKED, MATMUL, OPENBLAS };

/* One multiply of the given variant; M may be smaller than the shape's, for
 * timing the naive version on a slice of a large problem. */
static void run(int variant, const Shape *s, int M, const real *A, const real *B, real *C)
{
    switch (variant) {
    case NAIVE:
        matmul_naive(s->transA, s->transB, M, s->N, s->K, A, B, 0, C);
        break;
    case BLOCKED:
        matmul_blocked(s->transA, s->transB, M, s->N, s->K, A, B, 0, C);
        break;
    case MATMUL:
        matmul(s->transA, s->transB, M, s->N, s->K, A, B, 0, C);
        break;
    case OPENBLAS:
#ifdef HAVE_OPENBLAS
        cblas_sgemm(CblasRowMajor, s->transA ? CblasTrans : CblasNoTrans,
                    s->transB ? CblasTrans : CblasNoTrans, M, s->N, s->K, 1.0f,
                    (const float *)A, s->transA ? s->M : s->K,
                    (const float *)B, s->transB ? s->K : s->N, 0.0f, (float *)C, s->N);
#endif
        break;
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* How many calls make a timing of >= 20 ms, so that the clock's resolution
 * and one-off effects do not count; this untimed call also warms caches and
 * thread pools. */
static int calls_for_20ms(int variant, const Shape *s, int M, const real *A, const real *B, real *C)
{
    double t0 = now_seconds();
    run(variant, s, M, A, B, C);
    double once = now_seconds() - t0;
    return once >= 0.02 ? 1 : (int)(0.02 / (once > 1e-7 ? once : 1e-7)) + 1;
}

/* One timing: seconds per multiply over `calls` calls. */
static double seconds_per_call(int variant, const Shape *s, int M, int calls,
                               const real *A, const real *B, real *C)
{
    double t0 = now_seconds();
    for (int c = 0; c < calls; c++)
        run(variant, s, M, A, B, C);
    return (now_seconds() - t0) / calls;
}

/* Let the other thread pool's spinning workers go to sleep before timing. */
static void settle(void)
{
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void usage(FILE *f, const char *prog)
{
    fprintf(f, "usage: %s [--threads N] [--repeats R] [--shapes S] [--tsv FILE] | --peak\n"
           "  --threads N   threads for matmul and OpenBLAS (default %d)\n"
           "  --repeats R   timings per figure; the median is shown (default 5)\n"
           "  --shapes S    the first S shapes only (default all %d)\n"
           "  --tsv FILE    append the first shape's figures as rows of make bench's bench.tsv\n"
           "  --peak        print only one thread's fused multiply-add peak, in GFLOP/s\n",
           prog, get_threads(), NSHAPES);
}

/* Rows of bench.tsv (see scripts/bench_report.sh): chapter, what, variant,
 * median, min, max, runs, unit, threads. A variant not measured is "absent". */
static void tsv_rows(FILE *f, const Shape *s, double gf[4][3], int runs[4], int threads)
{
    static const char *names[4] = {"naive", "blocked", "threaded", "OpenBLAS"};
    for (int v = NAIVE; v <= OPENBLAS; v++) {
        int th = v == NAIVE || v == BLOCKED ? 1 : threads;
        if (runs[v] == 0)
            fprintf(f, "common\tmatmul %dx%dx%d\t%s\tabsent\tabsent\tabsent\t0\tGFLOP/s\t%d\n",
                    s->M, s->N, s->K, names[v], th);
        else
            fprintf(f, "common\tmatmul %dx%dx%d\t%s\t%.4g\t%.4g\t%.4g\t%d\tGFLOP/s\t%d\n", s->M, s->N, s->K,
                    names[v], gf[v][0], gf[v][1], gf[v][2], runs[v], th);
    }
}

int main(int argc, char **argv)
{
    int threads = get_threads(), repeats = 5, nshapes = NSHAPES;
    const char *tsv = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--shapes") && i + 1 < argc)
            nshapes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tsv") && i + 1 < argc)
            tsv = argv[++i];
        else if (!strcmp(argv[i], "--peak")) {
            printf("%.1f\n", matmul_peak_gflops());
            return 0;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, argv[0]);
            return 0;
        } else {
            usage(stderr, argv[0]);
            return 2;
        }
    }
    if (threads < 1 || repeats < 1 || repeats > 64 || nshapes < 1 || nshapes > NSHAPES)
        die("--threads must be at least 1, --repeats 1 to 64, --shapes 1 to %d", NSHAPES);
#ifdef DL_DOUBLE
    die("bench_matmul compares with sgemm: build it in single precision (build/release)");
#endif

    set_threads(threads);
#ifdef HAVE_OPENBLAS
    openblas_set_num_threads(threads);
#endif
    printf("Matrix multiply C (M x N) = op(A) (M x K) * op(B) (K x N), float, GFLOP/s (higher is better)\n");
    double load[1];
    if (getloadavg(load, 1) == 1 && load[0] > 0.5)
        printf("Note: load average %.1f - other programs are running, so timings are low and noisy.\n"
               "      Threads that wait for each other suffer most; OMP_WAIT_POLICY=passive\n"
               "      (OpenMP threads sleep rather than spin while waiting) softens that.\n",
               load[0]);
    printf("matmul backend: %s, %d thread%s; median of %d timing%s\n",
           matmul_backend(), threads, threads == 1 ? "" : "s", repeats, repeats == 1 ? "" : "s");
#ifdef HAVE_OPENBLAS
    const char *core = openblas_get_corename();
    printf("OpenBLAS: %s\n", openblas_get_config());
#ifdef __AVX512F__
    /* An OpenBLAS older than the CPU falls back to its AVX2 kernels. */
    if (!strstr(core, "SkylakeX") && !strstr(core, "Cooperlake") && !strstr(core, "SapphireRapids"))
        printf("Note: this CPU has AVX-512 but OpenBLAS uses its %s kernels; to compare with\n"
               "      its AVX-512 ones, run with OPENBLAS_CORETYPE=SkylakeX in the environment.\n",
               core);
#endif
#else
    printf("OpenBLAS is not installed, so there is nothing to compare with.\n"
           "Install it with:  apt-get install libopenblas-dev   (then rebuild this program)\n");
#endif
    printf("\n%-38s %-3s %6s %5s %6s  %7s %8s %8s %8s  %s\n", "shape", "op", "M", "N", "K",
           "naive", "blocked", "matmul", "OpenBLAS", "matmul/OpenBLAS");
    printf("%-38s %-3s %6s %5s %6s  %7s %8s %8s %8s\n", "", "", "", "", "",
           "1 thr", "1 thr", "N thr", "N thr");

    int naive_sliced = 0;
    Rng rng;
    rng_seed(&rng, 1);
    for (int si = 0; si < nshapes; si++) {
        const Shape *s = &shapes[si];
        size_t na = (size_t)s->M * s->K, nb = (size_t)s->K * s->N, nc = (size_t)s->M * s->N;
        real *A = xmalloc(na * sizeof(real)), *B = xmalloc(nb * sizeof(real));
        real *C = xmalloc(nc * sizeof(real));
        rng_fill_normal(&rng, A, na, 1);
        rng_fill_normal(&rng, B, nb, 1);
        memset(C, 0, nc * sizeof(real));
        double flops = 2.0 * s->M * s->N * s->K;

        /* The naive loops run at well under 1 GFLOP/s on big problems: time them
         * on the first rows of C only (a slice with the same inner loops), when
         * the whole would take more than about half a second. (For transA the
         * rows of op(A) are columns of A, still inside the same array.) */
        int naive_M = s->M;
        if (flops > 0.5e9) {
            naive_M = (int)(s->M * 0.5e9 / flops);
            if (naive_M < 1)
                naive_M = 1;
        }
        /* Round r times each variant once, in turn; a sliced naive gets at most 3 timings. */
        int last = OPENBLAS, calls[4] = {0}, runs[4] = {0};
#ifndef HAVE_OPENBLAS
        last = MATMUL;
#endif
        double times[4][64], gf[4][3] = {{0}};  /* [variant][median, min, max] */
        for (int r = 0; r < repeats; r++) {
            for (int v = NAIVE; v <= last; v++) {
                if (v == NAIVE && naive_M < s->M && r >= 3)
                    continue;
                int M = v == NAIVE ? naive_M : s->M;
                set_threads(v == NAIVE || v == BLOCKED ? 1 : threads);
#ifdef HAVE_OPENBLAS
                openblas_set_num_threads(threads);  /* set_threads may set it too (BLAS=1) */
#endif
                settle();
                if (r == 0)
                    calls[v] = calls_for_20ms(v, s, M, A, B, C);
                times[v][runs[v]++] = seconds_per_call(v, s, M, calls[v], A, B, C);
            }
        }
        for (int v = NAIVE; v <= last; v++) {
            double flop = 2.0 * (v == NAIVE ? naive_M : s->M) * s->N * s->K;
            qsort(times[v], (size_t)runs[v], sizeof times[v][0], compare_doubles);
            /* GFLOP/s: the median time gives the median rate, the slowest the lowest */
            gf[v][0] = flop / times[v][runs[v] / 2] * 1e-9;
            gf[v][1] = flop / times[v][runs[v] - 1] * 1e-9;
            gf[v][2] = flop / times[v][0] * 1e-9;
        }
        set_threads(threads);
        if (tsv && si == 0) {
            FILE *f = fopen(tsv, "a");
            if (!f)
                die("%s: cannot open for appending", tsv);
            tsv_rows(f, s, gf, runs, threads);
            fclose(f);
        }
        char op[4] = {s->transA ? 'T' : 'N', s->transB ? 'T' : 'N', 0};
        printf("%-38s %-3s %6d %5d %6d  %6.2f%s %8.1f %8.1f ", s->what, op, s->M, s->N, s->K,
               gf[NAIVE][0], naive_M < s->M ? "*" : " ", gf[BLOCKED][0], gf[MATMUL][0]);
        if (gf[OPENBLAS][0] > 0)
            printf("%8.1f  %5.0f%%\n", gf[OPENBLAS][0], 100 * gf[MATMUL][0] / gf[OPENBLAS][0]);
        else
            printf("%8s  %6s\n", "-", "-");
        naive_sliced |= naive_M < s->M;
        fflush(stdout);
        free(A);
        free(B);
        free(C);
    }
    if (naive_sliced)
        printf("\n* naive timed on the first rows of C only (about 0.5 GFLOP of work), as the\n"
               "  whole multiply would take many seconds; its speed hardly depends on M.\n");
    printf("\nop: N or T for op(A) and op(B) (T = transposed, as in backward passes).\n"
           "The machine may be shared with other jobs: rerun to see the spread.\n");
    return 0;
}
