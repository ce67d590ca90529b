#include "redis/server_info.hpp"

#include "redis/reply_check.hpp"

namespace amr::redis {
namespace {

// The text after "field:" up to the line's end, if INFO `section` has it.
std::optional<std::string> info_field(Connection& connection, const char* section,
                                      std::string_view field) {
    ReplyPtr info;
    try {
        info = connection.command({"INFO", section});
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::connection) throw;
        return std::nullopt;  // INFO may be refused by ACLs
    }
    std::string_view text = text_of(info.get(), "INFO", connection.endpoint());
    for (size_t at = 0; at < text.size();) {
        size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
            line[field.size()] == ':') {
            return std::string(line.substr(field.size() + 1, 64));
        }
    }
    return std::nullopt;
}

}  // namespace

std::string server_version(Connection& connection) {
    const auto value = info_field(connection, "server", "redis_version");
    if (!value) return "unknown";
    std::string version;
    for (char c : *value) {
        const bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                           (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+' || c == '_';
        version += plain ? c : '?';
    }
    return version.empty() ? "unknown" : version;
}

std::optional<uint64_t> info_counter(Connection& connection, const char* section,
                                     std::string_view field) {
    const auto value = info_field(connection, section, field);
    if (!value || value->empty() || value->size() > 19) return std::nullopt;
    uint64_t n = 0;
    for (char c : *value) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
}

}  // namespace amr::redis
