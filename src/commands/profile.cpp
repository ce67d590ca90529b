// amr profile list|show NAME|path NAME: the named .env files that --profile NAME and
// AMR_PROFILE read, in ${XDG_CONFIG_HOME:-~/.config}/amr (see config/profile.hpp).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "commands/command.hpp"
#include "config/profile.hpp"
#include "output/json_string.hpp"
#include "output/stdout_sink.hpp"
#include "output/terminal_escape.hpp"

namespace amr::commands {
namespace {

struct ProfileOptions {
    std::string name;
    std::string output = "text";
};

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_json(const rapidjson::StringBuffer& buf) {
    output::write_stdout(std::string(buf.GetString(), buf.GetSize()) + "\n");
}

int run_list(const ProfileOptions& o) {
    const std::string directory = config::profile_directory();
    const std::vector<std::string> names = config::list_profiles(directory);
    if (o.output == "json") {
        rapidjson::StringBuffer buf;
        JsonWriter w(buf);
        w.StartObject();
        w.Key("directory");
        output::write_json_string(w, directory);
        w.Key("profiles");
        w.StartArray();
        for (const auto& name : names) output::write_json_string(w, name);
        w.EndArray();
        w.EndObject();
        write_json(buf);
        return 0;
    }
    std::string text;
    for (const auto& name : names) text += name + "\n";  // plain names: nothing to escape
    if (!text.empty()) output::write_stdout(text);
    return 0;
}

int run_show(const ProfileOptions& o, const GlobalOptions& globals) {
    config::ConnectionFlags flags;
    flags.env_file = config::existing_profile_path(config::profile_directory(), o.name, "NAME");
    flags.connect_timeout_s = globals.connection.connect_timeout_s;
    // The same reading as --profile: syntax errors and the permission warning.
    const config::EnvMap vars = config::load_env_file(flags);
    if (o.output == "json") {
        rapidjson::StringBuffer buf;
        JsonWriter w(buf);
        w.StartObject();
        w.Key("name");
        output::write_json_string(w, o.name);
        w.Key("path");
        output::write_json_string(w, *flags.env_file);
        w.Key("settings");
        w.StartObject();
        for (const auto& [name, value] : vars) {
            output::write_json_string(w, name);
            output::write_json_string(w, config::displayed_value(name, value));
        }
        w.EndObject();
        w.EndObject();
        write_json(buf);
        return 0;
    }
    // NAME=VALUE lines; a value's newlines and control bytes escaped, so one line each.
    std::string text;
    for (const auto& [name, value] : vars) {
        text += name + "=";
        output::append_terminal_escaped(config::displayed_value(name, value), text);
        text += "\n";
    }
    if (!text.empty()) output::write_stdout(text);
    return 0;
}

int run_path(const ProfileOptions& o) {
    config::check_profile_name(o.name, "NAME");
    output::write_stdout(config::profile_path(config::profile_directory(), o.name) + "\n");
    return 0;
}

}  // namespace

CommandSpec profile_command() {
    return {
        "profile", "List profiles (named .env files for --profile) and show what they hold",
        [](CLI::App& sub, const GlobalOptions& globals) -> Action {
            auto o = std::make_shared<ProfileOptions>();
            sub.require_subcommand(1);
            sub.footer(
                "A profile NAME is the file ${XDG_CONFIG_HOME:-~/.config}/amr/NAME.env, read by\n"
                "--profile NAME or AMR_PROFILE=NAME in place of ./.env.\n\n"
                "Examples:\n  amr profile list\n  amr profile show prod\n"
                "  $EDITOR \"$(amr profile path staging)\"\n  amr --profile prod ping");
            CLI::App* list = sub.add_subcommand("list", "The profile names, one per line, sorted");
            list->add_option("-o,--output", o->output, "text or json")
                ->check(CLI::IsMember({"text", "json"}))
                ->type_name("MODE");
            CLI::App* show =
                sub.add_subcommand("show", "The settings a profile holds (secrets as <hidden>)");
            show->add_option("NAME", o->name, "The profile")->required();
            show->add_option("-o,--output", o->output, "text (NAME=VALUE lines) or json")
                ->check(CLI::IsMember({"text", "json"}))
                ->type_name("MODE");
            CLI::App* path =
                sub.add_subcommand("path", "The file of a profile, whether it exists or not");
            path->add_option("NAME", o->name, "The profile")->required();
            return [o, &globals, list, show] {
                if (list->parsed()) return run_list(*o);
                if (show->parsed()) return run_show(*o, globals);
                return run_path(*o);
            };
        }};
}

}  // namespace amr::commands
