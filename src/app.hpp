// The command line: global options, the subcommands of commands/, and the mapping of
// failures to exit codes.
#pragma once

namespace amr {

int run(int argc, char** argv);

}  // namespace amr
