#include "output/template.hpp"

#include <rapidjson/allocators.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstddef>
#include <ctime>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "message/json_check.hpp"
#include "message/json_number.hpp"
#include "output/terminal_escape.hpp"
#include "util/suggest.hpp"

namespace amr::output {

namespace rj = rapidjson;

namespace {

const char* const placeholder_help =
    "placeholders: {channel} {pattern} {type} {payload} {data} {data.PATH} {time} "
    "{time:FORMAT} {utc} {utc:FORMAT}; {{ and }} for braces; escapes \\t \\n \\r \\0 \\e \\\\";

struct Segment {
    explicit Segment(std::string_view k) : key(k) {}
    std::string key;
    std::optional<rj::SizeType> index;  // when the key is a number: an array index
};

enum class Kind { literal, channel, pattern, type, payload, data, local_time, utc_time, fraction };

struct Part {
    explicit Part(Kind k) : kind(k) {}
    Kind kind;
    std::string text;           // literal: the text; local_time, utc_time: strftime's format
    std::vector<Segment> path;  // data
    int digits = 0;             // fraction: 3, 6 or 9
    // Time parts: the text for one second, kept while messages arrive within it.
    long long cached_second = std::numeric_limits<long long>::min();
    std::string cached;
};

std::tm to_tm(std::time_t secs, bool utc) {
    std::tm tm{};
    if (utc) {
        gmtime_r(&secs, &tm);
    } else {
        localtime_r(&secs, &tm);
    }
    return tm;
}

// strftime's text, or nothing when it gives none or more than the buffer holds.
std::string format_time(std::time_t secs, bool utc, const std::string& format) {
    std::tm tm = to_tm(secs, utc);
    char buf[256];
    size_t n = std::strftime(buf, sizeof buf, format.c_str(), &tm);
    return std::string(buf, n);
}

std::string shown(char c) {
    return terminal_escaped(std::string_view(&c, 1));
}

class Compiler {
  public:
    explicit Compiler(std::string_view text) : text_(text) {}

    std::vector<Part> compile() {
        if (text_.empty()) {
            throw usage_error("--template is empty", "e.g. --template '{channel}\\t{payload}\\n'");
        }
        size_t i = 0;
        while (i < text_.size()) {
            const char c = text_[i];
            if (c == '\\') {
                if (i + 1 == text_.size()) {
                    throw fault("'\\' at the end of the template", i, "write \\\\ for a backslash");
                }
                literal(escaped(text_[i + 1], i));
                i += 2;
            } else if (c == '{') {
                if (i + 1 < text_.size() && text_[i + 1] == '{') {
                    literal('{');
                    i += 2;
                    continue;
                }
                const size_t end = text_.find_first_of("{}", i + 1);
                if (end == std::string_view::npos || text_[end] == '{') {
                    throw fault("unclosed '{'", i, "write {{ for a literal '{'");
                }
                placeholder(text_.substr(i + 1, end - i - 1), i);
                i = end + 1;
            } else if (c == '}') {
                if (i + 1 < text_.size() && text_[i + 1] == '}') {
                    literal('}');
                    i += 2;
                    continue;
                }
                throw fault("unmatched '}'", i, "write }} for a literal '}'");
            } else {
                const size_t end = std::min(text_.find_first_of("\\{}", i), text_.size());
                literal(text_.substr(i, end - i));
                i = end;
            }
        }
        return std::move(parts_);
    }

  private:
    static Error fault(const std::string& what, size_t pos, std::string hint = placeholder_help) {
        return usage_error("--template: " + what + " at byte " + std::to_string(pos + 1),
                           std::move(hint));
    }

    char escaped(char e, size_t pos) const {
        switch (e) {
            case 't':
                return '\t';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case '0':
                return '\0';
            case 'e':
                return '\x1b';
            case '\\':
                return '\\';
            default:
                break;
        }
        throw fault("unknown escape '\\" + shown(e) + "'", pos,
                    "escapes: \\t \\n \\r \\0 \\e \\\\ (write \\\\ for a backslash)");
    }

    void literal(std::string_view s) {
        if (parts_.empty() || parts_.back().kind != Kind::literal) {
            parts_.emplace_back(Kind::literal);
        }
        parts_.back().text.append(s);
    }
    void literal(char c) { literal(std::string_view(&c, 1)); }

