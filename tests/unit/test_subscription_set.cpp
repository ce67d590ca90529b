#include "redis/subscription_set.hpp"

#include <doctest/doctest.h>

using amr::redis::Subscription;
using amr::redis::SubscriptionKind;
using amr::redis::SubscriptionSet;

namespace {

Subscription ch(const char* name) {
    return {SubscriptionKind::channels, name};
}
Subscription pat(const char* name) {
    return {SubscriptionKind::patterns, name};
}

}  // namespace

TEST_CASE("SubscriptionSet: confirmations complete groups and then the whole set") {
    SubscriptionSet set({ch("a"), ch("b"), pat("p*")});
    CHECK(set.sent(1, {ch("a"), ch("b")}));  // the first group on the link: start its clock
    CHECK_FALSE(set.sent(1, {pat("p*")}));   // another waits behind it
    CHECK(set.has_pending(1));
    CHECK(set.first_pending(1) == std::vector<Subscription>{ch("a"), ch("b")});

    auto c = set.confirm(1, ch("b"));
    CHECK_FALSE(c.stray);
    CHECK_FALSE(c.group_done);
    CHECK_FALSE(c.complete);
    CHECK(set.first_pending(1) == std::vector<Subscription>{ch("a")});

    c = set.confirm(1, ch("a"));
    CHECK(c.group_done);
    CHECK(c.more_pending);
    CHECK_FALSE(c.complete);

    c = set.confirm(1, pat("p*"));
    CHECK(c.group_done);
    CHECK_FALSE(c.more_pending);
    CHECK(c.complete);
    CHECK(set.confirmed() == 3);
    CHECK_FALSE(set.has_pending(1));
    CHECK(set.first_pending(1).empty());
}

TEST_CASE("SubscriptionSet: a confirmation not asked for is stray, reported once per link") {
    SubscriptionSet set({ch("a")});
    set.sent(1, {ch("a")});
    auto c = set.confirm(1, ch("x"));
    CHECK(c.stray);
    CHECK(c.report);
    CHECK_FALSE(c.complete);
    c = set.confirm(1, ch("y"));
    CHECK(c.stray);
    CHECK_FALSE(c.report);
    // Asked on link 1, confirmed on link 2: not believed either.
    c = set.confirm(2, ch("a"));
    CHECK(c.stray);
    CHECK(c.report);
    // The same name of another kind is another subscription.
    CHECK(set.confirm(1, pat("a")).stray);
    CHECK(set.confirmed() == 0);
    CHECK(set.confirm(1, ch("a")).complete);
}

TEST_CASE("SubscriptionSet: a name given twice is confirmed twice") {
    SubscriptionSet set({ch("a"), ch("a")});
    set.sent(1, {ch("a"), ch("a")});
    CHECK_FALSE(set.confirm(1, ch("a")).complete);
    const auto c = set.confirm(1, ch("a"));
    CHECK_FALSE(c.stray);
    CHECK(c.complete);
}

TEST_CASE("SubscriptionSet: a lost link leaves what is still wanted homeless") {
    SubscriptionSet set({ch("a"), ch("b"), ch("c")});
    set.sent(7, {ch("a"), ch("b")});
    set.confirm(7, ch("a"));
    set.sent(7, {ch("c")});
    set.unwant(ch("b"));
    CHECK_FALSE(set.has_homeless());
    set.drop(7);
    CHECK_FALSE(set.has_pending(7));
    CHECK(set.confirmed() == 0);
    // Confirmed first, then the pending groups in order; b is no longer wanted.
    CHECK(set.take_homeless() == std::vector<Subscription>{ch("a"), ch("c")});
    CHECK_FALSE(set.has_homeless());
    set.drop(7);  // unknown: nothing happens
    CHECK_FALSE(set.has_homeless());
}

TEST_CASE("SubscriptionSet: forget tells an unsubscription asked for from one the server made") {
    SubscriptionSet set({ch("a"), ch("b")});
    set.sent(1, {ch("a"), ch("b")});
    set.confirm(1, ch("a"));
    set.confirm(1, ch("b"));
    CHECK(set.forget(1, ch("zz")) == SubscriptionSet::Forgotten::unknown);
    CHECK(set.forget(2, ch("a")) == SubscriptionSet::Forgotten::unknown);  // not on link 2
    // Still wanted: the server dropped it (a slot moved).
    CHECK(set.forget(1, ch("a")) == SubscriptionSet::Forgotten::homeless);
    CHECK(set.take_homeless() == std::vector<Subscription>{ch("a")});
    // No longer wanted: gone as asked.
    CHECK(set.unwant(ch("b")));
    CHECK(set.forget(1, ch("b")) == SubscriptionSet::Forgotten::unsubscribed);
    CHECK(set.forget(1, ch("b")) == SubscriptionSet::Forgotten::unknown);
    CHECK(set.confirmed() == 0);
}

TEST_CASE("SubscriptionSet: a refused group becomes homeless, the next one waits") {
    SubscriptionSet set({ch("{x}1"), ch("{x}2"), ch("{y}")});
    set.sent(3, {ch("{x}1"), ch("{x}2")});
    set.sent(3, {ch("{y}")});
    CHECK(set.refuse_first(3));  // {y} still waits
    CHECK(set.first_pending(3) == std::vector<Subscription>{ch("{y}")});
    CHECK_FALSE(set.refuse_first(3));
    CHECK_FALSE(set.refuse_first(3));  // nothing pending: nothing happens
    CHECK(set.take_homeless() == std::vector<Subscription>{ch("{x}1"), ch("{x}2"), ch("{y}")});
}

TEST_CASE("SubscriptionSet: want, unwant and unwant_all change the desired and the homeless") {
    SubscriptionSet set;
    CHECK(set.want(ch("a")));
    CHECK_FALSE(set.want(ch("a")));
    CHECK(set.want(pat("a")));
    CHECK(set.wanted(pat("a")));
    set.make_homeless({ch("a"), pat("a")});
    CHECK(set.unwant(ch("a")));
    CHECK_FALSE(set.unwant(ch("a")));
    CHECK(set.desired() == std::vector<Subscription>{pat("a")});
    CHECK(set.take_homeless() == std::vector<Subscription>{pat("a")});
    set.make_homeless({pat("a")});
    set.unwant_all();
    CHECK(set.desired().empty());
    CHECK_FALSE(set.has_homeless());
}

TEST_CASE("subscribe_verb and subscription_noun name each kind") {
    using amr::redis::subscribe_verb;
    using amr::redis::subscription_noun;
    CHECK(std::string(subscribe_verb(SubscriptionKind::channels)) == "SUBSCRIBE");
    CHECK(std::string(subscribe_verb(SubscriptionKind::patterns)) == "PSUBSCRIBE");
    CHECK(std::string(subscribe_verb(SubscriptionKind::shard_channels)) == "SSUBSCRIBE");
    CHECK(std::string(subscription_noun(SubscriptionKind::channels)) == "channel");
    CHECK(std::string(subscription_noun(SubscriptionKind::patterns)) == "pattern");
    CHECK(std::string(subscription_noun(SubscriptionKind::shard_channels)) == "shard channel");
}
