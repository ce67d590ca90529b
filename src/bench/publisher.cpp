#include "bench/publisher.hpp"

#include <algorithm>

#include "publish/pipeline.hpp"
#include "redis/socket.hpp"

namespace amr::bench {

PublishLink::PublishLink(redis::Connection connection, size_t window, std::string verb)
    : connection_(std::move(connection)),
      window_(std::max<size_t>(window, 1)),
      verb_(std::move(verb)) {
    reader_.reset(connection_);
}

short PublishLink::events() const {
    return static_cast<short>(POLLIN | (connection_.write_pending() ? POLLOUT : 0));
}

void PublishLink::on_readable(Clock::time_point now) {
    reader_.read_from(connection_);
    redis::Frame frame;
    while (reader_.next(frame)) {
        if (frame.type == redis::Frame::Type::integer) {
            if (answered_ >= sent_) {
                throw redis::frame_error(connection_.endpoint(), 0, "a reply to no command");
            }
            ++answered_;
            long long n = 0;
            for (char c : frame.text) {
                if (c >= '0' && c <= '9') n = std::min(n * 10 + (c - '0'), 1LL << 40);
            }
            receivers_ += n;
            last_reply_ = now;
        } else if (frame.type == redis::Frame::Type::error) {
            throw redis::reply_error(
                std::string(frame.text) + " (from " + connection_.endpoint() + ")", verb_);
        } else {
            throw redis::frame_error(connection_.endpoint(), 0,
                                     "a reply to " + verb_ + " that is not an integer");
        }
    }
}

Clock::time_point PublishLink::next_timer() const {
    if (in_flight() == 0) return Clock::time_point::max();
    return last_reply_ + connection_.settings().connect_timeout;
}

void PublishLink::on_timer(Clock::time_point now) {
    if (in_flight() > 0 && now >= next_timer()) {
        throw Error(ErrorKind::connection,
                    connection_.endpoint() + " answered no " + verb_ + " within " +
                        redis::timeout_text(connection_.settings().connect_timeout),
                    redis::connection_hint);
    }
}

size_t PublishLink::room() const {
    const uint64_t used = in_flight() + queued_;
    return used >= window_ ? 0 : static_cast<size_t>(window_ - used);
}

void PublishLink::queue(std::string_view prefix, std::string_view payload, bool warmup) {
    publish::append_publish(out_, prefix, payload);
    ++queued_;
    if (warmup) ++warm_;
}

void PublishLink::flush() {
    if (queued_ == 0) return;
    if (in_flight() == 0) last_reply_ = Clock::now();  // the reply timeout starts now
    connection_.append_formatted(out_);
    out_.clear();
    sent_ += queued_;
    queued_ = 0;
    connection_.write_some();
}

Publisher::Publisher(uint32_t id, uint32_t run, size_t size, publish::Pacer pacer,
                     std::optional<uint64_t> quota, std::vector<std::unique_ptr<PublishLink>> links,
                     std::vector<Target> targets)
    : id_(id),
      channels_(static_cast<uint32_t>(targets.size())),
      pacer_(pacer),
      quota_(quota),
      links_(std::move(links)),
      targets_(std::move(targets)) {
    stamp_.run = run;
    stamp_.publisher = id;
    payload_ = make_payload(stamp_, size);
}

void Publisher::generate(Clock::time_point now, const RunClock& clock) {
    blocked_ = false;
    if (sending_) {
        const uint64_t due = pacer_.due(now, UINT64_MAX);
        while (index_ < due) {
            const Clock::time_point planned = pacer_.paced() ? pacer_.planned(index_) : now;
            const bool warmup = planned < clock.measure_start;
            if (!warmup && ((quota_ && measured_ >= *quota_) ||
                            (clock.measure_end && planned >= *clock.measure_end))) {
                sending_ = false;
                break;
            }
            const uint64_t n = warmup ? warm_ : measured_;
            const auto channel = static_cast<uint32_t>(n % channels_);
            Target& t = targets_[channel];
            if (t.link->room() == 0) {
                blocked_ = true;  // a reply makes room and wakes the loop
                break;
            }
            stamp_.warmup = warmup;
            stamp_.channel = channel;
            stamp_.sequence = n / channels_;
            stamp_.sent_ns = clock.ns(planned);
            write_stamp(payload_.data(), stamp_);
            t.link->queue(t.prefix, payload_, warmup);
            ++(warmup ? warm_ : measured_);
            ++index_;
        }
    }
    for (auto& link : links_) link->flush();
}

Clock::time_point Publisher::wake_at() const {
    if (!sending_ || blocked_ || !pacer_.paced()) return Clock::time_point::max();
    return pacer_.planned(index_);
}

bool Publisher::done() const {
    if (sending_) return false;
    return std::all_of(links_.begin(), links_.end(),
                       [](const auto& l) { return l->in_flight() == 0; });
}

uint64_t Publisher::measured_answered() const {
    uint64_t n = 0;
    for (const auto& l : links_) n += l->measured_answered();
    return n;
}

Clock::time_point Publisher::last_reply() const {
    Clock::time_point t{};
    for (const auto& l : links_) t = std::max(t, l->last_reply());
    return t;
}

long long Publisher::receivers() const {
    long long n = 0;
    for (const auto& l : links_) n += l->receivers();
    return n;
}

}  // namespace amr::bench
