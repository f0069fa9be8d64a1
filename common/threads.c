#include "threads.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef USE_BLAS
#include <cblas.h>
#endif

void set_threads(int n)
{
    if (n < 1)
        n = 1;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
#ifdef USE_BLAS
    openblas_set_num_threads(n);    /* BLAS=1 links OpenBLAS, which has its own threads */
#endif
    (void)n;
}

int get_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int thread_number(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int thread_count(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

void thread_band(int n, int *begin, int *end)
{
#ifdef _OPENMP
    long t = omp_get_thread_num(), nt = omp_get_num_threads();
    *begin = (int)(n * t / nt);
    *end = (int)(n * (t + 1) / nt);
#else
    *begin = 0;
    *end = n;
#endif
}

int in_parallel(void)
{
#ifdef _OPENMP
    return omp_in_parallel();
#else
    return 0;
#endif
}

/* ---- how idle threads wait ------------------------------------------------------- */

/* An OpenMP thread that has finished its share waits for the next parallel
 * loop. By default it spins, burning its core: when another program wants
 * that core, the spinning steals the time our other thread needs, and small
 * multiplies slow to a crawl (chapter 02's training went from 2.5 s to
 * 10-100 s on a busy machine). A thread that sleeps at once
 * (OMP_WAIT_POLICY=passive) must be woken for every loop, though: on the
 * course's 2-core virtual machine an empty parallel loop took 90 us so,
 * against 1 us with spinning threads (chapter 04's README, "Threads on a busy
 * machine"), and the MLP GAN has some 20 loops a step. So: spin briefly,
 * WAIT_SPINS turns of the loop (libgomp reckons about 100 a microsecond: some
 * 30 us), then sleep, when no other program is ready to run as ours starts;
 * sleep at once when one is. OpenMP reads these
 * settings only when the program starts, so we set them and start the program
 * again, once, with the same arguments (exec keeps the process, its pid and
 * its output). Whatever the user set is left alone. */
#define WAIT_SPINS "3000"

int loadavg_others_running(const char *line)
{
    double l1, l5, l15;
    int running, total;
    if (!line || sscanf(line, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &running, &total) != 5 || running < 1)
        return -1;
    return running - 1;                             /* the count includes the reader */
}

#ifdef _OPENMP
/* Is another program using a core? Yes if, in at least half of 8 looks 1 ms
 * apart (7 ms at the start of every run), another task was ready to run: a
 * program that computes always is, while a system task, or the shell that
 * just started us, is seen only in passing. -1 if /proc/loadavg cannot be
 * read. */
static int machine_busy(void)
{
    enum { LOOKS = 8 };
    int busy_looks = 0;
    for (int k = 0; k < LOOKS; k++) {
        char line[128];
        FILE *f = fopen("/proc/loadavg", "r");
        int others = f && fgets(line, sizeof line, f) ? loadavg_others_running(line) : -1;
        if (f)
            fclose(f);
        if (others < 0)
            return -1;
        busy_looks += others > 0;
        if (k + 1 < LOOKS)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return 2 * busy_looks >= LOOKS;
}
#endif

void choose_thread_wait(char **argv)
{
#ifdef _OPENMP
    if (getenv("OMP_WAIT_POLICY"))                  /* the user's choice, or ours after the exec */
        return;
    if (!getenv("GOMP_SPINCOUNT") && machine_busy() == 0)
        setenv("GOMP_SPINCOUNT", WAIT_SPINS, 1);    /* libgomp: spin this long, then sleep */
    setenv("OMP_WAIT_POLICY", "passive", 1);        /* no spinning beyond GOMP_SPINCOUNT */
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc?): carry on with OpenMP's default */
#else
    (void)argv;
#endif
}

const char *thread_wait_description(void)
{
#ifdef _OPENMP
    static char text[96];
    const char *policy = getenv("OMP_WAIT_POLICY"), *spins = getenv("GOMP_SPINCOUNT");
    if (spins)
        snprintf(text, sizeof text, "idle threads spin %s turns, then sleep", spins);
    else if (policy && (policy[0] == 'p' || policy[0] == 'P'))
        snprintf(text, sizeof text, "idle threads sleep at once");
    else if (policy && (policy[0] == 'a' || policy[0] == 'A'))
        snprintf(text, sizeof text, "idle threads spin");
    else
        snprintf(text, sizeof text, "idle threads wait as OpenMP does by default");
    return text;
#else
    return "one thread";
#endif
}