    void add(Kind kind) { parts_.emplace_back(kind); }

    void placeholder(std::string_view name, size_t pos) {
        std::string shown_name(1, '{');
        shown_name.append(name).push_back('}');
        if (name == "channel") return add(Kind::channel);
        if (name == "pattern") return add(Kind::pattern);
        if (name == "type") return add(Kind::type);
        if (name == "payload") return add(Kind::payload);
        if (name == "data") return add(Kind::data);
        if (name == "time") return time("%Y-%m-%dT%H:%M:%S.%3N", false, shown_name, pos);
        if (name == "utc") return time("%Y-%m-%dT%H:%M:%S.%3NZ", true, shown_name, pos);
        if (name.starts_with("data.")) return data_path(name.substr(5), shown_name, pos);
        for (const bool utc : {false, true}) {
            const std::string_view prefix = utc ? "utc:" : "time:";
            if (!name.starts_with(prefix)) continue;
            if (name.size() == prefix.size()) {
                throw fault("empty strftime format in " + shown_name, pos,
                            "FORMAT is strftime(3)'s, e.g. {time:%H:%M:%S.%3N}");
            }
            return time(name.substr(prefix.size()), utc, shown_name, pos);
        }
        if (name.empty()) throw fault("empty placeholder {}", pos);
        throw fault("unknown placeholder " + shown_name, pos, suggestion(name) + placeholder_help);
    }

    // "did you mean {channel}? " for a near miss of a placeholder's name.
    static std::string suggestion(std::string_view name) {
        static const std::vector<std::string> names = {"channel", "pattern", "type", "payload",
                                                       "data",    "time",    "utc"};
        const size_t cut = std::min(name.find_first_of(".:"), name.size());
        const auto near = util::closest(name.substr(0, cut), names);
        if (!near) return {};
        return "did you mean {" + *near + std::string(name.substr(cut)) + "}? ";
    }

    void data_path(std::string_view path, const std::string& shown_name, size_t pos) {
        Part part(Kind::data);
        size_t start = 0;
        while (true) {
            const size_t dot = std::min(path.find('.', start), path.size());
            const std::string_view key = path.substr(start, dot - start);
            if (key.empty()) {
                throw fault("empty field name in " + shown_name, pos,
                            "{data.PATH} names a field by dotted path, e.g. {data.items.0.sku}");
            }
            Segment segment(key);
            if (key.size() <= 9 && key.find_first_not_of("0123456789") == std::string_view::npos) {
                segment.index = static_cast<rj::SizeType>(std::stoul(segment.key));
            }
            part.path.push_back(std::move(segment));
            if (dot == path.size()) break;
            start = dot + 1;
        }
        parts_.push_back(std::move(part));
    }

    // Splits a strftime format at %3N, %6N, %9N and %N (fractions of the second).
    void time(std::string_view format, bool utc, const std::string& shown_name, size_t pos) {
        std::string piece;
        auto flush = [&] {
            if (piece.empty()) return;
            if (format_time(std::time(nullptr), utc, piece).empty()) {
                throw fault(shown_name + " gives no text or more than 255 bytes", pos,
                            "FORMAT is strftime(3)'s, e.g. {time:%H:%M:%S.%3N}");
            }
            parts_.emplace_back(utc ? Kind::utc_time : Kind::local_time).text = piece;
            piece.clear();
        };
        size_t i = 0;
        while (i < format.size()) {
            if (format[i] != '%' || i + 1 == format.size()) {
                piece += format[i++];
                continue;
            }
            int digits = 0;
            size_t length = 2;
            if (format[i + 1] == 'N') {
                digits = 9;
            } else if (i + 2 < format.size() && format[i + 2] == 'N' &&
                       (format[i + 1] == '3' || format[i + 1] == '6' || format[i + 1] == '9')) {
                digits = format[i + 1] - '0';
                length = 3;
            }
            if (digits == 0) {
                piece.append(format.substr(i, 2));  // %% stays whole
            } else {
                flush();
                parts_.emplace_back(Kind::fraction).digits = digits;
            }
            i += length;
        }
        flush();
    }

