// amr ping: connect, authenticate and PING; for CI smoke tests and checking a .env.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>

#include "commands/command.hpp"
#include "output/json_string.hpp"
#include "output/stdout_sink.hpp"
#include "redis/connection.hpp"

namespace amr::commands {
namespace {

struct PingOptions {
    std::string output = "text";
};

// The version INFO gives, kept to the characters a version has: it is printed for a
// person, and a server may send anything.
std::string server_version(redis::Connection& connection) {
    redis::ReplyPtr info;
    try {
        info = connection.command({"INFO", "server"});
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::connection) throw;
        return "unknown";  // INFO may be refused by ACLs; PING is what counts
    }
    std::string_view text = redis::text_of(info.get(), "INFO", connection.endpoint());
    const std::string_view key = "redis_version:";
    size_t at = text.find(key);
    if (at == std::string_view::npos) return "unknown";
    text.remove_prefix(at + key.size());
    std::string version;
    for (char c : text.substr(0, 64)) {
        if (c == '\r' || c == '\n') break;
        const bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                           (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+' || c == '_';
        version += plain ? c : '?';
    }
    return version.empty() ? "unknown" : version;
}

int run_ping(const PingOptions& o, const GlobalOptions& globals) {
    auto settings = config::load_settings(globals.connection);
    auto connection = redis::Connection::open(settings);
    auto start = std::chrono::steady_clock::now();
    redis::check_pong(connection.command({"PING"}).get(), connection.endpoint());
    const double rtt_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const std::string version = server_version(connection);

    if (o.output == "json") {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        w.StartObject();
        w.Key("host");
        output::write_json_string(w, settings.host);
        w.Key("port");
        w.Int(settings.port);
        w.Key("tls");
        w.Bool(settings.tls);
        w.Key("rtt_ms");
        w.Double(rtt_ms);
        w.Key("server_version");
        output::write_json_string(w, version);
        w.EndObject();
        output::write_stdout(std::string(buf.GetString(), buf.GetSize()) + "\n");
    } else {
        char line[512];
        std::snprintf(line, sizeof line, "PONG from %s in %.3f ms (Redis %s, %s)\n",
                      connection.endpoint().c_str(), rtt_ms, version.c_str(),
                      settings.tls ? "TLS" : "plain TCP");
        output::write_stdout(line);
    }
    return 0;
}

}  // namespace

CommandSpec ping_command() {
    return {"ping", "Connect, authenticate and PING: check a server or a .env",
            [](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<PingOptions>();
                sub.add_option("-o,--output", o->output, "text or json")
                    ->check(CLI::IsMember({"text", "json"}))
                    ->type_name("MODE");
                sub.footer("Examples:\n  amr ping\n  amr --env-file prod.env ping -o json");
                return [o, &globals] { return run_ping(*o, globals); };
            }};
}

}  // namespace amr::commands
