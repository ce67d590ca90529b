// Placeholders expanded per message in what publish sends ({{count}}, {{time}}, ...),
// for generated publishing (--count, --rate, --interval, --expand). A text is parsed
// once; each message renders it with its own context.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/clock.hpp"

namespace amr::message {

// What one message's placeholders take their values from.
struct PlaceholderContext {
    std::uint64_t count = 1;  // the message's number, from 1
    util::SystemTime now{};
    std::string_view hostname;
    std::mt19937_64* random = nullptr;  // {{uuid}}, {{random A B}}
};

class Placeholders {
  public:
    // Parses `text`. Throws a usage Error naming `what` (e.g. "MESSAGE", "-f seq") and the
    // byte offset of an unknown, malformed or unclosed placeholder. "{{{{" is a literal
    // "{{".
    static Placeholders parse(std::string_view text, std::string_view what);

    // True when the text has no placeholder: it renders to itself (less the "{{{{"
    // escapes).
    bool constant() const { return constant_; }
    // True when it has {{time}}, {{utc}}, {{unix}} or {{unix_ms}}: the context's `now`
    // matters (reading the clock for each of a million messages costs).
    bool uses_time() const;
    std::string render(const PlaceholderContext& context) const;

    // The names a placeholder may have, for messages and the documentation.
    static const char* const known;

  private:
    enum class Kind { text, count, time, utc, unix_s, unix_ms, uuid, random, hostname };
    struct Part {
        Kind kind = Kind::text;
        std::string text;
        std::int64_t low = 0, high = 0;
    };
    static const std::pair<std::string_view, Kind> names[8];
    std::vector<Part> parts_;
    bool constant_ = true;
};

// A version 4 UUID from `random`: 8-4-4-4-12 lower-case hex digits.
std::string uuid_v4(std::mt19937_64& random);

}  // namespace amr::message
