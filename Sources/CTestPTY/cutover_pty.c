// See include/cutover_pty.h. _GNU_SOURCE makes glibc declare posix_openpt, ptsname_r,
// pipe2, POSIX_SPAWN_SETSID and posix_spawn_file_actions_addclosefrom_np.
#define _GNU_SOURCE
#include "cutover_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/// Closes `fd` without disturbing the errno of the failure being reported.
static void close_keeping_errno(int fd) {
    int saved = errno;
    if (fd >= 0) close(fd);
    errno = saved;
}

int cutover_pty_open(unsigned short rows, unsigned short columns,
                     char *slave_path, size_t slave_path_size) {
    // O_CLOEXEC: no other child of the test process may hold the master, or the
    // master would not see the end of the session when our child exits.
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    // Set on the master, the size applies to the slave before the child opens it,
    // so the program sees it from its first line editor call.
    struct winsize size = {.ws_row = rows, .ws_col = columns};
    int rc, flags;
    if (grantpt(master) != 0 || unlockpt(master) != 0) goto fail;
    rc = ptsname_r(master, slave_path, slave_path_size);
    if (rc != 0) {
        errno = rc;
        goto fail;
    }
    if (ioctl(master, TIOCSWINSZ, &size) != 0) goto fail;
    flags = fcntl(master, F_GETFL);
    if (flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0) goto fail;
    return master;
fail:
    close_keeping_errno(master);
    return -1;
}

/// Prepares attributes shared by both spawns: a new session (so the child never
/// reaches the terminal the tests run from, and a slave opened later becomes its
/// controlling terminal), an empty signal mask and default signal actions. The mask
/// matters: a thread of the Swift test runner may block signals, and a child
/// inheriting a blocked SIGINT could never be interrupted with Ctrl-C.
static int prepare_attributes(posix_spawnattr_t *attributes) {
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    int rc = posix_spawnattr_init(attributes);
    if (rc == 0) rc = posix_spawnattr_setsigmask(attributes, &none);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(attributes, &all);
    if (rc == 0)
        rc = posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSID |
                                                      POSIX_SPAWN_SETSIGMASK |
                                                      POSIX_SPAWN_SETSIGDEF);
    return rc;
}

/// Spawns with the given file actions, returning the pid or -1 with errno set.
static pid_t spawn(const char *path, const char *directory, char *const argv[],
                   char *const envp[], posix_spawn_file_actions_t *actions) {
    posix_spawnattr_t attributes;
    pid_t pid = -1;
    int rc = prepare_attributes(&attributes);
    if (rc == 0) rc = posix_spawn_file_actions_addchdir_np(actions, directory);
    // Close everything above stderr in the child: descriptors that other tests
    // opened without close-on-exec must not leak into (and be kept open by) it.
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(actions, 3);
    if (rc == 0) rc = posix_spawn(&pid, path, actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return pid;
}

pid_t cutover_pty_spawn(const char *slave_path, const char *path, const char *directory,
                        char *const argv[], char *const envp[]) {
    posix_spawn_file_actions_t actions;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    // glibc runs setsid before the file actions, so this open (without O_NOCTTY)
    // makes the slave the new session's controlling terminal.
    rc = posix_spawn_file_actions_addopen(&actions, 0, slave_path, O_RDWR, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, 0, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, 0, 2);
    pid_t pid = -1;
    if (rc == 0)
        pid = spawn(path, directory, argv, envp, &actions);
    else
        errno = rc;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

pid_t cutover_pty_spawn_piped(const char *path, const char *directory,
                              char *const argv[], char *const envp[],
                              const void *input, size_t input_length,
                              int *output_fd, int *error_fd) {
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    pid_t pid = -1;
    posix_spawn_file_actions_t actions;
    int actions_ready = 0, flags, rc;

    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
        pipe2(err, O_CLOEXEC) != 0)
        goto done;

    // Fill standard input before the child exists and close the write end: the
    // child then reads the data and a clean end of file, and the test process never
    // writes to a pipe whose reader may have gone (which would raise SIGPIPE in it).
    if (input_length > 65536 && fcntl(in[1], F_SETPIPE_SZ, (int)input_length) < 0)
        goto done;
    flags = fcntl(in[1], F_GETFL);
    if (flags < 0 || fcntl(in[1], F_SETFL, flags | O_NONBLOCK) != 0) goto done;
    for (size_t written = 0; written < input_length;) {
        ssize_t n = write(in[1], (const char *)input + written, input_length - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) goto done;  // EAGAIN: the input does not fit in the pipe
        written += (size_t)n;
    }
    close(in[1]);
    in[1] = -1;

    rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) {
        errno = rc;
        goto done;
    }
    actions_ready = 1;
    rc = posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    if (rc != 0) {
        errno = rc;
        goto done;
    }
    pid = spawn(path, directory, argv, envp, &actions);

done:
    if (actions_ready) posix_spawn_file_actions_destroy(&actions);
    // The parent keeps only the read ends of the output pipes, so it sees end of
    // file once the child (the only other holder of the write ends) exits.
    close_keeping_errno(in[0]);
    close_keeping_errno(in[1]);
    close_keeping_errno(out[1]);
    close_keeping_errno(err[1]);
    if (pid < 0) {
        close_keeping_errno(out[0]);
        close_keeping_errno(err[0]);
        return -1;
    }
    *output_fd = out[0];
    *error_fd = err[0];
    return pid;
}

int cutover_pty_is_canonical(int fd) {
    // On Linux, TCGETS on a master returns the slave's settings, which is what the
    // program at the other end changes when its line editor enters raw mode.
    struct termios settings;
    if (tcgetattr(fd, &settings) != 0) return -1;
    return (settings.c_lflag & ICANON) != 0;
}

int cutover_pty_wait(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}
