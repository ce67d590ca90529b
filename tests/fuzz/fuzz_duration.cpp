// Durations (in milliseconds, and in microseconds for check's thresholds) and sizes on
// the command line (util/duration.hpp, util/size.hpp): a value
// parses to a positive amount or is a usage error, never UB on overflow.
#include "fuzz_common.hpp"
#include "util/duration.hpp"
#include "util/size.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto d = amr::util::parse_duration(text, "--timeout");
        fuzz::check(d.count() > 0, "a duration that is not positive", text);
    } catch (const amr::Error& e) {
        fuzz::check(e.kind() == amr::ErrorKind::usage,
                    "a duration error that is not a usage error");
    }
    try {
        // check's --warn and --critical: microseconds, so thresholds below 1 ms work.
        const auto us = amr::util::parse_duration_us(text, "--warn");
        fuzz::check(us.count() > 0, "a duration in microseconds that is not positive", text);
    } catch (const amr::Error& e) {
        fuzz::check(e.kind() == amr::ErrorKind::usage,
                    "a duration (us) error that is not a usage error");
    }
    try {
        const size_t s = amr::util::parse_size(text, "--max-bytes");
        fuzz::check(s > 0, "a size that is not positive", text);
    } catch (const amr::Error& e) {
        fuzz::check(e.kind() == amr::ErrorKind::usage, "a size error that is not a usage error");
    }
    return 0;
}
