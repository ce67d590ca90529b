#include "commands/format_options.hpp"

#include "error.hpp"
#include "output/stdout_sink.hpp"

namespace amr::commands {

void add_format_options(CLI::App& sub, FormatFlags& o) {
    sub.add_option("-F,--format", o.format,
                   "pretty (the lab's display), json (one object per line), raw "
                   "(the payload) or template (--template)")
        ->check(CLI::IsMember({"pretty", "json", "raw", "template"}))
        ->type_name("FORMAT");
    sub.add_option("--template", o.template_text,
                   "Print each message through TEMPLATE, adding no newline, e.g. "
                   "'{channel}\\t{data.order_id}\\n' (implies --format template; "
                   "TEMPLATES in man amr)")
        ->type_name("TEMPLATE");
    sub.add_flag("-j,--json", o.json, "Short for --format json");
}

output::Format select_format(const FormatFlags& o) {
    if (o.template_text) {
        if (o.json) throw usage_error("--template cannot be combined with -j/--json");
        if (o.format && *o.format != "template") {
            throw usage_error("--template cannot be combined with --format " + *o.format);
        }
        return output::Format::template_;
    }
    if (o.json) return output::Format::json;
    const output::Format format = output::parse_format(o.format.value_or("pretty"));
    if (format == output::Format::template_) {
        throw usage_error("--format template needs --template TEMPLATE",
                          "e.g. --template '{channel}\\t{payload}\\n'");
    }
    return format;
}

std::unique_ptr<output::Formatter> stdout_formatter(const FormatFlags& o) {
    return output::make_formatter(
        select_format(o),
        {.colour = output::stdout_wants_colour(), .escape = output::stdout_is_terminal()},
        o.template_text.value_or(""));
}

}  // namespace amr::commands
