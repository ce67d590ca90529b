#include "bench/engine.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

#include "bench/plan.hpp"
#include "bench/worker.hpp"
#include "publish/pipeline.hpp"
#include "redis/cluster_view.hpp"
#include "redis/server_info.hpp"
#include "redis/socket.hpp"
#include "util/signals.hpp"

namespace amr::bench {
namespace {

// After the last PUBLISH is answered, deliveries are awaited until all came or none came
// for this long.
constexpr auto drain_quiet = std::chrono::seconds(2);
constexpr const char* limit_counter = "client_output_buffer_limit_disconnections";
// Bytes in flight per connection, at most (as publish's Pipeline): big --size times a big
// --window must not hold gigabytes.
constexpr size_t max_in_flight_bytes = 16 * 1024 * 1024;

struct Layout {
    std::vector<std::string> channels;
    std::vector<redis::NodeAddress> shards;  // one, the seed, unless a sharded cluster
    std::vector<size_t> shard_of_channel;
};

Layout lay_out(const RunShape& shape, redis::ClusterView& view) {
    Layout l;
    if (shape.sharded && view.is_cluster()) {
        std::vector<size_t> shard_of_slot(redis::slot_count);
        for (int slot = 0; slot < redis::slot_count; ++slot) {
            const redis::NodeAddress node = view.node_for(static_cast<uint16_t>(slot));
            auto it = std::find(l.shards.begin(), l.shards.end(), node);
            shard_of_slot[slot] = static_cast<size_t>(it - l.shards.begin());
            if (it == l.shards.end()) l.shards.push_back(node);
        }
        l.channels = channel_names(shape.prefix, shape.channels, l.shards.size(),
                                   [&](uint16_t slot) { return shard_of_slot[slot]; });
        for (const auto& name : l.channels) {
            l.shard_of_channel.push_back(shard_of_slot[redis::key_slot(name)]);
        }
    } else {
        l.shards.push_back(view.seed_node());
        l.channels = channel_names(shape.prefix, shape.channels);
        l.shard_of_channel.assign(l.channels.size(), 0);
    }
    return l;
}

std::unique_ptr<Publisher> make_publisher(uint32_t id, uint32_t run, const RunShape& shape,
                                          const Layout& l, redis::ClusterView& view) {
    const char* verb = shape.sharded ? "SPUBLISH" : "PUBLISH";
    std::vector<std::unique_ptr<PublishLink>> links(l.shards.size());
    std::vector<Publisher::Target> targets;
    for (size_t c = 0; c < l.channels.size(); ++c) {
        auto& link = links[l.shard_of_channel[c]];
        if (!link) {
            const auto node = l.shards[l.shard_of_channel[c]];
            const size_t window =
                std::clamp<size_t>(max_in_flight_bytes / (shape.size + 64), 1, shape.window);
            link = std::make_unique<PublishLink>(redis::Connection::open(view.settings_for(node)),
                                                 window, verb);
        }
        targets.push_back({link.get(), publish::publish_prefix(l.channels[c], verb)});
    }
    std::erase(links, nullptr);
    const publish::Pacer pacer = shape.rate > 0
                                     ? publish::Pacer::per_second(shape.rate / shape.publishers)
                                     : publish::Pacer(std::chrono::nanoseconds(0));
    std::optional<uint64_t> quota;
    if (shape.messages > 0) quota = share_of(shape.messages, shape.publishers, id);
    return std::make_unique<Publisher>(id, run, shape.size, pacer, quota, std::move(links),
                                       std::move(targets));
}

std::unique_ptr<BenchSubscriber> make_subscriber(uint32_t id, uint32_t run, const RunShape& shape,
                                                 const Layout& l,
                                                 const std::vector<uint32_t>& channels,
                                                 redis::ClusterView& view,
                                                 const redis::BackoffPolicy& backoff,
                                                 SubscriberEvents& events) {
    ReceiverShape rs{run, shape.publishers, std::vector<bool>(shape.channels, false)};
    std::vector<BenchSubscriber::Group> groups;
    for (uint32_t c : channels) {
        rs.channels[c] = true;
        const auto& node = l.shards[l.shard_of_channel[c]];
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.node == node; });
        if (it == groups.end()) {
            groups.push_back({node, view.settings_for(node), {}});
            it = groups.end() - 1;
        }
        it->names.push_back(shape.pattern ? literal_pattern(l.channels[c]) : l.channels[c]);
    }
    const auto kind = shape.sharded   ? redis::SubscriptionKind::shard_channels
                      : shape.pattern ? redis::SubscriptionKind::patterns
                                      : redis::SubscriptionKind::channels;
    return std::make_unique<BenchSubscriber>(id, kind, std::move(rs), std::move(groups), backoff,
                                             events);
}

