#include "config/dotenv.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "config/redis_url.hpp"
#include "error.hpp"
#include "util/limits.hpp"
#include "util/read_all.hpp"

namespace amr::config {
namespace {

struct LineError {
    std::string what;
};

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

void skip_blanks(std::string_view s, size_t& i) {
    while (i < s.size() && is_blank(s[i])) ++i;
}

// After a closing quote only blanks and a comment may follow.
void expect_end(std::string_view line, size_t i) {
    skip_blanks(line, i);
    if (i < line.size() && line[i] != '#')
        throw LineError{"unexpected text after the closing quote"};
}

char unescape(char c) {
    switch (c) {
        case 'n':
            return '\n';
        case 't':
            return '\t';
        case 'r':
            return '\r';
        case 'a':
            return '\a';
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'v':
            return '\v';
        default:
            return c;  // \\ \" \'
    }
}

// Parses a value starting at `i` of `text`; a double-quoted value may span lines, so the
// position in the whole text advances past everything consumed.
std::string parse_value(std::string_view text, size_t& pos, int& line_no) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view rest = text.substr(pos, eol - pos);

    if (rest.empty() || (rest[0] != '"' && rest[0] != '\'')) {
        // Unquoted: up to an inline comment (a '#' after a blank), trailing blanks trimmed.
        size_t end = rest.size();
        for (size_t i = 0; i < rest.size(); ++i) {
            if (rest[i] == '#' && i > 0 && is_blank(rest[i - 1])) {
                end = i;
                break;
            }
        }
        while (end > 0 && is_blank(rest[end - 1])) --end;
        pos = eol;
        return std::string(rest.substr(0, end));
    }

    const char quote = rest[0];
    std::string value;
    size_t i = pos + 1;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == quote) break;
        if (c == '\n') ++line_no;
        if (quote == '"' && c == '\\' && i + 1 < text.size()) {
            const char next = text[++i];
            if (next == '\n') ++line_no;
            // As python-dotenv: an unknown escape keeps its backslash.
            if (std::string_view("\\'\"abfnrtv").find(next) == std::string_view::npos) {
                value += '\\';
            }
            value += unescape(next);
        } else if (quote == '\'' && c == '\\' && i + 1 < text.size() &&
                   (text[i + 1] == '\'' || text[i + 1] == '\\')) {
            value += text[++i];
        } else {
            value += c;
        }
    }
    if (i >= text.size()) throw LineError{"missing closing quote"};
    eol = text.find('\n', i);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view after = text.substr(i + 1, eol - i - 1);
    expect_end(after, 0);
    pos = eol;
    return value;
}

const char* file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// The text with "\r\n" and lone "\r" line ends as "\n": python-dotenv reads a file
// with Python's universal newlines, so a lone CR ends a line there too.
std::string universal_newlines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r') {
            out += text[i];
        } else {
            out += '\n';
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        }
    }
    return out;
}

}  // namespace

EnvMap parse_dotenv(std::string_view original, const std::string& origin) {
    const std::string lines = universal_newlines(original);
    const std::string_view text = lines;
    EnvMap env;
    size_t pos = 0;
    int line_no = 1;
    while (pos < text.size()) {
        const int start_line = line_no;
        try {
            size_t i = pos;
            skip_blanks(text, i);
            if (i >= text.size()) break;
            if (text[i] == '\n' || text[i] == '#') {
                size_t eol = text.find('\n', i);
                pos = eol == std::string_view::npos ? text.size() : eol + 1;
                ++line_no;
                continue;
            }
            if (text.substr(i, 7) == "export " || text.substr(i, 7) == "export\t") {
                i += 7;
                skip_blanks(text, i);
            }
            size_t key_start = i;
            while (i < text.size() && is_key_char(text[i])) ++i;
            std::string key(text.substr(key_start, i - key_start));
            if (key.empty()) throw LineError{"expected a variable name"};
            skip_blanks(text, i);
            if (i >= text.size() || text[i] != '=') {
                // The "name" is not quoted: it may be the rest of a wrapped secret.
                throw LineError{"expected NAME=VALUE (a value wrapped onto a second line?)"};
            }
            ++i;
            skip_blanks(text, i);
            env[key] = parse_value(text, i, line_no);
            pos = i < text.size() ? i + 1 : i;
            ++line_no;
        } catch (const LineError& e) {
            throw usage_error(origin + ":" + std::to_string(start_line) + ": " + e.what);
        }
    }
    return env;
}

EnvMap read_dotenv_file(const std::string& path, std::chrono::milliseconds patience) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        throw usage_error("cannot read env file " + path + ": " + std::strerror(errno));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        throw usage_error("cannot read env file " + path + ": " + std::strerror(errno));
    }
    // A pipe is fine (--env-file <(command)); a directory or a device is not a .env.
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        throw usage_error("env file " + path + " is not a file (" + file_kind(st.st_mode) + ")");
    }
    const std::string name = "env file " + path;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (S_ISFIFO(st.st_mode)) deadline = std::chrono::steady_clock::now() + patience;
    return parse_dotenv(util::read_all(fd, name, util::max_env_file_bytes, deadline), path);
}

bool dotenv_has_secret(const EnvMap& env) {
    if (auto it = env.find("REDIS_KEY"); it != env.end() && !it->second.empty()) return true;
    auto it = env.find("REDIS_URL");
    if (it == env.end() || it->second.empty()) return false;
    try {
        auto url = parse_redis_url(it->second, "REDIS_URL");
        return url.password && !url.password->empty();
    } catch (const Error&) {
        return false;  // resolving the settings reports the bad URL
    }
}

std::string dotenv_permission_warning(const std::string& path, unsigned mode, const EnvMap& env) {
    if ((mode & (S_IRGRP | S_IROTH)) == 0 || !dotenv_has_secret(env)) return {};
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode & 07777u);
    return path + " is readable by other users (mode " + octal + "); chmod 600 " + path;
}

}  // namespace amr::config
