#include "app.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "commands/command.hpp"
#include "error.hpp"
#include "log.hpp"
#include "output/stdout_sink.hpp"
#include "util/process_guard.hpp"
#include "util/redact.hpp"
#include "util/suggest.hpp"
#include "util/whole_number.hpp"
#include "version.hpp"

namespace amr {
namespace {

struct CliState {
    commands::GlobalOptions globals;
    bool tls = false;
    bool no_tls = false;
    int verbose = 0;
    bool quiet = false;
};

void add_global_options(CLI::App& app, CliState& st) {
    auto& c = st.globals.connection;
    const std::string group = "Connection";
    app.add_option("--url", c.url, "redis://[user[:password]@]host[:port] or rediss://...")
        ->type_name("URL")
        ->group(group);
    app.add_option("-H,--host", c.host, "Server host name (REDIS_HOST)")
        ->type_name("HOST")
        ->group(group);
    app.add_option("-p,--port", c.port, "Server port (REDIS_PORT; default 10000)")
        ->check(util::whole_number(1, 65535))
        ->type_name("PORT")
        ->group(group);
    app.add_option("--user", c.user, "ACL user name (REDIS_USER)")->type_name("NAME")->group(group);
    app.add_option("-a,--password", c.password,
                   "Password or access key (REDIS_KEY); visible to other users in the process "
                   "list, prefer REDIS_KEY or .env")
        ->type_name("PASSWORD")
        ->group(group);
    app.add_option("--token-command", c.token_command,
                   "Microsoft Entra ID: a command printing an access token to use as the "
                   "password, run again before it expires (REDIS_TOKEN_COMMAND)")
        ->type_name("CMD")
        ->group(group);
    auto* tls = app.add_flag("--tls", st.tls, "Use TLS (REDIS_TLS; the default)")->group(group);
    auto* no_tls = app.add_flag("--no-tls", st.no_tls, "Plain TCP, without TLS")->group(group);
    tls->excludes(no_tls);
    app.add_option("--cacert", c.cacert,
                   "CA certificates to trust (REDIS_CACERT; default: the "
                   "system store)")
        ->type_name("FILE")
        ->group(group);
    app.add_option("--capath", c.capath, "Directory of CA certificates to trust")
        ->type_name("DIR")
        ->group(group);
    app.add_option("--cert", c.cert, "Client certificate (with --key)")
        ->type_name("FILE")
        ->group(group);
    app.add_option("--key", c.key, "Client private key (with --cert)")
        ->type_name("FILE")
        ->group(group);
    app.add_option("--sni", c.sni, "TLS server name to send (default: the host)")
        ->type_name("NAME")
        ->group(group);
    app.add_flag("--insecure", c.insecure, "Do not verify the server's certificate or host name")
        ->group(group);
    auto* env_file =
        app.add_option("--env-file", c.env_file, "Read settings from FILE instead of ./.env")
            ->type_name("FILE")
            ->group(group);
    auto* no_env_file =
        app.add_flag("--no-env-file", c.no_env_file, "Do not read ./.env")->group(group);
    app.add_option("--profile", c.profile,
                   "Read settings from the profile NAME, ${XDG_CONFIG_HOME:-~/.config}/amr/"
                   "NAME.env, instead of ./.env (AMR_PROFILE; amr profile list)")
        ->type_name("NAME")
        ->group(group)
        ->excludes(env_file)
        ->excludes(no_env_file);
    app.add_option("--connect-timeout", c.connect_timeout_s,
                   "Seconds to wait for connect and replies (default 30)")
        ->type_name("SECONDS")
        ->group(group);
    app.add_option("--proto-max-bulk-len", c.proto_max_bulk_len,
                   "Longest string a reply may carry; longer is a protocol error (default "
                   "512MiB, as Redis's proto-max-bulk-len)")
        ->type_name("SIZE")
        ->group(group);
    app.add_flag("-v,--verbose", st.verbose, "Debug messages on stderr");
    app.add_flag("-q,--quiet", st.quiet, "Only errors on stderr");
}

const char* const footer =
    "Settings come from flags, then the environment, then ./.env (or --env-file FILE, or\n"
    "the profile --profile NAME or AMR_PROFILE names), then defaults (port 10000, TLS on).\n"
    "Variables: REDIS_HOST, REDIS_KEY, REDIS_PORT, REDIS_USER, REDIS_TLS, REDIS_CACERT,\n"
    "REDIS_URL. AMR_CORE_DUMPS=1 allows core dumps (off by default: they would hold the\n"
    "password).\n\n"
    "Examples:\n"
    "  amr ping\n"
    "  amr subscribe orders:created\n"
    "  amr publish --preset order_created\n"
    "  amr --profile prod ping\n"
    "  amr subscribe -j --count 1 --timeout 10s orders:created | jq .data\n"
    "  amr --user OBJECT_ID --token-command 'az account get-access-token --scope\n"
    "      https://redis.azure.com/.default --query accessToken -o tsv' ping\n\n";

// Long option names of `app` and, when given, one subcommand's.
std::vector<std::string> long_options(const CLI::App& app, const CLI::App* sub) {
    std::vector<std::string> names;
    for (const CLI::App* a : {&app, sub}) {
        if (a == nullptr) continue;
        for (const CLI::Option* o : a->get_options()) {
            for (const auto& n : o->get_lnames()) names.push_back("--" + n);
        }
    }
    return names;
}

// After a parse error: a subcommand or long option near what was typed.
void suggest(const CLI::App& app, int argc, char** argv) {
    std::vector<std::string> commands;
    const CLI::App* chosen = nullptr;
    for (const CLI::App* sub : app.get_subcommands({})) {
        commands.push_back(sub->get_name());
        if (sub->parsed()) chosen = sub;
    }
    bool seen_command = chosen != nullptr;
    // A command with commands of its own (profile list): the word after it is one of them.
    std::vector<std::string> inner;
    bool inner_chosen = false;
    bool after_command = false;
    if (chosen != nullptr) {
        for (const CLI::App* sub : chosen->get_subcommands({})) {
            inner.push_back(sub->get_name());
            inner_chosen = inner_chosen || sub->parsed();
        }
    }
    // The value after an option that takes one may be a password: never compared.
    auto takes_value = [&](std::string_view arg) {
        if (arg.find('=') != std::string_view::npos) return false;
        for (const CLI::App* a : {&app, chosen}) {
            if (a == nullptr) continue;
            for (const CLI::Option* o : a->get_options()) {
                if (o->get_type_size_max() > 0 && o->check_name(std::string(arg))) return true;
            }
        }
        return false;
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.starts_with("-") && takes_value(arg)) {
            ++i;
            continue;
        }
        if (arg.starts_with("--")) {
            std::string name(arg.substr(0, arg.find('=')));
            const auto known = long_options(app, chosen);
            if (std::find(known.begin(), known.end(), name) != known.end()) continue;
            if (auto near = util::closest(name, known)) {
                spdlog::info("amr: did you mean '{}'?", *near);
                return;
            }
        } else if (!arg.starts_with("-") && !seen_command) {
            if (std::find(commands.begin(), commands.end(), arg) != commands.end()) {
                seen_command = true;
                continue;
            }
            if (auto near = util::closest(arg, commands)) {
                spdlog::info("amr: '{}' is not a command; did you mean '{}'?", arg, *near);
                return;
            }
        } else if (!arg.starts_with("-") && !inner.empty() && !inner_chosen) {
            if (!after_command) {
                after_command = arg == chosen->get_name();
                continue;
            }
            if (auto near = util::closest(arg, inner)) {
                spdlog::info("amr: '{}' is not a '{}' command; did you mean '{}'?", arg,
                             chosen->get_name(), *near);
            }
            return;
        }
    }
}

int report(const Error& e) {
    spdlog::error("{}", e.what());
    if (!e.hint().empty()) spdlog::info("hint: {}", e.hint());
    return static_cast<int>(exit_code_for(e.kind()));
}

}  // namespace

