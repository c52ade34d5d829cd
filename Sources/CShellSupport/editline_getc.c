// libedit's character reader, replaced so Ctrl-C is never lost: libedit prints the
// prompt before it enters raw mode, and a SIGINT that lands outside read() would
// otherwise vanish. We poll stdin in short slices and give up when the flag is set.
#include "cutover_support.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

static int read_byte(int fd, unsigned char *out) {
    for (;;) {
        if (cutover_sigint_pending()) return -1;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, 50);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) continue;
        ssize_t n = read(fd, out, 1);
        if (n == 1) return 0;
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        return -1; // EOF or error
    }
}

/// Returns one Unicode scalar (libedit stores the result in a wchar_t), or -1.
int cutover_editline_getc(FILE *stream) {
    int fd = fileno(stream);
    unsigned char c;
    if (read_byte(fd, &c) < 0) return -1;
    if (c < 0x80) return c;
    int extra;
    unsigned int cp;
    if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
    else return 0xFFFD;
    for (int i = 0; i < extra; i++) {
        unsigned char k;
        if (read_byte(fd, &k) < 0) return -1;
        if ((k & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (k & 0x3F);
    }
    return (int)cp;
}
