#define _GNU_SOURCE
#include "cutover_process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void close_quietly(int fd) {
    int saved = errno;
    if (fd >= 0) close(fd);
    errno = saved;
}

/// In a forked child (only async-signal-safe calls until exec): a new session, every
/// signal unblocked and at its default, stdin from /dev/null, stdout and stderr on the
/// given descriptors, nothing else of the parent's left open (a background process
/// holding a socket or pipe would keep it open forever), optionally another user; then
/// exec. A failure is written to `status_fd` (close-on-exec: exec success closes it).
__attribute__((noreturn))
static void exec_child(const char *path, char *const argv[], char *const envp[], const char *directory,
                       int out_fd, int err_fd, int status_fd,
                       uid_t uid, gid_t gid, const gid_t *groups, int group_count) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    int e = 0;
    if (setsid() < 0) e = errno;
    int null_fd = open("/dev/null", O_RDONLY);
    if (!e && (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)) e = errno;
    if (!e && directory && chdir(directory) != 0) e = errno;
    if (!e) {
        close_range(3, status_fd - 1, 0);
        close_range(status_fd + 1, ~0U, 0);
    }
    if (!e && uid != (uid_t)-1) {
        if (setgroups(group_count, groups) != 0 || setgid(gid) != 0 || setuid(uid) != 0) e = errno;
    }
    if (!e) {
        execve(path, argv, envp);
        e = errno;
    }
    (void)!write(status_fd, &e, sizeof e);
    _exit(127);
}

/// In the parent: 0 once the child exec'd (its end of the status pipe closed), or the
/// errno it reported (the child is reaped then).
static int wait_for_exec(pid_t pid, int status_read_fd) {
    int child_error = 0;
    ssize_t n;
    do { n = read(status_read_fd, &child_error, sizeof child_error); } while (n < 0 && errno == EINTR);
    close(status_read_fd);
    if (n != (ssize_t)sizeof child_error) return 0;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return child_error ? child_error : ECHILD;
}

int cutover_process_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                          uid_t uid, gid_t gid, const gid_t *groups, int group_count, cutover_process *out) {
    int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, status_pipe[2] = { -1, -1 };
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 || pipe2(status_pipe, O_CLOEXEC) != 0) {
        int e = errno;
        close_quietly(out_pipe[0]); close_quietly(out_pipe[1]);
        close_quietly(err_pipe[0]); close_quietly(err_pipe[1]);
        close_quietly(status_pipe[0]); close_quietly(status_pipe[1]);
        return e;
    }
    pid_t pid = fork();
    if (pid == 0) {
        exec_child(path, argv, envp, directory, out_pipe[1], err_pipe[1], status_pipe[1], uid, gid, groups, group_count);
    }
    int fork_error = pid < 0 ? errno : 0;
    close(out_pipe[1]);
    close(err_pipe[1]);
    close(status_pipe[1]);
    int e = fork_error ? fork_error : wait_for_exec(pid, status_pipe[0]);
    if (fork_error) close(status_pipe[0]);
    if (e) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        return e;
    }
    fcntl(out_pipe[0], F_SETFL, fcntl(out_pipe[0], F_GETFL) | O_NONBLOCK);
    fcntl(err_pipe[0], F_SETFL, fcntl(err_pipe[0], F_GETFL) | O_NONBLOCK);
    out->pid = pid;
    out->stdout_fd = out_pipe[0];
    out->stderr_fd = err_pipe[0];
    return 0;
}

pid_t cutover_process_spawn_detached(const char *path, char *const argv[], char *const envp[], const char *log_path) {
    return cutover_process_spawn_logged(path, argv, envp, NULL, log_path);
}

pid_t cutover_process_spawn_logged(const char *path, char *const argv[], char *const envp[], const char *directory,
                                   const char *log_path) {
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) return -errno;
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) {
        int e = errno;
        close(log_fd);
        return -e;
    }
    pid_t pid = fork();
    if (pid == 0) {
        exec_child(path, argv, envp, directory, log_fd, log_fd, status_pipe[1], (uid_t)-1, (gid_t)-1, NULL, 0);
    }
    int fork_error = pid < 0 ? errno : 0;
    close(log_fd);
    close(status_pipe[1]);
    if (fork_error) {
        close(status_pipe[0]);
        return -fork_error;
    }
    int e = wait_for_exec(pid, status_pipe[0]);
    return e ? -e : pid;
}

int cutover_process_signal_group(pid_t pgid, int sig) {
    if (pgid <= 1) return EINVAL;
    return kill(-pgid, sig) == 0 ? 0 : errno;
}

int cutover_process_try_wait(pid_t pid, int *status) {
    pid_t r;
    do { r = waitpid(pid, status, WNOHANG); } while (r < 0 && errno == EINTR);
    if (r == pid) return 1;
    return r == 0 ? 0 : -1;
}

int cutover_process_exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}
