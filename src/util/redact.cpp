#include "util/redact.hpp"

#include <algorithm>
#include <cctype>

namespace amr::util {
namespace {

constexpr size_t max_name = 64;
constexpr size_t max_message = 2000;

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// "--name" or "-x": letters, digits, '-' and '_' after the dashes, and not too long.
bool is_option_name(std::string_view s) {
    const size_t dashes = s.starts_with("--") ? 2 : s.starts_with('-') ? 1 : 0;
    if (dashes == 0 || s.size() <= dashes || s.size() > max_name) return false;
    if (dashes == 1 && s.size() != 2) return false;
    return std::all_of(s.begin() + dashes, s.end(), is_word_char);
}

struct Secret {
    std::string text;
    size_t position;
};

// The parts of one argument that are values, not option names.
void values_of(const std::string& arg, size_t position, std::vector<Secret>& out) {
    if (arg.starts_with("--") && arg.find('=') != std::string::npos) {
        const size_t eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        if (!is_option_name(name)) {
            out.push_back({arg, position});
            return;
        }
        out.push_back({arg.substr(eq + 1), position});
        return;
    }
    if (is_option_name(arg) || arg == "-") return;  // "-" is stdin
    if (arg.size() > 2 && arg[0] == '-' && arg[1] != '-') {
        out.push_back({arg.substr(2), position});  // -aVALUE
        if (is_option_name(arg.substr(0, 2))) return;
    }
    out.push_back({arg, position});
}

// Replaces `secret` wherever it stands as a whole word (the value "1" must not eat the
// "1" of "65535", nor the value "port" the name "--port").
void replace_words(std::string& text, const Secret& secret) {
    if (secret.text.empty()) return;
    const std::string mark = "<argument " + std::to_string(secret.position) + ">";
    size_t at = 0;
    while ((at = text.find(secret.text, at)) != std::string::npos) {
        const size_t end = at + secret.text.size();
        const bool starts = at == 0 || !is_word_char(text[at - 1]);
        const bool ends = end == text.size() || !is_word_char(text[end]);
        if (starts && ends) {
            text.replace(at, secret.text.size(), mark);
            at += mark.size();
        } else {
            ++at;
        }
    }
}

}  // namespace

std::string redact_arguments(std::string_view message, const std::vector<std::string>& args) {
    std::vector<Secret> secrets;
    for (size_t i = 0; i < args.size(); ++i) values_of(args[i], i + 1, secrets);
    // Longest first, so a value that holds a shorter one goes whole.
    std::stable_sort(secrets.begin(), secrets.end(), [](const Secret& a, const Secret& b) {
        return a.text.size() > b.text.size();
    });
    std::string text(message);
    for (const Secret& s : secrets) replace_words(text, s);
    if (text.size() > max_message) text = text.substr(0, max_message) + " [...]";
    return text;
}

}  // namespace amr::util
