#include "bench/receiver.hpp"

namespace amr::bench {

Receiver::Outcome Receiver::on_payload(std::string_view payload, uint64_t now_ns) {
    const Decoded d = decode_stamp(payload);
    // A stamp from another run, another publisher or channel than this run has, or sent
    // after it arrived, is not one of ours (whatever its bytes say).
    if (!d.stamp || d.stamp->run != shape_.run || d.stamp->publisher >= shape_.publishers ||
        d.stamp->channel >= shape_.channels.size() || !shape_.channels[d.stamp->channel] ||
        d.stamp->sent_ns > now_ns) {
        ++rejected_;
        return Outcome::rejected;
    }
    if (d.stamp->warmup) {
        ++warmup_;
        return Outcome::warmup;
    }
    const Arrival a = tracker_.receive(d.stamp->publisher, d.stamp->channel, d.stamp->sequence);
    if (a != Arrival::duplicate) latency_.record(now_ns - d.stamp->sent_ns);
    last_arrival_ns_ = now_ns;
    return Outcome::counted;
}

}  // namespace amr::bench
