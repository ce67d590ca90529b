// What amr makes sure of about its own process before it opens anything: descriptors
// 0-2 are open (else the first socket could become stdout, and printed messages Redis
// commands), and no core dump holds the password unless the user asks for one.
#pragma once

namespace amr::util {

// Opens /dev/null on each closed standard descriptor and, unless AMR_CORE_DUMPS=1,
// disables core dumps (RLIMIT_CORE 0, and PR_SET_DUMPABLE 0, which a core_pattern pipe
// ignoring RLIMIT_CORE still obeys). False when /dev/null cannot be opened.
bool guard_process();

}  // namespace amr::util
