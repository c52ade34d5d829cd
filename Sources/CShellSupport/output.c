#include "cutover_support.h"

void cutover_write_out(const char *text, size_t length) { fwrite(text, 1, length, stdout); }
void cutover_write_err(const char *text, size_t length) {
    fflush(stdout);
    fwrite(text, 1, length, stderr);
    fflush(stderr);
}
void cutover_flush(void) {
    fflush(stdout);
    fflush(stderr);
}
