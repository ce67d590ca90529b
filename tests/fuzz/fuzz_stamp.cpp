// What an amr bench subscriber does with each payload (bench/receiver.hpp, stamp.hpp,
// sequence.hpp), on any bytes: the input is cut into payloads at each '\n', each handed
// to a Receiver of run 0x1f2e3d4c with 3 publishers and channels 0 and 2 of 4. Nothing
// throws; a stamp decodes only from "amrb" and lowercase hex, and writing it again gives
// the same bytes; a payload counted has a stamp of this run, a publisher and channel the
// run has, and a send time not after its arrival; the counts add up (every payload is
// counted, warm-up or rejected; received = distinct + duplicates) and every latency
// recorded is one of a message counted.
#include <string>
#include <string_view>

#include "bench/receiver.hpp"
#include "bench/stamp.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace amr::bench;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    Receiver receiver({0x1f2e3d4c, 3, {true, false, true, false}});
    uint64_t payloads = 0, counted = 0, warmup = 0, rejected = 0;
    size_t start = 0;
    while (start <= input.size()) {
        size_t end = input.find('\n', start);
        if (end == std::string_view::npos) end = input.size();
        const std::string_view payload = input.substr(start, end - start);
        start = end + 1;
        ++payloads;

        const Decoded d = decode_stamp(payload);
        fuzz::check(d.stamp.has_value() == (d.problem == StampProblem::none),
                    "a stamp and a problem, or neither", payload);
        if (d.stamp) {
            std::string again(payload.substr(0, stamp_size));
            write_stamp(again.data(), *d.stamp);
            fuzz::check(again == payload.substr(0, stamp_size),
                        "a decoded stamp does not write back to its bytes", payload);
            fuzz::check(d.stamp->publisher < max_publishers && d.stamp->channel < max_channels &&
                            d.stamp->sequence < max_sequence,
                        "a field past its width", payload);
        }
        const uint64_t now = uint64_t{1} << 40;
        switch (receiver.on_payload(payload, now)) {
            case Receiver::Outcome::counted:
                ++counted;
                fuzz::check(d.stamp && d.stamp->run == 0x1f2e3d4c && d.stamp->publisher < 3 &&
                                (d.stamp->channel == 0 || d.stamp->channel == 2) &&
                                d.stamp->sent_ns <= now && !d.stamp->warmup,
                            "a payload counted that is not one of the run's", payload);
                break;
            case Receiver::Outcome::warmup:
                ++warmup;
                break;
            case Receiver::Outcome::rejected:
                ++rejected;
                break;
        }
    }
    const SequenceCounts& c = receiver.tracker().counts();
    fuzz::check(counted + warmup + rejected == payloads, "a payload not accounted for");
    fuzz::check(c.received == counted, "received is not what was counted");
    fuzz::check(receiver.tracker().unique() + c.duplicates == c.received,
                "distinct + duplicates is not received");
    fuzz::check(c.reorders <= receiver.tracker().unique(), "more reorders than messages");
    fuzz::check(receiver.latency().count() == receiver.tracker().unique(),
                "a latency for each distinct message, no more");
    fuzz::check(receiver.rejected() == rejected && receiver.warmup() == warmup,
                "the receiver's counts differ");
    return 0;
}
