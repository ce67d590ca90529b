#include "message/json_check.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>

#include "error.hpp"

namespace amr::message {

namespace rj = rapidjson;

constexpr unsigned parse_flags = rj::kParseFullPrecisionFlag | rj::kParseValidateEncodingFlag;

std::optional<JsonProblem> check_json(std::string_view text) {
    rj::Reader reader;
    rj::BaseReaderHandler<> handler;
    rj::MemoryStream stream(text.data(), text.size());
    rj::ParseResult ok = reader.Parse<parse_flags>(stream, handler);
    if (!ok) return JsonProblem{ok.Offset(), rj::GetParseError_En(ok.Code())};
    // The reader takes a NUL byte for the end of input; anything from there on is extra.
    if (stream.Tell() != text.size()) return JsonProblem{stream.Tell(), "Unexpected NUL byte."};
    return std::nullopt;
}

void require_json(std::string_view text, const std::string& what) {
    if (auto problem = check_json(text)) {
        throw usage_error(what + " is not valid JSON at byte " + std::to_string(problem->offset) +
                              ": " + problem->reason,
                          "use --raw to send it as it is");
    }
}

std::string indent_json(std::string_view text, unsigned indent) {
    rj::StringBuffer out;
    rj::PrettyWriter<rj::StringBuffer> writer(out);
    writer.SetIndent(' ', indent);
    rj::Reader reader;
    rj::MemoryStream stream(text.data(), text.size());
    if (!reader.Parse<parse_flags>(stream, writer) || stream.Tell() != text.size()) {
        return std::string(text);
    }
    return std::string(out.GetString(), out.GetSize());
}

}  // namespace amr::message
