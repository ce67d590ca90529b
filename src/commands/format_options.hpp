// How received messages are printed: -F/--format, -j/--json and --template, shared by
// subscribe (and its flavours) and request.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

#include "output/formatter.hpp"

namespace amr::commands {

struct FormatFlags {
    std::optional<std::string> format;  // pretty when not given
    std::optional<std::string> template_text;
    bool json = false;
};

void add_format_options(CLI::App& sub, FormatFlags& flags);

// --template implies --format template and goes with no other format. Throws usage Errors.
output::Format select_format(const FormatFlags& flags);

// The formatter for stdout (colour and escapes when it is a terminal).
std::unique_ptr<output::Formatter> stdout_formatter(const FormatFlags& flags);

}  // namespace amr::commands
