#include "cmd.h"
int cni_main(void) { return 1; }
