// --template (output/template.hpp): any template text, rendered with any message. A bad
// template is a usage error naming a byte within the template; a good one renders the same
// message the same way twice, and with escaping on (a terminal) what its placeholders
// insert holds no control bytes (checked with a template of placeholders only).
#include <chrono>

#include "fuzz_common.hpp"
#include "output/template.hpp"
#include "output/terminal_escape.hpp"

using namespace amr::output;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The template runs to the first 0xff byte; the payload is what follows it.
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t cut = input.find('\xff');
    const std::string_view text = input.substr(0, cut);
    const std::string_view payload =
        cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);

    Received m;
    m.is_pattern = size % 2 == 1;
    m.pattern = m.is_pattern ? payload.substr(0, 5) : std::string_view();
    m.channel = payload.substr(0, 9);
    m.payload = payload;
    m.received_at = amr::util::SystemTime(std::chrono::milliseconds(1764000000123));
    try {
        auto formatter = make_template_formatter(text, (size & 4) != 0);
        std::string once, twice;
        formatter->append(m, once);
        formatter->append(m, twice);
        fuzz::check(once == twice, "a template renders a message two ways");
    } catch (const amr::Error& e) {
        fuzz::check(e.kind() == amr::ErrorKind::usage, "a template error that is not usage");
        const std::string_view what = e.what();
        fuzz::check(what.starts_with("--template"), "a template error that does not name it", what);
    }

    auto placeholders = make_template_formatter(
        "{channel}{pattern}{type}{payload}{data}{data.a.0}{data.b}{time:%3N %Y}{utc}", true);
    std::string out;
    placeholders->append(m, out);
    for (unsigned char c : out) {
        fuzz::check(c >= 0x20 && c != 0x7f, "a placeholder inserts a control byte on a terminal",
                    out);
    }
    return 0;
}
