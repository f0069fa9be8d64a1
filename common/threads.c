#include "threads.h"

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
