// Linux calls the Swift Glibc module leaves out.
#include <sys/prctl.h>
#include <signal.h>

/// Asks the kernel to send `signal` to this process when its parent ends.
static inline int switchboard_exit_with_parent(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }
#include <malloc.h>

/// Bytes the heap holds free (in every arena): what a trim could give back.
static inline size_t switchboard_heap_free_bytes(void) { return mallinfo2().fordblks; }
