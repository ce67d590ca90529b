// JSON payloads (message/json_check.hpp): differential against RapidJSON itself. check_json
// accepts exactly what RapidJSON's iterative reader (same flags, no depth limit) accepts,
// except values nested past max_json_depth (refused as too deep), a NUL byte (RapidJSON
// takes it for the end of the input; amr refuses it) and a lone low surrogate escape
// (RapidJSON decodes it to bytes that are not UTF-8; amr refuses it at the escape), and
// fails at the same byte offset. plainly_valid() never accepts what RapidJSON refuses;
// parse_json and compact_json agree with check_json; compacting is idempotent, indent_json
// keeps the value, and both keep every number as written.
#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cstring>

#include "fuzz_common.hpp"
#include "message/json_check.hpp"
#include "message/json_parse.hpp"

namespace rj = rapidjson;
using amr::message::max_json_depth;

namespace {

// Tracks the deepest nesting and whether a string decodes to a surrogate (ED A0..BF, from
// a lone low surrogate escape); accepts everything.
struct Depth : rj::BaseReaderHandler<rj::UTF8<>, Depth> {
    unsigned depth = 0;
    unsigned deepest = 0;
    bool surrogate = false;
    bool Default() { return true; }
    bool String(const char* s, rj::SizeType n, bool) {
        for (rj::SizeType i = 0; i + 1 < n; ++i) {
            surrogate |= s[i] == '\xed' && static_cast<unsigned char>(s[i + 1]) >= 0xa0;
        }
        return true;
    }
    bool Key(const char* s, rj::SizeType n, bool copy) { return String(s, n, copy); }
    bool StartObject() { return open(); }
    bool EndObject(rj::SizeType) { return close(); }
    bool StartArray() { return open(); }
    bool EndArray(rj::SizeType) { return close(); }
    bool open() {
        deepest = std::max(deepest, ++depth);
        return true;
    }
    bool close() {
        --depth;
        return true;
    }
};

std::string compact(std::string_view text) {
    rj::StringBuffer out;
    fuzz::check(amr::message::compact_json(text, out), "compact_json refuses valid JSON",
                text.substr(0, 200));
    return std::string(out.GetString(), out.GetSize());
}

bool lone_surrogate_problem(const amr::message::JsonProblem& p, std::string_view text) {
    return p.reason.starts_with("a lone low surrogate") && text.substr(p.offset, 2) == "\\u";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // A number of more than 100 characters is past amr's limit (finding 4, fixed): amr
    // refuses it there, before RapidJSON 1.1, which reads past its tables on some.
    if (auto at = amr::message::detail::overlong_number(text)) {
        const auto problem = amr::message::check_json(text);
        fuzz::check(problem && problem->offset == *at, "a number past amr's limit is not refused");
        return 0;
    }

    Depth depth;
    rj::Reader reader;
    rj::MemoryStream stream(text.data(), text.size());
    const rj::ParseResult ref =
        reader.Parse<rj::kParseIterativeFlag | amr::message::detail::parse_flags>(stream, depth);
    const bool has_nul = std::memchr(text.data(), '\0', text.size()) != nullptr;
    const bool ref_ok = !ref.IsError() && !has_nul;

    const auto problem = amr::message::check_json(text);
    if (ref_ok && depth.surrogate) {
        fuzz::check(problem && lone_surrogate_problem(*problem, text),
                    "a lone low surrogate is not refused at its escape", text.substr(0, 200));
    } else if (ref_ok && depth.deepest <= max_json_depth) {
        fuzz::check(!problem, "check_json refuses what RapidJSON accepts",
                    problem ? problem->reason : "");
    } else if (ref_ok) {
        fuzz::check(problem && problem->too_deep, "a value nested too deep is not refused as such");
    } else {
        fuzz::check(problem.has_value(), "check_json accepts what RapidJSON refuses",
                    text.substr(0, 200));
        if (ref.IsError() && lone_surrogate_problem(*problem, text)) {
            fuzz::check(problem->offset < ref.Offset(), "a lone surrogate refused past the error");
        } else if (ref.IsError() && !problem->too_deep && !has_nul) {
            fuzz::check(problem->offset == ref.Offset(), "check_json fails at another byte",
                        std::to_string(problem->offset) + " vs RapidJSON's " +
                            std::to_string(ref.Offset()));
        }
    }
    if (amr::message::plainly_valid(text)) {
        fuzz::check(ref_ok && depth.deepest <= max_json_depth,
                    "plainly_valid accepts what RapidJSON refuses", text.substr(0, 200));
    }

    rj::Document doc;
    const bool parsed = !amr::message::parse_json(text, doc);
    fuzz::check(parsed == !problem, "parse_json and check_json disagree");
    if (!problem) {
        const std::string once = compact(text);
        // Numbers are copied as written, never through a double (finding 2: RapidJSON 1.1
        // read 0e55 as 7.9e28).
        const auto numbers = fuzz::numbers_of(text);
        fuzz::check(fuzz::numbers_of(once) == numbers, "compact_json changes a number",
                    once.substr(0, 200));
        fuzz::check(compact(once) == once, "compacting compact JSON changes it",
                    once.substr(0, 200));
        const std::string indented = amr::message::indent_json(text);
        fuzz::check(compact(indented) == once, "indent_json changes the value",
                    indented.substr(0, 200));
        fuzz::check(fuzz::numbers_of(indented) == numbers, "indent_json changes a number",
                    indented.substr(0, 200));
    } else {
        fuzz::check(amr::message::indent_json(text) == text,
                    "indent_json changes what is not JSON");
    }
    return 0;
}
