// Messages built from options: the lab's preset events, --event with -f fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.hpp"

namespace amr::message {

struct Preset {
    std::string_view name;
    std::string_view channel;  // where the lab publishes it
};

const std::vector<Preset>& presets();
// Throws a usage Error listing the presets when `name` is unknown.
const Preset& find_preset(const std::string& name);

// What the message options of publish and broadcast ask for.
struct MessageSpec {
    std::optional<std::string> preset;
    std::optional<std::string> event;
    std::vector<std::string> fields;  // KEY=VALUE (string) or KEY:=JSON (typed)
};

bool builds_message(const MessageSpec& spec);

// Builds the JSON text of the message: the preset's fields (fresh ids and timestamp from
// `now`) or {"event": NAME, ..., "timestamp": ...}, then each field in order (an existing
// key is replaced in place, a new one goes before "timestamp"). Throws a usage Error
// naming the bad field.
std::string build_message(const MessageSpec& spec, util::SystemTime now);

}  // namespace amr::message
