#include "bench/worker.hpp"

#include <sys/prctl.h>

#include <algorithm>

#include "error.hpp"

namespace amr::bench {
namespace {

// How often a thread shares its counts, and looks at the stop flags when idle.
constexpr auto share_every = std::chrono::milliseconds(100);

}  // namespace

void RunControl::fail(std::exception_ptr e) {
    {
        std::lock_guard lock(error_mutex);
        if (!error) error = e;
    }
    stop = true;
}

void Worker::run() {
    // poll() may wake up to the thread's timer slack (50 us by default) after the time
    // asked: a paced publisher would add that to every message's latency.
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    try {
        loop();
    } catch (...) {
        control_.fail(std::current_exception());
    }
    share();
}

void Worker::share() {
    uint64_t published = 0;
    for (size_t i = 0; i < publishers.size(); ++i) {
        const Publisher& p = *publishers[i];
        published += p.measured_answered();
        control_.sent[p.id()].store(p.measured_sent(), std::memory_order_relaxed);
        if (!done_[i] && p.done()) {
            done_[i] = true;
            ++control_.publishers_done;
        }
    }
    counts.published = published;
    uint64_t delivered = 0, missing = 0, last = 0;
    std::lock_guard lock(counts.mutex);
    counts.latency.clear();
    for (const auto& s : subscribers) {
        const Receiver& r = s->receiver();
        delivered += r.tracker().unique();
        missing += r.tracker().missing();
        last = std::max(last, r.last_arrival_ns());
        counts.latency.merge(r.latency());
    }
    counts.delivered = delivered;
    counts.missing = missing;
    counts.last_arrival_ns = last;
}

void Worker::loop() {
    done_.assign(publishers.size(), false);
    redis::PollSet poll_set;
    std::vector<redis::Pollable*> items;
    std::vector<int> owner;  // per item: the subscriber's index, or -1 for a publishing link
    bool started = false;
    auto next_share = Clock::now();
    while (!control_.stop.load(std::memory_order_relaxed)) {
        auto now = Clock::now();
        if (!started && control_.go.load(std::memory_order_acquire)) {
            started = true;
            for (auto& p : publishers) p->start(control_.clock.t0);
        }
        if (started) {
            const bool stop_sending = control_.stop_sending.load(std::memory_order_relaxed);
            for (auto& p : publishers) {
                if (stop_sending) p->stop_sending();
                p->generate(now, control_.clock);
            }
        }
        items.clear();
        owner.clear();
        poll_set.clear();
        bool ready_now = false;
        // Until the start, look at the go flag every millisecond: a publisher that starts
        // late would show its lateness in the latency of the first messages.
        auto until =
            started ? next_share : std::min(next_share, now + std::chrono::milliseconds(1));
        for (auto& p : publishers) {
            for (auto& link : p->links()) {
                items.push_back(link.get());
                owner.push_back(-1);
            }
            if (started) until = std::min(until, p->wake_at());
        }
        for (size_t s = 0; s < subscribers.size(); ++s) {
            subscribers[s]->collect(items);
            owner.resize(items.size(), static_cast<int>(s));
            until = std::min(until, subscribers[s]->next_timer());
        }
        for (size_t i = 0; i < items.size(); ++i) {
            poll_set.add(items[i]->fd(), items[i]->events());
            ready_now = ready_now || items[i]->readable_without_poll();
            if (owner[i] < 0) until = std::min(until, items[i]->next_timer());
        }
        poll_set.wait(until, ready_now);
        now = Clock::now();
        for (size_t i = 0; i < items.size(); ++i) {
            const bool readable = poll_set.readable(i) || items[i]->readable_without_poll();
            if (owner[i] < 0) {
                auto* link = static_cast<PublishLink*>(items[i]);
                if (poll_set.revents(i) & POLLOUT) link->on_writable();
                if (readable) link->on_readable(now);
                if (link->next_timer() <= now) link->on_timer(now);
            } else if (readable) {
                subscribers[owner[i]]->on_readable(items[i], now, control_.clock);
            }
        }
        for (auto& s : subscribers) {
            if (s->next_timer() <= now) s->on_timer(now);
        }
        if (now >= next_share) {
            share();
            next_share = now + share_every;
        }
    }
}

}  // namespace amr::bench
