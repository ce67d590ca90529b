// Numbers as written. amr never converts a JSON number it reads (message/json_parse.hpp
// parses with kParseNumbersAsStringsFlag): a writer gets each number's text, and a parsed
// Document keeps it as a string value that starts with raw_number_mark. What writes such
// a Document out goes through ExactWriter, and what shows a value as text asks raw_number.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string_view>

namespace amr::message {

// 0xFF is never UTF-8; RapidJSON validates what it reads, and amr refuses the one escape
// it would decode to something else (a lone low surrogate), so no string read from JSON
// starts with it. Strings amr takes from elsewhere (the command line) must be checked.
constexpr char raw_number_mark = '\xff';

inline bool marked(const char* s, size_t n) {
    return n > 0 && s[0] == raw_number_mark;
}

// The number `v` holds as written, or nullopt when it is no number of a parsed Document.
inline std::optional<std::string_view> raw_number(const rapidjson::Value& v) {
    if (!v.IsString() || !marked(v.GetString(), v.GetStringLength())) return std::nullopt;
    return std::string_view(v.GetString() + 1, v.GetStringLength() - 1);
}

// A real string, not a kept number.
inline bool is_text(const rapidjson::Value& v) {
    return v.IsString() && !raw_number(v);
}

// A RapidJSON Writer or PrettyWriter that writes a Document's kept numbers unquoted, as
// written: value.Accept(ExactWriter<rapidjson::Writer<...>>(buffer)).
template <typename Base>
class ExactWriter : public Base {
  public:
    using Base::Base;
    bool String(const char* s, rapidjson::SizeType n, bool copy = false) {
        if (marked(s, n)) return Base::RawValue(s + 1, n - 1, rapidjson::kNumberType);
        return Base::String(s, n, copy);
    }
};

}  // namespace amr::message