    std::string_view text_;
    std::vector<Part> parts_;
};

class TemplateFormatter : public Formatter {
  public:
    TemplateFormatter(std::vector<Part> parts, bool escape)
        : parts_(std::move(parts)), escape_(escape) {}

    void append(const Received& m, std::string& out) override {
        bool parsed = false;
        const rj::Value* root = nullptr;
        const auto since = m.received_at.time_since_epoch();
        const auto secs = std::chrono::floor<std::chrono::seconds>(since);
        for (Part& p : parts_) {
            switch (p.kind) {
                case Kind::literal:
                    out += p.text;
                    break;
                case Kind::channel:
                    insert(m.channel, out);
                    break;
                case Kind::pattern:
                    insert(m.pattern, out);
                    break;
                case Kind::type:
                    out += m.is_pattern ? "pmessage" : m.is_sharded ? "smessage" : "message";
                    break;
                case Kind::payload:
                    insert(m.payload, out);
                    break;
                case Kind::data:
                    if (!parsed) {
                        root = parse(m.payload);
                        parsed = true;
                    }
                    if (root) append_value(find(*root, p.path), out);
                    break;
                case Kind::local_time:
                case Kind::utc_time:
                    if (p.cached_second != secs.count()) {
                        p.cached = format_time(static_cast<std::time_t>(secs.count()),
                                               p.kind == Kind::utc_time, p.text);
                        p.cached_second = secs.count();
                    }
                    out += p.cached;
                    break;
                case Kind::fraction:
                    append_fraction(
                        std::chrono::duration_cast<std::chrono::nanoseconds>(since - secs).count(),
                        p.digits, out);
                    break;
            }
        }
    }

  private:
    // Text from the message: exact, or escaped for a terminal.
    void insert(std::string_view text, std::string& out) const {
        if (escape_) {
            append_terminal_escaped(text, out);
        } else {
            out += text;
        }
    }

    // The payload as a JSON document, or null when it is not exactly one JSON value.
    const rj::Value* parse(std::string_view payload) {
        doc_.reset();
        pool_.Clear();
        doc_.emplace(&pool_);
        if (message::parse_json(payload, *doc_)) return nullptr;
        return &*doc_;
    }

    static const rj::Value* find(const rj::Value& root, const std::vector<Segment>& path) {
        const rj::Value* v = &root;
        for (const Segment& s : path) {
            if (v->IsObject()) {
                const rj::Value key(rj::StringRef(s.key.data(), s.key.size()));
                const auto it = v->FindMember(key);
                if (it == v->MemberEnd()) return nullptr;
                v = &it->value;
            } else if (v->IsArray() && s.index && *s.index < v->Size()) {
                v = &(*v)[*s.index];
            } else {
                return nullptr;
            }
        }
        return v;
    }

    void append_value(const rj::Value* v, std::string& out) {
        if (!v) return;
        if (v->IsString()) {  // a string bare, a number as written
            const auto number = message::raw_number(*v);
            insert(number ? *number : std::string_view(v->GetString(), v->GetStringLength()), out);
            return;
        }
        json_.Clear();
        message::ExactWriter<rj::Writer<rj::StringBuffer>> writer(json_);
        v->Accept(writer);  // recursive, but message::parse_json bounds the depth
        insert(std::string_view(json_.GetString(), json_.GetSize()), out);
    }

    static void append_fraction(long long nanos, int digits, std::string& out) {
        for (int i = digits; i < 9; ++i) nanos /= 10;
        char buf[9];
        for (int i = digits - 1; i >= 0; --i) {
            buf[i] = static_cast<char>('0' + nanos % 10);
            nanos /= 10;
        }
        out.append(buf, static_cast<size_t>(digits));
    }

    std::vector<Part> parts_;
    bool escape_;
    alignas(std::max_align_t) char pool_buffer_[16 * 1024];
    rj::MemoryPoolAllocator<> pool_{pool_buffer_, sizeof pool_buffer_};
    std::optional<rj::Document> doc_;
    rj::StringBuffer json_;
};

}  // namespace

std::unique_ptr<Formatter> make_template_formatter(std::string_view text, bool escape) {
    return std::make_unique<TemplateFormatter>(Compiler(text).compile(), escape);
}

}  // namespace amr::output
