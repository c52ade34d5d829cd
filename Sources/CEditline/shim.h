// libedit's readline-compatible interface for Swift. Always the editline header,
// never GNU readline's (which is also installed here and would mismatch the library).
#ifndef CUTOVER_CEDITLINE_SHIM_H
#define CUTOVER_CEDITLINE_SHIM_H

#include <stdio.h>
#include <editline/readline.h>

#endif
