#include "cutover_process.h"
