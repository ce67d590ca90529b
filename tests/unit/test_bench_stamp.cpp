#include <doctest/doctest.h>

#include <string>

#include "bench/stamp.hpp"

using namespace amr::bench;

TEST_CASE("stamp: a payload reads back, padded to its size") {
    Stamp s{0x1f2e3d4c, false, 3, 65535, 42, 5'000'000};
    const std::string p = make_payload(s, 128);
    CHECK(p.size() == 128);
    CHECK(p.substr(0, stamp_size) == "amrb1f2e3d4cm0003ffff00000000002a0000004c4b40");
    CHECK(p.substr(stamp_size) == std::string(128 - stamp_size, '.'));
    const Decoded d = decode_stamp(p);
    REQUIRE(d.stamp);
    CHECK(*d.stamp == s);

    Stamp w{7, true, 0, 0, max_sequence - 1, (uint64_t{1} << 48) - 1};
    const Decoded dw = decode_stamp(make_payload(w, stamp_size));
    REQUIRE(dw.stamp);
    CHECK(*dw.stamp == w);
}

TEST_CASE("stamp: rewriting in place keeps the padding") {
    std::string p = make_payload({}, 64);
    write_stamp(p.data(), {9, false, 1, 2, 3, 4});
    CHECK(decode_stamp(p).stamp->sequence == 3);
    CHECK(p.back() == '.');
}

TEST_CASE("stamp: anything else is refused with a reason") {
    const std::string good = make_payload({1, false, 2, 3, 4, 5}, 64);
    CHECK(decode_stamp("").problem == StampProblem::too_short);
    CHECK(decode_stamp(good.substr(0, stamp_size - 1)).problem == StampProblem::too_short);
    std::string bad = good;
    bad[0] = 'A';
    CHECK(decode_stamp(bad).problem == StampProblem::not_a_stamp);
    bad = good;
    bad[12] = 'x';
    CHECK(decode_stamp(bad).problem == StampProblem::bad_flag);
    for (size_t at : {4u, 13u, 17u, 21u, 33u, 44u}) {
        for (char c : {'A', 'g', ' ', '\0', '\x1b', '-'}) {
            bad = good;
            bad[at] = c;
            CAPTURE(at);
            CHECK(decode_stamp(bad).problem == StampProblem::bad_digit);
            CHECK_FALSE(decode_stamp(bad).stamp);
        }
    }
    CHECK(std::string(describe(StampProblem::bad_digit)).find("hex") != std::string::npos);
}