// What the subscribers should have received by now: each one's channels, from every
// publisher, of what the publishers sent.
uint64_t expected_now(const RunControl& control, const RunShape& shape,
                      const std::vector<std::vector<uint32_t>>& assignment) {
    std::vector<uint64_t> per_channel(shape.channels, 0);
    for (const auto& s : control.sent) {
        const uint64_t sent = s.load(std::memory_order_relaxed);
        for (uint32_t c = 0; c < shape.channels; ++c)
            per_channel[c] += sent_on(sent, c, shape.channels);
    }
    uint64_t total = 0;
    for (const auto& list : assignment) {
        for (uint32_t c : list) total += per_channel[c];
    }
    return total;
}

void write_progress(const std::string& line, bool terminal) {
    const std::string text = terminal ? "\r" + line + "\033[K" : line + "\n";
    if (::write(STDERR_FILENO, text.data(), text.size()) < 0) return;  // not worth failing for
}

}  // namespace

Report run_bench(const config::Settings& settings, const EngineOptions& options) {
    const RunShape& shape = options.shape;
    Report report;
    report.shape = shape;
    report.tls = settings.tls;

    util::stop_signal_fd();  // SIGINT and SIGTERM end the run with a report
    auto control_connection = redis::Connection::open(settings);
    report.endpoint = control_connection.endpoint();
    report.server_version = redis::server_version(control_connection);
    const auto limit_before = redis::info_counter(control_connection, "stats", limit_counter);
    redis::ClusterView view(settings);
    if (shape.sharded) view.discover(control_connection, redis::ClusterMode::detect);
    report.cluster = view.is_cluster();
    const Layout layout = lay_out(shape, view);
    const uint32_t run = static_cast<uint32_t>(std::random_device{}());
    const auto assignment =
        assign_channels(shape.subscribers, shape.channels, shape.subscribers_per_channel);

    RunControl control(shape.publishers);
    SubscriberEvents events;
    const uint32_t threads = std::max<uint32_t>(
        1, std::min<uint32_t>(shape.threads, shape.publishers + shape.subscribers));
    std::vector<std::unique_ptr<Worker>> workers;
    for (uint32_t t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(control));
    uint64_t groups = 0;
    const auto now = Clock::now();
    for (uint32_t s = 0; s < shape.subscribers; ++s) {
        auto sub =
            make_subscriber(s, run, shape, layout, assignment[s], view, options.backoff, events);
        sub->connect(now);
        groups += sub->group_count();
        workers[(shape.publishers + s) % threads]->subscribers.push_back(std::move(sub));
    }
    for (uint32_t p = 0; p < shape.publishers; ++p) {
        workers[p % threads]->publishers.push_back(make_publisher(p, run, shape, layout, view));
    }
    spdlog::debug("bench run {:08x}: {} threads, {} subscribed connections", run, threads, groups);

    std::vector<std::thread> pool;
    for (auto& w : workers) pool.emplace_back([&w] { w->run(); });
    struct Joiner {
        RunControl& control;
        std::vector<std::thread>& pool;
        ~Joiner() {
            control.stop = true;
            for (auto& t : pool) t.join();
        }
    } joiner{control, pool};

    // Publishing starts once every subscription is confirmed.
    const auto confirm_by = Clock::now() + settings.connect_timeout;
    while (events.confirmed.load() < groups && !control.stop.load() && !util::stop_requested()) {
        if (Clock::now() >= confirm_by) {
            throw Error(ErrorKind::connection,
                        "the server did not confirm every subscription within " +
                            redis::timeout_text(settings.connect_timeout),
                        redis::connection_hint);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    control.clock.t0 = Clock::now();
    control.clock.measure_start =
        control.clock.t0 + std::chrono::nanoseconds(static_cast<int64_t>(shape.warmup_s * 1e9));
    if (shape.messages == 0) {
        control.clock.measure_end =
            control.clock.measure_start +
            std::chrono::nanoseconds(static_cast<int64_t>(shape.duration_s * 1e9));
    }
    control.go.store(true, std::memory_order_release);

    std::ofstream csv;
    if (options.csv) {
        csv.open(*options.csv, std::ios::out | std::ios::trunc);
        if (!csv) throw Error(ErrorKind::failure, "--csv: cannot write " + *options.csv);
        csv << csv_header();
    }
    const bool terminal = options.progress && isatty(STDERR_FILENO);
    Sample last;
    auto next_tick = control.clock.t0 + std::chrono::seconds(1);
    Clock::time_point publishers_done_at{};
    uint64_t delivered_then = 0;
    Clock::time_point quiet_since{};
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto t = Clock::now();
        if (control.stop.load()) break;
        if (util::stop_requested()) {
            control.stop_sending = true;
            spdlog::info("stopped by a signal: reporting what was measured");
            break;
        }
        Sample s;
        s.warmup = t < control.clock.measure_start;
        s.elapsed_s = std::chrono::duration<double>(t - control.clock.t0).count();
        Histogram latency;
        for (auto& w : workers) {
            s.published += w->counts.published.load();
            s.delivered += w->counts.delivered.load();
            s.lost += w->counts.missing.load();
            std::lock_guard lock(w->counts.mutex);
            latency.merge(w->counts.latency);
        }
        s.p99_ns = latency.percentile(0.99);
        s.disconnects = events.disconnects.load();
        if (t >= next_tick) {
            s.published_in_second = s.published - last.published;
            s.delivered_in_second = s.delivered - last.delivered;
            if (options.progress) write_progress(progress_line(s), terminal);
            if (csv) csv << csv_row(s) << std::flush;
            last = s;
            next_tick += std::chrono::seconds(1);
        }
        if (control.publishers_done.load() < shape.publishers) continue;
        if (publishers_done_at == Clock::time_point{}) {
            publishers_done_at = t;
            quiet_since = t;
        }
        if (s.delivered >= expected_now(control, shape, assignment)) break;
        if (s.delivered != delivered_then) {
            delivered_then = s.delivered;
            quiet_since = t;
        } else if (t - quiet_since >= drain_quiet) {
            break;
        }
    }
    if (terminal) write_progress("", true);
    control.stop_sending = true;
    control.stop = true;
    for (auto& t : pool) t.join();
    pool.clear();
    if (control.error) std::rethrow_exception(control.error);

    // The totals, from the threads' own objects now that they are stopped.
    Totals& totals = report.totals;
    std::vector<uint64_t> sent(shape.publishers, 0);
    Clock::time_point last_reply{};
    uint64_t last_arrival_ns = 0;
    for (auto& w : workers) {
        for (auto& p : w->publishers) {
            sent[p->id()] = p->measured_sent();
            totals.published += p->measured_answered();
            last_reply = std::max(last_reply, p->last_reply());
            totals.receivers += static_cast<uint64_t>(std::max(0LL, p->receivers()));
        }
    }
    for (auto& w : workers) {
        for (auto& sub : w->subscribers) {
            const Receiver& r = sub->receiver();
            const SequenceCounts& c = r.tracker().counts();
            totals.duplicates += c.duplicates;
            totals.reorders += c.reorders;
            totals.rejected += r.rejected();
            last_arrival_ns = std::max(last_arrival_ns, r.last_arrival_ns());
            report.latency.merge(r.latency());
            for (uint32_t ch = 0; ch < shape.channels; ++ch) {
                if (!r.shape().channels[ch]) continue;
                for (uint32_t p = 0; p < shape.publishers; ++p) {
                    const uint64_t want = sent_on(sent[p], ch, shape.channels);
                    const StreamTracker* st = r.tracker().stream(p, ch);
                    const uint64_t got = st ? std::min(st->unique(), want) : 0;
                    totals.expected += want;
                    totals.delivered += got;
                    totals.lost += want - got;
                }
            }
        }
    }
    totals.disconnects = events.disconnects.load();
    const auto limit_after = redis::info_counter(control_connection, "stats", limit_counter);
    if (limit_before && limit_after) {
        totals.buffer_limit_from_server = true;
        totals.buffer_limit_disconnects =
            std::min(totals.disconnects, *limit_after - std::min(*limit_after, *limit_before));
    } else {
        totals.buffer_limit_disconnects = events.busy_closes.load();
    }
    report.publish_seconds = std::max(
        0.0, std::chrono::duration<double>(last_reply - control.clock.measure_start).count());
    const uint64_t start_ns = control.clock.ns(control.clock.measure_start);
    report.deliver_seconds =
        last_arrival_ns > start_ns ? static_cast<double>(last_arrival_ns - start_ns) / 1e9 : 0.0;
    return report;
}

}  // namespace amr::bench
