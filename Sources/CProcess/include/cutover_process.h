// Spawning hook scripts as the CodeDeploy agent does: each in a new session (so it
// leads its own process group), stdout and stderr on pipes, and the whole group
// killed on timeout. Symbols carry the cutover_process_ prefix.
#ifndef CUTOVER_PROCESS_H
#define CUTOVER_PROCESS_H
#include <sys/types.h>
#endif
