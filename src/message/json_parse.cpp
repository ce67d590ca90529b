#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "message/json_check.hpp"
#include "message/json_parse.hpp"

namespace amr::message {

namespace rj = rapidjson;
using detail::parse_into;

std::optional<JsonProblem> parse_json(std::string_view text, rj::Document& doc,
                                      unsigned max_depth) {
    doc.SetNull();
    std::optional<JsonProblem> problem;
    auto generator = [&](rj::Document& handler) {
        problem = parse_into(text, handler, max_depth);
        return !problem;
    };
    doc.Populate(generator);
    return problem;
}

bool compact_json(std::string_view text, rj::StringBuffer& out) {
    out.Clear();
    rj::Writer<rj::StringBuffer> writer(out);
    return !parse_into(text, writer, max_json_depth);
}

std::string indent_json(std::string_view text, unsigned indent) {
    rj::StringBuffer out;
    rj::PrettyWriter<rj::StringBuffer> writer(out);
    writer.SetIndent(' ', indent);
    if (parse_into(text, writer, max_json_depth)) return std::string(text);
    return std::string(out.GetString(), out.GetSize());
}

}  // namespace amr::message