int run(int argc, char** argv) {
    if (!util::guard_process()) return static_cast<int>(ExitCode::failure);
    signal(SIGPIPE, SIG_IGN);  // a closed stdout is EPIPE, handled by the output sink

    CLI::App app{"amr: publish and subscribe to Redis channels (Azure Managed Redis first)"};
    app.name("amr");
    app.set_version_flag("--version", version_text,
                         "Print the version of amr, of the hiredis and OpenSSL it was built "
                         "with and of the OpenSSL it runs with, and exit");
    app.footer(std::string(footer) + exit_code_help);
    app.require_subcommand(1);
    app.fallthrough();
    // CLI11's messages quote what was typed, which may be a password (`--passwrd SECRET`,
    // `-p SECRET`): arguments are named by position instead.
    const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    app.failure_message([&args](const CLI::App* a, const CLI::Error& e) {
        return util::redact_arguments(CLI::FailureMessage::simple(a, e), args);
    });

    CliState st;
    add_global_options(app, st);

    std::vector<std::pair<CLI::App*, commands::Action>> actions;
    for (const auto& spec : commands::all_commands()) {
        CLI::App* sub = app.add_subcommand(spec.name, spec.description);
        actions.emplace_back(sub, spec.setup(*sub, st.globals));
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        if (code == 0) return 0;
        log::init(log::Verbosity::normal);
        suggest(app, argc, argv);
        return static_cast<int>(ExitCode::usage);
    }

    log::init(st.quiet         ? log::Verbosity::quiet
              : st.verbose > 0 ? log::Verbosity::verbose
                               : log::Verbosity::normal);
    if (st.tls) st.globals.connection.tls = true;
    if (st.no_tls) st.globals.connection.tls = false;
    if (st.globals.connection.password) {
        spdlog::warn(
            "-a/--password: other users can see it in the process list; prefer "
            "REDIS_KEY or .env");
    }

    try {
        for (auto& [sub, action] : actions) {
            if (sub->parsed()) return action();
        }
        return static_cast<int>(ExitCode::usage);
    } catch (const Error& e) {
        return report(e);
    } catch (const output::StdoutClosed&) {
        return 0;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return static_cast<int>(ExitCode::failure);
    }
}

}  // namespace amr
