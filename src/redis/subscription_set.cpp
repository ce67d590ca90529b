#include "redis/subscription_set.hpp"

#include <algorithm>
#include <utility>

namespace amr::redis {
namespace {

template <typename T>
bool erase_one(std::vector<T>& v, const T& value) {
    auto it = std::find(v.begin(), v.end(), value);
    if (it == v.end()) return false;
    v.erase(it);
    return true;
}

const std::vector<Subscription> no_group;

}  // namespace

const char* subscribe_verb(SubscriptionKind kind) {
    switch (kind) {
        case SubscriptionKind::patterns:
            return "PSUBSCRIBE";
        case SubscriptionKind::shard_channels:
            return "SSUBSCRIBE";
        case SubscriptionKind::channels:
            break;
    }
    return "SUBSCRIBE";
}

const char* subscription_noun(SubscriptionKind kind) {
    switch (kind) {
        case SubscriptionKind::patterns:
            return "pattern";
        case SubscriptionKind::shard_channels:
            return "shard channel";
        case SubscriptionKind::channels:
            break;
    }
    return "channel";
}

SubscriptionSet::SubscriptionSet(std::vector<Subscription> desired)
    : desired_(std::move(desired)) {}

bool SubscriptionSet::wanted(const Subscription& s) const {
    return std::find(desired_.begin(), desired_.end(), s) != desired_.end();
}

bool SubscriptionSet::want(const Subscription& s) {
    if (wanted(s)) return false;
    desired_.push_back(s);
    return true;
}

bool SubscriptionSet::unwant(const Subscription& s) {
    std::erase(homeless_, s);
    return std::erase(desired_, s) > 0;
}

void SubscriptionSet::unwant_all() {
    desired_.clear();
    homeless_.clear();
}

std::vector<Subscription> SubscriptionSet::take_homeless() {
    return std::exchange(homeless_, {});
}

void SubscriptionSet::make_homeless(std::vector<Subscription> group) {
    homeless_.insert(homeless_.end(), std::make_move_iterator(group.begin()),
                     std::make_move_iterator(group.end()));
}

SubscriptionSet::PerLink& SubscriptionSet::at(LinkId link) {
    for (auto& l : links_) {
        if (l.id == link) return l;
    }
    links_.push_back(PerLink{link, {}, {}, false});
    return links_.back();
}

const SubscriptionSet::PerLink* SubscriptionSet::find(LinkId link) const {
    for (const auto& l : links_) {
        if (l.id == link) return &l;
    }
    return nullptr;
}

bool SubscriptionSet::sent(LinkId link, std::vector<Subscription> group) {
    PerLink& l = at(link);
    l.pending.push_back(std::move(group));
    return l.pending.size() == 1;
}

SubscriptionSet::Confirmation SubscriptionSet::confirm(LinkId link, const Subscription& s) {
    Confirmation c;
    PerLink& l = at(link);
    // Only what was asked for counts: a confirmation of anything else must not make the
    // set believe it has subscriptions it has not.
    auto group = std::find_if(l.pending.begin(), l.pending.end(), [&](const auto& g) {
        return std::find(g.begin(), g.end(), s) != g.end();
    });
    if (group == l.pending.end()) {
        c.stray = true;
        c.report = !std::exchange(l.stray_reported, true);
        return c;
    }
    erase_one(*group, s);
    if (group->empty()) {
        l.pending.erase(group);
        c.group_done = true;
        c.more_pending = !l.pending.empty();
    }
    l.names.push_back(s);
    c.complete = confirmed() >= desired_.size();
    return c;
}

SubscriptionSet::Forgotten SubscriptionSet::forget(LinkId link, const Subscription& s) {
    PerLink& l = at(link);
    if (!erase_one(l.names, s)) return Forgotten::unknown;
    if (!wanted(s)) return Forgotten::unsubscribed;
    homeless_.push_back(s);
    return Forgotten::homeless;
}

bool SubscriptionSet::refuse_first(LinkId link) {
    PerLink& l = at(link);
    if (l.pending.empty()) return false;
    make_homeless(std::move(l.pending.front()));
    l.pending.erase(l.pending.begin());
    return !l.pending.empty();
}

void SubscriptionSet::drop(LinkId link) {
    auto it =
        std::find_if(links_.begin(), links_.end(), [&](const PerLink& l) { return l.id == link; });
    if (it == links_.end()) return;
    auto keep = [&](const Subscription& s) {
        if (wanted(s)) homeless_.push_back(s);
    };
    for (const auto& s : it->names) keep(s);
    for (const auto& group : it->pending) {
        for (const auto& s : group) keep(s);
    }
    links_.erase(it);
}

bool SubscriptionSet::has_pending(LinkId link) const {
    const PerLink* l = find(link);
    return l != nullptr && !l->pending.empty();
}

const std::vector<Subscription>& SubscriptionSet::first_pending(LinkId link) const {
    const PerLink* l = find(link);
    return l == nullptr || l->pending.empty() ? no_group : l->pending.front();
}

size_t SubscriptionSet::confirmed() const {
    size_t total = 0;
    for (const auto& l : links_) total += l.names.size();
    return total;
}

}  // namespace amr::redis
