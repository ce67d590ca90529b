#include "message/envelope.hpp"

#include "message/json_check.hpp"
#include "message/json_parse.hpp"
#include "util/base64.hpp"

namespace amr::message {
namespace {

namespace rj = rapidjson;

enum class Field { other, channel, channel_base64, data, data_base64, type, received_at };

Field field_of(std::string_view key) {
    switch (key.size()) {
        case 4:
            if (key == "data") return Field::data;
            if (key == "type") return Field::type;
            break;
        case 7:
            if (key == "channel") return Field::channel;
            break;
        case 11:
            if (key == "data_base64") return Field::data_base64;
            if (key == "received_at") return Field::received_at;
            break;
        case 14:
            if (key == "channel_base64") return Field::channel_base64;
            break;
        default:
            break;
    }
    return Field::other;
}

// SAX events of one line. The top-level object's members are at depth 1; their values'
// insides (a payload in "data") only pass through. A string's decoded text is valid only
// during its event: what is kept is copied.
class Handler {
  public:
    Handler(std::string_view line, std::string& channel, std::string& payload,
            std::string& received_at, std::string& channel_b64, std::string& data_b64,
            bool want_received_at)
        : line_(line),
          channel_(channel),
          payload_(payload),
          received_at_(received_at),
          b64_(channel_b64),
          data_b64_(data_b64),
          want_received_at_(want_received_at) {}

    void attach(const rj::MemoryStream& stream) { stream_ = &stream; }

    bool Null() { return scalar(); }
    bool Bool(bool) { return scalar(); }
    bool Int(int) { return scalar(); }
    bool Uint(unsigned) { return scalar(); }
    bool Int64(int64_t) { return scalar(); }
    bool Uint64(uint64_t) { return scalar(); }
    bool Double(double) { return scalar(); }
    bool RawValue(const char*, rj::SizeType, rj::Type) { return scalar(); }
    bool String(const char* s, rj::SizeType n, bool) {
        if (depth_ != 1) return depth_ > 1 || top_level_value();
        const std::string_view text(s, n);
        switch (field_) {
            case Field::channel:
                channel_.assign(text);
                has_channel_ = true;
                break;
            case Field::channel_base64:
                b64_.assign(text);
                has_channel_b64_ = true;
                break;
            case Field::data:
                payload_.assign(text);
                data_ = std::string_view();
                has_data_ = true;
                data_is_string_ = true;
                break;
            case Field::data_base64:
                data_b64_.assign(text);
                has_data_b64_ = true;
                break;
            case Field::type:
                sharded_ = text == "smessage";
                break;
            case Field::received_at:
                if (want_received_at_) received_at_.assign(text);
                break;
            case Field::other:
                break;
        }
        return true;
    }
    bool Key(const char* s, rj::SizeType n, bool) {
        if (depth_ == 1) {
            field_ = field_of(std::string_view(s, n));
            if (field_ == Field::data) value_start_ = after_colon(stream_->Tell());
        }
        return true;
    }
    bool StartObject() {
        if (depth_ == 0) {
            seen_object_ = true;
        } else if (depth_ == 1 && !member_value()) {
            return false;
        }
        ++depth_;
        return true;
    }
    bool EndObject(rj::SizeType) { return end(); }
    bool StartArray() {
        if (depth_ == 0) return top_level_value();
        if (depth_ == 1 && !member_value()) return false;
        ++depth_;
        return true;
    }
    bool EndArray(rj::SizeType) { return end(); }

    // Set when the handler stopped the parse.
    std::optional<std::string> problem;

    bool has_channel_ = false, has_channel_b64_ = false, has_data_ = false, has_data_b64_ = false,
         data_is_string_ = false, sharded_ = false;
    std::string_view data_;  // the exact bytes of a "data" that is not a string

  private:
    // A value at depth 1 that is not a string: of "data", its bytes; of the fields that
    // must be strings, a problem.
    bool scalar() {
        if (depth_ != 1) return depth_ > 1 || top_level_value();
        if (!member_value()) return false;
        if (field_ == Field::data)
            data_ = line_.substr(value_start_, stream_->Tell() - value_start_);
        return true;
    }
    bool member_value() {
        switch (field_) {
            case Field::channel:
            case Field::channel_base64:
            case Field::data_base64:
            case Field::type:
                problem = std::string("\"") + name(field_) + "\" is not a string";
                return false;
            case Field::data:
                has_data_ = true;
                data_is_string_ = false;
                return true;
            default:
                return true;
        }
    }
    bool end() {
        if (--depth_ == 1 && field_ == Field::data) {
            data_ = line_.substr(value_start_, stream_->Tell() - value_start_);
        }
        return true;
    }
    bool top_level_value() {
        problem = "not a JSON object";
        return false;
    }
    // Where the value after a key starts: past the whitespace and the colon.
    size_t after_colon(size_t at) const {
        while (at < line_.size() && (line_[at] == ' ' || line_[at] == '\t' || line_[at] == '\n' ||
                                     line_[at] == '\r' || line_[at] == ':')) {
            ++at;
        }
        return at;
    }
    static const char* name(Field f) {
        switch (f) {
            case Field::channel:
                return "channel";
            case Field::channel_base64:
                return "channel_base64";
            case Field::data_base64:
                return "data_base64";
            case Field::type:
                return "type";
            default:
                return "data";
        }
    }

