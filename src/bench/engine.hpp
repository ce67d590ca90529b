// amr bench's run: connects every publisher and subscriber, spreads them over --threads
// threads, each one poll loop (redis/pollable.hpp) over its connections of both kinds,
// starts the publishers once every subscription is confirmed, prints progress each second,
// stops after --duration or --messages (and the deliveries that follow, up to a quiet
// DRAIN), and adds up the report.
#pragma once

#include <optional>
#include <string>

#include "bench/report.hpp"
#include "config/settings.hpp"
#include "redis/backoff.hpp"

namespace amr::bench {

struct EngineOptions {
    RunShape shape;
    std::optional<std::string> csv;  // --csv FILE
    bool progress = true;            // the progress line (not with -q)
    redis::BackoffPolicy backoff;
};

// Throws connection (exit 3) and auth (exit 4) Errors as the other commands do.
Report run_bench(const config::Settings& settings, const EngineOptions& options);

}  // namespace amr::bench
