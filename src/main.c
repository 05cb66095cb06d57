#include "rh-cli.h"

int
main (int argc, char **argv)
{
  return rh_cli_main (argc, argv);
}
