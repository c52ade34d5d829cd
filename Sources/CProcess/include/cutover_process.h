// Spawning hook scripts as the CodeDeploy agent does: each in a new session (so it
// leads its own process group), stdout and stderr on pipes, optionally as another
// user, and the whole group killed on timeout. Symbols carry the cutover_process_ prefix.
#ifndef CUTOVER_PROCESS_H
#define CUTOVER_PROCESS_H

#include <sys/types.h>

/// A started process: its pid (also its process group and session id) and the read
/// ends of its stdout and stderr pipes (non-blocking, close-on-exec).
typedef struct cutover_process {
    pid_t pid;
    int stdout_fd;
    int stderr_fd;
} cutover_process;

/// Starts `path` with `argv` and `envp` in `directory`, in a new session, with stdin
/// from /dev/null, every signal unblocked and at its default. When `uid` is not -1 the
/// child switches to that user (and `gid`, and `groups`) before exec. Returns 0, or an
/// errno value (the child's exec failure included, reported through a pipe).
int cutover_process_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                          uid_t uid, gid_t gid, const gid_t *groups, int group_count, cutover_process *out);

/// Starts a long-lived process (a daemon): a new session, stdin from /dev/null, stdout
/// and stderr appended to `log_path`. Returns its pid, or -errno.
pid_t cutover_process_spawn_detached(const char *path, char *const argv[], char *const envp[], const char *log_path);

/// As `cutover_process_spawn_detached`, starting in `directory` (NULL: the caller's).
pid_t cutover_process_spawn_logged(const char *path, char *const argv[], char *const envp[], const char *directory,
                                   const char *log_path);

/// Sends `sig` to the process group `pgid`. Returns 0 or errno (ESRCH when it is gone).
int cutover_process_signal_group(pid_t pgid, int sig);

/// Waits for `pid` without blocking: 1 and the wait status when it exited, 0 when it
/// still runs, -1 on error.
int cutover_process_try_wait(pid_t pid, int *status);

/// Exit code from a wait status, or 128 + signal, or -1.
int cutover_process_exit_code(int status);

#endif
