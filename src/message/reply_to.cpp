#include "message/reply_to.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "error.hpp"
#include "message/json_check.hpp"
#include "message/json_number.hpp"
#include "output/formatter.hpp"

namespace amr::message {
namespace {

namespace rj = rapidjson;

const char* kind_name(const rj::Value& v) {
    if (raw_number(v)) return "a number";
    switch (v.GetType()) {
        case rj::kNullType:
            return "null";
        case rj::kFalseType:
        case rj::kTrueType:
            return "a boolean";
        case rj::kArrayType:
            return "an array";
        case rj::kStringType:
            return "a string";
        case rj::kNumberType:
            return "a number";
        case rj::kObjectType:
            break;
    }
    return "an object";
}

bool is_utf8(std::string_view text) {
    std::string scratch;
    return output::append_utf8_sanitised(text, scratch);
}

void write_string(rj::Writer<rj::StringBuffer>& w, std::string_view text) {
    w.String(text.data(), static_cast<rj::SizeType>(text.size()), true);
}

rj::Value::ConstMemberIterator find_member(const rj::Document& doc, std::string_view field) {
    // A key may hold NUL bytes: compare lengths, not C strings.
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
        if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == field) return it;
    }
    return doc.MemberEnd();
}

}  // namespace

std::string add_reply_field(std::string_view request, std::string_view field,
                            std::string_view channel) {
    if (!is_utf8(field)) throw usage_error("--reply-field is not UTF-8, so JSON cannot carry it");
    if (!is_utf8(channel))
        throw usage_error("the reply channel is not UTF-8, so JSON cannot carry it");
    rj::Document doc;
    if (auto problem = parse_json(request, doc)) {
        throw usage_error("the request is not valid JSON at byte " +
                          std::to_string(problem->offset) + ": " + problem->reason);
    }
    if (!doc.IsObject()) {
        throw usage_error(std::string("the request must be a JSON object, not ") + kind_name(doc),
                          "e.g. '{\"order_id\":\"ORD-1\"}'");
    }
    if (find_member(doc, field) != doc.MemberEnd()) {
        throw usage_error("the request already has a field '" + std::string(field) + "'",
                          "amr request adds it: leave it out, or name another field with "
                          "--reply-field (--reply-to chooses the channel)");
    }
    rj::StringBuffer buffer;
    rj::Writer<rj::StringBuffer> writer(buffer);
    writer.StartObject();
    write_string(writer, field);
    write_string(writer, channel);
    writer.EndObject(1);
    // The member, as the writer wrote it between the braces of {"field":"channel"}.
    const std::string_view member(buffer.GetString() + 1, buffer.GetSize() - 2);
    const size_t close = request.rfind('}');
    std::string out(request.substr(0, close));
    if (doc.MemberCount() > 0) out += ',';
    out += member;
    out += request.substr(close);
    return out;
}

ReplyAddress find_reply_address(std::string_view request, std::string_view field) {
    rj::Document doc;
    if (auto problem = parse_json(request, doc)) {
        return {std::nullopt, "not JSON (at byte " + std::to_string(problem->offset) + ": " +
                                  problem->reason + ")"};
    }
    if (!doc.IsObject())
        return {std::nullopt, std::string("not a JSON object but ") + kind_name(doc)};
    auto it = find_member(doc, field);
    std::string problem = it == doc.MemberEnd() ? "no field '" : "field '";
    problem.append(field);
    problem += '\'';
    if (it == doc.MemberEnd()) return {std::nullopt, problem};
    if (!is_text(it->value)) {
        problem.append(" is ").append(kind_name(it->value)).append(", not a string");
        return {std::nullopt, problem};
    }
    if (it->value.GetStringLength() == 0) return {std::nullopt, problem + " is empty"};
    return {std::string(it->value.GetString(), it->value.GetStringLength()), {}};
}

}  // namespace amr::message
