// amr ping: connect, authenticate and PING; for CI smoke tests and checking a .env.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>

#include "commands/command.hpp"
#include "output/json_string.hpp"
#include "output/stdout_sink.hpp"
#include "redis/connection.hpp"
#include "redis/server_info.hpp"

namespace amr::commands {
namespace {

struct PingOptions {
    std::string output = "text";
};

int run_ping(const PingOptions& o, const GlobalOptions& globals) {
    auto settings = config::load_settings(globals.connection);
    auto connection = redis::Connection::open(settings);
    auto start = std::chrono::steady_clock::now();
    redis::check_pong(connection.command({"PING"}).get(), connection.endpoint());
    const double rtt_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const std::string version = redis::server_version(connection);

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
