#include "cmd.h"
int cmd_view(int argc, char **argv, const struct cmd_env *env) { (void)argc; (void)argv; (void)env; return 1; }
