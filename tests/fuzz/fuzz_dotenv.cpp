// .env text (config/dotenv.hpp), with a secret planted in it: a malformed file's error
// names the file and line, never the planted secret. With AMR_FUZZ_DUMP set, prints what
// amr read as one JSON object (or {"error": ...}) on stdout, for scripts/dotenv_diff.py.
#include <cstdlib>
#include <iostream>

#include "config/dotenv.hpp"
#include "fuzz_common.hpp"
#include "output/json_string.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace {

void dump(std::string_view text) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    try {
        const auto env = amr::config::parse_dotenv(text, ".env");
        w.Key("values");
        w.StartObject();
        for (const auto& [key, value] : env) {
            amr::output::write_json_string(w, key);
            amr::output::write_json_string(w, value);
        }
        w.EndObject();
    } catch (const amr::Error& e) {
        w.Key("error");
        amr::output::write_json_string(w, e.what());
    }
    w.EndObject();
    std::cout << buffer.GetString() << std::endl;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (std::getenv("AMR_FUZZ_DUMP") != nullptr) {
        // The text the harness parses, without the planted secret.
        if (size > 0) dump(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
        return 0;
    }
    const std::string text = fuzz::with_planted_secret(data, size);
    try {
        const auto env = amr::config::parse_dotenv(text, ".env");
        for (const auto& [key, value] : env) {
            fuzz::check(!key.empty(), "an empty variable name");
            (void)value;
        }
        (void)amr::config::dotenv_has_secret(env);
        const std::string warning = amr::config::dotenv_permission_warning(".env", 0644, env);
        fuzz::check(!fuzz::contains(warning, fuzz::planted_secret),
                    "the permission warning holds the planted secret", warning);
    } catch (const amr::Error& e) {
        fuzz::check_no_secret(e);
    }
    return 0;
}
