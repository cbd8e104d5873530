#include <cblas.h>

// OpenBLAS extensions: set the thread count explicitly so BLAS does not
// oversubscribe the cores the server and the trainer already use.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
