// Pseudo-terminal and process helpers for Cutover's end-to-end tests.
//
// Swift's Glibc module cannot see posix_openpt, ptsname_r, POSIX_SPAWN_SETSID or the
// wait-status macros (they need _GNU_SOURCE or are function-like macros), so the few
// calls the tests need are wrapped here. Every function returns -1 and sets errno on
// failure. Every symbol carries the cutover_pty_ prefix.
#ifndef CUTOVER_PTY_H
#define CUTOVER_PTY_H

#include <stddef.h>
#include <sys/types.h>

/// Opens a non-blocking, close-on-exec pseudo-terminal master whose window is
/// `rows` x `columns`, and writes the slave's path into `slave_path`.
/// Returns the master's descriptor.
int cutover_pty_open(unsigned short rows, unsigned short columns,
                     char *slave_path, size_t slave_path_size);

/// Starts `path` in `directory`, in a new session whose controlling terminal is the
/// slave at `slave_path`, opened on descriptors 0, 1 and 2. The child starts with no
/// signal blocked, every signal at its default action and no other descriptor open.
/// Returns the child's pid.
pid_t cutover_pty_spawn(const char *slave_path, const char *path, const char *directory,
                        char *const argv[], char *const envp[]);

/// Starts `path` in `directory`, in a new session without a terminal: standard input is a pipe that
/// already holds the `input_length` bytes of `input` and then ends, standard output
/// and standard error are pipes whose read ends (blocking, close-on-exec) are stored
/// in `output_fd` and `error_fd`. Signals as for cutover_pty_spawn. Returns the pid.
pid_t cutover_pty_spawn_piped(const char *path, const char *directory,
                              char *const argv[], char *const envp[],
                              const void *input, size_t input_length,
                              int *output_fd, int *error_fd);

/// Reports whether the terminal behind `fd` (a master reports its slave's settings)
/// is in canonical (line-by-line, cooked) mode: 1 if ICANON is set, 0 if not.
int cutover_pty_is_canonical(int fd);

/// Waits for the child `pid` to end (retrying on EINTR) and returns its exit status,
/// or 128 + the signal number if a signal killed it, as shells report it.
int cutover_pty_wait(pid_t pid);

#endif
