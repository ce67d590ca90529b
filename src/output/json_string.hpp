// Writing text that may be any bytes (channel names, hosts) as a JSON string with
// RapidJSON: invalid UTF-8 becomes U+FFFD, so the document stays valid.
#pragma once

#include <rapidjson/rapidjson.h>

#include <string>
#include <string_view>

#include "output/formatter.hpp"

namespace amr::output {

template <typename JsonWriter>
void write_json_string(JsonWriter& w, std::string_view text) {
    std::string clean;
    append_utf8_sanitised(text, clean);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

}  // namespace amr::output
