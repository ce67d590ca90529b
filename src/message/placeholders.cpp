#include "message/placeholders.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iterator>

#include "error.hpp"

namespace amr::message {
namespace {

constexpr std::string_view open_mark = "{{";
constexpr std::string_view close_mark = "}}";
// A placeholder is short; a longer run before "}}" is an unclosed one.
constexpr size_t max_placeholder = 64;

// The placeholder as an error shows it: "{{name}}" when it is printable ASCII; otherwise
// only its length (a NUL would cut the message short, a control byte is no text).
std::string shown(std::string_view inside) {
    const bool printable =
        std::all_of(inside.begin(), inside.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (printable) return "{{" + std::string(inside) + "}}";
    return "a placeholder of " + std::to_string(inside.size() + 4) +
           " bytes with one that is not printable";
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t start = i;
        while (i < s.size() && s[i] != ' ') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

bool whole(std::string_view s, std::int64_t& value) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc() && end == s.data() + s.size();
}

// Uniform in [low, high], including the full int64 range.
std::int64_t uniform(std::mt19937_64& random, std::int64_t low, std::int64_t high) {
    auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
    std::uniform_int_distribution<std::uint64_t> pick(0, span);
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + pick(random));
}

}  // namespace

const std::pair<std::string_view, Placeholders::Kind> Placeholders::names[] = {
    {"count", Kind::count},   {"time", Kind::time},         {"utc", Kind::utc},
    {"unix", Kind::unix_s},   {"unix_ms", Kind::unix_ms},   {"uuid", Kind::uuid},
    {"random", Kind::random}, {"hostname", Kind::hostname},
};

const char* const Placeholders::known =
    "{{count}}, {{time}}, {{utc}}, {{unix}}, {{unix_ms}}, {{uuid}}, {{random A B}}, {{hostname}}";

Placeholders Placeholders::parse(std::string_view text, std::string_view what) {
    Placeholders result;
    std::string literal;
    auto fail = [&](size_t at, const std::string& why) {
        return usage_error(std::string(what) + ": " + why + " at byte " + std::to_string(at),
                           std::string("placeholders: ") + known + "; write {{{{ for a literal {{");
    };
    size_t i = 0;
    while (i < text.size()) {
        size_t open = text.find(open_mark, i);
        if (open == std::string_view::npos) {
            literal.append(text.substr(i));
            break;
        }
        literal.append(text.substr(i, open - i));
        if (text.substr(open, 4) == "{{{{") {
            literal.append(open_mark);
            i = open + 4;
            continue;
        }
        size_t close = text.find(close_mark, open + 2);
        if (close == std::string_view::npos || close - open - 2 > max_placeholder) {
            throw fail(open, "a {{ with no }} after it");
        }
        std::string_view inside = text.substr(open + 2, close - open - 2);
        auto w = words(inside);
        Part part;
        std::string_view name = w.empty() ? std::string_view() : w[0];
        const auto* named = std::find_if(std::begin(names), std::end(names),
                                         [&](const auto& n) { return n.first == name; });
        if (named == std::end(names)) {
            throw fail(open, "unknown placeholder " + shown(inside));
        }
        part.kind = named->second;
        if (part.kind == Kind::random) {
            if (w.size() != 3 || !whole(w[1], part.low) || !whole(w[2], part.high) ||
                part.low > part.high) {
                throw fail(open, "{{random A B}} needs two whole numbers, A at most B (got " +
                                     shown(inside) + ")");
            }
        } else if (w.size() != 1) {
            throw fail(open, "{{" + std::string(name) + "}} takes no argument (got " +
                                 shown(inside) + ")");
        }
        if (!literal.empty()) result.parts_.push_back(Part{Kind::text, std::move(literal)});
        literal.clear();
        result.parts_.push_back(std::move(part));
        result.constant_ = false;
        i = close + 2;
    }
    if (!literal.empty() || result.parts_.empty()) {
        result.parts_.push_back(Part{Kind::text, std::move(literal)});
    }
    return result;
}

bool Placeholders::uses_time() const {
    for (const Part& p : parts_) {
        if (p.kind == Kind::time || p.kind == Kind::utc || p.kind == Kind::unix_s ||
            p.kind == Kind::unix_ms) {
            return true;
        }
    }
    return false;
}

std::string Placeholders::render(const PlaceholderContext& c) const {
    std::string out;
    auto since = c.now.time_since_epoch();
    for (const Part& p : parts_) {
        switch (p.kind) {
            case Kind::text:
                out += p.text;
                break;
            case Kind::count:
                out += std::to_string(c.count);
                break;
            case Kind::time:
                out += util::local_iso_micro(c.now);
                break;
            case Kind::utc:
                out += util::utc_iso_micro(c.now);
                break;
            case Kind::unix_s:
                out += std::to_string(std::chrono::floor<std::chrono::seconds>(since).count());
                break;
            case Kind::unix_ms:
                out += std::to_string(std::chrono::floor<std::chrono::milliseconds>(since).count());
                break;
            case Kind::uuid:
                out += uuid_v4(*c.random);
                break;
            case Kind::random:
                out += std::to_string(uniform(*c.random, p.low, p.high));
                break;
            case Kind::hostname:
                out += c.hostname;
                break;
        }
    }
    return out;
}

std::string uuid_v4(std::mt19937_64& random) {
    unsigned char b[16];
    for (int i = 0; i < 16; i += 8) {
        std::uint64_t r = random();
        for (int j = 0; j < 8; ++j) b[i + j] = static_cast<unsigned char>(r >> (8 * j));
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 0xf];
    }
    return out;
}

}  // namespace amr::message