    std::string_view line_;
    std::string& channel_;
    std::string& payload_;
    std::string& received_at_;
    std::string& b64_;
    std::string& data_b64_;
    bool want_received_at_;
    const rj::MemoryStream* stream_ = nullptr;
    unsigned depth_ = 0;
    Field field_ = Field::other;
    size_t value_start_ = 0;
    bool seen_object_ = false;
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The text of a plain JSON string (plain_value_length's rules: printable ASCII and the
// one-letter escapes): a span of the line when it has no escape, else unescaped into
// `buffer`.
std::string_view plain_string_text(std::string_view quoted, std::string& buffer) {
    const std::string_view inner = quoted.substr(1, quoted.size() - 2);
    size_t i = inner.find('\\');
    if (i == std::string_view::npos) return inner;
    buffer.assign(inner.substr(0, i));
    for (; i < inner.size(); ++i) {
        char c = inner[i];
        if (c == '\\') {
            switch (inner[++i]) {
                case 'b':
                    c = '\b';
                    break;
                case 'f':
                    c = '\f';
                    break;
                case 'n':
                    c = '\n';
                    break;
                case 'r':
                    c = '\r';
                    break;
                case 't':
                    c = '\t';
                    break;
                default:  // '"', '\\', '/'
                    c = inner[i];
            }
        }
        buffer += c;
    }
    return buffer;
}

}  // namespace

// The quick way for a line of plain JSON (what subscribe -j writes for a plain payload):
// the object's members scanned here, each value by plain_value_length(). False, with
// nothing decided, for anything else: the full parser then decodes the line or says
// what is wrong with it.
bool EnvelopeDecoder::decode_plain(std::string_view line, Envelope& out) {
    size_t p = 0;
    const size_t n = line.size();
    auto skip_space = [&] {
        while (p < n && is_space(line[p])) ++p;
    };
    skip_space();
    if (p == n || line[p] != '{') return false;
    ++p;
    bool channel = false, data = false;
    has_channel_b64_ = has_data_b64_ = false;
    out.sharded = false;
    out.received_at = {};
    for (;;) {
        skip_space();
        // A key: printable ASCII without escapes.
        if (p == n || line[p] != '"') return false;
        const size_t key_start = ++p;
        while (p < n && line[p] != '"') {
            const auto c = static_cast<unsigned char>(line[p]);
            if (c < 0x20 || c >= 0x7f || c == '\\') return false;
            ++p;
        }
        if (p == n) return false;
        const Field field = field_of(line.substr(key_start, p - key_start));
        ++p;
        skip_space();
        if (p == n || line[p] != ':') return false;
        ++p;
        skip_space();
        const size_t length = plain_value_length(line.substr(p));
        if (length == 0) return false;
        const std::string_view value = line.substr(p, length);
        p += length;
        const bool is_string = value.front() == '"';
        if (field != Field::other && field != Field::data && !is_string) return false;
        switch (field) {
            case Field::channel:
                out.channel = plain_string_text(value, channel_);
                channel = true;
                break;
            case Field::channel_base64:
                base64_.assign(plain_string_text(value, channel_));
                has_channel_b64_ = true;
                break;
            case Field::data:
                out.payload = is_string ? plain_string_text(value, payload_) : value;
                data = true;
                break;
            case Field::data_base64:
                data_base64_.assign(plain_string_text(value, payload_));
                has_data_b64_ = true;
                break;
            case Field::type:
                out.sharded = plain_string_text(value, scratch_) == "smessage";
                break;
            case Field::received_at:
                if (want_received_at_) out.received_at = plain_string_text(value, received_at_);
                break;
            case Field::other:
                break;
        }
        skip_space();
        if (p == n) return false;
        if (line[p] == '}') break;
        if (line[p] != ',') return false;
        ++p;
    }
    ++p;
    skip_space();
    return p == n && (channel || has_channel_b64_) && (data || has_data_b64_);
}

std::optional<std::string> EnvelopeDecoder::decode(std::string_view line, Envelope& out,
                                                   bool quick) {
    if (quick && decode_plain(line, out)) return finish(out);
    received_at_.clear();
    Handler h(line, channel_, payload_, received_at_, base64_, data_base64_, want_received_at_);
    // The payload is one level down: every payload subscribe -j writes as JSON fits.
    if (auto bad = detail::parse_into(line, h, max_json_depth + 1)) {
        if (h.problem) return h.problem;
        return "not valid JSON at byte " + std::to_string(bad->offset) + ": " + bad->reason;
    }
    if (!h.has_channel_b64_ && !h.has_channel_) return "no \"channel\" field";
    if (!h.has_data_b64_ && !h.has_data_) return "no \"data\" field";
    has_channel_b64_ = h.has_channel_b64_;
    has_data_b64_ = h.has_data_b64_;
    out.channel = channel_;
    if (h.has_data_) out.payload = h.data_is_string_ ? std::string_view(payload_) : h.data_;
    out.sharded = h.sharded_;
    out.received_at = received_at_;
    return finish(out);
}

// The base64 fields, which win over channel and data.
std::optional<std::string> EnvelopeDecoder::finish(Envelope& out) {
    if (has_channel_b64_) {
        if (auto at = util::decode_base64(base64_, channel_)) {
            return "\"channel_base64\" is not base64 (character " + std::to_string(*at) + ")";
        }
        out.channel = channel_;
    }
    if (has_data_b64_) {
        if (auto at = util::decode_base64(data_base64_, payload_)) {
            return "\"data_base64\" is not base64 (character " + std::to_string(*at) + ")";
        }
        out.payload = payload_;
    }
    return std::nullopt;
}

}  // namespace amr::message
