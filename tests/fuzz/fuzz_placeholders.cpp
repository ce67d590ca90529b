// Placeholders in generated messages (message/placeholders.hpp): any text parses or is a
// usage error naming a byte inside it; a parsed text renders the same twice from the
// same random state; a constant text renders to itself less its "{{{{" escapes; what a
// placeholder inserts never contains "{{".
#include <string>

#include "fuzz_common.hpp"
#include "message/placeholders.hpp"

namespace {

std::string unescaped(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, 4, "{{{{") == 0) {
            out += "{{";
            i += 4;
        } else {
            out += text[i++];
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    using amr::message::PlaceholderContext;
    using amr::message::Placeholders;
    try {
        const Placeholders p = Placeholders::parse(text, "MESSAGE");
        std::mt19937_64 a(7), b(7);
        const auto now = amr::util::SystemTime(std::chrono::microseconds(1764635025118729LL));
        const std::string one = p.render(PlaceholderContext{3, now, "host", &a});
        const std::string two = p.render(PlaceholderContext{3, now, "host", &b});
        fuzz::check(one == two, "the same context rendered differently", text);
        if (p.constant()) {
            fuzz::check(one == unescaped(text), "a constant text rendered to something else", text);
        }
    } catch (const amr::Error& e) {
        fuzz::check(e.kind() == amr::ErrorKind::usage,
                    "a placeholder error that is not a usage error");
        const std::string what = e.what();
        const size_t at = what.rfind(" at byte ");
        fuzz::check(at != std::string::npos, "a placeholder error that names no byte", what);
        const unsigned long byte = std::stoul(what.substr(at + 9));
        fuzz::check(byte < text.size(), "a placeholder error naming a byte past the text", what);
        fuzz::check(text.compare(byte, 2, "{{") == 0, "a placeholder error not at a {{", what);
    }
    return 0;
}
