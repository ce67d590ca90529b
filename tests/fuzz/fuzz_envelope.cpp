// publish --envelope lines (message/envelope.hpp) and the subscribe -j lines they come
// from (output/formatter.cpp). Any line: decoded or refused with a reason, never a crash;
// a payload taken from "data" as JSON is valid JSON and its bytes are the line's own. The
// round trip: what subscribe -j writes for any channel and payload decodes to exactly
// those bytes. The quick scan of plain lines and the full parser decode any line alike.
#include <chrono>

#include "fuzz_common.hpp"
#include "message/envelope.hpp"
#include "message/json_check.hpp"
#include "output/formatter.hpp"

namespace {

void any_line(std::string_view line, bool want_received_at) {
    amr::message::EnvelopeDecoder decoder(want_received_at);
    amr::message::Envelope e;
    const auto problem = decoder.decode(line, e);
    // The quick scan of plain lines and the full parser agree.
    amr::message::EnvelopeDecoder full_decoder(want_received_at);
    amr::message::Envelope full;
    const auto full_problem = full_decoder.decode(line, full, false);
    fuzz::check(problem.has_value() == full_problem.has_value(),
                "the quick scan and the full parser accept the same lines", line);
    if (problem) {
        fuzz::check(!problem->empty(), "a refused line has a reason");
        fuzz::check(*problem == *full_problem, "the same reason either way", line);
        return;
    }
    fuzz::check(e.channel == full.channel && e.payload == full.payload &&
                    e.sharded == full.sharded && e.received_at == full.received_at,
                "the quick scan and the full parser decode the same", line);
    const char* begin = line.data();
    const char* end = begin + line.size();
    if (e.payload.data() >= begin && e.payload.data() < end) {
        fuzz::check(e.payload.data() + e.payload.size() <= end, "a payload span ends in the line");
        // A span of the line is a JSON value, or the text of a string without escapes.
        const bool quoted = e.payload.data() > begin && e.payload.data()[-1] == '"' &&
                            e.payload.data() + e.payload.size() < end &&
                            e.payload.data()[e.payload.size()] == '"' &&
                            e.payload.find('\\') == std::string_view::npos;
        fuzz::check(
            quoted || !amr::message::check_json(e.payload, amr::message::max_json_depth + 1),
            "a payload taken as JSON is JSON", e.payload);
    }
    if (!want_received_at) fuzz::check(e.received_at.empty(), "received_at only when asked");
}

void round_trip(std::string_view channel, std::string_view payload, uint8_t kind) {
    amr::output::Received r;
    r.channel = channel;
    r.payload = payload;
    r.is_sharded = kind % 3 == 1;
    r.is_pattern = kind % 3 == 2;
    r.pattern = "p*";
    r.received_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1763641874906));
    std::string out;
    amr::output::make_formatter(amr::output::Format::json, {})->append(r, out);
    fuzz::check(!out.empty() && out.back() == '\n', "a -j line ends in a newline");
    out.pop_back();
    fuzz::check(out.find('\n') == std::string::npos, "a -j line is one line");
    amr::message::EnvelopeDecoder decoder(true);
    amr::message::Envelope e;
    if (auto problem = decoder.decode(out, e)) fuzz::fail("a -j line decodes", *problem);
    fuzz::check(e.payload == payload, "the payload comes back byte for byte", out);
    fuzz::check(e.channel == channel, "the channel comes back byte for byte", out);
    fuzz::check(e.sharded == r.is_sharded, "an smessage comes back as one", out);
    fuzz::check(e.received_at == "2025-11-20T12:31:14.906Z", "received_at comes back", out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const uint8_t mode = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
    if (mode % 2 == 0) {
        any_line(rest, mode & 2);
    } else {
        const size_t split = std::min<size_t>(data[1] % 32, rest.size());
        round_trip(rest.substr(0, split), rest.substr(split), mode >> 1);
    }
    return 0;
}
